import {
  boundMessage,
  fanOutPage,
  pageRequest,
  type Capability,
  type MergedPage,
  type OpsOrchError,
  type Page,
  type PageRequest,
  type ProviderMap,
} from '@opsorch/adapters';
import type { RequestContext } from './context.ts';

/** The GraphQL connection shape shared by every list (nodes, edges, pageInfo, totalCount, providerErrors). */
export interface Connection<T> {
  nodes: T[];
  edges: { node: T; cursor: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number | null;
  providerErrors: { capability: string; provider: string; code: string; message: string }[];
}

export function providerErrorsOf(failures: readonly OpsOrchError[]): Connection<never>['providerErrors'] {
  return failures.map((f) => ({ capability: f.capability ?? 'unknown', provider: f.provider ?? 'unknown', code: f.code, message: boundMessage(f.message) }));
}

/**
 * Lists from every instance of a capability, merged in `compare` order, as a connection. One instance's
 * failure is reported in `providerErrors` while the others' items are still returned.
 */
export async function listConnection<C extends Capability, T>(
  ctx: RequestContext,
  capability: C,
  args: { first?: number | null; after?: string | null },
  fetch: (provider: ProviderMap[C], page: PageRequest) => Promise<Page<T>>,
  compare: (a: T, b: T) => number,
): Promise<Connection<T>> {
  const request = pageRequest(args.first, args.after);
  const merged = await fanOutPage(
    ctx.registry.all(capability).map((provider) => ({ instance: provider.instance, fetch: (page: PageRequest) => fetch(provider, page) })),
    request,
    compare,
    capability,
  );
  return toConnection(merged);
}

/**
 * The connection without a second node of an id already on the page: one team or person known to several instances
 * (Backstage for ownership, PagerDuty for on-call) is one entity, whose fields merge every instance's answers.
 */
export function distinctById<T extends { id: string }>(connection: Connection<T>): Connection<T> {
  const seen = new Set<string>();
  const edges = connection.edges.filter((e) => !seen.has(e.node.id) && seen.add(e.node.id));
  return { ...connection, nodes: edges.map((e) => e.node), edges };
}

/** The GraphQL connection of a merged page. */
export function toConnection<T>(merged: MergedPage<T>): Connection<T> {
  return {
    nodes: merged.items.map((e) => e.item),
    // Each merged item is its own edge: its cursor is encoded only if the query selects it.
    edges: merged.items,
    // The merged page answers `hasNextPage` and `endCursor` itself, encoding the cursor only when it is selected.
    pageInfo: merged,
    totalCount: merged.totalCount,
    providerErrors: providerErrorsOf(merged.failures),
  };
}

/** Orders newest first by an ISO timestamp field, then by id for a stable order. */
export function newestFirst<T extends { id: string }>(time: (item: T) => string) {
  return (a: T, b: T) => time(b).localeCompare(time(a)) || a.id.localeCompare(b.id);
}
