import type {
  CreateIncidentInput,
  Incident,
  IncidentStatus,
  Severity,
  TimelineEntry,
  TimelineOrder,
  UpdateIncidentInput,
} from '@opsorch/schema';
import type { ProviderContext } from '../context.ts';
import type { Page, PageRequest } from '../paging.ts';
import type { ProviderBase } from './base.ts';

/** An incident as a provider returns it: the GraphQL `Incident` with links to other entities as ids. */
export type IncidentRecord = Pick<
  Incident,
  | 'id'
  | 'number'
  | 'title'
  | 'summary'
  | 'status'
  | 'rawStatus'
  | 'severity'
  | 'rawSeverity'
  | 'startedAt'
  | 'acknowledgedAt'
  | 'resolvedAt'
  | 'updatedAt'
  | 'channel'
  | 'links'
  | 'url'
  | 'source'
> & {
  /** Canonical catalog service id; null when the tool's service maps to none. */
  serviceId: string | null;
  /** Environment the incident happens in; null when the tool does not say (hidden from callers limited to some environments). */
  environment: string | null;
  /** Lower-case email of the assignee; null when unassigned. */
  assigneeId: string | null;
  /** Lower-case email of the incident commander; null when none. */
  commanderId: string | null;
};

/** One timeline entry; the actor as a lower-case email (null for automation and non-person callers). */
export type TimelineEntryRecord = Pick<TimelineEntry, 'id' | 'at' | 'kind' | 'rawKind' | 'message'> & {
  actorId: string | null;
};

/** What `query` narrows by; every field optional, combined with AND. Validated by the caller. */
export interface IncidentQuery {
  statuses?: readonly IncidentStatus[];
  severities?: readonly Severity[];
  /** Canonical service id. */
  serviceId?: string;
  /** Canonical team id: incidents of the services the team owns. */
  teamId?: string;
  environment?: string;
  /** Case-insensitive substring of title or summary. */
  text?: string;
  /** startedAt >= startedFrom (inclusive). */
  startedFrom?: Date;
  /** startedAt < startedTo (exclusive). */
  startedTo?: Date;
}

/** What the per-service and per-team batch reads narrow by. */
export interface IncidentLinkQuery {
  statuses?: readonly IncidentStatus[];
}

/** A new incident; created in `environment`, else `ctx.environment`, else the tool's default (or refused when it cannot). */
export type CreateIncidentRequest = Omit<CreateIncidentInput, 'providerInstance'>;

/**
 * The incidents capability's provider contract (PagerDuty, Opsgenie, incident.io, the demo world...).
 * Lists are newest first by `startedAt`, then by id. Writes are optional: a provider without one answers
 * NOT_SUPPORTED. Every write records the matching timeline entry with `ctx.actor`.
 */
export interface IncidentProvider extends ProviderBase {
  /** One slot per id (OpsOrch ids of this instance), in key order: the incident or null. */
  getMany(ids: readonly string[], ctx: ProviderContext): Promise<(IncidentRecord | null)[]>;
  query(filter: IncidentQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>>;
  /** One page per service id, in key order: the incidents opened on that service. */
  incidentsForServices(
    serviceIds: readonly string[],
    filter: IncidentLinkQuery,
    page: PageRequest,
    ctx: ProviderContext,
  ): Promise<Page<IncidentRecord>[]>;
  /** One page per team id, in key order: the incidents of the services the team owns. */
  incidentsForTeams(
    teamIds: readonly string[],
    filter: IncidentLinkQuery,
    page: PageRequest,
    ctx: ProviderContext,
  ): Promise<Page<IncidentRecord>[]>;
  /** One page per incident id, in key order; an unknown incident answers an empty page. */
  timelines(
    incidentIds: readonly string[],
    order: TimelineOrder,
    page: PageRequest,
    ctx: ProviderContext,
  ): Promise<Page<TimelineEntryRecord>[]>;

  createIncident?(input: CreateIncidentRequest, ctx: ProviderContext): Promise<IncidentRecord>;
  /** No-op on an acknowledged incident; BAD_USER_INPUT on a resolved one; NOT_FOUND when it does not exist. */
  acknowledgeIncident?(id: string, ctx: ProviderContext): Promise<IncidentRecord>;
  /** No-op on a resolved incident. */
  resolveIncident?(id: string, resolution: string | null, ctx: ProviderContext): Promise<IncidentRecord>;
  /** At least one field of `input` is set (the caller checks). */
  updateIncident?(id: string, input: UpdateIncidentInput, ctx: ProviderContext): Promise<IncidentRecord>;
  addIncidentNote?(id: string, body: string, ctx: ProviderContext): Promise<IncidentRecord>;
}
