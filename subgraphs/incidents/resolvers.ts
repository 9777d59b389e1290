import {
  badInput,
  parseId,
  resolveTimeRange,
  type IncidentQuery,
  type IncidentRecord,
  type TimelineEntryRecord,
} from '@opsorch/adapters';
import type {
  IncidentFilter,
  IncidentTimelineArgs,
  MutationAcknowledgeIncidentArgs,
  MutationAddIncidentNoteArgs,
  MutationCreateIncidentArgs,
  MutationResolveIncidentArgs,
  MutationUpdateIncidentArgs,
  QueryIncidentArgs,
  QueryIncidentsArgs,
  ServiceIncidentsArgs,
  TeamIncidentsArgs,
} from '@opsorch/schema';
import { instanceConnection, listConnection, loadersFor, newestFirst, requireWrite, writerFor, type RequestContext } from '../shared/index.ts';
import { createIncidentLoaders } from './loaders.ts';

const CAPABILITY = 'incidents';
const MAX_TITLE = 255;
const MAX_TEXT = 10_000;

const loaders = (ctx: RequestContext) => loadersFor(ctx, CAPABILITY, createIncidentLoaders);
const byStartedAt = newestFirst<IncidentRecord>((i) => i.startedAt);

/** A non-blank optional string, trimmed; `what` names the argument in the error. */
function optionalText(value: string | null | undefined, what: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (!trimmed) throw badInput(`${what} must not be blank; omit it instead`);
  return trimmed;
}

function checkLength(value: string, what: string, min: number, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max) {
    throw badInput(`${what} must be ${min} to ${max} characters (got ${trimmed.length})`);
  }
  return trimmed;
}

/** Translates the GraphQL filter into the provider's query, refusing what cannot mean anything. */
function toQuery(filter: IncidentFilter | null | undefined, ctx: RequestContext): IncidentQuery {
  if (!filter) return {};
  const range = filter.range ? resolveTimeRange(filter.range, ctx.provider.now) : null;
  return {
    ...(filter.statuses ? { statuses: filter.statuses } : {}),
    ...(filter.severities ? { severities: filter.severities } : {}),
    serviceId: optionalText(filter.scope?.service, 'filter.scope.service'),
    teamId: optionalText(filter.scope?.team, 'filter.scope.team'),
    environment: optionalText(filter.scope?.environment, 'filter.scope.environment'),
    text: optionalText(filter.text, 'filter.text'),
    ...(range ? { startedFrom: range.from, startedTo: range.to } : {}),
  };
}

/** The id, checked for shape so a malformed one is BAD_USER_INPUT naming the argument. */
function checkIncidentId(id: string, what = 'id'): string {
  parseId(id, what);
  return id;
}

/** Idempotency scope of a mutation. */
const scope = (mutation: string) => `${CAPABILITY}\u0000${mutation}`;

