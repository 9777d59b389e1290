import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { useAutoSubmit } from '../components/auto-submit.ts';
import { DeploymentTable } from '../components/tables.tsx';
import { Empty, NextPage, PageHeader, Problems } from '../components/ui.tsx';
import { CatalogChoicesDocument, DeploymentListDocument, type DeploymentStatus } from '../graphql/generated.ts';
import { query } from '../lib/api.server.ts';
import { listOf, pageSize } from '../lib/params.ts';
import { sectionProblems } from '../lib/problems.ts';

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
      first: pageSize(p),
      after: p.get('after') || undefined,
    }),
    query(request, context, CatalogChoicesDocument, {}),
  ]);
  return {
    deployments: list.data?.deployments ?? null,
    problems: list.problems,
    statuses,
    services: choices.data?.services?.nodes ?? [],
    teams: choices.data?.teams?.nodes ?? [],
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
        <select name="service" defaultValue={params.get('service') ?? ''} aria-label="Service" data-search>
          <option value="">Any service</option>
          {services.map((s) => (
            <option key={s.id} value={s.id}>
              {s.id}
            </option>
          ))}
        </select>
        <select name="team" defaultValue={params.get('team') ?? ''} aria-label="Team">
          <option value="">Any team</option>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
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
        <fieldset aria-label="Status">
          {STATUSES.slice(0, 4).map((s) => (
            <label key={s}>
              <input type="checkbox" name="status" value={s} defaultChecked={statuses.includes(s)} /> {s.toLowerCase().replace('_', ' ')}
            </label>
          ))}
        </fieldset>
        <noscript>
          <button type="submit">Apply</button>
        </noscript>
        <Link to="/deployments" className="reset">
          Reset
        </Link>
      </Form>
      <Problems problems={sectionProblems(problems, ['deployments'], deployments?.providerErrors)} what="deployments of the failed providers are missing" />
      {deployments?.nodes.length ? <DeploymentTable deployments={deployments.nodes} /> : <Empty>No deployment matches these filters.</Empty>}
      <NextPage search={params} endCursor={deployments?.pageInfo.endCursor} hasNextPage={deployments?.pageInfo.hasNextPage} />
    </>
  );
}
