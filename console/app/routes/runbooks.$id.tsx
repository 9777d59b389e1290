import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import flowStyles from '@xyflow/react/dist/style.css?url';
import { z } from 'zod';
import { Flow } from '../components/flow.tsx';
import { RunTable, servicePath } from '../components/tables.tsx';
import { ApprovesEnvironment, Badge, Empty, FieldError, PageHeader, Problems, Section, SourceLink } from '../components/ui.tsx';
import { RunbookDetailDocument, StartRunbookRunDocument } from '../graphql/generated.ts';
import { mutate, newIdempotencyKey, query } from '../lib/api.server.ts';
import { apiFailure, fail, formFields, parseWith } from '../lib/forms.server.ts';
import { stepFlow } from '../lib/graph.server.ts';
import { sectionProblems, notFoundUnless } from '../lib/problems.ts';
import { redirectWithFlash } from '../lib/session.server.ts';
import { CsrfField } from '../components/csrf.tsx';
import { RouteError } from '../components/route-error.tsx';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: flowStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.runbook?.name ?? 'Runbook'} · OpsOrch` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { data, problems } = await query(request, context, RunbookDetailDocument, { id: params.id! });
  notFoundUnless(data?.runbook, !!data, problems, `No runbook "${params.id}".`);
  const runbook = data?.runbook ?? null;
  const incidentParam = new URL(request.url).searchParams.get('incident');
  return {
    runbook,
    problems,
    graph: runbook ? stepFlow(runbook.steps) : null,
    openIncidents: data?.openIncidents?.nodes ?? [],
    preselectedIncident: incidentParam,
    idempotencyKey: newIdempotencyKey(),
  };
}

const Start = z.object({
  incidentId: z
    .string()
    .trim()
    .transform((v) => v || undefined),
  parameters: z
    .string()
    .trim()
    .transform((text, ctx) => {
      if (!text) return undefined;
      try {
        const value = JSON.parse(text) as unknown;
        if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'Parameters must be a JSON object, for example {"service": "checkout", "toVersion": "2.13.4"}.' });
      return z.NEVER;
    }),
  idempotencyKey: z.string().min(1),
});

export async function action({ request, context, params }: ActionFunctionArgs) {
  const parsed = parseWith(Start, await formFields(request, context));
  if (!parsed.ok) return fail('start', parsed.errors, 'Fix the highlighted fields.');
  const { incidentId, parameters, idempotencyKey } = parsed.value;
  const r = await mutate(request, context, StartRunbookRunDocument, { runbookId: params.id!, input: { incidentId, parameters }, idempotencyKey });
  if (!r.data) return apiFailure('start', r.problems, { parameters: /parameter/i, incidentId: /incident/i });
  return redirectWithFlash(`/runs/${encodeURIComponent(r.data.startRunbookRun.id)}`, { kind: 'success', message: 'Run started.' });
}

export default function RunbookPage() {
  const { runbook, problems, graph, openIncidents, preselectedIncident, idempotencyKey } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  if (!runbook || !graph) return <Problems problems={problems} />;
  const relevant = openIncidents.filter((i) => !runbook.services.length || runbook.services.some((s) => s.id === i.service?.id));
  const others = openIncidents.filter((i) => !relevant.includes(i));
  return (
    <>
      <PageHeader
        crumbs={[{ to: '/runbooks', label: 'Runbooks' }]}
        title={runbook.name}
        subtitle={
          <>
            {runbook.description}
            <div>
              {runbook.services.map((s) => (
                <Link key={s.id} to={servicePath(s.id)} className="tag">
                  {s.id}
                </Link>
              ))}
              {runbook.tags.map((t) => (
                <Link key={t} to={`/runbooks?tag=${encodeURIComponent(t)}`} className="tag">
                  #{t}
                </Link>
              ))}
            </div>
          </>
        }
        actions={
          <>
            {runbook.documentationUrl ? <SourceLink url={runbook.documentationUrl} label="the wiki" /> : null}
            <SourceLink url={runbook.url} />
          </>
        }
      />
      <Problems problems={problems.filter((p) => !p.path || p.path.length <= 1)} />
      <div className="grid-side">
        <div>
          <Section title="Steps" count={runbook.steps.length} actions={<span className="muted small">arrows: must finish before · blue automated · amber needs a person</span>}>
            <Flow graph={graph} height={Math.min(380, Math.max(160, graph.height + 40))} label={`Step graph of ${runbook.name}`} />
            <ol className="steps">
              {runbook.steps.map((s) => (
                <li key={s.id} id={`step-${s.id}`}>
                  <div>
                    <strong>{s.title}</strong>
                    <div>
                      <Badge kind="kind" value={s.kind} />
                    </div>
                    {s.dependsOn.length ? <div className="muted small">after {s.dependsOn.join(', ')}</div> : null}
                    <ApprovesEnvironment step={s} />
                  </div>
                  <pre>{s.description}</pre>
                </li>
              ))}
            </ol>
          </Section>
          <Section title="Runs" actions={<Link to={`/runs?runbook=${encodeURIComponent(runbook.id)}`}>All runs →</Link>} problems={sectionProblems(problems, ['runbook', 'runs'], runbook.runs.providerErrors)}>
            {runbook.runs.nodes.length ? <RunTable runs={runbook.runs.nodes} showRunbook={false} /> : <Empty>Never run.</Empty>}
          </Section>
        </div>
        <aside>
          <Section title="Start a run">
            <Form method="post" className="stack" replace>
              <CsrfField />
              <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
              <label>
                For incident
                <select name="incidentId" defaultValue={preselectedIncident ?? relevant[0]?.id ?? ''}>
                  <option value="">No incident</option>
                  {relevant.map((i) => (
                    <option key={i.id} value={i.id}>
                      #{i.number} {i.title}
                    </option>
                  ))}
                  {others.length ? (
                    <optgroup label="Other open incidents">
                      {others.map((i) => (
                        <option key={i.id} value={i.id}>
                          #{i.number} {i.title}
                        </option>
                      ))}
                    </optgroup>
                  ) : null}
                </select>
              </label>
              <FieldError errors={failure?.errors} name="incidentId" />
              <label>
                Parameters (JSON object, optional)
                <textarea name="parameters" className="mono" placeholder='{"service": "checkout", "toVersion": "2.13.4"}' rows={3} />
              </label>
              <FieldError errors={failure?.errors} name="parameters" />
              <button type="submit" className="primary" disabled={busy} data-key="s">
                Start run <kbd>s</kbd>
              </button>
              {failure?.message ? <div className="form-error">{failure.message}</div> : null}
            </Form>
          </Section>
        </aside>
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
