// The incidents capability over PagerDuty's REST API v2: incidents with their filters, timelines from log
// entries and notes, and the writes PagerDuty offers (create, acknowledge, resolve, reassign, re-prioritize, note).
import type { IncidentStatus, Severity, TimelineEntryKind, TimelineOrder, UpdateIncidentInput } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { badInput, notFound, OpsOrchError } from '../src/errors.ts';
import { composeId, parseId } from '../src/ids.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps, ServiceCatalog } from '../src/provider.ts';
import type {
  CreateIncidentRequest,
  IncidentLinkQuery,
  IncidentProvider,
  IncidentQuery,
  IncidentRecord,
  TimelineEntryRecord,
} from '../src/spi/incidents.ts';
import type { ServiceIdentity } from '../kit/identity.ts';
import { allFromVendor, pageFromVendor } from '../kit/paging.ts';
import { PagerDutyAccount, type PagerDutyApi, PD_MAX_PAGE, type PdIncident, type PdLogEntry, type PdNote, type PdReference } from './api.ts';
import type { PagerDutySettings } from './settings.ts';
import { PagerDutyUsers } from './users.ts';

const STATUS: Record<IncidentStatus, PdIncident['status']> = { TRIGGERED: 'triggered', ACKNOWLEDGED: 'acknowledged', RESOLVED: 'resolved' };
const FROM_STATUS: Record<string, IncidentStatus> = { triggered: 'TRIGGERED', acknowledged: 'ACKNOWLEDGED', resolved: 'RESOLVED' };
/** Incident start times kept for account-wide log reads (a few hundred kilobytes at most). */
const REMEMBERED_STARTS = 10_000;
const DEFAULT_PRIORITIES: Record<string, Severity> = { P1: 'SEV1', P2: 'SEV2', P3: 'SEV3', P4: 'SEV4', P5: 'SEV5' };

/** Log entry type → timeline kind; the rest are OTHER with the type kept in `rawKind`. */
const KINDS: Record<string, TimelineEntryKind> = {
  trigger_log_entry: 'TRIGGERED',
  acknowledge_log_entry: 'ACKNOWLEDGED',
  // The published schema of an acknowledgement entry spells it so (its list of types does not): both are read.
  acknowledgement_log_entry: 'ACKNOWLEDGED',
  resolve_log_entry: 'RESOLVED',
  assign_log_entry: 'ASSIGNED',
  delegate_log_entry: 'ASSIGNED',
  escalate_log_entry: 'ESCALATED',
  urgency_change_log_entry: 'SEVERITY_CHANGED',
};

/** Urgency of a new incident: SEV1 and SEV2 page (high), the rest wait for business hours (low). */
function urgencyOf(severity: Severity): 'high' | 'low' {
  return severity === 'SEV1' || severity === 'SEV2' ? 'high' : 'low';
}

/**
 * PagerDuty incidents. Severity comes from the priority (`P1`..`P5`, configurable), else the urgency (high →
 * SEV2, low → SEV4); `rawSeverity` keeps both raw values (`priority:P1 urgency:high`). PagerDuty incidents have no
 * environment: every incident of the account is in the `environment` setting's, so a question about another
 * environment is answered empty without a call and a create in another one is refused.
 */
export class PagerDutyIncidentProvider implements IncidentProvider {
  readonly kind = 'pagerduty';
  readonly instance: string;
  private readonly api: PagerDutyApi;
  private readonly identity: ServiceIdentity;
  private readonly catalog: ServiceCatalog | undefined;
  private readonly users: PagerDutyUsers;
  private readonly webUrl: string | null;
  /** Creation time of each incident read lately (native id → epoch ms): where its log entries start. */
  private readonly startedAt = new Map<string, number>();

  constructor(
    private readonly settings: PagerDutySettings,
    deps: ProviderDeps,
  ) {
    this.instance = deps.instance;
    ({ api: this.api, identity: this.identity, webUrl: this.webUrl } = new PagerDutyAccount(settings, deps));
    this.catalog = deps.catalog;
    this.users = new PagerDutyUsers(this.api);
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.get('/incidents', { limit: 1 }, ctx);
  }

