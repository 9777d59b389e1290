import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { IncidentTable, LocalTime, servicePath, teamPath } from '../components/tables.tsx';
import { Empty, Health, PageHeader, Person, Problems, Section, SourceLink, Tier } from '../components/ui.tsx';
import { TeamDetailDocument } from '../graphql/generated.ts';
import { query } from '../lib/api.server.ts';
import { sectionProblems, notFoundUnless } from '../lib/problems.ts';
import { formatUtc, TimeAgo } from '../lib/time.tsx';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.team?.name ?? 'Team'} · OpsOrch` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { data, problems } = await query(request, context, TeamDetailDocument, { id: params.id! });
  notFoundUnless(data?.team, !!data, problems, `No team "${params.id}".`);
  return { team: data?.team ?? null, problems };
}

export default function TeamPage() {
  const { team, problems } = useLoaderData<typeof loader>();
  if (!team) return <Problems problems={problems} />;
  return (
    <>
      <PageHeader
        crumbs={[{ to: '/teams', label: 'Teams' }, ...(team.parent ? [{ to: teamPath(team.parent.id), label: team.parent.name }] : [])]}
        title={team.name}
        subtitle={
          <>
            {team.description}
            {team.chatChannel ? <span className="mono"> · {team.chatChannel}</span> : null}
            {team.subTeams.length ? (
              <>
                {' '}
                · sub-teams:{' '}
                {team.subTeams.map((s, i) => (
                  <span key={s.id}>
                    {i ? ', ' : ''}
                    <Link to={teamPath(s.id)}>{s.name}</Link>
                  </span>
                ))}
              </>
            ) : null}
          </>
        }
        actions={<SourceLink url={team.url} />}
      />
      <Problems problems={problems.filter((p) => !p.path || p.path.length <= 1)} />
      <div className="grid-3">
        <Section title="On call now" problems={sectionProblems(problems, ['team', 'onCall'])}>
          {team.onCall.length ? (
            <dl className="facts">
              {team.onCall.map((s) => (
                <div key={s.level} className="fact-row">
                  <dt>{s.level.toLowerCase()}</dt>
                  <dd>
                    <Person user={s.user} />
                    {s.user.timezone ? <LocalTime timezone={s.user.timezone} /> : null}
                    {s.user.chatHandle ? <span className="mono small muted"> {s.user.chatHandle}</span> : null}
                    <div className="muted small">
                      until {formatUtc(s.end)} (<TimeAgo at={s.end} />)
                    </div>
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <Empty>Nobody is on call.</Empty>
          )}
        </Section>
        <Section
          title="Rotation"
          actions={team.rotation ? <SourceLink url={team.rotation.url} compact /> : null}
          problems={sectionProblems(problems, ['team', 'rotation'])}
        >
          {team.rotation ? (
            <>
              <div className="small muted">
                {team.rotation.name} · {team.rotation.shiftHours}h shifts
                {team.rotation.handoffHourUtc != null ? ` · hand-off ${String(team.rotation.handoffHourUtc).padStart(2, '0')}:00 UTC` : ''}
              </div>
              <table className="table">
                <thead>
                  <tr>
                    <th>Primary</th>
                    <th>From (UTC)</th>
                    <th>Until (UTC)</th>
                  </tr>
                </thead>
                <tbody>
                  {team.rotation.upcoming.map((s) => (
                    <tr key={s.start}>
                      <td>{s.user.name}</td>
                      <td className="nowrap small">{formatUtc(s.start, false, false)}</td>
                      <td className="nowrap small">{formatUtc(s.end, false, false)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : (
            <Empty>No rotation.</Empty>
          )}
        </Section>
        <Section title="Services owned" count={team.services?.length} problems={sectionProblems(problems, ['team', 'services'])}>
          {team.services?.length ? (
            <ul className="dep-list">
              {team.services.map((s) => (
                <li key={s.id}>
                  <Health status={s.health?.status} reason={s.health?.reason} showLabel={false} /> <Link to={servicePath(s.id)}>{s.id}</Link> <Tier value={s.tier} />{' '}
                  <span className="muted small">{s.health?.reason ?? ''}</span>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>{team.services ? 'No services.' : 'The catalog is unavailable.'}</Empty>
          )}
        </Section>
      </div>
      <Section title="Open incidents" count={team.incidents?.nodes.length} problems={sectionProblems(problems, ['team', 'incidents'], team.incidents?.providerErrors)}>
        {team.incidents?.nodes.length ? <IncidentTable incidents={team.incidents.nodes} /> : <Empty>No open incident on this team's services.</Empty>}
      </Section>
      <Section title="Members" count={team.members.length}>
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role in team</th>
              <th>Title</th>
              <th>Local time</th>
              <th>Chat</th>
              <th>E-mail</th>
            </tr>
          </thead>
          <tbody>
            {team.members.map((m) => (
              <tr key={m.user.id} data-row>
                <td>
                  <Person user={m.user} />
                </td>
                <td>{m.role.toLowerCase()}</td>
                <td className="muted">{m.user.role ?? ''}</td>
                <td>{m.user.timezone ? <LocalTime timezone={m.user.timezone} /> : null}</td>
                <td className="mono small">{m.user.chatHandle ?? ''}</td>
                <td className="mono small">{m.user.email}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
