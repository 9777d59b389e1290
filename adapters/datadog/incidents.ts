// Datadog Incident Management (v2, marked unstable by Datadog) as the incidents capability. States: active →
// TRIGGERED, stable → ACKNOWLEDGED (impact contained, responders on it), resolved/completed → RESOLVED; severity
// SEV-0/SEV-1 → SEV1 ... SEV-5 → SEV5; raw values kept. Datadog has no acknowledgement, so acknowledgeIncident is
// absent (NOT_SUPPORTED); resolve and update are PATCHes of the incident's fields. The environment is the incident's
// field named after the environment tag (`env`), as Datadog's metric-tag property fields are.
import type { IncidentStatus, Severity, TimelineOrder, UpdateIncidentInput } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { badInput, notFound, OpsOrchError } from '../src/errors.ts';
import { composeId, parseId } from '../src/ids.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { IncidentLinkQuery, IncidentProvider, IncidentQuery, IncidentRecord, TimelineEntryRecord } from '../src/spi/incidents.ts';
import { matchesIncidentQuery } from '../kit/incident-queries.ts';
import { allFromVendor, offsetPages } from '../kit/paging.ts';
import { type DatadogIncident, type DatadogIncidentsAnswer } from './api.ts';
import { DatadogProvider } from './base.ts';
import { incidentUrl } from './links.ts';

const STATUSES: Record<string, IncidentStatus> = { active: 'TRIGGERED', stable: 'ACKNOWLEDGED', resolved: 'RESOLVED', completed: 'RESOLVED' };
const SEVERITIES: Record<string, Severity> = { 'SEV-0': 'SEV1', 'SEV-1': 'SEV1', 'SEV-2': 'SEV2', 'SEV-3': 'SEV3', 'SEV-4': 'SEV4', 'SEV-5': 'SEV5' };
const TO_DATADOG_SEVERITY: Record<Severity, string> = { SEV1: 'SEV-1', SEV2: 'SEV-2', SEV3: 'SEV-3', SEV4: 'SEV-4', SEV5: 'SEV-5', UNKNOWN: 'UNKNOWN' };
const PAGE_SIZE = 100;

type Included = NonNullable<DatadogIncidentsAnswer['included']>;

function fieldValue(incident: DatadogIncident, name: string): unknown {
  return incident.attributes?.fields?.[name]?.value;
}

/** A field's value as one string: a single value, or the first of several. */
function firstText(value: unknown): string | null {
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : typeof value === 'string' ? value : null;
}

function newestFirst(a: IncidentRecord, b: IncidentRecord): number {
  return b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id);
}

