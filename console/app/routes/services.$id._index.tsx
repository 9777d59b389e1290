import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData, useNavigate } from '@remix-run/react';
import flowStyles from '@xyflow/react/dist/style.css?url';
import { ExplorePanels } from '../components/explorer/explore-panels.tsx';
import { Flow } from '../components/flow.tsx';
import { Sparkline } from '../components/sparkline.tsx';
import { AlertTable, DeploymentTable, IncidentTable, servicePath, TicketTable } from '../components/tables.tsx';
import { Empty, Problems, Section } from '../components/ui.tsx';
import { ServiceDetailDocument } from '../graphql/generated.ts';
import { query } from '../lib/api.server.ts';
import { serviceFlow } from '../lib/graph.server.ts';
import { sectionProblems, notFoundUnless } from '../lib/problems.ts';
import { RouteError } from '../components/route-error.tsx';
import { ServiceFacts } from '../components/service/facts.tsx';
import { ServiceHeader } from '../components/service/header.tsx';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: flowStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.service?.name ?? 'Service'} · OpsOrch` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { data, problems } = await query(request, context, ServiceDetailDocument, { id: params.id! });
  notFoundUnless(data?.service, !!data, problems, `No service "${params.id}" in the catalog.`);
  const service = data?.service ?? null;
  return { service, problems, graph: service ? serviceFlow(service.dependencyGraph) : null };
}

export default function ServicePage() {
  const { service, problems, graph } = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  if (!service) return <Problems problems={problems} />;
  const g = service.goldenSignals;
  return (
    <>
      <ServiceHeader service={service} />
      <Problems problems={problems.filter((p) => !p.path || p.path.length <= 1)} />
      <ServiceFacts service={service} problems={problems} />

      <Section title="Golden signals" actions={<span className="muted small">last hour{g ? `, step ${g.step}` : ''}, production</span>} problems={sectionProblems(problems, ['service', 'goldenSignals'])}>
        {g ? (
          <div className="sparks">
            <Sparkline title="Latency p99" series={g.latencyP99} />
            <Sparkline title="Error rate" series={g.errorRate} />
            <Sparkline title="Traffic" series={g.requestRate} />
            <Sparkline title="Saturation" series={g.saturation} />
          </div>
        ) : (
          <Empty>No metrics provider knows this service.</Empty>
        )}
      </Section>

      <ExplorePanels service={service.id} range={{ from: 'now-1h', to: 'now' }} title="Signals and logs, last hour" />

      <Section
        title="Dependencies"
        actions={
          <>
            <span className="muted small">callers → {service.id} → callees · click a node to open it</span>
            <Link to={`${servicePath(service.id)}/graph`}>Deeper graph →</Link>
          </>
        }
        problems={sectionProblems(problems, ['service', 'dependencyGraph'])}
      >
        {graph && graph.nodes.length > 1 ? (
          <Flow graph={graph} height={Math.min(360, Math.max(200, graph.height + 40))} label={`Services ${service.id} calls and is called by`} onOpen={(id) => navigate(servicePath(id))} />
        ) : (
          <Empty>No known dependencies.</Empty>
        )}
      </Section>

      <div className="grid-2">
        <Section title="Open incidents" count={service.incidents?.nodes.length} problems={sectionProblems(problems, ['service', 'incidents'], service.incidents?.providerErrors)}>
          {service.incidents?.nodes.length ? <IncidentTable incidents={service.incidents.nodes} showService={false} compact /> : <Empty>No open incident.</Empty>}
        </Section>
        <Section title="Active alerts" count={service.alerts?.nodes.length} problems={sectionProblems(problems, ['service', 'alerts'], service.alerts?.providerErrors)}>
          {service.alerts?.nodes.length ? <AlertTable alerts={service.alerts.nodes} showService={false} compact /> : <Empty>No alert firing.</Empty>}
        </Section>
      </div>
      <Section
        title="Recent deployments"
        actions={<Link to={`/deployments?service=${encodeURIComponent(service.id)}`}>All →</Link>}
        problems={sectionProblems(problems, ['service', 'deployments'], service.deployments?.providerErrors)}
      >
        {service.deployments?.nodes.length ? <DeploymentTable deployments={service.deployments.nodes} showService={false} /> : <Empty>No deployments recorded.</Empty>}
      </Section>
      <Section
        title="Open tickets"
        actions={<Link to={`/tickets?service=${encodeURIComponent(service.id)}`}>All →</Link>}
        problems={sectionProblems(problems, ['service', 'tickets'], service.tickets?.providerErrors)}
      >
        {service.tickets?.nodes.length ? <TicketTable tickets={service.tickets.nodes} /> : <Empty>No open ticket.</Empty>}
      </Section>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
