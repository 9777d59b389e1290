import { badInput, type ServiceRecord } from '@opsorch/adapters';
import type { DependencyDirection, ServiceFilter } from '@opsorch/schema';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { listConnection, loadersFor, type RequestContext } from '../shared/index.ts';
import { valuesOrThrow } from '../shared/index.ts';
import { compareServices, createServiceLoaders, type ServiceLoaders } from './loaders.ts';

const MAX_GRAPH_DEPTH = 6;
/** Services one walk may reach: a catalog of thousands must not turn one field into thousands of nodes. */
export const MAX_GRAPH_NODES = 500;

const loaders = (ctx: RequestContext): ServiceLoaders => loadersFor(ctx, 'services', createServiceLoaders);

/** Records for ids, dropping ids no catalog knows (a dangling dependency must not fail the whole list). */
async function knownServices(ctx: RequestContext, ids: readonly string[]): Promise<ServiceRecord[]> {
  const records = valuesOrThrow(await loaders(ctx).service.loadMany(ids));
  return records.filter((r): r is ServiceRecord => r !== null);
}

interface GraphEdge {
  from: string;
  to: string;
}

/**
 * Breadth-first walk from `root`: one batched provider call per level and direction (DataLoader coalesces a
 * level's lookups), plus one to load the last level's services.
 */
async function dependencyGraph(ctx: RequestContext, root: ServiceRecord, direction: DependencyDirection, depth: number) {
  const distance = new Map<string, number>([[root.id, 0]]);
  const edges = new Map<string, GraphEdge>();
  let truncated = false;

  const walk = async (downstream: boolean) => {
    const visited = new Set([root.id]);
    let frontier = [root.id];
    for (let hop = 1; hop <= depth && frontier.length > 0; hop++) {
      const neighbours = downstream
        ? (valuesOrThrow(await loaders(ctx).service.loadMany(frontier))).map((r) => r?.dependencyIds ?? [])
        : valuesOrThrow(await loaders(ctx).dependents.loadMany(frontier));
      const next: string[] = [];
      frontier.forEach((id, i) => {
        for (const other of neighbours[i] ?? []) {
          if (!distance.has(other) && distance.size >= MAX_GRAPH_NODES) {
            truncated = true;
            continue;
          }
          const edge = downstream ? { from: id, to: other } : { from: other, to: id };
          edges.set(`${edge.from}\u0000${edge.to}`, edge);
          if (!visited.has(other)) {
            visited.add(other);
            next.push(other);
            distance.set(other, Math.min(distance.get(other) ?? hop, hop));
          }
        }
      });
      frontier = next;
    }
  };
  await Promise.all([
    direction !== 'DEPENDENTS' ? walk(true) : null,
    direction !== 'DEPENDENCIES' ? walk(false) : null,
  ]);

  const known = new Map((await knownServices(ctx, [...distance.keys()])).map((r) => [r.id, r]));
  const nodes = [...distance.entries()]
    .filter(([id]) => known.has(id))
    .map(([id, d]) => ({ service: known.get(id)!, distance: d }))
    .sort((a, b) => a.distance - b.distance || compareServices(a.service, b.service));
  return {
    root,
    direction,
    depth,
    nodes,
    edges: [...edges.values()]
      .filter((e) => known.has(e.from) && known.has(e.to))
      .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)),
    truncated,
  };
}

function checkFilter(filter: ServiceFilter | null | undefined): ServiceFilter {
  if (filter?.text && filter.text.length > 200) throw badInput('filter.text must be at most 200 characters');
  return filter ?? {};
}

export const resolvers: GraphQLResolverMap<RequestContext> = {
  Query: {
    services: async (_: unknown, args: { filter?: ServiceFilter | null; first?: number | null; after?: string | null }, ctx: RequestContext) => {
      const filter = checkFilter(args.filter);
      const connection = await listConnection(ctx, 'services', args, (p, page) => p.query(filter, page, ctx.provider), compareServices);
      for (const record of connection.nodes) loaders(ctx).service.prime(record.id, record);
      return connection;
    },
    service: (_: unknown, args: { id: string }, ctx: RequestContext) => {
      const id = args.id.trim();
      if (!id) throw badInput('id must be a canonical service id such as "checkout"; list them with `services`');
      return loaders(ctx).service.load(id);
    },
    serviceByExternalRef: async (_: unknown, args: { system: string; id: string }, ctx: RequestContext) => {
      const system = args.system.trim().toLowerCase();
      const id = args.id.trim();
      if (!system) throw badInput('system must name a tool, for example "pagerduty", "prometheus", "datadog" or "github"');
      if (!id) throw badInput(`id must be the service's identifier in ${system}, for example "P7XK2QD" for PagerDuty`);
      const canonical = await loaders(ctx).externalRef.load(`${system}\u0000${id}`);
      return canonical ? loaders(ctx).service.load(canonical) : null;
    },
  },
  Service: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext) => loaders(ctx).service.load(ref.id),
    owner: (service: ServiceRecord) => (service.ownerTeamId ? { id: service.ownerTeamId } : null),
    dependencies: async (service: ServiceRecord, _: unknown, ctx: RequestContext) =>
      (await knownServices(ctx, service.dependencyIds)).sort(compareServices),
    dependents: async (service: ServiceRecord, _: unknown, ctx: RequestContext) =>
      (await knownServices(ctx, await loaders(ctx).dependents.load(service.id))).sort(compareServices),
    dependencyGraph: (service: ServiceRecord, args: { direction?: DependencyDirection | null; depth?: number | null }, ctx: RequestContext) => {
      const depth = args.depth ?? 2;
      if (!Number.isInteger(depth) || depth < 1 || depth > MAX_GRAPH_DEPTH) {
        throw badInput(`depth must be between 1 and ${MAX_GRAPH_DEPTH} hops, got ${depth}`);
      }
      return dependencyGraph(ctx, service, args.direction ?? 'BOTH', depth);
    },
  },
  Team: {
    __resolveReference: (ref: { id: string }) => ref,
    services: (team: { id: string }, _: unknown, ctx: RequestContext) => loaders(ctx).ownedServices.load(team.id),
  },
};
