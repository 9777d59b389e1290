import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { useAutoSubmit } from '../components/auto-submit.ts';
import { CheckboxFilter, FilterEnd, ServiceFilter, TeamFilter } from '../components/filters.tsx';
import { DeploymentTable } from '../components/tables.tsx';
import { Empty, NextPage, PageHeader, Problems } from '../components/ui.tsx';
import { DeploymentListDocument, type DeploymentStatus } from '../graphql/generated.ts';
import { catalogChoices, query } from '../lib/api.server.ts';
import { listOf, pageOf } from '../lib/params.ts';
import { sectionProblems } from '../lib/problems.ts';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction = () => [{ title: 'Deployments · OpsOrch' }];

const STATUSES = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'UNKNOWN'] as const satisfies readonly DeploymentStatus[];
const RANGES: [string, string][] = [
  ['', 'Any time'],
  ['now-1h', 'Last hour'],
  ['now-6h', 'Last 6 hours'],
  ['now-1d', 'Last day'],
  ['now-7d', 'Last week'],
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = new URL(request.url).searchParams;
  const statuses = listOf(p, 'status', STATUSES);
  const since = RANGES.some(([v]) => v && v === p.get('since')) ? p.get('since')! : undefined;
  const [list, choices] = await Promise.all([
    query(request, context, DeploymentListDocument, {
      filter: {
        statuses: statuses.length ? statuses : undefined,
        scope:
          p.get('service') || p.get('team') || p.get('env')
            ? { service: p.get('service') || undefined, team: p.get('team') || undefined, environment: p.get('env') || undefined }
            : undefined,
        range: since ? { from: since } : undefined,
        author: p.get('author') || undefined,
      },
      ...pageOf(p),
    }),
    catalogChoices(request, context),
  ]);
  return {
    deployments: list.data?.deployments ?? null,
    problems: list.problems,
    statuses,
    ...choices,
  };
}

export default function Deployments() {
  const { deployments, problems, statuses, services, teams } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const autoSubmit = useAutoSubmit();
  return (
    <>
      <PageHeader title="Deployments" subtitle="What shipped where, from which commit, by whom — newest first, from every CI/CD system." />
      <Form method="get" className="filters" onChange={autoSubmit}>
        <ServiceFilter services={services} search />
        <TeamFilter teams={teams} />
        <select name="env" defaultValue={params.get('env') ?? ''} aria-label="Environment">
          <option value="">Any environment</option>
          <option value="production">production</option>
          <option value="staging">staging</option>
        </select>
        <select name="since" defaultValue={params.get('since') ?? ''} aria-label="Time range">
          {RANGES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        <CheckboxFilter label="Status" name="status" options={STATUSES.slice(0, 4)} checked={statuses} format={(s) => s.toLowerCase().replace('_', ' ')} />
        <FilterEnd reset="/deployments" label="Reset" />
      </Form>
      <Problems problems={sectionProblems(problems, ['deployments'], deployments?.providerErrors)} what="deployments of the failed providers are missing" />
      {deployments?.nodes.length ? <DeploymentTable deployments={deployments.nodes} /> : <Empty>No deployment matches these filters.</Empty>}
      <NextPage search={params} endCursor={deployments?.pageInfo.endCursor} hasNextPage={deployments?.pageInfo.hasNextPage} />
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
