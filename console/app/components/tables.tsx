// Dense tables shared by pages. Rows carry `data-row` for j/k navigation and one `data-row-link` to open.
import { Link } from '@remix-run/react';
import type {
  AlertRowFragment,
  DeploymentRowFragment,
  IncidentRowFragment,
  RunRowFragment,
  TicketRowFragment,
} from '../graphql/generated.ts';
import { formatUtc, TimeAgo, useNow, formatDuration } from '../lib/time.tsx';
import { Badge, Severity, SourceLink } from './ui.tsx';

export const incidentPath = (id: string) => `/incidents/${encodeURIComponent(id)}`;
export const alertPath = (id: string) => `/alerts/${encodeURIComponent(id)}`;
export const servicePath = (id: string) => `/services/${encodeURIComponent(id)}`;
export const teamPath = (id: string) => `/teams/${encodeURIComponent(id)}`;
export const ticketPath = (id: string) => `/tickets/${encodeURIComponent(id)}`;
export const runbookPath = (id: string) => `/runbooks/${encodeURIComponent(id)}`;
export const runPath = (id: string) => `/runs/${encodeURIComponent(id)}`;

function SelectCell({ id, form, label }: { id: string; form?: string; label: string }) {
  return (
    <td className="select">
      <input type="checkbox" name="id" value={id} form={form} aria-label={`Select ${label}`} />
    </td>
  );
}

