import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { HealthGrid } from '../components/health-grid.tsx';
import { AlertTable, DeploymentTable, IncidentTable, OnCallTable } from '../components/tables.tsx';
import { Empty, PageHeader, Problems, Section } from '../components/ui.tsx';
import { HomeDocument } from '../graphql/generated.ts';
import { query } from '../lib/api.server.ts';
import { sectionProblems } from '../lib/problems.ts';
import { SEVERITIES } from '../lib/params.ts';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction = () => [{ title: 'Home · OpsOrch' }];


export async function loader({ request, context }: LoaderFunctionArgs) {
  const { data, problems } = await query(request, context, HomeDocument, {});
  return { data: data ?? null, problems };
}

export default function Home() {
  const { data, problems } = useLoaderData<typeof loader>();
  const incidents = data?.openIncidents?.nodes ?? [];
  const bySeverity = SEVERITIES.map((s) => [s, incidents.filter((i) => i.severity === s).length] as const).filter(([, n]) => n > 0);
  const services = data?.services?.nodes ?? [];
  const down = services.filter((s) => s.health?.status === 'DOWN').length;
  const degraded = services.filter((s) => s.health?.status === 'DEGRADED').length;
  const unknown = services.filter((s) => !s.health || s.health.status === 'UNKNOWN').length;
  const firing = data?.firingAlerts?.totalCount ?? data?.firingAlerts?.nodes.length ?? 0;

  return (
    <>
      <PageHeader title="What is going on" subtitle="Open incidents, firing alerts, who is on call and what changed — live from every tool." />
      <Problems problems={problems.filter((p) => !p.path)} />
      <div className="stats" role="list">
        <Link to="/incidents" className="stat" role="listitem">
          <span className="stat-value">{data?.openIncidents?.totalCount ?? incidents.length}</span>
          <span className="stat-label">open incidents</span>
          <span className="stat-detail">
            {bySeverity.length
              ? bySeverity.map(([s, n]) => (
                  <span key={s} className={`sev-chip sev-${s.toLowerCase()}`}>
                    {n} {s}
                  </span>
                ))
              : 'none'}
          </span>
        </Link>
        <Link to="/alerts?state=FIRING" className="stat" role="listitem">
          <span className="stat-value">{firing}</span>
          <span className="stat-label">alerts firing</span>
          <span className="stat-detail">not acknowledged or silenced</span>
        </Link>
        <Link to="/services?health=DOWN" className="stat" role="listitem">
          <span className={`stat-value ${down ? 'text-down' : ''}`}>{unknown === services.length && services.length ? '?' : down}</span>
          <span className="stat-label">services down</span>
          <span className="stat-detail">
            {degraded} degraded{unknown ? ` · health unknown for ${unknown}` : ''} of {services.length}
          </span>
        </Link>
      </div>

      <div className="grid-2">
        <Section
          title="Open incidents"
          count={data?.openIncidents?.totalCount}
          actions={<Link to="/incidents">All incidents →</Link>}
          problems={sectionProblems(problems, ['openIncidents'], data?.openIncidents?.providerErrors)}
        >
          {incidents.length ? <IncidentTable incidents={incidents} compact /> : <Empty>{data?.openIncidents ? 'No open incidents. Quiet night.' : 'Incidents are unavailable right now.'}</Empty>}
        </Section>
        <Section title="On call now" actions={<Link to="/teams">Teams →</Link>} problems={sectionProblems(problems, ['onCallNow'])}>
          {data?.onCallNow?.length ? <OnCallTable shifts={data.onCallNow} /> : <Empty>{data?.onCallNow ? 'Nobody is on call.' : 'On-call is unavailable.'}</Empty>}
        </Section>
      </div>

      <Section
        title="Firing alerts"
        count={data?.firingAlerts?.totalCount}
        actions={<Link to="/alerts?state=FIRING">All firing →</Link>}
        problems={sectionProblems(problems, ['firingAlerts'], data?.firingAlerts?.providerErrors)}
      >
        {data?.firingAlerts?.nodes.length ? <AlertTable alerts={data.firingAlerts.nodes} /> : <Empty>{data?.firingAlerts ? 'Nothing is firing.' : 'Alerts are unavailable right now.'}</Empty>}
      </Section>

      <div className="grid-2">
        <Section
          title="Recent deployments"
          actions={<Link to="/deployments">All deployments →</Link>}
          problems={sectionProblems(problems, ['recentDeployments'], data?.recentDeployments?.providerErrors)}
        >
          {data?.recentDeployments?.nodes.length ? <DeploymentTable deployments={data.recentDeployments.nodes} compact /> : <Empty>{data?.recentDeployments ? 'No deployments.' : 'Deployments are unavailable right now.'}</Empty>}
        </Section>
        <Section
          title="Service health"
          actions={<Link to="/services">Catalog →</Link>}
          problems={sectionProblems(problems, ['services'], data?.services?.providerErrors)}
        >
          {services.length ? <HealthGrid services={services} /> : <Empty>{data?.services ? 'The catalog is empty.' : 'The catalog is unavailable right now.'}</Empty>}
        </Section>
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
