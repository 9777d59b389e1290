import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { teamPath } from '../components/tables.tsx';
import { Empty, PageHeader, Problems, SourceLink } from '../components/ui.tsx';
import { TeamListDocument } from '../graphql/generated.ts';
import { query } from '../lib/api.server.ts';
import { sectionProblems } from '../lib/problems.ts';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction = () => [{ title: 'Teams · OpsOrch' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { data, problems } = await query(request, context, TeamListDocument, {});
  return { teams: data?.teams ?? null, problems };
}

export default function Teams() {
  const { teams, problems } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Teams" subtitle="Who owns what and who is on call for it right now." />
      <Problems problems={sectionProblems(problems, ['teams'], teams?.providerErrors)} what="some teams may be missing or incomplete" />
      {teams?.nodes.length ? (
        <table className="table">
          <thead>
            <tr>
              <th>Team</th>
              <th>Part of</th>
              <th>On call (primary)</th>
              <th>Secondary</th>
              <th className="num">People</th>
              <th className="num">Services</th>
              <th>Unhealthy</th>
              <th className="num">Open incidents</th>
              <th>Channel</th>
              <th aria-label="Source" />
            </tr>
          </thead>
          <tbody>
            {teams.nodes.map((t) => {
              const primary = t.onCall.find((s) => s.level === 'PRIMARY');
              const secondary = t.onCall.find((s) => s.level === 'SECONDARY');
              const unhealthy = (t.services ?? []).filter((s) => s.health && s.health.status !== 'HEALTHY' && s.health.status !== 'UNKNOWN');
              const open = t.incidents?.nodes ?? [];
              return (
                <tr key={t.id} data-row>
                  <td>
                    <Link to={teamPath(t.id)} data-row-link prefetch="intent">
                      <strong>{t.name}</strong>
                    </Link>
                    {t.description ? <div className="muted small">{t.description}</div> : null}
                  </td>
                  <td>{t.parent ? <Link to={teamPath(t.parent.id)}>{t.parent.name}</Link> : <span className="muted">—</span>}</td>
                  <td className="nowrap">{primary?.user.name ?? <span className="muted">nobody</span>}</td>
                  <td className="nowrap">{secondary?.user.name ?? <span className="muted">—</span>}</td>
                  <td className="num">{t.members.length}</td>
                  <td className="num">{t.services?.length ?? '?'}</td>
                  <td>{unhealthy.length ? <span className="health-down">{unhealthy.map((s) => s.id).join(', ')}</span> : <span className="muted">none</span>}</td>
                  <td className="num">
                    {open.length ? (
                      <Link to={`/incidents?team=${encodeURIComponent(t.id)}`} className="text-down">
                        {open.length}
                      </Link>
                    ) : (
                      <span className="muted">0</span>
                    )}
                  </td>
                  <td className="mono small nowrap">{t.chatChannel ?? ''}</td>
                  <td>
                    <SourceLink url={t.url} compact />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <Empty>No teams.</Empty>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
