// Incidents from a Core plugin: `incident.query|get|create|update|timeline.get|timeline.append`.
import type { TimelineEntryKind, TimelineOrder } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { badInput, OpsOrchError } from '../src/errors.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { CreateIncidentRequest, IncidentLinkQuery, IncidentProvider, IncidentQuery, IncidentRecord, TimelineEntryRecord } from '../src/spi/incidents.ts';
import type { UpdateIncidentInput } from '@opsorch/schema';
import { asArray, lowerEmail, str, time, SNAPSHOT_LIMIT, type CorePlugin, type Json } from './plugin.ts';
import { incidentStatus, normalized, severity } from './vocabulary.ts';

const TIMELINE_KINDS: Record<string, TimelineEntryKind> = {
  triggered: 'TRIGGERED',
  created: 'TRIGGERED',
  acknowledged: 'ACKNOWLEDGED',
  note: 'NOTE',
  comment: 'NOTE',
  status_update: 'STATUS_UPDATE',
  update: 'STATUS_UPDATE',
  escalated: 'ESCALATED',
  deploy: 'DEPLOY',
  deployment: 'DEPLOY',
  alert: 'ALERT',
  resolved: 'RESOLVED',
  severity_changed: 'SEVERITY_CHANGED',
  assigned: 'ASSIGNED',
};

/** A stable incident number for tools that have none (Core has no such field): from `fields.number`, else the id's digits or hash. */
function numberOf(core: Json): number {
  const given = Number(core.fields?.number);
  if (Number.isInteger(given) && given > 0) return given;
  const digits = /(\d{1,9})$/.exec(String(core.id))?.[1];
  if (digits) return Number(digits);
  let hash = 0;
  for (const char of String(core.id)) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000;
  return hash;
}

export class CoreIncidentProvider implements IncidentProvider {
  readonly kind = 'core-plugin';
  readonly instance: string;

  constructor(private readonly plugin: CorePlugin) {
    this.instance = plugin.instance;
  }

  private async records(incidents: Json[], ctx: ProviderContext): Promise<IncidentRecord[]> {
    const services = await this.plugin.canonical(incidents.map((i) => str(i.service)), ctx);
    return incidents.map((i) => {
      const status = normalized(str(i.status), incidentStatus, 'TRIGGERED');
      const createdAt = time(i.createdAt) ?? new Date(0).toISOString();
      const updatedAt = time(i.updatedAt) ?? createdAt;
      return {
        id: this.plugin.id(i.id),
        number: numberOf(i),
        title: String(i.title ?? ''),
        summary: str(i.description),
        status,
        rawStatus: String(i.status ?? ''),
        severity: normalized(str(i.severity), severity, 'UNKNOWN'),
        rawSeverity: str(i.severity),
        startedAt: createdAt,
        acknowledgedAt: time(i.fields?.acknowledgedAt) ?? (status !== 'TRIGGERED' ? updatedAt : null),
        resolvedAt: time(i.fields?.resolvedAt) ?? (status === 'RESOLVED' ? updatedAt : null),
        updatedAt,
        channel: str(i.fields?.channel),
        links: [],
        url: str(i.url) ?? '',
        source: this.plugin.source(i.id),
        serviceId: str(i.service) ? (services.get(i.service) ?? null) : null,
        // Core incidents have no environment of their own; a plugin may say it in fields or metadata.
        environment: str(i.fields?.environment) ?? str(i.metadata?.environment),
        assigneeId: lowerEmail(i.fields?.assignee),
        commanderId: lowerEmail(i.fields?.commander),
      };
    });
  }

