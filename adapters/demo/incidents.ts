import type { IncidentStatus, Severity, TimelineEntryKind, TimelineOrder, UpdateIncidentInput } from '@opsorch/schema';
import type { Actor, ProviderContext } from '../src/context.ts';
import { badInput, notFound } from '../src/errors.ts';
import { composeId, parseId } from '../src/ids.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type {
  CreateIncidentRequest,
  IncidentLinkQuery,
  IncidentProvider,
  IncidentQuery,
  IncidentRecord,
  TimelineEntryRecord,
} from '../src/spi/incidents.ts';
import { isoMinutesAgo, worldTime } from './clock.ts';
import { hexFor } from './random.ts';
import { ENVIRONMENTS } from './signals.ts';
import {
  DEMO_SEED,
  onCallAt,
  personByEmail,
  personById,
  scenarios,
  serviceById,
  storyOf,
  teamById,
  type DemoScenario,
  type TimelineKind,
} from './world.ts';

const PAGERDUTY = 'https://acme-shop.pagerduty.com/incidents';
/** The world's scenarios are production incidents; a created one names its environment (default production). */
const DEFAULT_ENVIRONMENT = 'production';

const STATUS: Record<DemoScenario['status'], IncidentStatus> = {
  triggered: 'TRIGGERED',
  acknowledged: 'ACKNOWLEDGED',
  resolved: 'RESOLVED',
};

const KIND: Record<TimelineKind, TimelineEntryKind> = {
  triggered: 'TRIGGERED',
  acknowledged: 'ACKNOWLEDGED',
  note: 'NOTE',
  status_update: 'STATUS_UPDATE',
  escalated: 'ESCALATED',
  deploy: 'DEPLOY',
  alert: 'ALERT',
  resolved: 'RESOLVED',
};

/** The demo tool's own kind names for entries OpsOrch writes; they map to the normalized kind beside them. */
const WRITE_KIND = {
  triggered: 'TRIGGERED',
  acknowledged: 'ACKNOWLEDGED',
  resolved: 'RESOLVED',
  note: 'NOTE',
  severity_changed: 'SEVERITY_CHANGED',
  assigned: 'ASSIGNED',
  title_changed: 'OTHER',
  summary_changed: 'OTHER',
} as const satisfies Record<string, TimelineEntryKind>;

interface StoredIncident {
  record: IncidentRecord;
  /** Owner team of the incident's service, for team scopes. */
  teamId: string | null;
  /** Oldest first. */
  timeline: TimelineEntryRecord[];
}

const emailOf = (personId: string | undefined): string | null =>
  personId ? (personById.get(personId)?.email ?? null) : null;

const nameOfEmail = (email: string): string => personByEmail.get(email)?.name ?? email;

/** The User id of a caller, when the caller is a person (people are identified by email). */
function actorUserId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.id.toLowerCase() : null;
}

/** How the caller reads in a timeline message: the person, and the agent acting for them when there is one. */
function actorLabel(ctx: ProviderContext): string {
  const { actor } = ctx;
  const via = ctx.agent ? ` (via agent ${ctx.agent})` : '';
  if (actor.kind === 'user') return (actor.name ?? nameOfEmail(actor.id.toLowerCase())) + via;
  if (actor.kind === 'anonymous') return `an anonymous caller${via}`;
  return `${actor.kind} ${actor.name ?? actor.id}${via}`;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
}

/** Newest first by startedAt, then id: the order of every incident list (same as the subgraph's merge). */
function newestFirst(a: IncidentRecord, b: IncidentRecord): number {
  return b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id);
}

/**
 * The demo world's paging tool, shaped like PagerDuty: the world's scenarios are its incidents (with their
 * timelines); writes change this instance's in-memory state only.
 */
export class DemoIncidentProvider implements IncidentProvider {
  readonly kind = 'demo';
  private readonly incidents = new Map<string, StoredIncident>();
  /** `incidents` newest first; dropped when one is added (the sort keys, startedAt and id, never change). */
  private newestFirstCache: StoredIncident[] | null = null;

  constructor(readonly instance: string) {
    for (const scenario of scenarios) {
      const stored = this.fromScenario(scenario);
      this.incidents.set(stored.record.source.id, stored);
    }
    this.newestFirstCache = null;
  }

