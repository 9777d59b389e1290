import DataLoader from 'dataloader';
import type { IncidentLinkQuery, IncidentRecord, Page, TimelineEntryRecord } from '@opsorch/adapters';
import type { TimelineOrder } from '@opsorch/schema';
import type { RequestContext } from '../shared/index.ts';
import { perParentLoader } from '../shared/index.ts';

/** The incidents subgraph's DataLoaders for one request. */
export function createIncidentLoaders(ctx: RequestContext) {
  return {
    /** Incidents by OpsOrch id: one `getMany` per owning instance. */
    incident: new DataLoader<string, IncidentRecord | null>((ids) =>
      ctx.registry.getMany('incidents', ids, (provider, own) => provider.getMany(own, ctx.provider)),
    ),
    /** `Service.incidents` pages: one `incidentsForServices` per instance and argument set. */
    serviceIncidents: perParentLoader<'incidents', IncidentLinkQuery, Page<IncidentRecord>>(ctx, 'incidents', (provider, ids, filter, page) =>
      provider.incidentsForServices(ids, filter, page, ctx.provider),
    ),
    /** `Team.incidents` pages: one `incidentsForTeams` per instance and argument set. */
    teamIncidents: perParentLoader<'incidents', IncidentLinkQuery, Page<IncidentRecord>>(ctx, 'incidents', (provider, ids, filter, page) =>
      provider.incidentsForTeams(ids, filter, page, ctx.provider),
    ),
    /** `Incident.timeline` pages: one `timelines` per instance, order and page. */
    timeline: perParentLoader<'incidents', TimelineOrder, Page<TimelineEntryRecord>>(ctx, 'incidents', (provider, ids, order, page) =>
      provider.timelines(ids, order, page, ctx.provider),
    ),
  };
}

export type IncidentLoaders = ReturnType<typeof createIncidentLoaders>;
