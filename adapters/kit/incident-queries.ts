// Incident filtering for tools answered from a snapshot or a list OpsOrch filters itself (the incidents SPI's
// IncidentQuery, read the same way by every such provider).
import type { IncidentQuery, IncidentRecord } from '../src/spi/incidents.ts';

/**
 * Whether an incident matches `filter` (every part optional, combined with AND; empty lists do not narrow).
 * `teamServices` holds the canonical ids of the services the filter's team owns (null when no team is asked).
 */
export function matchesIncidentQuery(incident: IncidentRecord, filter: IncidentQuery, teamServices: ReadonlySet<string> | null): boolean {
  const text = filter.text?.toLowerCase();
  return (
    (!filter.statuses?.length || filter.statuses.includes(incident.status)) &&
    (!filter.severities?.length || filter.severities.includes(incident.severity)) &&
    (!filter.serviceId || incident.serviceId === filter.serviceId) &&
    (!teamServices || (incident.serviceId !== null && teamServices.has(incident.serviceId))) &&
    (!text || incident.title.toLowerCase().includes(text) || (incident.summary ?? '').toLowerCase().includes(text)) &&
    (!filter.startedFrom || Date.parse(incident.startedAt) >= filter.startedFrom.getTime()) &&
    (!filter.startedTo || Date.parse(incident.startedAt) < filter.startedTo.getTime())
  );
}