  private fromScenario(s: DemoScenario): StoredIncident {
    const nativeId = s.incident.nativeId;
    const story = storyOf(s);
    const timeline = story.timeline
      .map((entry, index) => ({ entry, index }))
      .sort((a, b) => b.entry.minutesAgo - a.entry.minutesAgo || a.index - b.index)
      .map(({ entry }, n) => ({
        id: composeId(this.instance, `${nativeId}/log/${n + 1}`),
        at: isoMinutesAgo(entry.minutesAgo),
        kind: KIND[entry.kind] ?? 'OTHER',
        rawKind: entry.kind,
        message: entry.message,
        actorId: emailOf(entry.actorId),
      }));
    const times = [
      isoMinutesAgo(s.triggeredMinutesAgo),
      ...(s.acknowledgedMinutesAgo === undefined ? [] : [isoMinutesAgo(s.acknowledgedMinutesAgo)]),
      ...(s.resolvedMinutesAgo === undefined ? [] : [isoMinutesAgo(s.resolvedMinutesAgo)]),
      ...timeline.map((t) => t.at),
    ].sort();
    return {
      teamId: serviceById.get(s.rootServiceId)?.ownerTeamId ?? null,
      timeline,
      record: {
        id: composeId(this.instance, nativeId),
        number: s.incident.number,
        title: s.title,
        summary: s.summary,
        status: STATUS[s.status],
        rawStatus: s.status,
        severity: s.severity,
        rawSeverity: s.severity,
        serviceId: s.rootServiceId,
        environment: DEFAULT_ENVIRONMENT,
        assigneeId: emailOf(story.assigneeId),
        commanderId: emailOf(story.commanderId ?? undefined),
        startedAt: isoMinutesAgo(s.triggeredMinutesAgo),
        acknowledgedAt: s.acknowledgedMinutesAgo === undefined ? null : isoMinutesAgo(s.acknowledgedMinutesAgo),
        resolvedAt: s.resolvedMinutesAgo === undefined ? null : isoMinutesAgo(s.resolvedMinutesAgo),
        updatedAt: times[times.length - 1]!,
        channel: s.slackChannel,
        links: s.links.map((l) => ({ ...l })),
        url: `${PAGERDUTY}/${nativeId}`,
        source: { provider: 'demo', instance: this.instance, id: nativeId },
      },
    };
  }

  /** A copy, so callers never hold a reference into this provider's state. */
  private view(stored: StoredIncident): IncidentRecord {
    return { ...stored.record, links: stored.record.links.map((l) => ({ ...l })), source: { ...stored.record.source } };
  }

  /** One page of incidents, copied (only the page: the rest is never handed out). */
  private pageOf(incidents: readonly StoredIncident[], page: PageRequest): Page<IncidentRecord> {
    const { items, ...rest } = pageOfArray(incidents, page);
    return { ...rest, items: items.map((stored) => this.view(stored)) };
  }

  private sorted(): readonly StoredIncident[] {
    return (this.newestFirstCache ??= [...this.incidents.values()].sort((a, b) => newestFirst(a.record, b.record)));
  }

  private lookup(id: string): StoredIncident | null {
    const { instance, nativeId } = parseId(id, 'incident id');
    if (instance !== this.instance) return null;
    return this.incidents.get(nativeId) ?? null;
  }

  private require(id: string): StoredIncident {
    const stored = this.lookup(id);
    if (!stored) throw notFound(`incident "${id}" does not exist in ${this.instance}; list incidents with Query.incidents`);
    return stored;
  }

  private statusMatches(stored: StoredIncident, statuses: readonly IncidentStatus[] | undefined): boolean {
    return !statuses || statuses.length === 0 || statuses.includes(stored.record.status);
  }

  private environmentMatches(stored: StoredIncident, environment: string | undefined): boolean {
    return !environment || environment === stored.record.environment;
  }

  async getMany(ids: readonly string[], _ctx: ProviderContext): Promise<(IncidentRecord | null)[]> {
    return ids.map((id) => {
      const stored = this.lookup(id);
      return stored ? this.view(stored) : null;
    });
  }