export const resolvers = {
  Query: {
    incidents: (_: unknown, args: QueryIncidentsArgs, ctx: RequestContext) => {
      const query = toQuery(args.filter, ctx);
      return listConnection(ctx, 'incidents', args, (provider, page) => provider.query(query, page, ctx.provider), byStartedAt);
    },
    incident: (_: unknown, args: QueryIncidentArgs, ctx: RequestContext) => loaders(ctx).incident.load(checkIncidentId(args.id)),
  },

  Mutation: {
    createIncident: async (_: unknown, args: MutationCreateIncidentArgs, ctx: RequestContext) => {
      const { input } = args;
      const title = checkLength(input.title, 'input.title', 1, MAX_TITLE);
      const serviceId = optionalText(input.serviceId, 'input.serviceId')!;
      if (input.severity === 'UNKNOWN') throw badInput('input.severity must be one of SEV1..SEV5; UNKNOWN is only for values a tool could not map');
      const summary = input.summary == null ? null : checkLength(input.summary, 'input.summary', 0, MAX_TEXT);
      const assigneeId = optionalText(input.assigneeId, 'input.assigneeId') ?? null;
      const environment = optionalText(input.environment, 'input.environment') ?? null;
      const providers = ctx.registry.all('incidents');
      const provider = input.providerInstance ? providers.find((p) => p.instance === input.providerInstance) : providers[0];
      if (!provider) {
        throw badInput(
          `input.providerInstance "${input.providerInstance}" is not a configured incidents provider; configured: ${providers.map((p) => p.instance).join(', ')}`,
        );
      }
      const writer = requireWrite('incidents', provider, 'createIncident');
      return ctx.idempotency.run(scope('createIncident'), args.idempotencyKey, args, () =>
        writer.createIncident({ title, serviceId, severity: input.severity, summary: summary || null, assigneeId, environment }, ctx.provider),
      );
    },

    acknowledgeIncident: async (_: unknown, args: MutationAcknowledgeIncidentArgs, ctx: RequestContext) => {
      const id = checkIncidentId(args.id);
      const provider = writerFor(ctx, 'incidents', id, 'acknowledgeIncident');
      return ctx.idempotency.run(scope('acknowledgeIncident'), args.idempotencyKey, args, () =>
        provider.acknowledgeIncident(id, ctx.provider),
      );
    },

    resolveIncident: async (_: unknown, args: MutationResolveIncidentArgs, ctx: RequestContext) => {
      const id = checkIncidentId(args.id);
      const resolution = args.resolution == null ? null : checkLength(args.resolution, 'resolution', 0, MAX_TEXT) || null;
      const provider = writerFor(ctx, 'incidents', id, 'resolveIncident');
      return ctx.idempotency.run(scope('resolveIncident'), args.idempotencyKey, args, () =>
        provider.resolveIncident(id, resolution, ctx.provider),
      );
    },

    updateIncident: async (_: unknown, args: MutationUpdateIncidentArgs, ctx: RequestContext) => {
      const id = checkIncidentId(args.id);
      const { input } = args;
      const title = input.title == null ? null : checkLength(input.title, 'input.title', 1, MAX_TITLE);
      const summary = input.summary == null ? null : checkLength(input.summary, 'input.summary', 1, MAX_TEXT);
      if (input.severity === 'UNKNOWN') throw badInput('input.severity must be one of SEV1..SEV5; UNKNOWN is not a severity you can set');
      const severity = input.severity ?? null;
      const assigneeId = input.assigneeId == null ? null : optionalText(input.assigneeId, 'input.assigneeId')!;
      if (title === null && summary === null && severity === null && assigneeId === null) {
        throw badInput('input must set at least one of title, summary, severity or assigneeId');
      }
      const provider = writerFor(ctx, 'incidents', id, 'updateIncident');
      return ctx.idempotency.run(scope('updateIncident'), args.idempotencyKey, args, () =>
        provider.updateIncident(id, { title, summary, severity, assigneeId }, ctx.provider),
      );
    },

    addIncidentNote: async (_: unknown, args: MutationAddIncidentNoteArgs, ctx: RequestContext) => {
      const id = checkIncidentId(args.incidentId, 'incidentId');
      const body = checkLength(args.body, 'body', 1, MAX_TEXT);
      const provider = writerFor(ctx, 'incidents', id, 'addIncidentNote');
      return ctx.idempotency.run(scope('addIncidentNote'), args.idempotencyKey, args, () =>
        provider.addIncidentNote(id, body, ctx.provider),
      );
    },
  },

  Incident: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext) => loaders(ctx).incident.load(ref.id),
    service: (incident: IncidentRecord) => (incident.serviceId ? { id: incident.serviceId } : null),
    assignee: (incident: IncidentRecord) => (incident.assigneeId ? { id: incident.assigneeId } : null),
    commander: (incident: IncidentRecord) => (incident.commanderId ? { id: incident.commanderId } : null),
    timeline: (incident: IncidentRecord, args: IncidentTimelineArgs, ctx: RequestContext) => {
      const owner = ctx.registry.forId('incidents', incident.id).instance;
      const order = args.order ?? 'NEWEST_FIRST';
      // Only the owning instance has the timeline: its failure is the field's error, not an empty list.
      return instanceConnection(
        CAPABILITY,
        owner,
        args,
        (page) => loaders(ctx).timeline.load({ instance: owner, parentId: incident.id, filter: order, page }),
        () => 0,
      );
    },
  },

  TimelineEntry: {
    actor: (entry: TimelineEntryRecord) => (entry.actorId ? { id: entry.actorId } : null),
  },

  Service: {
    __resolveReference: (ref: { id: string }) => ref,
    incidents: (service: { id: string }, args: ServiceIncidentsArgs, ctx: RequestContext) => {
      const filter = args.statuses ? { statuses: args.statuses } : {};
      return listConnection(
        ctx,
        'incidents',
        args,
        (provider, page) => loaders(ctx).serviceIncidents.load({ instance: provider.instance, parentId: service.id, filter, page }),
        byStartedAt,
      );
    },
  },

  Team: {
    __resolveReference: (ref: { id: string }) => ref,
    incidents: (team: { id: string }, args: TeamIncidentsArgs, ctx: RequestContext) => {
      const filter = args.statuses ? { statuses: args.statuses } : {};
      return listConnection(
        ctx,
        'incidents',
        args,
        (provider, page) => loaders(ctx).teamIncidents.load({ instance: provider.instance, parentId: team.id, filter, page }),
        byStartedAt,
      );
    },
  },
};
