// A service page's header: name, health, tier, kind, and links to its graph and its tool.
import { Link } from '@remix-run/react';
import { servicePath } from '../tables.tsx';
import { Health, PageHeader, SourceLink, Tier } from '../ui.tsx';
import type { ServiceDetail } from './facts.tsx';

export function ServiceHeader({ service }: { service: ServiceDetail }) {
  return (
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
  );
}
