import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { useAutoSubmit } from '../components/auto-submit.ts';
import { CheckboxFilter, FilterEnd, ServiceFilter, TeamFilter } from '../components/filters.tsx';
import { z } from 'zod';
import { BulkBar, BulkButton } from '../components/bulk-bar.tsx';
import { AlertTable } from '../components/tables.tsx';
import { Empty, NextPage, PageHeader, Problems } from '../components/ui.tsx';
import { AcknowledgeAlertDocument, AlertListDocument, SilenceAlertDocument, type AlertState } from '../graphql/generated.ts';
import { catalogChoices, mutate, newIdempotencyKey, query } from '../lib/api.server.ts';
import { SILENCE_DURATIONS } from '../lib/alerts.ts';
import { SilenceFields } from '../lib/alerts.server.ts';
import { bulkIds, eachBounded, fail, formFields, parseWith, problemMessage } from '../lib/forms.server.ts';
import { listOf, pageOf, scopeOf, SEVERITIES } from '../lib/params.ts';
import { sectionProblems } from '../lib/problems.ts';
import { redirectWithFlash } from '../lib/session.server.ts';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction = () => [{ title: 'Alerts · OpsOrch' }];

const STATES = ['FIRING', 'ACKNOWLEDGED', 'SILENCED', 'RESOLVED'] as const satisfies readonly AlertState[];
const ACTIVE: AlertState[] = ['FIRING', 'ACKNOWLEDGED', 'SILENCED'];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = new URL(request.url).searchParams;
  const states = p.has('f') || p.has('state') ? listOf(p, 'state', STATES) : ACTIVE;
  const severities = listOf(p, 'severity', SEVERITIES);
  const [list, choices] = await Promise.all([
    query(request, context, AlertListDocument, {
      filter: {
        states: states.length ? states : undefined,
        severities: severities.length ? severities : undefined,
        scope: scopeOf(p),
        text: p.get('q') || undefined,
      },
      ...pageOf(p),
    }),
    catalogChoices(request, context),
  ]);
  return {
    alerts: list.data?.alerts ?? null,
    problems: list.problems,
    states,
    severities,
    ...choices,
    idempotencyKey: newIdempotencyKey(),
  };
}

const ids = bulkIds('alert');
const Bulk = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('acknowledge'), id: ids, idempotencyKey: z.string().min(1) }),
  SilenceFields.extend({ intent: z.literal('silence'), id: ids, idempotencyKey: z.string().min(1) }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const fields = await formFields(request, context);
  const parsed = parseWith(Bulk, fields);
  if (!parsed.ok) return fail(String(fields.intent ?? 'bulk'), parsed.errors, Object.values(parsed.errors).join(' '));
  const input = parsed.value;
  const results = await eachBounded(input.id, async (id) => {
      const k = `${input.idempotencyKey}:${id}`;
      const r =
        input.intent === 'acknowledge'
          ? await mutate(request, context, AcknowledgeAlertDocument, { id, idempotencyKey: k }).then((x) => ({ name: x.data?.acknowledgeAlert.name, problems: x.problems }))
          : await mutate(request, context, SilenceAlertDocument, { id, duration: input.duration, comment: input.comment || undefined, idempotencyKey: k }).then((x) => ({
              name: x.data?.silenceAlert.name,
              problems: x.problems,
            }));
      return { id, ...r };
  });
  const done = results.filter((r) => r.name);
  const failed = results.filter((r) => !r.name);
  const verb = input.intent === 'acknowledge' ? 'Acknowledged' : `Silenced for ${input.duration}`;
  if (!done.length) return fail(input.intent, {}, `${verb}: nothing. ${failed.map((f) => problemMessage(f.problems)).join('; ')}`);
  const url = new URL(request.url);
  return redirectWithFlash(url.pathname + url.search, {
    kind: failed.length ? 'error' : 'success',
    message: `${verb}: ${done.map((d) => d.name).join(', ')}${failed.length ? `; failed: ${failed.map((f) => problemMessage(f.problems)).join('; ')}` : ''}`,
  });
}

export default function Alerts() {
  const { alerts, problems, states, severities, services, teams, idempotencyKey } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const [params] = useSearchParams();
  const autoSubmit = useAutoSubmit();
  return (
    <>
      <PageHeader title="Alerts" subtitle="Every alerting tool, newest first. Acknowledge what you are on; silence what you know about." actions={<span className="muted small">j/k · x select · Enter open</span>} />
      <Form method="get" className="filters" onChange={autoSubmit}>
        <input type="hidden" name="f" value="1" />
        <input type="search" name="q" defaultValue={params.get('q') ?? ''} placeholder="Search name, summary  ( / )" data-search aria-label="Search alerts" />
        <CheckboxFilter label="State" name="state" options={STATES} checked={states} />
        <CheckboxFilter label="Severity" name="severity" options={SEVERITIES.slice(0, 5)} checked={severities} format={(s) => s} />
        <ServiceFilter services={services} />
        <TeamFilter teams={teams} />
        <FilterEnd reset="/alerts" label="Active alerts" />
      </Form>
      <Problems problems={sectionProblems(problems, ['alerts'], alerts?.providerErrors)} what="alerts of the failed providers are missing" />
      <BulkBar idempotencyKey={idempotencyKey} totalCount={alerts?.totalCount} error={failure?.message}>
        <span className="row">
          <select name="duration" defaultValue="1h" aria-label="Silence for">
            {SILENCE_DURATIONS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <input name="comment" placeholder="Why (optional), e.g. tracked in OPS-298" aria-label="Silence comment" size={30} />
          <BulkButton intent="silence" label="Silence" />
        </span>
      </BulkBar>
      {alerts?.nodes.length ? <AlertTable alerts={alerts.nodes} selectForm="bulk" /> : <Empty>No alert matches these filters.</Empty>}
      <NextPage search={params} endCursor={alerts?.pageInfo.endCursor} hasNextPage={alerts?.pageInfo.hasNextPage} />
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
