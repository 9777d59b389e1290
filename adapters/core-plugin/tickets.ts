// Tickets from a Core plugin: `ticket.query|get|create|update`. Core has no comments and no workflow: a
// transition is an update of `status`, comments are not supported.
import type { TicketStatus } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { OpsOrchError } from '../src/errors.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { NewTicket, TicketChanges, TicketProvider, TicketQuery, TicketRecord } from '../src/spi/tickets.ts';
import { asArray, lowerEmail, str, time, SNAPSHOT_LIMIT, type CorePlugin, type Json } from './plugin.ts';
import { normalized, ticketPriority, ticketStatus } from './vocabulary.ts';

export class CoreTicketProvider implements TicketProvider {
  readonly kind = 'core-plugin';
  readonly instance: string;

  constructor(private readonly plugin: CorePlugin) {
    this.instance = plugin.instance;
  }

  private async records(tickets: Json[], ctx: ProviderContext): Promise<TicketRecord[]> {
    const services = await this.plugin.canonical(tickets.map((t) => str(t.fields?.service)), ctx);
    return tickets.map((t) => {
      const createdAt = time(t.createdAt) ?? new Date(0).toISOString();
      const service = str(t.fields?.service);
      return {
        id: this.plugin.id(t.id),
        key: str(t.key) ?? String(t.id),
        title: String(t.title ?? ''),
        description: str(t.description),
        status: normalized(str(t.status), ticketStatus, 'UNKNOWN'),
        rawStatus: String(t.status ?? ''),
        priority: normalized(str(t.fields?.priority), ticketPriority, 'UNKNOWN'),
        rawPriority: str(t.fields?.priority),
        labels: Array.isArray(t.fields?.labels) ? t.fields.labels.map(String) : [],
        createdAt,
        updatedAt: time(t.updatedAt) ?? createdAt,
        url: str(t.url) ?? '',
        source: this.plugin.source(t.id),
        assigneeId: lowerEmail(Array.isArray(t.assignees) ? t.assignees[0] : null),
        reporterId: lowerEmail(t.reporter),
        serviceId: service ? (services.get(service) ?? null) : null,
        incidentId: str(t.fields?.incident),
      };
    });
  }

  private all(ctx: ProviderContext): Promise<TicketRecord[]> {
    return this.plugin.memo('tickets', ctx, async () => {
      const tickets = asArray(await this.plugin.call('ticket.query', { limit: SNAPSHOT_LIMIT }, ctx), 'ticket.query');
      return (await this.records(tickets, ctx)).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id));
    });
  }

  getMany(ids: readonly string[], ctx: ProviderContext) {
    return this.plugin.getEach(ids, 'ticket id', async (native) => {
      const ticket = await this.plugin.call<Json | null>('ticket.get', { id: native }, ctx);
      return ticket ? (await this.records([ticket], ctx))[0]! : null;
    });
  }

  async query(filter: TicketQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<TicketRecord>> {
    const team = await this.plugin.servicesOfTeam(filter.teamId, ctx);
    const text = filter.text?.toLowerCase();
    const matching = (await this.all(ctx)).filter(
      (t) =>
        (!filter.statuses?.length || filter.statuses.includes(t.status)) &&
        (!filter.priorities?.length || filter.priorities.includes(t.priority)) &&
        (!filter.serviceIds || (t.serviceId !== null && filter.serviceIds.includes(t.serviceId))) &&
        (!team || (t.serviceId !== null && team.has(t.serviceId))) &&
        (!text || `${t.key} ${t.title} ${t.description ?? ''}`.toLowerCase().includes(text)) &&
        (!filter.assigneeId || t.assigneeId === filter.assigneeId.toLowerCase()) &&
        (!filter.incidentId || t.incidentId === filter.incidentId),
    );
    return pageOfArray(matching, page);
  }

  async ticketsForServices(serviceIds: readonly string[], filter: { statuses?: readonly TicketStatus[] }, page: PageRequest, ctx: ProviderContext) {
    const all = await this.all(ctx);
    return serviceIds.map((id) => pageOfArray(all.filter((t) => t.serviceId === id && (!filter.statuses?.length || filter.statuses.includes(t.status))), page));
  }

  async ticketsForIncidents(incidentIds: readonly string[], ctx: ProviderContext) {
    const all = await this.all(ctx);
    return incidentIds.map((id) => all.filter((t) => t.incidentId === id));
  }

  async commentsForTickets(ticketIds: readonly string[]) {
    return ticketIds.map(() => ({ items: [], nextCursor: null, totalCount: 0 }));
  }

  async transitionsForTickets(ticketIds: readonly string[]) {
    return ticketIds.map(() => []);
  }

  private async update(id: string, input: Json, ctx: ProviderContext): Promise<TicketRecord> {
    const native = this.plugin.native(id, 'ticket id');
    if (native === null) throw new OpsOrchError('NOT_FOUND', `ticket ${id} is not from ${this.instance}`);
    return (await this.records([await this.plugin.call<Json>('ticket.update', { id: native, input }, ctx)], ctx))[0]!;
  }

  async createTicket(input: NewTicket, ctx: ProviderContext): Promise<TicketRecord> {
    const fields = {
      priority: input.priority.toLowerCase(),
      labels: input.labels.length ? input.labels : undefined,
      service: await this.plugin.nativeService(input.serviceId, ctx),
      incident: input.incidentId ?? undefined,
      assignee: input.assigneeId ?? undefined,
    };
    const created = await this.plugin.call<Json>('ticket.create', { title: input.title, description: input.description ?? undefined, fields }, ctx);
    return (await this.records([created], ctx))[0]!;
  }

  async updateTicket(id: string, changes: TicketChanges, ctx: ProviderContext): Promise<TicketRecord> {
    const fields: Json = {};
    if (changes.priority) fields.priority = changes.priority.toLowerCase();
    if (changes.labels !== undefined) fields.labels = changes.labels ?? [];
    if (changes.serviceId !== undefined) fields.service = (await this.plugin.nativeService(changes.serviceId, ctx)) ?? null;
    if (changes.incidentId !== undefined) fields.incident = changes.incidentId;
    return this.update(
      id,
      {
        ...(changes.title ? { title: changes.title } : {}),
        ...(changes.description !== undefined ? { description: changes.description ?? '' } : {}),
        ...(changes.assigneeId !== undefined ? { assignees: changes.assigneeId ? [changes.assigneeId] : [] } : {}),
        ...(Object.keys(fields).length ? { fields } : {}),
      },
      ctx,
    );
  }

  /** Core has no workflow: the transition is taken as the target status, in the plugin's own words. */
  transitionTicket(id: string, transition: string, ctx: ProviderContext): Promise<TicketRecord> {
    return this.update(id, { status: transition.toLowerCase().replace(/_/g, ' ') }, ctx);
  }

  close() {
    return this.plugin.close();
  }
}
