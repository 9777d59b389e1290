import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData, useNavigate } from '@remix-run/react';
import flowStyles from '@xyflow/react/dist/style.css?url';
import { ExplorePanels } from '../components/explorer/explore-panels.tsx';
import { Flow } from '../components/flow.tsx';
import { Sparkline } from '../components/sparkline.tsx';
import { AlertTable, DeploymentTable, IncidentTable, LocalTime, runbookPath, servicePath, teamPath, TicketTable } from '../components/tables.tsx';
import { Empty, Health, PageHeader, Problems, Section, SourceLink, Tier } from '../components/ui.tsx';
import { ServiceDetailDocument } from '../graphql/generated.ts';
import { query } from '../lib/api.server.ts';
import { serviceFlow } from '../lib/graph.server.ts';
import { sectionProblems, notFoundUnless } from '../lib/problems.ts';
import { TimeAgo } from '../lib/time.tsx';
import { RouteError } from '../components/route-error.tsx';

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
  const shifts = service.owner?.onCall ?? [];
  return (
    <>
      <PageHeader
        crumbs={[{ to: '/services', label: 'Services' }]}
        title={
          <>
            {service.name} <span className="muted mono small">{service.id}</span>
          </>
        }
        subtitle={
          <>
            <Health status={service.health?.status} reason={service.health?.reason} /> <Tier value={service.tier} />{' '}
            <span className="muted">{service.kind.toLowerCase().replace('_', ' ')}</span>
            {service.language ? <span className="muted"> · {service.language}</span> : null}
            {service.environments.length ? <span className="muted"> · {service.environments.join(', ')}</span> : null}
            {service.health?.reason ? <div className="reason">{service.health.reason}</div> : null}
          </>
        }
        actions={
          <>
            <Link to={`${servicePath(service.id)}/graph`} className="button" data-key="d">
              Dependency graph <kbd>d</kbd>
            </Link>
            <SourceLink url={service.url} />
          </>
        }
      />
      <Problems problems={problems.filter((p) => !p.path || p.path.length <= 1)} />
      <div className="grid-3">
        <Section title="Owner and on call" problems={sectionProblems(problems, ['service', 'owner'])}>
          {service.owner ? (
            <dl className="facts">
              <dt>Team</dt>
              <dd>
                <Link to={teamPath(service.owner.id)}>{service.owner.name}</Link> <SourceLink url={service.owner.url} compact />
              </dd>
              {service.owner.chatChannel ? (
                <>
                  <dt>Channel</dt>
                  <dd className="mono">{service.owner.chatChannel}</dd>
                </>
              ) : null}
              {shifts.map((s) => (
                <div key={s.level} className="fact-row">
                  <dt>{s.level.toLowerCase()}</dt>
                  <dd>
                    <a href={s.user.url} target="_blank" rel="noreferrer">
                      {s.user.name}
                    </a>
                    {s.user.timezone ? <LocalTime timezone={s.user.timezone} /> : null}
                    <span className="muted small"> until </span>
                    <TimeAgo at={s.end} />
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <Empty>No owner in the catalog.</Empty>
          )}
        </Section>
        <Section title="Links">
          <ul className="link-list">
            {service.links.map((l) => (
              <li key={l.url}>
                <a href={l.url} target="_blank" rel="noreferrer">
                  {l.title} ↗
                </a>
              </li>
            ))}
            {service.repositoryUrl && !service.links.some((l) => l.url === service.repositoryUrl) ? (
              <li>
                <a href={service.repositoryUrl} target="_blank" rel="noreferrer">
                  Repository ↗
                </a>
              </li>
            ) : null}
          </ul>
          {service.externalRefs.length ? (
            <div className="refs small">
              {service.externalRefs.map((r) => (
                <span key={`${r.system}:${r.id}`} className="tag" title={`${r.system} knows this service as ${r.id}`}>
                  {r.system}: {r.id}
                </span>
              ))}
            </div>
          ) : null}
          {service.tags.length ? (
            <div className="refs small">
              {service.tags.map((t) => (
                <Link key={t} to={`/services?tag=${encodeURIComponent(t)}`} className="tag">
                  #{t}
                </Link>
              ))}
            </div>
          ) : null}
        </Section>
        <Section title="Runbooks" problems={sectionProblems(problems, ['service', 'runbooks'])}>
          {service.runbooks?.length ? (
            <ul className="link-list">
              {service.runbooks.map((r) => (
                <li key={r.id}>
                  <Link to={runbookPath(r.id)}>{r.name}</Link>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No runbook for this service.</Empty>
          )}
        </Section>
      </div>

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
          {service.incidents?.nodes.length ? <IncidentTable incidents={service.incidents.nodes} showService={false} /> : <Empty>No open incident.</Empty>}
        </Section>
        <Section title="Active alerts" count={service.alerts?.nodes.length} problems={sectionProblems(problems, ['service', 'alerts'], service.alerts?.providerErrors)}>
          {service.alerts?.nodes.length ? <AlertTable alerts={service.alerts.nodes} showService={false} /> : <Empty>No alert firing.</Empty>}
        </Section>
      </div>
      <Section
        title="Recent deployments"
        actions={<Link to={`/deployments?service=${encodeURIComponent(service.id)}`}>All →</Link>}
        problems={sectionProblems(problems, ['service', 'deployments'], service.deployments?.providerErrors)}
      >
        {service.deployments?.nodes.length ? <DeploymentTable deployments={service.deployments.nodes} /> : <Empty>No deployments recorded.</Empty>}
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
