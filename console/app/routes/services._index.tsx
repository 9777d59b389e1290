import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { useAutoSubmit } from '../components/auto-submit.ts';
import { ApplyWithoutScript } from '../components/filters.tsx';
import { servicePath, teamPath } from '../components/tables.tsx';
import { Empty, Health, NextPage, PageHeader, Problems, SourceLink, Tier } from '../components/ui.tsx';
import { CatalogChoicesDocument, ServiceListDocument, type ServiceKind, type ServiceTier } from '../graphql/generated.ts';
import { query } from '../lib/api.server.ts';
import { sectionProblems } from '../lib/problems.ts';
import { oneOf, listOf } from '../lib/params.ts';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction = () => [{ title: 'Services · OpsOrch' }];

const TIERS = ['TIER_1', 'TIER_2', 'TIER_3', 'UNKNOWN'] as const satisfies readonly ServiceTier[];
const KINDS = ['SERVICE', 'DATABASE', 'QUEUE', 'THIRD_PARTY', 'FRONTEND', 'OTHER'] as const satisfies readonly ServiceKind[];
const HEALTH = ['DOWN', 'DEGRADED', 'HEALTHY', 'UNKNOWN'] as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const p = url.searchParams;
  const tiers = listOf(p, 'tier', TIERS);
  const kinds = listOf(p, 'kind', KINDS);
  const tags = p.getAll('tag').filter(Boolean);
  const [list, choices] = await Promise.all([
    query(request, context, ServiceListDocument, {
      filter: {
        text: p.get('q') || undefined,
        tiers: tiers.length ? tiers : undefined,
        kinds: kinds.length ? kinds : undefined,
        team: p.get('team') || undefined,
        tags: tags.length ? tags : undefined,
      },
      first: 200,
      after: p.get('after') || undefined,
    }),
    query(request, context, CatalogChoicesDocument, {}),
  ]);
  const health = oneOf(p, 'health', HEALTH);
  const services = (list.data?.services?.nodes ?? []).filter((s) => !health || (s.health?.status ?? 'UNKNOWN') === health);
  return {
    services,
    connection: list.data?.services ? { totalCount: list.data.services.totalCount, pageInfo: list.data.services.pageInfo, providerErrors: list.data.services.providerErrors } : null,
    problems: list.problems,
    teams: choices.data?.teams?.nodes ?? [],
  };
}

export default function Services() {
  const { services, connection, problems, teams } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const autoSubmit = useAutoSubmit();
  const tagged = params.getAll('tag');
  return (
    <>
      <PageHeader title="Services" subtitle="The catalog: who owns what, how critical it is and how it is doing right now." />
      <Form method="get" className="filters" onChange={autoSubmit}>
        <input type="search" name="q" defaultValue={params.get('q') ?? ''} placeholder="Search id, name, description, tags  ( / )" data-search aria-label="Search services" />
        <select name="tier" defaultValue={params.get('tier') ?? ''} aria-label="Tier">
          <option value="">Any tier</option>
          {TIERS.map((t) => (
            <option key={t} value={t}>
              {t.replace('_', ' ').toLowerCase()}
            </option>
          ))}
        </select>
        <select name="kind" defaultValue={params.get('kind') ?? ''} aria-label="Kind">
          <option value="">Any kind</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k.replace('_', ' ').toLowerCase()}
            </option>
          ))}
        </select>
        <select name="team" defaultValue={params.get('team') ?? ''} aria-label="Owner team">
          <option value="">Any owner</option>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <select name="health" defaultValue={params.get('health') ?? ''} aria-label="Health">
          <option value="">Any health</option>
          {HEALTH.map((h) => (
            <option key={h} value={h}>
              {h.toLowerCase()}
            </option>
          ))}
        </select>
        {tagged.map((t) => (
          <input key={t} type="hidden" name="tag" value={t} />
        ))}
        <ApplyWithoutScript />
        {tagged.length ? (
          <span className="chips">
            {tagged.map((t) => {
              const without = new URLSearchParams(params);
              without.delete('tag');
              tagged.filter((x) => x !== t).forEach((x) => without.append('tag', x));
              return (
                <Link key={t} to={`?${without}`} className="chip" title="Remove this tag filter">
                  #{t} ×
                </Link>
              );
            })}
          </span>
        ) : null}
        <Link to="/services" className="reset">
          Reset
        </Link>
      </Form>
      <Problems problems={sectionProblems(problems, ['services'], connection?.providerErrors)} what="services of the failed providers are missing" />
      {services.length ? (
        <table className="table">
          <thead>
            <tr>
              <th>Health</th>
              <th>Service</th>
              <th>Tier</th>
              <th>Kind</th>
              <th>Owner</th>
              <th>Tags</th>
              <th aria-label="Catalog" />
            </tr>
          </thead>
          <tbody>
            {services.map((s) => (
              <tr key={s.id} data-row>
                <td className="nowrap">
                  <Health status={s.health?.status} reason={s.health?.reason} />
                  {s.health?.firingAlerts ? <span className="muted small"> {s.health.firingAlerts}⚑</span> : null}
                </td>
                <td className="title">
                  <Link to={servicePath(s.id)} data-row-link prefetch="intent">
                    <strong>{s.id}</strong>
                  </Link>{' '}
                  <span className="muted">{s.description}</span>
                </td>
                <td>
                  <Tier value={s.tier} />
                </td>
                <td className="small">{s.kind.toLowerCase().replace('_', ' ')}</td>
                <td className="nowrap">{s.owner ? <Link to={teamPath(s.owner.id)}>{s.owner.name}</Link> : <span className="muted">no owner</span>}</td>
                <td className="tags">
                  {s.tags.map((t) => {
                    const next = new URLSearchParams(params);
                    if (!tagged.includes(t)) next.append('tag', t);
                    return (
                      <Link key={t} to={`?${next}`} className="tag">
                        {t}
                      </Link>
                    );
                  })}
                </td>
                <td>
                  <SourceLink url={s.url} compact />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>No service matches these filters.</Empty>
      )}
      <NextPage search={params} endCursor={connection?.pageInfo.endCursor} hasNextPage={connection?.pageInfo.hasNextPage} />
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
