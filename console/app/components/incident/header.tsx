// The incident page's header: severity, number, title, status, how long it has been open, who is on it.
import { PageHeader, Badge, Person, Severity, SourceLink } from '../ui.tsx';
import { InvestigateButton } from '../copilot/launcher.tsx';
import { LocalTime } from '../tables.tsx';
import { formatDuration, TimeAgo, useNow } from '../../lib/time.tsx';
import type { IncidentDetail } from './forms.tsx';

export function IncidentHeader({ incident }: { incident: IncidentDetail }) {
  const now = useNow();
  const open = incident.status !== 'RESOLVED';
  return (
    <PageHeader
      crumbs={[{ to: '/incidents', label: 'Incidents' }]}
      title={
        <>
          <Severity value={incident.severity} raw={incident.rawSeverity} /> #{incident.number} {incident.title}
        </>
      }
      subtitle={
        <>
          <Badge kind="status" value={incident.status} title={`In the tool: ${incident.rawStatus}`} /> opened <TimeAgo at={incident.startedAt} />
          {incident.acknowledgedAt ? (
            <> · acknowledged after {formatDuration(Date.parse(incident.acknowledgedAt) - Date.parse(incident.startedAt))}</>
          ) : open ? (
            <> · unacknowledged for {formatDuration(now - Date.parse(incident.startedAt))}</>
          ) : null}
          {incident.resolvedAt ? <> · resolved after {formatDuration(Date.parse(incident.resolvedAt) - Date.parse(incident.startedAt))}</> : null}
          {' · '}assigned to <Person user={incident.assignee} />
          {incident.assignee?.timezone ? <LocalTime timezone={incident.assignee.timezone} /> : null}
          {incident.commander ? (
            <>
              {' '}
              · commander <Person user={incident.commander} />
            </>
          ) : null}
          {incident.channel ? <span className="mono"> · {incident.channel}</span> : null}
        </>
      }
      actions={
        <>
          <InvestigateButton incidentId={incident.id} number={incident.number} /> <SourceLink url={incident.url} />
        </>
      }
    />
  );
}
