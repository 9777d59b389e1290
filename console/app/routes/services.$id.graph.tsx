import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useNavigate, useSearchParams } from '@remix-run/react';
import { useAutoSubmit } from '../components/auto-submit.ts';
import { ApplyWithoutScript } from '../components/filters.tsx';
import flowStyles from '@xyflow/react/dist/style.css?url';
import { Flow } from '../components/flow.tsx';
import { servicePath } from '../components/tables.tsx';
import { Empty, Health, PageHeader, Problems, Tier } from '../components/ui.tsx';
import { ServiceGraphDocument, type DependencyDirection } from '../graphql/generated.ts';
import { query } from '../lib/api.server.ts';
import { serviceFlow } from '../lib/graph.server.ts';
import { oneOf } from '../lib/params.ts';
import { notFoundUnless } from '../lib/problems.ts';
import { RouteError } from '../components/route-error.tsx';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: flowStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.service?.id ?? 'Service'} dependency graph · OpsOrch` }];

const DIRECTIONS = ['BOTH', 'DEPENDENCIES', 'DEPENDENTS'] as const satisfies readonly DependencyDirection[];
const DIRECTION_LABEL: Record<DependencyDirection, string> = {
  BOTH: 'Both ways',
  DEPENDENCIES: 'Downstream (what it calls)',
  DEPENDENTS: 'Upstream (who calls it: blast radius)',
};

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const search = new URL(request.url).searchParams;
  const direction = oneOf(search, 'direction', DIRECTIONS) ?? 'BOTH';
  const depthParam = Number(search.get('depth') ?? 2);
  const depth = Number.isInteger(depthParam) ? Math.min(6, Math.max(1, depthParam)) : 2;
  const { data, problems } = await query(request, context, ServiceGraphDocument, { id: params.id!, direction, depth });
  notFoundUnless(data?.service, !!data, problems, `No service "${params.id}" in the catalog.`);
  const service = data?.service ?? null;
  return { service, problems, direction, depth, graph: service ? serviceFlow(service.dependencyGraph) : null };
}

export default function ServiceGraphPage() {
  const { service, problems, direction, depth, graph } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const autoSubmit = useAutoSubmit();
  if (!service || !graph) return <Problems problems={problems} />;
  const keep = params.toString() ? `?${params}` : '';
  const nodes = service.dependencyGraph.nodes;
  return (
    <>
      <PageHeader
        crumbs={[
          { to: '/services', label: 'Services' },
          { to: servicePath(service.id), label: service.id },
        ]}
        title={
          <>
            Dependency graph of {service.id} <Health status={service.health?.status} reason={service.health?.reason} />
          </>
        }
        subtitle="Edges point from caller to callee. Click a service to walk the graph from it; its page is one more click away."
      />
      <Form method="get" className="filters" onChange={autoSubmit}>
        <label>
          Direction{' '}
          <select name="direction" defaultValue={direction} aria-label="Direction">
            {DIRECTIONS.map((d) => (
              <option key={d} value={d}>
                {DIRECTION_LABEL[d]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Depth{' '}
          <select name="depth" defaultValue={String(depth)} aria-label="Depth">
            {[1, 2, 3, 4, 5, 6].map((d) => (
              <option key={d} value={d}>
                {d} hop{d > 1 ? 's' : ''}
              </option>
            ))}
          </select>
        </label>
        <ApplyWithoutScript />
        <span className="legend">
          <Health status="DOWN" /> <Health status="DEGRADED" /> <Health status="HEALTHY" /> <Health status="UNKNOWN" />
        </span>
      </Form>
      <Problems problems={problems} what="health colours may be missing" />
      <Flow graph={graph} height={Math.max(420, Math.min(720, graph.height + 60))} label={`Dependency graph of ${service.id}`} onOpen={(id) => navigate(`${servicePath(id)}/graph${keep}`)} />
      <section className="section">
        <header className="section-head">
          <h2>
            Services in this graph <span className="count">{nodes.length}</span>
          </h2>
        </header>
        {nodes.length ? (
          <table className="table">
            <thead>
              <tr>
                <th className="num">Hops</th>
                <th>Service</th>
                <th>Health</th>
                <th>Tier</th>
                <th>Relation</th>
                <th aria-label="Walk from here" />
              </tr>
            </thead>
            <tbody>
              {nodes.map((n) => {
                const calls = service.dependencyGraph.edges.filter((e) => e.from === n.service.id).map((e) => e.to);
                return (
                  <tr key={n.service.id} data-row>
                    <td className="num">{n.distance}</td>
                    <td>
                      <Link to={servicePath(n.service.id)} data-row-link>
                        <strong>{n.service.id}</strong>
                      </Link>{' '}
                      <span className="muted">{n.service.name}</span>
                    </td>
                    <td>
                      <Health status={n.service.health?.status} reason={n.service.health?.reason} />
                    </td>
                    <td>
                      <Tier value={n.service.tier} />
                    </td>
                    <td className="small muted">{calls.length ? `calls ${calls.join(', ')}` : '—'}</td>
                    <td>
                      {n.distance > 0 ? <Link to={`${servicePath(n.service.id)}/graph${keep}`}>graph from here</Link> : <span className="muted">root</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : (
          <Empty>No dependencies.</Empty>
        )}
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