/** Incidents from Datadog. */
export class DatadogIncidentProvider extends DatadogProvider implements IncidentProvider {
  private memo: { requestId: string; at: number; list: Promise<IncidentRecord[]> } | null = null;


  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.incidents(0, 1, ctx.signal);
  }

  private async toRecords(incidents: readonly DatadogIncident[], included: Included, ctx: ProviderContext): Promise<IncidentRecord[]> {
    const emails = new Map(included.filter((i) => i.type === 'users').map((u) => [u.id, u.attributes?.email?.toLowerCase() ?? null]));
    const serviceOf = (i: DatadogIncident) => firstText(fieldValue(i, 'services'));
    const canonical = await this.identity.toCanonical(incidents.map(serviceOf).filter((s): s is string => s !== null), ctx);
    return incidents.map((incident) => {
      const a = incident.attributes ?? { title: '' };
      const rawStatus = String(fieldValue(incident, 'state') ?? a.state ?? 'active');
      const rawSeverity = String(fieldValue(incident, 'severity') ?? a.severity ?? 'UNKNOWN');
      const service = serviceOf(incident);
      const summary = fieldValue(incident, 'summary');
      const commander = incident.relationships?.commander_user?.data?.id;
      const iso = (v: string | null | undefined) => (v ? new Date(v).toISOString() : null);
      return {
        id: composeId(this.instance, incident.id),
        number: a.public_id ?? 0,
        title: a.title,
        summary: typeof summary === 'string' ? summary : (a.customer_impact_scope ?? null),
        status: STATUSES[rawStatus] ?? 'TRIGGERED',
        rawStatus,
        severity: SEVERITIES[rawSeverity] ?? 'UNKNOWN',
        rawSeverity,
        startedAt: iso(a.detected) ?? iso(a.created) ?? ctx.now.toISOString(),
        acknowledgedAt: null,
        resolvedAt: iso(a.resolved),
        updatedAt: iso(a.modified) ?? iso(a.created) ?? ctx.now.toISOString(),
        channel: null,
        links: [],
        url: incidentUrl(this.app, a.public_id ?? incident.id),
        source: { provider: this.kind, instance: this.instance, id: incident.id },
        serviceId: service ? (canonical.get(service) ?? null) : null,
        // A field named after the environment tag (a metric-tag field); without one, the incident is visible only
        // to callers of every environment (decision 014).
        environment: firstText(fieldValue(incident, this.settings.environmentTag)),
        assigneeId: null,
        commanderId: commander ? (emails.get(commander) ?? null) : null,
      };
    });
  }

  /** Every incident (up to `maxIncidents`), newest first, read once per GraphQL request. */
  private all(ctx: ProviderContext): Promise<IncidentRecord[]> {
    const memo = this.memo;
    if (memo && memo.requestId === ctx.requestId && Date.now() - memo.at < 5_000) return memo.list;
    const list = (async () => {
      const included: Included = [];
      const incidents = await allFromVendor(
        offsetPages(async (offset, limit) => {
          const answer = await this.api.incidents(offset, Math.min(limit, PAGE_SIZE), ctx.signal);
          included.push(...(answer?.included ?? []));
          const next = answer?.meta?.pagination?.next_offset;
          return { items: answer?.data ?? [], more: next !== undefined && next !== null && next > offset && (answer?.data ?? []).length > 0 };
        }),
        { pageSize: PAGE_SIZE, maxItems: this.settings.maxIncidents },
      );
      return (await this.toRecords(incidents, included, ctx)).sort(newestFirst);
    })();
    this.memo = { requestId: ctx.requestId, at: Date.now(), list };
    list.catch(() => {
      if (this.memo?.list === list) this.memo = null;
    });
    return list;
  }

  private nativeId(id: string): string | null {
    const parsed = parseId(id, 'incident id');
    return parsed.instance === this.instance ? parsed.nativeId : null;
  }

  /** By id: one GET per id (the v2 API has no filter by ids), in parallel; unknown ids are null. */
  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(IncidentRecord | null)[]> {
    return Promise.all(
      ids.map(async (id) => {
        const native = this.nativeId(id);
        if (native === null) return null;
        try {
          const answer = await this.api.incident(native, ctx.signal);
          return (await this.toRecords([answer.data], answer.included ?? [], ctx))[0] ?? null;
        } catch (error) {
          if (error instanceof OpsOrchError && error.code === 'NOT_FOUND') return null;
          throw error;
        }
      }),
    );
  }

  private async teamServices(teamId: string, ctx: ProviderContext): Promise<Set<string>> {
    if (!this.catalog) throw new OpsOrchError('NOT_SUPPORTED', 'filtering incidents by team needs the service catalog');
    return new Set((await this.catalog.servicesOwnedBy([teamId], ctx))[0] ?? []);
  }

  async query(filter: IncidentQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>> {
    const all = await this.all(ctx);
    const team = filter.teamId ? await this.teamServices(filter.teamId, ctx) : null;
    const matching = all.filter((incident) => matchesIncidentQuery(incident, filter, team));
    return pageOfArray(matching, page);
  }

  async incidentsForServices(serviceIds: readonly string[], filter: IncidentLinkQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>[]> {
    const all = await this.all(ctx);
    return serviceIds.map((id) => pageOfArray(all.filter((i) => i.serviceId === id && (!filter.statuses || filter.statuses.includes(i.status))), page));
  }

  async incidentsForTeams(teamIds: readonly string[], filter: IncidentLinkQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>[]> {
    const all = await this.all(ctx);
    const owned = this.catalog ? await this.catalog.servicesOwnedBy(teamIds, ctx) : teamIds.map(() => []);
    return teamIds.map((_, t) => {
      const services = new Set(owned[t] ?? []);
      return pageOfArray(all.filter((i) => i.serviceId !== null && services.has(i.serviceId) && (!filter.statuses || filter.statuses.includes(i.status))), page);
    });
  }

  /** Datadog's timeline API is not read: the entries are the incident's own detection and resolution times. */
  async timelines(incidentIds: readonly string[], order: TimelineOrder, page: PageRequest, ctx: ProviderContext): Promise<Page<TimelineEntryRecord>[]> {
    const incidents = await this.getMany(incidentIds, ctx);
    return incidents.map((incident) => {
      if (!incident) return { items: [], nextCursor: null };
      const entries: TimelineEntryRecord[] = [{ id: `${incident.id}:detected`, at: incident.startedAt, kind: 'TRIGGERED', rawKind: 'detected', message: incident.title, actorId: null }];
      if (incident.resolvedAt) entries.push({ id: `${incident.id}:resolved`, at: incident.resolvedAt, kind: 'RESOLVED', rawKind: 'resolved', message: `${incident.title} resolved`, actorId: null });
      if (order === 'NEWEST_FIRST') entries.reverse();
      return pageOfArray(entries, page);
    });
  }

  private async patch(id: string, attributes: Record<string, unknown>, ctx: ProviderContext): Promise<IncidentRecord> {
    const native = this.nativeId(id);
    if (native === null) throw notFound(`incident "${id}" does not belong to ${this.instance}`);
    const answer = await this.api.updateIncident(native, attributes, ctx.signal);
    this.memo = null;
    return (await this.toRecords([answer.data], answer.included ?? [], ctx))[0]!;
  }

  async resolveIncident(id: string, resolution: string | null, ctx: ProviderContext): Promise<IncidentRecord> {
    const [current] = await this.getMany([id], ctx);
    if (!current) throw notFound(`incident "${id}" is not in Datadog ${this.instance}`);
    if (current.status === 'RESOLVED') return current;
    const fields: Record<string, unknown> = { state: { type: 'dropdown', value: 'resolved' } };
    if (resolution) fields.root_cause = { type: 'textbox', value: resolution };
    return this.patch(id, { fields }, ctx);
  }

  async updateIncident(id: string, input: UpdateIncidentInput, ctx: ProviderContext): Promise<IncidentRecord> {
    if (input.assigneeId) throw badInput('Datadog incidents have no assignee; set the commander in Datadog');
    const attributes: Record<string, unknown> = {};
    const fields: Record<string, unknown> = {};
    if (input.title) attributes.title = input.title;
    if (input.summary) fields.summary = { type: 'textbox', value: input.summary };
    if (input.severity) fields.severity = { type: 'dropdown', value: TO_DATADOG_SEVERITY[input.severity] };
    if (Object.keys(fields).length > 0) attributes.fields = fields;
    return this.patch(id, attributes, ctx);
  }
}
