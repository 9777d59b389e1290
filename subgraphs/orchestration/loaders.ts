import DataLoader from 'dataloader';
import type { AlertRef, IncidentRef, RunbookRecord, RunbookRunRecord } from '@opsorch/adapters';
import type { RequestContext } from '../shared/index.ts';
import { parentListLoader, perParentLoader } from '../shared/index.ts';

export const runbooksByName = (a: RunbookRecord, b: RunbookRecord): number => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/** The orchestration subgraph's DataLoaders for one request; each batch costs one provider call per instance. */
export function createOrchestrationLoaders(ctx: RequestContext) {
  return {
    runbook: new DataLoader<string, RunbookRecord | null>((ids) =>
      ctx.registry.getMany('orchestration', ids, (provider, own) => provider.getRunbooks(own, ctx.provider)),
    ),
    run: new DataLoader<string, RunbookRunRecord | null>((ids) =>
      ctx.registry.getMany('orchestration', ids, (provider, own) => provider.getRuns(own, ctx.provider)),
    ),
    runbookRuns: perParentLoader(ctx, 'orchestration', (provider, runbookIds, _filter: null, page) =>
      provider.runsForRunbooks(runbookIds, page, ctx.provider),
    ),
    serviceRunbooks: parentListLoader(
      ctx,
      'orchestration',
      (provider, serviceIds: string[]) => provider.runbooksForServices(serviceIds, ctx.provider),
      runbooksByName,
      (id) => id,
    ),
    // Providers rank these; several instances' rankings are concatenated in configuration order.
    alertRunbooks: parentListLoader(
      ctx,
      'orchestration',
      (provider, alerts: AlertRef[]) => provider.runbooksForAlerts(alerts, ctx.provider),
      null,
      (a) => JSON.stringify([a.alertId, a.name, a.serviceId]),
    ),
    incidentRunbooks: parentListLoader(
      ctx,
      'orchestration',
      (provider, incidents: IncidentRef[]) => provider.suggestRunbooksForIncidents(incidents, ctx.provider),
      null,
      (i) => JSON.stringify([i.incidentId, i.serviceId]),
    ),
  };
}
