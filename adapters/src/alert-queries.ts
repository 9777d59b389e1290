// The read side every alerting provider answers the same way once it holds its alerts as records, newest first:
// filtering a list, grouping by service, picking an incident's alerts.
import type { ProviderContext } from './context.ts';
import { INCIDENT_ALERT_LOOKBACK_MS, type AlertLinkQuery, type AlertQuery, type AlertRecord, type IncidentAlertsKey } from './spi/alerts.ts';

/** The value of the alert's environment label, when it has one. */
export function alertEnvironment(alert: AlertRecord, environmentLabel: string): string | undefined {
  return alert.labels.find((l) => l.name === environmentLabel)?.value;
}

export interface AlertFilterOptions {
  /** Label naming the environment (the request's environment applies when the filter names none). */
  environmentLabel: string;
  /** Whether the filter's team owns a service; consulted only when the filter has a teamId. */
  ownedByTeam: (serviceId: string) => boolean;
}

/** The alerts matching `filter`, in their order; every filter field combines with AND. */
export function filterAlerts(alerts: readonly AlertRecord[], filter: AlertQuery, ctx: ProviderContext, options: AlertFilterOptions): AlertRecord[] {
  const text = filter.text?.trim().toLowerCase();
  const environment = filter.environment ?? ctx.environment;
  const from = filter.activeFrom?.getTime();
  const to = filter.activeTo?.getTime();
  return alerts.filter((a) => {
    if (filter.states && filter.states.length > 0 && !filter.states.includes(a.state)) return false;
    if (filter.severities && filter.severities.length > 0 && !filter.severities.includes(a.severity)) return false;
    if (filter.serviceId && a.serviceId !== filter.serviceId) return false;
    if (filter.teamId && (!a.serviceId || !options.ownedByTeam(a.serviceId))) return false;
    if (environment && alertEnvironment(a, options.environmentLabel) !== environment) return false;
    if (text && !`${a.name}\n${a.summary}\n${a.description ?? ''}`.toLowerCase().includes(text)) return false;
    if (to !== undefined && Date.parse(a.startsAt) >= to) return false;
    if (from !== undefined && a.endsAt && Date.parse(a.endsAt) < from) return false;
    return true;
  });
}

/** One list per service id, in key order: its alerts in the request's environment, narrowed by state. */
export function alertsOfServices(
  alerts: readonly AlertRecord[],
  serviceIds: readonly string[],
  filter: AlertLinkQuery,
  ctx: ProviderContext,
  environmentLabel: string,
): AlertRecord[][] {
  const byService = new Map<string, AlertRecord[]>(serviceIds.map((id) => [id, []]));
  for (const a of alerts) {
    if (!a.serviceId) continue;
    if (filter.states && filter.states.length > 0 && !filter.states.includes(a.state)) continue;
    if (ctx.environment && alertEnvironment(a, environmentLabel) !== ctx.environment) continue;
    byService.get(a.serviceId)?.push(a);
  }
  return serviceIds.map((id) => byService.get(id) ?? []);
}

/** One list per incident, in key order: alerts of its service that started at most INCIDENT_ALERT_LOOKBACK_MS before it, or later. */
export function alertsOfIncidents(alerts: readonly AlertRecord[], incidents: readonly IncidentAlertsKey[]): AlertRecord[][] {
  return incidents.map((incident) => {
    const earliest = Date.parse(incident.startedAt) - INCIDENT_ALERT_LOOKBACK_MS;
    return alerts.filter((a) => a.serviceId === incident.serviceId && Date.parse(a.startsAt) >= earliest);
  });
}