  // --- reads ---

  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(IncidentRecord | null)[]> {
    // PagerDuty's incident list has no filter by ids: one read per id, in parallel.
    const incidents = await Promise.all(
      ids.map(async (id) => {
        const native = this.ownNativeId(id);
        if (native === null) return null;
        try {
          return (await this.api.get<{ incident: PdIncident }>(`/incidents/${encodeURIComponent(native)}`, { 'include[]': ['assignees'] }, ctx)).incident;
        } catch (error) {
          if (error instanceof OpsOrchError && error.code === 'NOT_FOUND') return null;
          throw error;
        }
      }),
    );
    return this.toRecords(incidents, ctx);
  }

  async query(filter: IncidentQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>> {
    if (!this.inEnvironment(filter.environment ?? ctx.environment)) return { items: [], nextCursor: null, totalCount: 0 };
    let serviceIds: string[] | undefined;
    if (filter.serviceId) serviceIds = [filter.serviceId];
    if (filter.teamId) {
      const owned = this.catalog ? ((await this.catalog.servicesOwnedBy([filter.teamId], ctx))[0] ?? []) : [];
      serviceIds = serviceIds ? serviceIds.filter((s) => owned.includes(s)) : owned;
    }
    return this.list(filter, serviceIds, page, ctx);
  }

  async incidentsForServices(serviceIds: readonly string[], filter: IncidentLinkQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>[]> {
    // Each service has its own cursor, so each is its own list (PagerDuty filters by `service_ids[]`).
    if (!this.inEnvironment(ctx.environment)) return serviceIds.map(() => ({ items: [], nextCursor: null, totalCount: 0 }));
    return Promise.all(serviceIds.map((serviceId) => this.list(filter, [serviceId], page, ctx)));
  }

  async incidentsForTeams(teamIds: readonly string[], filter: IncidentLinkQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>[]> {
    if (!this.inEnvironment(ctx.environment)) return teamIds.map(() => ({ items: [], nextCursor: null, totalCount: 0 }));
    const owned = this.catalog ? await this.catalog.servicesOwnedBy(teamIds, ctx) : teamIds.map(() => []);
    return Promise.all(owned.map((services) => this.list(filter, services, page, ctx)));
  }

  /** One list call chain: PagerDuty filters by status, service and start time; severity and text are applied here. */
  private async list(filter: IncidentQuery, serviceIds: readonly string[] | undefined, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>> {
    let nativeServices: string[] | undefined;
    if (serviceIds) {
      if (serviceIds.length === 0) return { items: [], nextCursor: null, totalCount: 0 };
      nativeServices = [...new Set([...(await this.identity.toNative(serviceIds, ctx)).values()].flat())];
    }
    const ranged = filter.startedFrom !== undefined || filter.startedTo !== undefined;
    const query = {
      'statuses[]': filter.statuses?.map((s) => STATUS[s]),
      'service_ids[]': nativeServices,
      'include[]': ['assignees'],
      sort_by: 'created_at:desc',
      ...(ranged
        ? { since: (filter.startedFrom ?? new Date(0)).toISOString(), until: (filter.startedTo ?? ctx.now).toISOString() }
        : { date_range: 'all' }),
    };
    const fetchPage = this.api.pages<PdIncident>('/incidents', 'incidents', query, ctx);
    const text = filter.text?.toLowerCase();
    return pageFromVendor(
      page,
      async (cursor: number | null, limit: number) => {
        const vendor = await fetchPage(cursor, limit);
        const records = await this.toRecords(vendor.items, ctx);
        const matching = records.filter(
          (r): r is IncidentRecord =>
            r !== null &&
            (!filter.severities || filter.severities.includes(r.severity)) &&
            (!text || r.title.toLowerCase().includes(text) || (r.summary ?? '').toLowerCase().includes(text)) &&
            (!filter.startedFrom || Date.parse(r.startedAt) >= filter.startedFrom.getTime()) &&
            (!filter.startedTo || Date.parse(r.startedAt) < filter.startedTo.getTime()),
        );
        return { items: matching, next: vendor.next };
      },
      { maxPageSize: PD_MAX_PAGE },
    );
  }

  async timelines(incidentIds: readonly string[], order: TimelineOrder, page: PageRequest, ctx: ProviderContext): Promise<Page<TimelineEntryRecord>[]> {
    const natives = incidentIds.map((id) => this.ownNativeId(id));
    const logs = await this.logEntriesOf([...new Set(natives.filter((n): n is string => n !== null))], ctx);
    return Promise.all(
      natives.map(async (native) => {
        if (native === null) return { items: [], nextCursor: null, totalCount: 0 };
        const entries = await this.timelineOf(native, logs.get(native) ?? null, ctx);
        if (order === 'NEWEST_FIRST') entries.reverse();
        return pageOfArray(entries, page);
      }),
    );
  }

  /**
   * Log entries of several incidents (null: the incident does not exist). Incidents whose start this instance has
   * seen are read together from the account's log (`GET /log_entries` since the earliest of them), at most one page
   * per incident asked: a busier account falls back to one read per incident, never more calls than that plus one.
   */
  private async logEntriesOf(natives: readonly string[], ctx: ProviderContext): Promise<Map<string, PdLogEntry[] | null>> {
    const known = natives.filter((n) => this.startedAt.has(n));
    const account = known.length > 1 ? await this.accountLogEntries(known, ctx) : null;
    const logs = new Map<string, PdLogEntry[] | null>(account ?? []);
    await Promise.all(natives.filter((n) => !logs.has(n)).map(async (n) => logs.set(n, await this.incidentLogEntries(n, ctx))));
    return logs;
  }

  /** The account's log entries since the earliest of the incidents, grouped by incident; null when it takes more pages than incidents. */
  private async accountLogEntries(natives: readonly string[], ctx: ProviderContext): Promise<Map<string, PdLogEntry[]> | null> {
    // A trigger entry is logged at the incident's creation: a minute of slack either side covers clocks that disagree.
    const since = new Date(Math.min(...natives.map((n) => this.startedAt.get(n)!)) - 60_000).toISOString();
    const until = new Date(ctx.now.getTime() + 60_000).toISOString();
    const fetchPage = this.api.pages<PdLogEntry>('/log_entries', 'log_entries', { since, until }, ctx);
    const byIncident = new Map<string, PdLogEntry[]>(natives.map((n) => [n, []]));
    let cursor: number | null = null;
    for (let pages = 0; pages < natives.length; pages++) {
      const vendor = await fetchPage(cursor, PD_MAX_PAGE);
      for (const entry of vendor.items) {
        byIncident.get(entry.incident?.id ?? '')?.push(entry);
      }
      cursor = vendor.next;
      if (cursor === null) {
        // The incident-level read stops at `maxTimelineEntries` too.
        for (const [incident, entries] of byIncident) byIncident.set(incident, entries.slice(0, this.settings.maxTimelineEntries));
        return byIncident;
      }
    }
    return null;
  }

  /** One incident's log entries (`GET /incidents/{id}/log_entries`), null when PagerDuty does not know it. */
  private async incidentLogEntries(native: string, ctx: ProviderContext): Promise<PdLogEntry[] | null> {
    try {
      return await allFromVendor(this.api.pages<PdLogEntry>(`/incidents/${encodeURIComponent(native)}/log_entries`, 'log_entries', {}, ctx), {
        pageSize: PD_MAX_PAGE,
        maxItems: this.settings.maxTimelineEntries,
      });
    } catch (error) {
      if (error instanceof OpsOrchError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  /** Log entries and notes of one incident, oldest first; an unknown incident has none. */
  private async timelineOf(native: string, logEntries: PdLogEntry[] | null, ctx: ProviderContext): Promise<TimelineEntryRecord[]> {
    if (logEntries === null) return [];
    let notes: PdNote[];
    try {
      // Every note leaves an `annotate_log_entry`: the notes are read only for incidents that have some.
      notes = logEntries.some((e) => e.type === 'annotate_log_entry')
        ? (await this.api.get<{ notes: PdNote[] }>(`/incidents/${encodeURIComponent(native)}/notes`, {}, ctx)).notes
        : [];
    } catch (error) {
      if (error instanceof OpsOrchError && error.code === 'NOT_FOUND') return [];
      throw error;
    }
    // A note is also an `annotate_log_entry`: the note itself (full text, author) is kept, the log entry dropped.
    const people = [...logEntries.map((e) => e.agent), ...notes.map((n) => n.user)].filter((r): r is PdReference => r !== undefined);
    const emails = await this.users.emailsOf(people, ctx);
    const entries: TimelineEntryRecord[] = [
      ...logEntries
        .filter((e) => e.type !== 'annotate_log_entry')
        .map((e) => ({
          id: composeId(this.instance, e.id),
          at: new Date(e.created_at).toISOString(),
          kind: KINDS[e.type] ?? 'OTHER',
          rawKind: e.type,
          message: e.summary ?? e.type,
          actorId: e.agent ? (emails.get(e.agent.id) ?? null) : null,
        })),
      ...notes.map((n, i) => ({
        id: composeId(this.instance, n.id ?? `${native}-note-${i}`),
        at: new Date(n.created_at ?? 0).toISOString(),
        kind: 'NOTE' as const,
        rawKind: 'note',
        message: n.content,
        actorId: n.user ? (emails.get(n.user.id) ?? null) : null,
      })),
    ];
    return entries.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  }

  // --- writes ---

  async createIncident(input: CreateIncidentRequest, ctx: ProviderContext): Promise<IncidentRecord> {
    const environment = input.environment ?? ctx.environment ?? this.settings.environment;
    if (!this.inEnvironment(environment)) {
      throw badInput(
        `PagerDuty ${this.instance} opens incidents in "${this.settings.environment}" only (its \`environment\` setting); create the "${environment}" incident through the provider instance of that environment`,
      );
    }
    const service = (await this.identity.toNative([input.serviceId], ctx)).get(input.serviceId)![0]!;
    const assignee = input.assigneeId ? await this.users.idOf(input.assigneeId, ctx) : null;
    const priority = this.settings.priorityIds[input.severity as keyof PagerDutySettings['priorityIds']];
    const created = await this.api.write<{ incident: PdIncident }>(
      'POST',
      '/incidents',
      {
        incident: {
          type: 'incident',
          title: input.title,
          service: { id: service, type: 'service_reference' },
          urgency: urgencyOf(input.severity),
          ...(priority ? { priority: { id: priority, type: 'priority_reference' } } : {}),
          ...(input.summary ? { body: { type: 'incident_body', details: input.summary } } : {}),
          ...(assignee ? { assignments: [{ assignee: { id: assignee, type: 'user_reference' } }] } : {}),
        },
      },
      ctx,
    );
    return (await this.toRecords([created.incident], ctx))[0]!;
  }

  async acknowledgeIncident(id: string, ctx: ProviderContext): Promise<IncidentRecord> {
    const current = await this.current(id, ctx);
    if (current.status === 'ACKNOWLEDGED') return current;
    if (current.status === 'RESOLVED') throw badInput(`incident ${id} is resolved; there is nothing to acknowledge`);
    return this.put(id, { status: 'acknowledged' }, ctx);
  }

  async resolveIncident(id: string, resolution: string | null, ctx: ProviderContext): Promise<IncidentRecord> {
    const current = await this.current(id, ctx);
    if (current.status === 'RESOLVED') return current;
    return this.put(id, { status: 'resolved', ...(resolution ? { resolution } : {}) }, ctx);
  }

  async updateIncident(id: string, input: UpdateIncidentInput, ctx: ProviderContext): Promise<IncidentRecord> {
    if (input.summary != null) {
      throw badInput('PagerDuty does not change an incident\'s description after it is created; add a note (addIncidentNote) instead');
    }
    const change: Record<string, unknown> = {};
    if (input.title != null) change.title = input.title;
    if (input.severity != null) {
      const priority = this.settings.priorityIds[input.severity as keyof PagerDutySettings['priorityIds']];
      if (priority) change.priority = { id: priority, type: 'priority_reference' };
      else change.urgency = urgencyOf(input.severity);
    }
    if (input.assigneeId != null) change.assignments = [{ assignee: { id: await this.users.idOf(input.assigneeId, ctx), type: 'user_reference' } }];
    return this.put(id, change, ctx);
  }

  async addIncidentNote(id: string, body: string, ctx: ProviderContext): Promise<IncidentRecord> {
    const native = this.nativeIdOrThrow(id);
    // PagerDuty records the `From` user as the author: the note names the person who wrote it through OpsOrch.
    const content = ctx.actor.kind === 'anonymous' ? body : `${body}\n\n(${ctx.actor.id} via OpsOrch)`;
    await this.api.write('POST', `/incidents/${encodeURIComponent(native)}/notes`, { note: { content } }, ctx);
    return this.current(id, ctx);
  }

  private async put(id: string, change: Record<string, unknown>, ctx: ProviderContext): Promise<IncidentRecord> {
    const native = this.nativeIdOrThrow(id);
    const answer = await this.api.write<{ incident: PdIncident }>('PUT', `/incidents/${encodeURIComponent(native)}`, { incident: { type: 'incident_reference', ...change } }, ctx);
    return (await this.toRecords([answer.incident], ctx))[0]!;
  }

  private async current(id: string, ctx: ProviderContext): Promise<IncidentRecord> {
    this.nativeIdOrThrow(id);
    const [record] = await this.getMany([id], ctx);
    if (!record) throw notFound(`incident ${id} does not exist in PagerDuty ${this.instance}`);
    return record;
  }

  // --- mapping ---

  /** Keeps an incident's creation time (it never changes) for account-wide log reads; the oldest are forgotten first. */
  private rememberStart(incident: PdIncident): void {
    this.startedAt.delete(incident.id);
    this.startedAt.set(incident.id, Date.parse(incident.created_at));
    if (this.startedAt.size > REMEMBERED_STARTS) this.startedAt.delete(this.startedAt.keys().next().value!);
  }

  /** Whether a question scoped to `environment` (none: every one) can match this account's incidents. */
  private inEnvironment(environment: string | null | undefined): boolean {
    return !environment || environment === this.settings.environment;
  }

  private ownNativeId(id: string): string | null {
    const { instance, nativeId } = parseId(id, 'incident id');
    return instance === this.instance ? nativeId : null;
  }

  private nativeIdOrThrow(id: string): string {
    const native = this.ownNativeId(id);
    if (native === null) throw notFound(`incident ${id} does not belong to ${this.instance}`);
    return native;
  }

  private async toRecords(incidents: readonly (PdIncident | null)[], ctx: ProviderContext): Promise<(IncidentRecord | null)[]> {
    const present = incidents.filter((i): i is PdIncident => i !== null);
    for (const incident of present) this.rememberStart(incident);
    const services = await this.identity.toCanonical(present.map((i) => i.service.id), ctx);
    const people = present.flatMap((i) => (i.assignments ?? []).map((a) => a.assignee));
    const emails = await this.users.emailsOf(people, ctx);
    return incidents.map((i) => (i === null ? null : this.toRecord(i, services, emails)));
  }

  private toRecord(incident: PdIncident, services: Map<string, string | null>, emails: Map<string, string | null>): IncidentRecord {
    const priority = incident.priority?.summary ?? incident.priority?.name ?? null;
    const fromPriority = priority ? (this.settings.prioritySeverities[priority] ?? DEFAULT_PRIORITIES[priority.toUpperCase()]) : undefined;
    const severity: Severity = fromPriority ?? (incident.urgency === 'high' ? 'SEV2' : incident.urgency === 'low' ? 'SEV4' : 'UNKNOWN');
    const rawSeverity = [priority ? `priority:${priority}` : null, incident.urgency ? `urgency:${incident.urgency}` : null].filter(Boolean).join(' ') || null;
    const assignee = incident.assignments?.[0]?.assignee;
    const bridge = incident.conference_bridge?.conference_url;
    return {
      id: composeId(this.instance, incident.id),
      number: incident.incident_number,
      title: incident.title,
      summary: incident.body?.details ?? (incident.description && incident.description !== incident.title ? incident.description : null),
      status: FROM_STATUS[incident.status] ?? 'TRIGGERED',
      rawStatus: incident.status,
      severity,
      rawSeverity,
      startedAt: new Date(incident.created_at).toISOString(),
      acknowledgedAt: incident.acknowledgements?.[0]?.at ? new Date(incident.acknowledgements[0].at).toISOString() : null,
      resolvedAt: incident.resolved_at ? new Date(incident.resolved_at).toISOString() : null,
      updatedAt: new Date(incident.updated_at ?? incident.created_at).toISOString(),
      channel: null,
      links: bridge ? [{ title: 'Conference bridge', url: bridge }] : [],
      url: this.webUrl ? `${this.webUrl}/incidents/${encodeURIComponent(incident.id)}` : (incident.html_url ?? `https://app.pagerduty.com/incidents/${encodeURIComponent(incident.id)}`),
      source: { provider: this.kind, instance: this.instance, id: incident.id },
      serviceId: services.get(incident.service.id) ?? null,
      environment: this.settings.environment,
      assigneeId: assignee ? (emails.get(assignee.id) ?? null) : null,
      commanderId: null,
    };
  }
}