export function IncidentTable({
  incidents,
  selectForm,
  showService = true,
  compact,
}: {
  incidents: IncidentRowFragment[];
  selectForm?: string;
  showService?: boolean;
  /**
   * For half-width sections: the number joins the title, the start time goes under the status, names may wrap,
   * and the source link is left to the incident page.
   */
  compact?: boolean;
}) {
  return (
    <table className="table">
      <thead>
        <tr>
          {selectForm ? <th className="select" aria-label="Select" /> : null}
          <th>Sev</th>
          {compact ? null : <th className="num">#</th>}
          <th>Title</th>
          {showService ? <th>Service</th> : null}
          <th>Status</th>
          {compact ? null : <th>Started</th>}
          <th>Assignee</th>
          {compact ? null : <th aria-label="Source" />}
        </tr>
      </thead>
      <tbody>
        {incidents.map((i) => (
          <tr key={i.id} data-row>
            {selectForm ? <SelectCell id={i.id} form={selectForm} label={`incident #${i.number}`} /> : null}
            <td>
              <Severity value={i.severity} raw={i.rawSeverity} />
            </td>
            {compact ? null : <td className="num">{i.number}</td>}
            <td className="title">
              {compact ? <span className="muted">#{i.number} </span> : null}
              <Link to={incidentPath(i.id)} data-row-link prefetch="intent">
                {i.title}
              </Link>
            </td>
            {showService ? <td className="svc">{i.service ? <Link to={servicePath(i.service.id)}>{i.service.id}</Link> : <span className="muted">unmapped</span>}</td> : null}
            <td>
              <Badge kind="status" value={i.status} />
              {compact ? (
                <div className="small muted nowrap">
                  <TimeAgo at={i.startedAt} />
                </div>
              ) : null}
            </td>
            {compact ? null : (
              <td className="nowrap">
                <TimeAgo at={i.startedAt} />
              </td>
            )}
            <td className={compact ? undefined : 'nowrap'}>{i.assignee?.name ?? <span className="muted">unassigned</span>}</td>
            {compact ? null : (
              <td>
                <SourceLink url={i.url} compact />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AlertTable({
  alerts,
  selectForm,
  showService = true,
  compact,
}: {
  alerts: AlertRowFragment[];
  selectForm?: string;
  showService?: boolean;
  /** For narrow sections: how long it fires goes under the state, and the source link is an arrow. */
  compact?: boolean;
}) {
  const now = useNow();
  return (
    <table className="table">
      <thead>
        <tr>
          {selectForm ? <th className="select" aria-label="Select" /> : null}
          <th>Sev</th>
          <th>Alert</th>
          {showService ? <th>Service</th> : null}
          <th>State</th>
          {compact ? null : <th>Firing for</th>}
          <th aria-label="Source" />
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => (
          <tr key={a.id} data-row>
            {selectForm ? <SelectCell id={a.id} form={selectForm} label={`alert ${a.name}`} /> : null}
            <td>
              <Severity value={a.severity} raw={a.rawSeverity} />
            </td>
            <td className="title">
              <Link to={alertPath(a.id)} data-row-link prefetch="intent">
                <strong>{a.name}</strong>
              </Link>{' '}
              <span className="muted">{a.summary}</span>
            </td>
            {showService ? <td className="svc">{a.service ? <Link to={servicePath(a.service.id)}>{a.service.id}</Link> : <span className="muted">—</span>}</td> : null}
            <td className="nowrap">
              <Badge kind="alert" value={a.state} />
              {a.state === 'SILENCED' && a.silencedUntil ? (
                <span className="muted small" title={formatUtc(a.silencedUntil)}>
                  {' '}
                  {formatDuration(Date.parse(a.silencedUntil) - now)} left
                </span>
              ) : null}
              {compact ? (
                <div className="small muted" title={formatUtc(a.startsAt)}>
                  for {formatDuration((a.endsAt ? Date.parse(a.endsAt) : now) - Date.parse(a.startsAt))}
                </div>
              ) : null}
            </td>
            {compact ? null : (
              <td className="nowrap" title={formatUtc(a.startsAt)}>
                {formatDuration((a.endsAt ? Date.parse(a.endsAt) : now) - Date.parse(a.startsAt))}
              </td>
            )}
            <td>
              <SourceLink url={a.url} compact iconOnly={compact} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DeploymentTable({
  deployments,
  compact,
  showService = true,
  showEnvironment = true,
}: {
  deployments: DeploymentRowFragment[];
  /** For half-width sections: no environment, author or pipeline link columns (the version links to the pipeline). */
  compact?: boolean;
  showService?: boolean;
  showEnvironment?: boolean;
}) {
  return (
    <table className="table">
      <thead>
        <tr>
          <th>When</th>
          {showService ? <th>Service</th> : null}
          <th>Version</th>
          {compact || !showEnvironment ? null : <th>Env</th>}
          <th>Status</th>
          <th>Commit</th>
          {compact ? null : <th>Author</th>}
          <th aria-label="Links" />
        </tr>
      </thead>
      <tbody>
        {deployments.map((d) => (
          <tr key={d.id} data-row>
            <td className="nowrap">
              <TimeAgo at={d.startedAt} />
            </td>
            {showService ? <td className="svc">{d.service ? <Link to={servicePath(d.service.id)}>{d.service.id}</Link> : <span className="muted">unmapped</span>}</td> : null}
            <td className="nowrap mono">
              <a href={d.url} target="_blank" rel="noreferrer" data-row-link title="Open the pipeline run">
                {d.version}
              </a>
              {d.previousVersion && !compact ? <span className="muted"> ← {d.previousVersion}</span> : null}
              {compact && d.environment !== 'production' ? <span className="muted"> {d.environment}</span> : null}
            </td>
            {compact || !showEnvironment ? null : <td>{d.environment}</td>}
            <td>
              <Badge kind="deploy" value={d.status} title={`In the tool: ${d.rawStatus}`} />
            </td>
            {/* Takes the width the other columns leave and cuts the message there (the whole of it on hover). */}
            <td className="commit fill" title={d.commit?.message}>
              {d.commit ? (
                <>
                  {d.commit.url ? (
                    <a className="mono" href={d.commit.url} target="_blank" rel="noreferrer">
                      {d.commit.shortSha}
                    </a>
                  ) : (
                    <span className="mono">{d.commit.shortSha}</span>
                  )}{' '}
                  <span className="muted">{d.commit.message}</span>
                </>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
            {compact ? null : <td className="nowrap">{d.author?.name ?? <span className="muted">automation</span>}</td>}
            <td className="nowrap links">
              {d.pullRequestUrl ? (
                <a href={d.pullRequestUrl} target="_blank" rel="noreferrer" title="Pull request">
                  PR ↗
                </a>
              ) : null}
              {compact ? null : (
                <>
                  {' '}
                  <SourceLink url={d.url} compact />
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OnCallTable({
  shifts,
}: {
  shifts: { level: string; end: string; user: { id: string; name: string; url: string; timezone?: string | null }; team: { id: string; name: string } }[];
}) {
  const teams = new Map<string, { team: { id: string; name: string }; primary?: (typeof shifts)[number]; secondary?: (typeof shifts)[number] }>();
  for (const s of shifts) {
    const row = teams.get(s.team.id) ?? { team: s.team };
    if (s.level === 'PRIMARY') row.primary = s;
    else row.secondary = s;
    teams.set(s.team.id, row);
  }
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Team</th>
          <th>Primary</th>
          <th>Secondary</th>
          <th>Hands off</th>
        </tr>
      </thead>
      <tbody>
        {[...teams.values()].map(({ team, primary, secondary }) => (
          <tr key={team.id} data-row>
            <td>
              <Link to={teamPath(team.id)} data-row-link>
                {team.name}
              </Link>
            </td>
            <td>{primary ? <OnCallPerson shift={primary} /> : <span className="muted">—</span>}</td>
            <td>{secondary ? <OnCallPerson shift={secondary} /> : <span className="muted">—</span>}</td>
            <td className="nowrap">{primary ? <TimeAgo at={primary.end} /> : null}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OnCallPerson({ shift }: { shift: { user: { name: string; url: string; timezone?: string | null } } }) {
  return (
    <>
      <a href={shift.user.url} target="_blank" rel="noreferrer">
        {shift.user.name}
      </a>
      {shift.user.timezone ? <LocalTime timezone={shift.user.timezone} /> : null}
    </>
  );
}

/** The person's local time now: check it before paging someone at night. */
export function LocalTime({ timezone }: { timezone: string }) {
  const now = useNow();
  let text = '';
  try {
    text = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
  } catch {
    return null;
  }
  const hour = Number(text.slice(0, 2));
  const night = hour < 7 || hour >= 22;
  return (
    <span className={`local-time ${night ? 'night' : ''}`} title={`${timezone}${night ? ' — night time there' : ''}`}>
      {' '}
      {text}
      {night ? ' ☾' : ''}
    </span>
  );
}

type TicketInContext = TicketRowFragment & { labels: string[]; incident?: { id: string; number: number } | null };

/** `inContext` (the tickets list) adds labels and the service and incident columns a page about one service or incident does not need. */
export function TicketTable(props: { tickets: TicketRowFragment[]; inContext?: false } | { tickets: TicketInContext[]; inContext: true }) {
  const { tickets, inContext } = props as { tickets: (TicketRowFragment & Partial<TicketInContext>)[]; inContext?: boolean };
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Key</th>
          <th>Title</th>
          <th>Status</th>
          <th>Priority</th>
          {inContext ? (
            <>
              <th>Service</th>
              <th>Incident</th>
            </>
          ) : null}
          <th>Assignee</th>
          <th>Updated</th>
          <th aria-label="Source" />
        </tr>
      </thead>
      <tbody>
        {tickets.map((t) => (
          <tr key={t.id} data-row>
            <td className="mono nowrap">{t.key}</td>
            <td className="title">
              <Link to={ticketPath(t.id)} data-row-link prefetch="intent">
                {t.title}
              </Link>
              {inContext ? (
                <>
                  {' '}
                  {t.labels?.map((l) => (
                    <span key={l} className="tag">
                      {l}
                    </span>
                  ))}
                </>
              ) : null}
            </td>
            <td>
              <Badge kind="ticket" value={t.status} label={t.rawStatus} />
            </td>
            <td>
              <Badge kind="prio" value={t.priority} />
            </td>
            {inContext ? (
              <>
                <td className="svc">{t.service ? <Link to={servicePath(t.service.id)}>{t.service.id}</Link> : <span className="muted">—</span>}</td>
                <td>{t.incident ? <Link to={incidentPath(t.incident.id)}>#{t.incident.number}</Link> : <span className="muted">—</span>}</td>
              </>
            ) : null}
            <td className="nowrap">{t.assignee?.name ?? <span className="muted">unassigned</span>}</td>
            <td className="nowrap">
              <TimeAgo at={t.updatedAt} />
            </td>
            <td>
              <SourceLink url={t.url} compact />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Steps done out of all, as a thin bar. */
export function StepProgress({ steps }: { steps: { status: string }[] }) {
  const done = steps.filter((s) => s.status === 'SUCCEEDED' || s.status === 'SKIPPED').length;
  const waiting = steps.some((s) => s.status === 'WAITING_FOR_INPUT');
  return (
    <span className="progress" title={`${done} of ${steps.length} steps done${waiting ? '; a step waits for a person' : ''}`}>
      <span className="progress-bar">
        <span style={{ width: `${steps.length ? (100 * done) / steps.length : 0}%` }} />
      </span>
      <span className="small muted">
        {done}/{steps.length}
      </span>
    </span>
  );
}

export function RunTable({ runs, showRunbook = true }: { runs: RunRowFragment[]; showRunbook?: boolean }) {
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Run</th>
          {showRunbook ? <th>Runbook</th> : null}
          <th>Status</th>
          <th>Steps</th>
          <th>Incident</th>
          <th>Started</th>
          <th>By</th>
          <th aria-label="Source" />
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} data-row>
            <td className="mono nowrap">
              <Link to={runPath(r.id)} data-row-link prefetch="intent">
                {r.id.split(':').pop()}
              </Link>
            </td>
            {showRunbook ? (
              <td>
                <Link to={runbookPath(r.runbook.id)}>{r.runbook.name}</Link>
              </td>
            ) : null}
            <td>
              <Badge kind="run" value={r.status} title={`In the engine: ${r.rawStatus}`} />
            </td>
            <td>
              <StepProgress steps={r.steps} />
            </td>
            <td>{r.incident ? <Link to={incidentPath(r.incident.id)}>#{r.incident.number}</Link> : <span className="muted">—</span>}</td>
            <td className="nowrap">
              <TimeAgo at={r.startedAt} />
            </td>
            <td className="nowrap">{r.startedBy?.name ?? <span className="muted">—</span>}</td>
            <td>
              <SourceLink url={r.url} compact />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
