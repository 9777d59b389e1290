import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react';
import flowStyles from '@xyflow/react/dist/style.css?url';
import { useEffect } from 'react';
import { z } from 'zod';
import { Flow } from '../components/flow.tsx';
import { incidentPath, runbookPath, StepProgress } from '../components/tables.tsx';
import { ApprovesEnvironment, Badge, FieldError, PageHeader, Problems, Section, SourceLink } from '../components/ui.tsx';
import { CancelRunbookRunDocument, CompleteManualStepDocument, RunDetailDocument } from '../graphql/generated.ts';
import { mutate, newIdempotencyKey, query } from '../lib/api.server.ts';
import { apiFailure, fail, formFields, parseWith } from '../lib/forms.server.ts';
import { stepFlow } from '../lib/graph.server.ts';
import { redirectWithFlash } from '../lib/session.server.ts';
import { formatDuration, formatUtc, TimeAgo, useNow } from '../lib/time.tsx';
import { CsrfField } from '../components/csrf.tsx';
import { notFoundUnless } from '../lib/problems.ts';
import { RouteError } from '../components/route-error.tsx';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: flowStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.run?.runbook.name ?? 'Run'} run · OpsOrch` }];

const LIVE = new Set(['PENDING', 'RUNNING', 'WAITING_FOR_INPUT']);
/** How often a live run refreshes its step states. */
const POLL_MS = 2000;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { data, problems } = await query(request, context, RunDetailDocument, { id: params.id! });
  notFoundUnless(data?.runbookRun, !!data, problems, `No run "${params.id}".`);
  const run = data?.runbookRun ?? null;
  return {
    run,
    problems,
    graph: run ? stepFlow(run.steps.map((s) => s.step), new Map(run.steps.map((s) => [s.step.id, s.status]))) : null,
    idempotencyKey: newIdempotencyKey(),
  };
}

const Intent = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('complete'),
    stepId: z.string().min(1),
    outcome: z.enum(['SUCCEEDED', 'FAILED', 'SKIPPED'], { message: 'Say how the step ended.' }),
    note: z.string().max(10_000, 'Keep the note under 10,000 characters.').optional(),
    idempotencyKey: z.string().min(1),
  }),
  z.object({ intent: z.literal('cancel'), reason: z.string().max(1000).optional(), idempotencyKey: z.string().min(1) }),
]);

export async function action({ request, context, params }: ActionFunctionArgs) {
  const fields = await formFields(request, context);
  const parsed = parseWith(Intent, fields);
  if (!parsed.ok) return fail(String(fields.intent ?? 'unknown'), parsed.errors);
  const runId = params.id!;
  const here = `/runs/${encodeURIComponent(runId)}`;
  const input = parsed.value;
  if (input.intent === 'complete') {
    const r = await mutate(request, context, CompleteManualStepDocument, { runId, stepId: input.stepId, outcome: input.outcome, note: input.note || undefined, idempotencyKey: input.idempotencyKey });
    if (!r.data) return apiFailure(`complete:${input.stepId}`, r.problems, { note: /note/i });
    return redirectWithFlash(here, { kind: 'success', message: `Step ${input.stepId} ${input.outcome.toLowerCase()}; the run is ${r.data.completeManualStep.status.toLowerCase().replace(/_/g, ' ')}.` });
  }
  const r = await mutate(request, context, CancelRunbookRunDocument, { runId, reason: input.reason || undefined, idempotencyKey: input.idempotencyKey });
  if (!r.data) return apiFailure('cancel', r.problems);
  return redirectWithFlash(here, { kind: 'success', message: 'Run cancelled.' });
}

export default function RunPage() {
  const { run, problems, graph, idempotencyKey } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const now = useNow();
  const live = run ? LIVE.has(run.status) : false;
  // Live step states: refresh while the run is going and nobody is typing into a form.
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => {
      const typing = document.activeElement?.tagName === 'TEXTAREA' || document.activeElement?.tagName === 'INPUT';
      if (revalidator.state === 'idle' && navigation.state === 'idle' && !typing && document.visibilityState === 'visible') revalidator.revalidate();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [live, revalidator, navigation.state]);
  if (!run || !graph) return <Problems problems={problems} />;
  const busy = navigation.state === 'submitting';
  return (
    <>
      <PageHeader
        crumbs={[
          { to: '/runs', label: 'Runs' },
          { to: runbookPath(run.runbook.id), label: run.runbook.name },
        ]}
        title={
          <>
            {run.runbook.name} <span className="mono muted small">{run.id}</span>
          </>
        }
        subtitle={
          <>
            <Badge kind="run" value={run.status} title={`In the engine: ${run.rawStatus}`} /> <StepProgress steps={run.steps} /> · started <TimeAgo at={run.startedAt} />
            {run.startedBy ? <> by {run.startedBy.name}</> : null}
            {run.finishedAt ? <> · took {formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))}</> : <> · running for {formatDuration(now - Date.parse(run.startedAt))}</>}
            {run.incident ? (
              <>
                {' '}
                · for <Link to={incidentPath(run.incident.id)}>#{run.incident.number} {run.incident.title}</Link>
              </>
            ) : null}
            {live ? <span className="live"> · live</span> : null}
            {run.cancelReason ? <div>Cancelled: {run.cancelReason}</div> : null}
          </>
        }
        actions={
          <>
            {run.runbook.documentationUrl ? <SourceLink url={run.runbook.documentationUrl} label="the wiki" /> : null}
            <SourceLink url={run.url} />
          </>
        }
      />
      <Problems problems={problems} />
      {failure?.message ? <div className="form-error">{failure.message}</div> : null}
      <Section title="Steps" actions={<span className="muted small">green done · blue running · amber waiting for you · red failed</span>}>
        <Flow graph={graph} height={Math.min(380, Math.max(160, graph.height + 40))} label={`Step states of run ${run.id}`} />
        <ol className="steps">
          {run.steps.map((s) => {
            const waiting = s.status === 'WAITING_FOR_INPUT';
            return (
              <li key={s.step.id} id={`step-${s.step.id}`} className={waiting ? 'step-waiting' : undefined} data-step={s.step.id} data-status={s.status}>
                <div>
                  <strong>{s.step.title}</strong>
                  <div>
                    <Badge kind="step" value={s.status} /> <span className="muted small">{s.step.kind.toLowerCase()}</span>
                  </div>
                  <ApprovesEnvironment step={s.step} />
                  {s.startedAt ? (
                    <div className="muted small" title={formatUtc(s.startedAt, true)}>
                      {s.finishedAt ? `took ${formatDuration(Date.parse(s.finishedAt) - Date.parse(s.startedAt))}` : `since ${formatDuration(now - Date.parse(s.startedAt))}`}
                    </div>
                  ) : null}
                </div>
                <div>
                  <pre>{s.step.description}</pre>
                  {s.note ? (
                    <div className="small">
                      Note{s.completedBy ? ` from ${s.completedBy.name}` : ''}: {s.note}
                    </div>
                  ) : null}
                  {waiting ? (
                    <Form method="post" className="stack complete-form" replace>
                      <CsrfField />
                      <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:${s.step.id}`} />
                      <input type="hidden" name="stepId" value={s.step.id} />
                      <label>
                        Note for the run's history
                        <textarea name="note" placeholder={s.step.kind === 'APPROVAL' ? 'Approved: blast radius checked with #team-payments' : 'Done: paused batch jobs in the scheduler'} />
                      </label>
                      <FieldError errors={failure && failure.intent === `complete:${s.step.id}` ? failure.errors : null} name="note" />
                      <div className="row">
                        <button type="submit" name="outcome" value="SUCCEEDED" className="good" disabled={busy}>
                          {s.step.kind === 'APPROVAL' ? (s.step.environment ? `Approve ${s.step.environment}` : 'Approve') : 'Mark done'}
                        </button>
                        <button type="submit" name="outcome" value="SKIPPED" disabled={busy}>
                          Skip
                        </button>
                        <button type="submit" name="outcome" value="FAILED" className="danger" disabled={busy}>
                          {s.step.kind === 'APPROVAL' ? 'Reject' : 'Failed'}
                        </button>
                        <input type="hidden" name="intent" value="complete" />
                      </div>
                    </Form>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ol>
      </Section>
      {live ? (
        <Section title="Cancel">
          <Form method="post" className="inline-form" replace>
            <CsrfField />
            <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:cancel`} />
            <input name="reason" placeholder="Why" aria-label="Cancel reason" size={40} />
            <button type="submit" name="intent" value="cancel" className="danger" disabled={busy}>
              Cancel run
            </button>
          </Form>
        </Section>
      ) : null}
      {run.parameters ? (
        <Section title="Parameters">
          <pre className="description">{JSON.stringify(run.parameters, null, 2)}</pre>
        </Section>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
