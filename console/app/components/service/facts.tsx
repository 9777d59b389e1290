// What a service page says first: who owns it and is on call, its links and references, its runbooks.
import { Link } from '@remix-run/react';
import type { ServiceDetailQuery } from '../../graphql/generated.ts';
import { sectionProblems, type ApiProblem } from '../../lib/problems.ts';
import { TimeAgo } from '../../lib/time.tsx';
import { LocalTime, runbookPath, teamPath } from '../tables.tsx';
import { Empty, Section, SourceLink } from '../ui.tsx';

/** The service as the page's loader returns it. */
export type ServiceDetail = NonNullable<ServiceDetailQuery['service']>;

export function ServiceFacts({ service, problems }: { service: ServiceDetail; problems: ApiProblem[] }) {
  const shifts = service.owner?.onCall ?? [];
  return (
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
  );
}