  async query(filter: IncidentQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>> {
    const text = filter.text?.trim().toLowerCase();
    const from = filter.startedFrom?.getTime();
    const to = filter.startedTo?.getTime();
    const matching = this.sorted().filter((stored) => {
      const r = stored.record;
      if (!this.statusMatches(stored, filter.statuses)) return false;
      if (filter.severities && filter.severities.length > 0 && !filter.severities.includes(r.severity)) return false;
      if (filter.serviceId && r.serviceId !== filter.serviceId) return false;
      if (filter.teamId && stored.teamId !== filter.teamId) return false;
      if (!this.environmentMatches(stored, filter.environment ?? ctx.environment)) return false;
      if (text && !`${r.title}\n${r.summary ?? ''}`.toLowerCase().includes(text)) return false;
      if (from !== undefined || to !== undefined) {
        const started = Date.parse(r.startedAt);
        if (from !== undefined && started < from) return false;
        if (to !== undefined && started >= to) return false;
      }
      return true;
    });
    return this.pageOf(matching, page);
  }

  private linked(
    keys: readonly string[],
    keyOf: (stored: StoredIncident) => string | null,
    filter: IncidentLinkQuery,
    page: PageRequest,
    ctx: ProviderContext,
  ): Page<IncidentRecord>[] {
    const byKey = new Map<string, StoredIncident[]>(keys.map((k) => [k, []]));
    for (const stored of this.sorted()) {
      const key = keyOf(stored);
      if (key !== null && this.environmentMatches(stored, ctx.environment) && this.statusMatches(stored, filter.statuses)) {
        byKey.get(key)?.push(stored);
      }
    }
    return keys.map((k) => this.pageOf(byKey.get(k) ?? [], page));
  }

  async incidentsForServices(
    serviceIds: readonly string[],
    filter: IncidentLinkQuery,
    page: PageRequest,
    ctx: ProviderContext,
  ): Promise<Page<IncidentRecord>[]> {
    return this.linked(serviceIds, (s) => s.record.serviceId, filter, page, ctx);
  }

  async incidentsForTeams(
    teamIds: readonly string[],
    filter: IncidentLinkQuery,
    page: PageRequest,
    ctx: ProviderContext,
  ): Promise<Page<IncidentRecord>[]> {
    return this.linked(teamIds, (s) => s.teamId, filter, page, ctx);
  }

  async timelines(
    incidentIds: readonly string[],
    order: TimelineOrder,
    page: PageRequest,
    _ctx: ProviderContext,
  ): Promise<Page<TimelineEntryRecord>[]> {
    return incidentIds.map((id) => {
      const entries = (this.lookup(id)?.timeline ?? []).map((e) => ({ ...e }));
      return pageOfArray(order === 'OLDEST_FIRST' ? entries : entries.reverse(), page);
    });
  }

  private append(stored: StoredIncident, rawKind: keyof typeof WRITE_KIND, message: string, ctx: ProviderContext): void {
    const at = ctx.now.toISOString();
    stored.timeline.push({
      id: composeId(this.instance, `${stored.record.source.id}/log/${stored.timeline.length + 1}`),
      at,
      kind: WRITE_KIND[rawKind],
      rawKind,
      message,
      actorId: actorUserId(ctx.actor),
    });
    if (at > stored.record.updatedAt) stored.record.updatedAt = at;
  }

  private checkAssignee(assigneeId: string): string {
    const email = assigneeId.trim().toLowerCase();
    if (!personByEmail.has(email)) {
      throw badInput(
        `assigneeId "${assigneeId}" is not a known person: use their email, for example maya.patel@acme-shop.example (see Query.users)`,
      );
    }
    return email;
  }

  async createIncident(input: CreateIncidentRequest, ctx: ProviderContext): Promise<IncidentRecord> {
    const service = serviceById.get(input.serviceId);
    if (!service) {
      throw badInput(`serviceId "${input.serviceId}" is not a catalog service: use a service slug such as "checkout" (see Query.services)`);
    }
    const environment = (input.environment ?? ctx.environment ?? DEFAULT_ENVIRONMENT).trim();
    if (!(ENVIRONMENTS as readonly string[]).includes(environment)) {
      throw badInput(`environment "${environment}" is not one the demo world runs: use ${ENVIRONMENTS.join(' or ')}`);
    }
    const team = teamById.get(service.ownerTeamId);
    const assigneeId = input.assigneeId
      ? this.checkAssignee(input.assigneeId)
      : team
        ? emailOf(onCallAt(team, worldTime(ctx.now)).personId)
        : null;
    const number = Math.max(...[...this.incidents.values()].map((s) => s.record.number)) + 1;
    let nativeId = `Q${hexFor([DEMO_SEED, 'incident', number], 6).toUpperCase()}`;
    while (this.incidents.has(nativeId)) nativeId = `Q${hexFor([DEMO_SEED, 'incident', number, nativeId], 6).toUpperCase()}`;
    const now = ctx.now.toISOString();
    const stored: StoredIncident = {
      teamId: service.ownerTeamId,
      timeline: [],
      record: {
        id: composeId(this.instance, nativeId),
        number,
        title: input.title.trim(),
        summary: input.summary ?? null,
        status: 'TRIGGERED',
        rawStatus: 'triggered',
        severity: input.severity,
        rawSeverity: input.severity,
        serviceId: service.id,
        environment,
        assigneeId,
        commanderId: null,
        startedAt: now,
        acknowledgedAt: null,
        resolvedAt: null,
        updatedAt: now,
        channel: `#inc-${number}-${slug(input.title) || service.id}`,
        links: service.links.map((l) => ({ ...l })),
        url: `${PAGERDUTY}/${nativeId}`,
        source: { provider: 'demo', instance: this.instance, id: nativeId },
      },
    };
    const assigned = assigneeId ? `; assigned to ${nameOfEmail(assigneeId)}` : '';
    this.append(stored, 'triggered', `Incident #${number} triggered on ${service.id} by ${actorLabel(ctx)}${assigned}.`, ctx);
    this.incidents.set(nativeId, stored);
    this.newestFirstCache = null;
    return this.view(stored);
  }

  async acknowledgeIncident(id: string, ctx: ProviderContext): Promise<IncidentRecord> {
    const stored = this.require(id);
    const r = stored.record;
    if (r.status === 'RESOLVED') {
      throw badInput(`incident #${r.number} (${id}) is resolved (at ${r.resolvedAt}); only open incidents can be acknowledged`);
    }
    if (r.status === 'TRIGGERED') {
      r.status = 'ACKNOWLEDGED';
      r.rawStatus = 'acknowledged';
      r.acknowledgedAt = ctx.now.toISOString();
      this.append(stored, 'acknowledged', `Acknowledged by ${actorLabel(ctx)}.`, ctx);
    }
    return this.view(stored);
  }

  async resolveIncident(id: string, resolution: string | null, ctx: ProviderContext): Promise<IncidentRecord> {
    const stored = this.require(id);
    const r = stored.record;
    if (r.status !== 'RESOLVED') {
      r.status = 'RESOLVED';
      r.rawStatus = 'resolved';
      r.resolvedAt = ctx.now.toISOString();
      const why = resolution?.trim() ? `: ${resolution.trim()}` : '.';
      this.append(stored, 'resolved', `Resolved by ${actorLabel(ctx)}${why}`, ctx);
    }
    return this.view(stored);
  }

  async updateIncident(id: string, input: UpdateIncidentInput, ctx: ProviderContext): Promise<IncidentRecord> {
    const stored = this.require(id);
    const r = stored.record;
    const who = actorLabel(ctx);
    // Check everything before changing anything, so a bad assignee leaves the incident untouched.
    const assigneeId = input.assigneeId ? this.checkAssignee(input.assigneeId) : null;
    if (input.title && input.title.trim() !== r.title) {
      r.title = input.title.trim();
      this.append(stored, 'title_changed', `Title changed to "${r.title}" by ${who}.`, ctx);
    }
    if (input.summary && input.summary !== r.summary) {
      r.summary = input.summary;
      this.append(stored, 'summary_changed', `Summary updated by ${who}.`, ctx);
    }
    if (input.severity && input.severity !== r.severity) {
      const previous: Severity = r.severity;
      r.severity = input.severity;
      r.rawSeverity = input.severity;
      this.append(stored, 'severity_changed', `Severity changed from ${previous} to ${input.severity} by ${who}.`, ctx);
    }
    if (assigneeId && assigneeId !== r.assigneeId) {
      const from = r.assigneeId ? ` from ${nameOfEmail(r.assigneeId)}` : '';
      r.assigneeId = assigneeId;
      this.append(stored, 'assigned', `Reassigned${from} to ${nameOfEmail(assigneeId)} by ${who}.`, ctx);
    }
    return this.view(stored);
  }

  async addIncidentNote(id: string, body: string, ctx: ProviderContext): Promise<IncidentRecord> {
    const stored = this.require(id);
    this.append(stored, 'note', body, ctx);
    return this.view(stored);
  }
}

export function createDemoIncidentProvider(_settings: unknown, deps: ProviderDeps): IncidentProvider {
  return new DemoIncidentProvider(deps.instance);
}
