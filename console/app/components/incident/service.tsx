// The incident's service: owner and on-call, and the health of what it calls and what calls it.
import { Link } from '@remix-run/react';
import { LocalTime, servicePath, teamPath } from '../tables.tsx';
import { Empty, Health, Person, Section, SourceLink, Tier } from '../ui.tsx';
import { sectionProblems, type ApiProblem } from '../../lib/problems.ts';
import type { IncidentDetail } from './forms.tsx';

export function IncidentService({ service, problems }: { service: IncidentDetail['service']; problems: ApiProblem[] }) {
  return (
    <Section title="Service" problems={sectionProblems(problems, ['incident', 'service'])}>
      {service ? (
        <>
          <div className="row">
            <Link to={servicePath(service.id)}>
              <strong>{service.name}</strong>
            </Link>
            <Tier value={service.tier} />
            <Health status={service.health?.status} reason={service.health?.reason} />
            <SourceLink url={service.url} compact />
          </div>
          {service.health?.reason ? <p className="small">{service.health.reason}</p> : null}
          {service.owner ? (
            <dl className="facts">
              <dt>Owner</dt>
              <dd>
                <Link to={teamPath(service.owner.id)}>{service.owner.name}</Link>
                {service.owner.chatChannel ? <span className="mono small"> {service.owner.chatChannel}</span> : null}
              </dd>
              {service.owner.onCall.map((s) => (
                <div className="fact-row" key={s.level}>
                  <dt>{s.level.toLowerCase()}</dt>
                  <dd>
                    <Person user={s.user} />
                    {s.user.timezone ? <LocalTime timezone={s.user.timezone} /> : null}
                  </dd>
                </div>
              ))}
            </dl>
          ) : null}
          <h3 className="subhead">Calls ({service.dependencies.length})</h3>
          <ul className="dep-list">
            {service.dependencies.map((d) => (
              <li key={d.id}>
                <Health status={d.health?.status} reason={d.health?.reason} showLabel={false} /> <Link to={servicePath(d.id)}>{d.id}</Link>{' '}
                <span className="muted small">{d.health?.reason ?? d.health?.status.toLowerCase()}</span>
              </li>
            ))}
          </ul>
          <h3 className="subhead">Called by ({service.dependents.length})</h3>
          <ul className="dep-list">
            {service.dependents.map((d) => (
              <li key={d.id}>
                <Health status={d.health?.status} reason={d.health?.reason} showLabel={false} /> <Link to={servicePath(d.id)}>{d.id}</Link>{' '}
                <span className="muted small">{d.health?.status.toLowerCase()}</span>
              </li>
            ))}
          </ul>
          <Link to={`${servicePath(service.id)}/graph`}>Dependency graph →</Link>
        </>
      ) : (
        <Empty>The tool's service is not mapped to the catalog.</Empty>
      )}
    </Section>
  );
}
