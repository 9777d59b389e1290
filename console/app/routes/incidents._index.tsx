import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { useAutoSubmit } from '../components/auto-submit.ts';
import { CheckboxFilter, FilterEnd, ServiceFilter, TeamFilter } from '../components/filters.tsx';
import { z } from 'zod';
import { BulkBar, BulkButton } from '../components/bulk-bar.tsx';
import { IncidentTable } from '../components/tables.tsx';
import { Empty, NextPage, PageHeader, Problems } from '../components/ui.tsx';
import {
  AcknowledgeIncidentDocument,
  IncidentListDocument,
  ResolveIncidentDocument,
  type IncidentStatus,
} from '../graphql/generated.ts';
import { catalogChoices, mutate, newIdempotencyKey, query } from '../lib/api.server.ts';
import { bulkIds, eachBounded, fail, formFields, parseWith, problemMessage } from '../lib/forms.server.ts';
import { listOf, pageOf, scopeOf, SEVERITIES } from '../lib/params.ts';
import { sectionProblems } from '../lib/problems.ts';
import { redirectWithFlash } from '../lib/session.server.ts';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction = () => [{ title: 'Incidents · OpsOrch' }];

const STATUSES = ['TRIGGERED', 'ACKNOWLEDGED', 'RESOLVED'] as const satisfies readonly IncidentStatus[];
const OPEN: IncidentStatus[] = ['TRIGGERED', 'ACKNOWLEDGED'];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = new URL(request.url).searchParams;
  // Without a submitted filter the list shows what needs attention: open incidents.
  const statuses = p.has('f') ? listOf(p, 'status', STATUSES) : OPEN;
  const severities = listOf(p, 'severity', SEVERITIES);
  const [list, choices] = await Promise.all([
    query(request, context, IncidentListDocument, {
      filter: {
        statuses: statuses.length ? statuses : undefined,
        severities: severities.length ? severities : undefined,
        scope: scopeOf(p),
        text: p.get('q') || undefined,
      },
      ...pageOf(p),
    }),
    catalogChoices(request, context),
  ]);
  return {
    incidents: list.data?.incidents ?? null,
    problems: list.problems,
    statuses,
    severities,
    ...choices,
    idempotencyKey: newIdempotencyKey(),
  };
}

const Bulk = z.object({
  intent: z.enum(['acknowledge', 'resolve']),
  id: bulkIds('incident'),
  idempotencyKey: z.string().min(1),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseWith(Bulk, await formFields(request, context));
  if (!parsed.ok) return fail('bulk', parsed.errors, parsed.errors.id ?? 'Select at least one incident.');
  const { intent, id: ids, idempotencyKey } = parsed.value;
  const results = await eachBounded(ids, (id) =>
    intent === 'acknowledge'
      ? mutate(request, context, AcknowledgeIncidentDocument, { id, idempotencyKey: `${idempotencyKey}:${id}` }).then((r) => ({ id, number: r.data?.acknowledgeIncident.number, problems: r.problems }))
      : mutate(request, context, ResolveIncidentDocument, { id, idempotencyKey: `${idempotencyKey}:${id}` }).then((r) => ({ id, number: r.data?.resolveIncident.number, problems: r.problems })),
  );
  const done = results.filter((r) => r.number != null);
  const failed = results.filter((r) => r.number == null);
  const verb = intent === 'acknowledge' ? 'Acknowledged' : 'Resolved';
  if (failed.length && !done.length) return fail('bulk', {}, `${verb} nothing: ${failed.map((f) => `${f.id}: ${problemMessage(f.problems)}`).join('; ')}`);
  const message = `${verb} ${done.map((d) => `#${d.number}`).join(', ')}${failed.length ? `; failed: ${failed.map((f) => `${f.id} (${problemMessage(f.problems)})`).join('; ')}` : ''}`;
  return redirectWithFlash(new URL(request.url).pathname + new URL(request.url).search, { kind: failed.length ? 'error' : 'success', message });
}

export default function Incidents() {
  const { incidents, problems, statuses, severities, services, teams, idempotencyKey } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const [params] = useSearchParams();
  const autoSubmit = useAutoSubmit();
  return (
    <>
      <PageHeader
        title="Incidents"
        subtitle="Every incident tool at once. Filters live in the URL: share it."
        actions={<span className="muted small">j/k to move · x to select · Enter to open</span>}
      />
      <Form method="get" className="filters" onChange={autoSubmit}>
        <input type="hidden" name="f" value="1" />
        <input type="search" name="q" defaultValue={params.get('q') ?? ''} placeholder="Search title and summary  ( / )" data-search aria-label="Search incidents" />
        <CheckboxFilter label="Status" name="status" options={STATUSES} checked={statuses} />
        <CheckboxFilter label="Severity" name="severity" options={SEVERITIES.slice(0, 5)} checked={severities} format={(s) => s} />
        <ServiceFilter services={services} />
        <TeamFilter teams={teams} />
        <FilterEnd reset="/incidents" label="Open incidents" />
      </Form>
      <Problems problems={sectionProblems(problems, ['incidents'], incidents?.providerErrors)} what="incidents of the failed providers are missing" />
      <BulkBar idempotencyKey={idempotencyKey} totalCount={incidents?.totalCount} error={failure?.message}>
        <BulkButton intent="resolve" label="Resolve" />
      </BulkBar>
      {incidents?.nodes.length ? <IncidentTable incidents={incidents.nodes} selectForm="bulk" /> : <Empty>No incident matches these filters.</Empty>}
      <NextPage search={params} endCursor={incidents?.pageInfo.endCursor} hasNextPage={incidents?.pageInfo.hasNextPage} />
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
