import {
  badInput,
  OpsOrchError,
  parseDuration,
  parseId,
  resolveTimeRange,
  type AlertQuery,
  type AlertRecord,
} from '@opsorch/adapters';
import type {
  AlertFilter,
  MutationAcknowledgeAlertArgs,
  MutationSilenceAlertArgs,
  QueryAlertArgs,
  QueryAlertsArgs,
  ServiceAlertsArgs,
} from '@opsorch/schema';
import { listConnection, loadersFor, writerFor, type RequestContext } from '../shared/index.ts';
import { byStartsAt, createAlertLoaders } from './loaders.ts';

const CAPABILITY = 'alerts';
/** Longer silences hide real problems; past a week, fix or delete the rule instead. */
const MAX_SILENCE_MS = 7 * 86_400_000;
const MAX_COMMENT = 1_000;

const loaders = (ctx: RequestContext) => loadersFor(ctx, CAPABILITY, createAlertLoaders);

/** Idempotency scope of a mutation. */
const scope = (mutation: string) => `${CAPABILITY}\u0000${mutation}`;

/** A non-blank optional string, trimmed; `what` names the argument in the error. */
function optionalText(value: string | null | undefined, what: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (!trimmed) throw badInput(`${what} must not be blank; omit it instead`);
  return trimmed;
}

function toQuery(filter: AlertFilter | null | undefined, ctx: RequestContext): AlertQuery {
  if (!filter) return {};
  const range = filter.range ? resolveTimeRange(filter.range, ctx.provider.now) : null;
  return {
    ...(filter.states ? { states: filter.states } : {}),
    ...(filter.severities ? { severities: filter.severities } : {}),
    serviceId: optionalText(filter.scope?.service, 'filter.scope.service'),
    teamId: optionalText(filter.scope?.team, 'filter.scope.team'),
    environment: optionalText(filter.scope?.environment, 'filter.scope.environment'),
    text: optionalText(filter.text, 'filter.text'),
    ...(range ? { activeFrom: range.from, activeTo: range.to } : {}),
  };
}

/** The instance that owns an alert id, checked to implement the write. */
function writer<M extends 'acknowledgeAlert' | 'silenceAlert'>(ctx: RequestContext, id: string, method: M) {
  parseId(id, 'id');
  return writerFor(ctx, 'alerts', id, method);
}

/** What the alerts subgraph receives for an Incident: its key plus the `@requires` fields. */
interface IncidentRepresentation {
  id: string;
  startedAt?: string | null;
  service?: { id: string } | null;
}

export const resolvers = {
  Query: {
    alerts: (_: unknown, args: QueryAlertsArgs, ctx: RequestContext) => {
      const query = toQuery(args.filter, ctx);
      return listConnection(ctx, 'alerts', args, (provider, page) => provider.query(query, page, ctx.provider), byStartsAt);
    },
    alert: (_: unknown, args: QueryAlertArgs, ctx: RequestContext) => {
      parseId(args.id, 'id');
      return loaders(ctx).alert.load(args.id);
    },
  },

  Mutation: {
    acknowledgeAlert: async (_: unknown, args: MutationAcknowledgeAlertArgs, ctx: RequestContext) => {
      const provider = writer(ctx, args.id, 'acknowledgeAlert');
      return ctx.idempotency.run(scope('acknowledgeAlert'), args.idempotencyKey, args, () =>
        provider.acknowledgeAlert(args.id, ctx.provider),
      );
    },
    silenceAlert: async (_: unknown, args: MutationSilenceAlertArgs, ctx: RequestContext) => {
      const durationMs = parseDuration(args.duration, 'duration');
      if (durationMs > MAX_SILENCE_MS) {
        throw badInput(`duration "${args.duration}" is longer than 7 days (7d); silence for at most 7d and fix the rule if it stays noisy`);
      }
      const comment = args.comment == null ? null : args.comment.trim() || null;
      if (comment && comment.length > MAX_COMMENT) {
        throw badInput(`comment must be at most ${MAX_COMMENT} characters (got ${comment.length})`);
      }
      const provider = writer(ctx, args.id, 'silenceAlert');
      return ctx.idempotency.run(scope('silenceAlert'), args.idempotencyKey, args, () =>
        provider.silenceAlert(args.id, durationMs, comment, ctx.provider),
      );
    },
  },

  Alert: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext) => loaders(ctx).alert.load(ref.id),
    service: (alert: AlertRecord) => (alert.serviceId ? { id: alert.serviceId } : null),
  },

  Service: {
    __resolveReference: (ref: { id: string }) => ref,
    alerts: (service: { id: string }, args: ServiceAlertsArgs, ctx: RequestContext) => {
      const filter = args.states ? { states: args.states } : {};
      return listConnection(
        ctx,
        'alerts',
        args,
        (provider, page) => loaders(ctx).serviceAlerts.load({ instance: provider.instance, parentId: service.id, filter, page }),
        byStartsAt,
      );
    },
    health: (service: { id: string }, _: unknown, ctx: RequestContext) => loaders(ctx).health.load(service.id),
  },

  Incident: {
    // Nothing to fetch: the gateway sends the `@requires` fields along with the key.
    __resolveReference: (ref: IncidentRepresentation) => ref,
    alerts: (incident: IncidentRepresentation, _: unknown, ctx: RequestContext) => {
      const serviceId = incident.service?.id;
      if (!serviceId) return [];
      if (!incident.startedAt) {
        throw new OpsOrchError('INTERNAL', 'Incident.alerts needs startedAt in the representation (@requires); the gateway did not send it');
      }
      return loaders(ctx).incidentAlerts.load({ incidentId: incident.id, serviceId, startedAt: incident.startedAt });
    },
  },
};
