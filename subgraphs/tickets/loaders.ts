import DataLoader from 'dataloader';
import type { TicketRecord, TicketTransitionRecord } from '@opsorch/adapters';
import type { TicketStatus } from '@opsorch/schema';
import { newestFirst, type RequestContext } from '../shared/index.ts';
import { parentListLoader, perParentLoader } from '../shared/index.ts';

/** The tickets subgraph's DataLoaders for one request; each batch costs one provider call per instance. */
export function createTicketLoaders(ctx: RequestContext) {
  return {
    ticket: new DataLoader<string, TicketRecord | null>((ids) =>
      ctx.registry.getMany('tickets', ids, (provider, own) => provider.getMany(own, ctx.provider)),
    ),
    transitions: new DataLoader<string, TicketTransitionRecord[]>(async (ids) =>
      (await ctx.registry.getMany('tickets', ids, (provider, own) => provider.transitionsForTickets(own, ctx.provider))).map(
        (slot) => slot ?? [],
      ),
    ),
    comments: perParentLoader(ctx, 'tickets', (provider, ticketIds, _filter: null, page) =>
      provider.commentsForTickets(ticketIds, page, ctx.provider),
    ),
    serviceTickets: perParentLoader(ctx, 'tickets', (provider, serviceIds, filter: { statuses?: TicketStatus[] }, page) =>
      provider.ticketsForServices(serviceIds, filter, page, ctx.provider),
    ),
    incidentTickets: parentListLoader(
      ctx,
      'tickets',
      (provider, incidentIds: string[]) => provider.ticketsForIncidents(incidentIds, ctx.provider),
      newestFirst<TicketRecord>((t) => t.updatedAt),
      (id) => id,
    ),
  };
}

export type TicketLoaders = ReturnType<typeof createTicketLoaders>;
