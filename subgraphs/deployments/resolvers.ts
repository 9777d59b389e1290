import {
  badInput,
  fanOutPage,
  OpsOrchError,
  pageRequest,
  parseDuration,
  parseInstant,
  resolveTimeRange,
  type DeploymentQuery,
  type DeploymentRecord,
} from '@opsorch/adapters';
import type { DeploymentFilter, TimeRangeInput } from '@opsorch/schema';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { listConnection, loadersFor, mergedEverywhere, toConnection, type RequestContext } from '../shared/index.ts';
import { byNewest, createDeploymentLoaders, type DeploymentLoaders } from './loaders.ts';

const MAX_LOOKBACK_MS = 7 * 86_400_000;
/** Regressions are hunted in production unless told otherwise. */
const INCIDENT_ENVIRONMENT = 'production';

const loaders = (ctx: RequestContext): DeploymentLoaders => loadersFor(ctx, 'deployments', createDeploymentLoaders);

function environmentOf(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const environment = value.trim();
  if (!environment) throw badInput(`${field} must be an environment name such as "production" or "staging", or omitted`);
  return environment;
}

function rangeOf(range: TimeRangeInput | null | undefined, ctx: RequestContext): Pick<DeploymentQuery, 'from' | 'to'> {
  if (!range) return {};
  const { from, to } = resolveTimeRange(range, ctx.provider.now);
  return { from, to };
}

/** Canonical ids of the services a team owns directly, asked of the service catalog. */
async function servicesOfTeam(ctx: RequestContext, teamId: string): Promise<string[]> {
  const [owned] = await mergedEverywhere(ctx, 'services', [teamId], (p) => p.servicesOwnedBy([teamId], ctx.provider), (s) => s.id);
  if (owned instanceof Error) throw owned;
  return (owned ?? []).map((s) => s.id);
}

async function queryOf(filter: DeploymentFilter | null | undefined, ctx: RequestContext): Promise<DeploymentQuery> {
  const scope = filter?.scope;
  let serviceIds: string[] | null = null;
  if (scope?.service) serviceIds = [scope.service.trim()];
  if (scope?.team) {
    const owned = await servicesOfTeam(ctx, scope.team.trim());
    serviceIds = serviceIds ? serviceIds.filter((id) => owned.includes(id)) : owned;
  }
  const author = filter?.author?.trim().toLowerCase();
  if (author !== undefined && !author.includes('@')) {
    throw badInput(`filter.author "${filter?.author}" is not an e-mail address; people are identified by e-mail`);
  }
  return {
    serviceIds,
    environment: environmentOf(scope?.environment, 'filter.scope.environment'),
    statuses: filter?.statuses ?? null,
    authorId: author ?? null,
    ...rangeOf(filter?.range, ctx),
  };
}

interface IncidentRepresentation {
  id: string;
  startedAt?: string | null;
  service?: { id: string } | null;
}

export const resolvers: GraphQLResolverMap<RequestContext> = {
  Query: {
    deployments: async (
      _: unknown,
      args: { filter?: DeploymentFilter | null; first?: number | null; after?: string | null },
      ctx: RequestContext,
    ) => {
      const query = await queryOf(args.filter, ctx);
      const connection = await listConnection(ctx, 'deployments', args, (p, page) => p.query(query, page, ctx.provider), byNewest);
      for (const d of connection.nodes) loaders(ctx).deployment.prime(d.id, d);
      return connection;
    },
    deployment: (_: unknown, args: { id: string }, ctx: RequestContext) => loaders(ctx).deployment.load(args.id.trim()),
  },
  Deployment: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext) => loaders(ctx).deployment.load(ref.id),
    service: (d: DeploymentRecord) => (d.serviceId ? { id: d.serviceId } : null),
    author: (d: DeploymentRecord) => (d.authorId ? { id: d.authorId } : null),
  },
  Service: {
    __resolveReference: (ref: { id: string }) => ref,
    deployments: async (
      service: { id: string },
      args: { range?: TimeRangeInput | null; environment?: string | null; first?: number | null; after?: string | null },
      ctx: RequestContext,
    ) => {
      const request = pageRequest(args.first ?? 10, args.after);
      const filter = { environment: environmentOf(args.environment, 'environment'), ...rangeOf(args.range, ctx) };
      const merged = await fanOutPage(
        ctx.registry.all('deployments').map((p) => ({
          instance: p.instance,
          fetch: (page) => loaders(ctx).servicePages.load({ instance: p.instance, serviceId: service.id, page, filter }),
        })),
        request,
        byNewest,
        'deployments',
      );
      return toConnection(merged);
    },
  },
  Incident: {
    __resolveReference: (ref: IncidentRepresentation) => ref,
    deploymentsBefore: (incident: IncidentRepresentation, args: { within?: string | null }, ctx: RequestContext) => {
      const within = parseDuration(args.within ?? '1h', 'within');
      if (within > MAX_LOOKBACK_MS) throw badInput(`within must be at most 7d, got "${args.within}"`);
      const serviceId = incident.service?.id;
      if (!serviceId) return [];
      if (!incident.startedAt) {
        throw new OpsOrchError('INTERNAL', `Incident ${incident.id} arrived without startedAt; the gateway must provide it (@requires)`, {
          capability: 'deployments',
        });
      }
      const to = parseInstant(incident.startedAt, ctx.provider.now, 'Incident.startedAt');
      return loaders(ctx).inWindow.load({ serviceId, from: new Date(to.getTime() - within), to, environment: INCIDENT_ENVIRONMENT });
    },
  },
};