  /** Every incident the plugin lists (up to SNAPSHOT_LIMIT), newest first, once per request. */
  private all(ctx: ProviderContext): Promise<IncidentRecord[]> {
    return this.plugin.memo('incidents', ctx, async () => {
      const listed = asArray(await this.plugin.call('incident.query', { limit: SNAPSHOT_LIMIT }, ctx), 'incident.query');
      return (await this.records(listed, ctx)).sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id));
    });
  }

  private async get(native: string, ctx: ProviderContext): Promise<IncidentRecord | null> {
    const incident = (await this.plugin.call<Json | null>('incident.get', { id: native }, ctx)) ?? null;
    return incident ? (await this.records([incident], ctx))[0]! : null;
  }

  getMany(ids: readonly string[], ctx: ProviderContext) {
    return this.plugin.getEach(ids, 'incident id', (native) => this.get(native, ctx));
  }

  async query(filter: IncidentQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>> {
    const team = await this.plugin.servicesOfTeam(filter.teamId, ctx);
    const text = filter.text?.toLowerCase();
    const matching = (await this.all(ctx)).filter(
      (i) =>
        (!filter.statuses?.length || filter.statuses.includes(i.status)) &&
        (!filter.severities?.length || filter.severities.includes(i.severity)) &&
        (!filter.serviceId || i.serviceId === filter.serviceId) &&
        (!team || (i.serviceId !== null && team.has(i.serviceId))) &&
        (!text || i.title.toLowerCase().includes(text) || (i.summary ?? '').toLowerCase().includes(text)) &&
        (!filter.startedFrom || Date.parse(i.startedAt) >= filter.startedFrom.getTime()) &&
        (!filter.startedTo || Date.parse(i.startedAt) < filter.startedTo.getTime()),
    );
    return pageOfArray(matching, page);
  }

  async incidentsForServices(serviceIds: readonly string[], filter: IncidentLinkQuery, page: PageRequest, ctx: ProviderContext) {
    const all = await this.all(ctx);
    return serviceIds.map((id) => pageOfArray(all.filter((i) => i.serviceId === id && (!filter.statuses?.length || filter.statuses.includes(i.status))), page));
  }

  async incidentsForTeams(teamIds: readonly string[], filter: IncidentLinkQuery, page: PageRequest, ctx: ProviderContext) {
    const all = await this.all(ctx);
    return Promise.all(
      teamIds.map(async (teamId) => {
        const services = (await this.plugin.servicesOfTeam(teamId, ctx))!;
        return pageOfArray(all.filter((i) => i.serviceId !== null && services.has(i.serviceId) && (!filter.statuses?.length || filter.statuses.includes(i.status))), page);
      }),
    );
  }

  async timelines(incidentIds: readonly string[], order: TimelineOrder, page: PageRequest, ctx: ProviderContext): Promise<Page<TimelineEntryRecord>[]> {
    const lists = await this.plugin.getEach(incidentIds, 'incident id', async (native) => {
      const entries = asArray(await this.plugin.call('incident.timeline.get', { id: native }, ctx), 'incident.timeline.get');
      return entries.map((e, i): TimelineEntryRecord => {
        const rawKind = String(e.kind ?? 'other');
        return {
          id: this.plugin.id(str(e.id) ?? `${native}/timeline/${i + 1}`),
          at: time(e.at) ?? new Date(0).toISOString(),
          kind: TIMELINE_KINDS[rawKind.toLowerCase().replace(/[\s-]+/g, '_')] ?? 'OTHER',
          rawKind,
          message: String(e.body ?? ''),
          actorId: lowerEmail(e.actor?.email) ?? (String(e.actor?.id ?? '').includes('@') ? lowerEmail(e.actor?.id) : null),
        };
      });
    });
    return lists.map((entries) => {
      const sorted = [...(entries ?? [])].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
      return pageOfArray(order === 'NEWEST_FIRST' ? sorted.reverse() : sorted, page);
    });
  }

  private async update(id: string, input: Json, ctx: ProviderContext): Promise<IncidentRecord> {
    const native = this.plugin.native(id, 'incident id');
    if (native === null) throw new OpsOrchError('NOT_FOUND', `incident ${id} is not from ${this.instance}`);
    const updated = await this.plugin.call<Json>('incident.update', { id: native, input }, ctx);
    return (await this.records([updated], ctx))[0]!;
  }

  async createIncident(input: CreateIncidentRequest, ctx: ProviderContext): Promise<IncidentRecord> {
    const created = await this.plugin.call<Json>(
      'incident.create',
      {
        title: input.title,
        description: input.summary ?? undefined,
        status: 'triggered',
        severity: input.severity.toLowerCase(),
        service: await this.plugin.nativeService(input.serviceId, ctx),
        fields: input.assigneeId ? { assignee: input.assigneeId } : undefined,
      },
      ctx,
    );
    return (await this.records([created], ctx))[0]!;
  }

  async acknowledgeIncident(id: string, ctx: ProviderContext): Promise<IncidentRecord> {
    const [current] = await this.getMany([id], ctx);
    if (!current) throw new OpsOrchError('NOT_FOUND', `no incident ${id}`);
    if (current.status === 'ACKNOWLEDGED') return current;
    if (current.status === 'RESOLVED') throw badInput(`incident ${id} is resolved; only open incidents can be acknowledged`);
    return this.update(id, { status: 'acknowledged' }, ctx);
  }

  async resolveIncident(id: string, resolution: string | null, ctx: ProviderContext): Promise<IncidentRecord> {
    const [current] = await this.getMany([id], ctx);
    if (!current) throw new OpsOrchError('NOT_FOUND', `no incident ${id}`);
    if (current.status === 'RESOLVED') return current;
    const resolved = await this.update(id, { status: 'resolved' }, ctx);
    if (resolution) await this.appendTimeline(id, 'resolved', resolution, ctx);
    return resolved;
  }

  updateIncident(id: string, input: UpdateIncidentInput, ctx: ProviderContext): Promise<IncidentRecord> {
    return this.update(
      id,
      {
        ...(input.title ? { title: input.title } : {}),
        ...(input.summary !== undefined && input.summary !== null ? { description: input.summary } : {}),
        ...(input.severity ? { severity: input.severity.toLowerCase() } : {}),
        ...(input.assigneeId ? { fields: { assignee: input.assigneeId } } : {}),
      },
      ctx,
    );
  }

  private async appendTimeline(id: string, kind: string, body: string, ctx: ProviderContext): Promise<void> {
    const native = this.plugin.native(id, 'incident id');
    if (native === null) throw new OpsOrchError('NOT_FOUND', `incident ${id} is not from ${this.instance}`);
    const actor = { id: ctx.actor.id, type: ctx.actor.kind };
    await this.plugin.call('incident.timeline.append', { id: native, entry: { at: ctx.now.toISOString(), kind, body, actor } }, ctx);
  }

  async addIncidentNote(id: string, body: string, ctx: ProviderContext): Promise<IncidentRecord> {
    await this.appendTimeline(id, 'note', body, ctx);
    const [incident] = await this.getMany([id], ctx);
    if (!incident) throw new OpsOrchError('NOT_FOUND', `no incident ${id}`);
    return incident;
  }

  close() {
    return this.plugin.close();
  }
}
