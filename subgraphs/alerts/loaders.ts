import DataLoader from 'dataloader';
import {
  OpsOrchError,
  toOpsOrchError,
  type AlertProvider,
  type AlertLinkQuery,
  type AlertRecord,
  type IncidentAlertsKey,
  type Page,
  type ServiceHealthRecord,
} from '@opsorch/adapters';
import type { HealthStatus } from '@opsorch/schema';
import type { RequestContext } from '../shared/index.ts';
import { perParentLoader } from '../shared/index.ts';

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

/**
 * Calls `call` once on every alerts instance with all the keys and merges the answers per key. Any failing
 * instance fails every key: these fields are plain values without room to report a partial answer.
 */
async function everyInstance<K, T, M>(
  ctx: RequestContext,
  keys: readonly K[],
  call: (provider: AlertProvider, keys: K[]) => Promise<readonly T[]>,
  merge: (answers: T[]) => M,
): Promise<(M | Error)[]> {
  const answers: (readonly T[] | Error)[] = await Promise.all(
    ctx.registry.all('alerts').map(async (provider) => {
      try {
        const answer = await call(provider, [...keys]);
        if (answer.length !== keys.length) {
          throw new OpsOrchError('INTERNAL', `broke the batch contract: ${answer.length} results for ${keys.length} keys`);
        }
        return answer;
      } catch (error) {
        return toOpsOrchError(error, 'alerts', provider.instance);
      }
    }),
  );
  const failure = answers.find((a) => a instanceof Error);
  if (failure instanceof Error) return keys.map(() => failure);
  const lists = answers as (readonly T[])[];
  return keys.map((_, i) => merge(lists.map((list) => list[i]!)));
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
      everyInstance(ctx, serviceIds, (provider, ids) => provider.healthOfServices(ids, ctx.provider), mergeHealth),
    ),
    /** `Incident.alerts`: one `alertsForIncidents` per instance for every incident of the request. */
    incidentAlerts: new DataLoader<IncidentAlertsKey, AlertRecord[], string>(
      (incidents) =>
        everyInstance<IncidentAlertsKey, AlertRecord[], AlertRecord[]>(
          ctx,
          incidents,
          (provider, keys) => provider.alertsForIncidents(keys, ctx.provider),
          (lists) => lists.flat().sort(byStartsAt),
        ),
      { cacheKeyFn: (key) => JSON.stringify([key.incidentId, key.serviceId, key.startedAt]) },
    ),
  };
}

export type AlertLoaders = ReturnType<typeof createAlertLoaders>;
