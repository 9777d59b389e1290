import DataLoader from 'dataloader';
import {
  type AlertLinkQuery,
  type AlertRecord,
  type IncidentAlertsKey,
  type Page,
  type ServiceHealthRecord,
} from '@opsorch/adapters';
import type { HealthStatus } from '@opsorch/schema';
import type { RequestContext } from '../shared/index.ts';
import { perKeyEverywhere, perParentLoader } from '../shared/index.ts';

/** Newest first by startsAt, then id: the order every alert list is merged in. */
export function byStartsAt(a: AlertRecord, b: AlertRecord): number {
  return b.startsAt.localeCompare(a.startsAt) || a.id.localeCompare(b.id);
}

/** Worst first; UNKNOWN (a provider that does not know the service) loses to any real answer. */
const HEALTH_RANK: Record<HealthStatus, number> = { DOWN: 0, DEGRADED: 1, HEALTHY: 2, UNKNOWN: 3 };

/** Several instances' views of one service: the worst status (with its reason) and every active alert counted. */
export function mergeHealth(views: readonly ServiceHealthRecord[]): ServiceHealthRecord {
  const worst = [...views].sort((a, b) => HEALTH_RANK[a.status] - HEALTH_RANK[b.status])[0];
  if (!worst) return { status: 'UNKNOWN', reason: 'no alerts provider is configured', firingAlerts: 0 };
  return { ...worst, firingAlerts: views.reduce((sum, v) => sum + v.firingAlerts, 0) };
}

/** The alerts subgraph's DataLoaders for one request. */
export function createAlertLoaders(ctx: RequestContext) {
  return {
    /** Alerts by OpsOrch id: one `getMany` per owning instance. */
    alert: new DataLoader<string, AlertRecord | null>((ids) =>
      ctx.registry.getMany('alerts', ids, (provider, own) => provider.getMany(own, ctx.provider)),
    ),
    /** `Service.alerts` pages: one `alertsForServices` per instance and argument set. */
    serviceAlerts: perParentLoader<'alerts', AlertLinkQuery, Page<AlertRecord>>(ctx, 'alerts', (provider, ids, filter, page) =>
      provider.alertsForServices(ids, filter, page, ctx.provider),
    ),
    /** `Service.health`: one `healthOfServices` per instance for every service of the request. */
    health: new DataLoader<string, ServiceHealthRecord>((serviceIds) =>
      perKeyEverywhere(ctx, 'alerts', serviceIds, (provider, ids) => provider.healthOfServices(ids, ctx.provider), mergeHealth),
    ),
    /** `Incident.alerts`: one `alertsForIncidents` per instance for every incident of the request. */
    incidentAlerts: new DataLoader<IncidentAlertsKey, AlertRecord[], string>(
      (incidents) =>
        perKeyEverywhere(
          ctx,
          'alerts',
          incidents,
          (provider, keys) => provider.alertsForIncidents(keys, ctx.provider),
          (lists) => lists.flat().sort(byStartsAt),
        ),
      { cacheKeyFn: (key) => JSON.stringify([key.incidentId, key.serviceId, key.startedAt]) },
    ),
  };
}

export type AlertLoaders = ReturnType<typeof createAlertLoaders>;
