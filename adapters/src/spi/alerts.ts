import type { Alert, AlertState, ServiceHealth, Severity } from '@opsorch/schema';
import type { ProviderContext } from '../context.ts';
import type { Page, PageRequest } from '../paging.ts';
import type { ProviderBase } from './base.ts';

/** An alert as a provider returns it: the GraphQL `Alert` with its service as a catalog id. */
export type AlertRecord = Pick<
  Alert,
  | 'id'
  | 'name'
  | 'summary'
  | 'description'
  | 'state'
  | 'rawState'
  | 'severity'
  | 'rawSeverity'
  | 'labels'
  | 'startsAt'
  | 'endsAt'
  | 'acknowledgedAt'
  | 'silencedUntil'
  | 'silenceComment'
  | 'generatorUrl'
  | 'url'
  | 'source'
  | 'fingerprint'
> & {
  /** Canonical catalog service id; null when the alert's labels name no catalog service. */
  serviceId: string | null;
  /** Environment from the alert's environment label; null when it has none (hidden from callers limited to some environments). */
  environment: string | null;
};

/** A service's health as one provider sees it. */
export type ServiceHealthRecord = Pick<ServiceHealth, 'status' | 'reason' | 'firingAlerts'>;

/** What `query` narrows by; every field optional, combined with AND. Validated by the caller. */
export interface AlertQuery {
  states?: readonly AlertState[];
  severities?: readonly Severity[];
  serviceId?: string;
  /** Canonical team id: alerts of the services the team owns. */
  teamId?: string;
  environment?: string;
  /** Case-insensitive substring of name, summary or description. */
  text?: string;
  /** Alerts active at some point in [activeFrom, activeTo). */
  activeFrom?: Date;
  activeTo?: Date;
}

/** What the per-service batch read narrows by. */
export interface AlertLinkQuery {
  states?: readonly AlertState[];
}

/** An incident whose surrounding alerts are asked for. */
export interface IncidentAlertsKey {
  incidentId: string;
  serviceId: string;
  /** When the incident was triggered (RFC 3339). */
  startedAt: string;
}

/** How long before an incident's start an alert may have started and still belong to it. */
export const INCIDENT_ALERT_LOOKBACK_MS = 30 * 60_000;

/**
 * The alerts capability's provider contract (Alertmanager, Datadog, Grafana, the demo world...).
 * `state` is computed at `ctx.now` (an expired silence is FIRING again). Lists are newest first by
 * `startsAt`, then by id. Writes are optional: a provider without one answers NOT_SUPPORTED.
 */
export interface AlertProvider extends ProviderBase {
  /** One slot per id (OpsOrch ids of this instance), in key order: the alert or null. */
  getMany(ids: readonly string[], ctx: ProviderContext): Promise<(AlertRecord | null)[]>;
  query(filter: AlertQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<AlertRecord>>;
  /** One page per service id, in key order. */
  alertsForServices(
    serviceIds: readonly string[],
    filter: AlertLinkQuery,
    page: PageRequest,
    ctx: ProviderContext,
  ): Promise<Page<AlertRecord>[]>;
  /**
   * One slot per service id, in key order. Critical (SEV1/SEV2) alerts firing or acknowledged → DOWN,
   * warnings (SEV3/SEV4) → DEGRADED, else HEALTHY; UNKNOWN when the provider does not know the service.
   */
  healthOfServices(serviceIds: readonly string[], ctx: ProviderContext): Promise<ServiceHealthRecord[]>;
  /**
   * One list per incident, in key order: alerts of the incident's service that started at most
   * INCIDENT_ALERT_LOOKBACK_MS before the incident or later, newest first.
   */
  alertsForIncidents(incidents: readonly IncidentAlertsKey[], ctx: ProviderContext): Promise<AlertRecord[][]>;

  /** BAD_USER_INPUT on a resolved alert; NOT_FOUND when it does not exist. */
  acknowledgeAlert?(id: string, ctx: ProviderContext): Promise<AlertRecord>;
  /** `durationMs` is validated by the caller (positive, at most 7 days). */
  silenceAlert?(id: string, durationMs: number, comment: string | null, ctx: ProviderContext): Promise<AlertRecord>;
}
