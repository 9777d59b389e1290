import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { useAutoSubmit } from '../components/auto-submit.ts';
import { CheckboxFilter, FilterEnd } from '../components/filters.tsx';
import { RunTable } from '../components/tables.tsx';
import { Empty, NextPage, PageHeader, Problems } from '../components/ui.tsx';
import { RunListDocument, type RunbookRunStatus } from '../graphql/generated.ts';
import { query } from '../lib/api.server.ts';
import { listOf, pageOf } from '../lib/params.ts';
import { sectionProblems } from '../lib/problems.ts';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction = () => [{ title: 'Runs · OpsOrch' }];

const STATUSES = ['PENDING', 'RUNNING', 'WAITING_FOR_INPUT', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const satisfies readonly RunbookRunStatus[];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = new URL(request.url).searchParams;
  const statuses = listOf(p, 'status', STATUSES);
  const list = await query(request, context, RunListDocument, {
    filter: { statuses: statuses.length ? statuses : undefined, runbookId: p.get('runbook') || undefined, incidentId: p.get('incident') || undefined },
    ...pageOf(p),
  });
  return { runs: list.data?.runbookRuns ?? null, problems: list.problems, statuses };
}

export default function Runs() {
  const { runs, problems, statuses } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const autoSubmit = useAutoSubmit();
  return (
    <>
      <PageHeader title="Runbook runs" subtitle="Executions in every workflow engine, newest first. Runs waiting for a person come first in your attention." actions={<Link to="/runbooks">Runbooks →</Link>} />
      <Form method="get" className="filters" onChange={autoSubmit}>
        <CheckboxFilter label="Status" name="status" options={STATUSES} checked={statuses} format={(s) => s.toLowerCase().replace(/_/g, ' ')} />
        {params.get('runbook') ? <input type="hidden" name="runbook" value={params.get('runbook')!} /> : null}
        {params.get('incident') ? <input type="hidden" name="incident" value={params.get('incident')!} /> : null}
        <FilterEnd reset="/runs" label="All runs" />
      </Form>
      <Problems problems={sectionProblems(problems, ['runbookRuns'], runs?.providerErrors)} what="runs of the failed engines are missing" />
      {runs?.nodes.length ? <RunTable runs={runs.nodes} /> : <Empty>No run matches.</Empty>}
      <NextPage search={params} endCursor={runs?.pageInfo.endCursor} hasNextPage={runs?.pageInfo.hasNextPage} />
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
