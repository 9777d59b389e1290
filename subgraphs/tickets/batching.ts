// Per-parent batching shared by the tickets, messaging and orchestration subgraphs (a candidate for subgraphs/shared).
import DataLoader from 'dataloader';
import {
  fanOutPage,
  OpsOrchError,
  pageRequest,
  toOpsOrchError,
  type Capability,
  type Page,
  type PageRequest,
  type ProviderMap,
} from '@opsorch/adapters';
import { providerErrorsOf, type Connection, type RequestContext } from '../shared/index.ts';

/** One parent's page request to one provider instance. */
export interface ParentPageKey<F> {
  instance: string;
  parentId: string;
  filter: F;
  page: PageRequest;
}

function providerOf<C extends Capability>(ctx: RequestContext, capability: C, instance: string): ProviderMap[C] {
  const provider = ctx.registry.all(capability).find((p) => p.instance === instance);
  if (!provider) throw new OpsOrchError('NOT_FOUND', `no ${capability} provider instance "${instance}" is configured`, { capability });
  return provider;
}

function checkBatch(capability: string, instance: string, expected: number, got: number): void {
  if (got !== expected) {
    throw new OpsOrchError(
      'INTERNAL',
      `${capability} provider ${instance} broke the batch contract: expected ${expected} results in key order, got ${got}`,
      { capability, provider: instance },
    );
  }
}

/**
 * Pages of a per-parent list (Service.tickets, Channel.messages, Runbook.runs). Keys that ask the same instance
 * with the same filter and page are answered by ONE batch call carrying every parent id, so N parents cost one
 * call per instance. Used as the `fetch` of a connection, which still merges every instance per parent.
 */
export function parentPageLoader<C extends Capability, F, T>(
  ctx: RequestContext,
  capability: C,
  call: (provider: ProviderMap[C], parentIds: string[], filter: F, page: PageRequest) => Promise<readonly Page<T>[]>,
): DataLoader<ParentPageKey<F>, Page<T>, string> {
  return new DataLoader<ParentPageKey<F>, Page<T>, string>(
    async (keys) => {
      const groups = new Map<string, { instance: string; filter: F; page: PageRequest; parentIds: string[] }>();
      for (const key of keys) {
        const groupKey = JSON.stringify([key.instance, key.filter, key.page]);
        const group = groups.get(groupKey) ?? { instance: key.instance, filter: key.filter, page: key.page, parentIds: [] };
        // The gateway repeats representations; ask the provider for each parent once.
        if (!group.parentIds.includes(key.parentId)) group.parentIds.push(key.parentId);
        groups.set(groupKey, group);
      }
      const answers = new Map<string, Map<string, Page<T>> | Error>();
      await Promise.all(
        [...groups.entries()].map(async ([groupKey, group]) => {
          try {
            const pages = await call(providerOf(ctx, capability, group.instance), group.parentIds, group.filter, group.page);
            checkBatch(capability, group.instance, group.parentIds.length, pages.length);
            answers.set(groupKey, new Map(group.parentIds.map((id, i) => [id, pages[i]!])));
          } catch (error) {
            answers.set(groupKey, toOpsOrchError(error, capability, group.instance));
          }
        }),
      );
      return keys.map((key) => {
        const answer = answers.get(JSON.stringify([key.instance, key.filter, key.page]))!;
        return answer instanceof Error ? answer : answer.get(key.parentId)!;
      });
    },
    { cacheKeyFn: (key) => JSON.stringify([key.instance, key.parentId, key.filter, key.page]) },
  );
}

/**
 * A short per-parent list (Incident.tickets, Service.runbooks) asked of EVERY instance in one batch call each,
 * merged per parent in `compare` order. A failing instance fails the parents' field rather than silently
 * shortening the list.
 */
export function parentListLoader<C extends Capability, K, T>(
  ctx: RequestContext,
  capability: C,
  call: (provider: ProviderMap[C], keys: K[]) => Promise<readonly (readonly T[])[]>,
  compare: ((a: T, b: T) => number) | null,
  cacheKeyFn: (key: K) => string = (key) => JSON.stringify(key),
): DataLoader<K, T[], string> {
  return new DataLoader<K, T[], string>(
    async (keys) => {
      const unique = [...new Map(keys.map((k) => [cacheKeyFn(k), k])).values()];
      const perInstance = await Promise.all(
        ctx.registry.all(capability).map(async (provider) => {
          try {
            const lists = await call(provider, unique);
            checkBatch(capability, provider.instance, unique.length, lists.length);
            return lists;
          } catch (error) {
            return toOpsOrchError(error, capability, provider.instance);
          }
        }),
      );
      const failure = perInstance.find((r): r is OpsOrchError => r instanceof Error);
      const byKey = new Map(
        unique.map((k, i) => {
          const merged = perInstance.flatMap((lists) => (lists instanceof Error ? [] : [...lists[i]!]));
          return [cacheKeyFn(k), compare ? merged.sort(compare) : merged];
        }),
      );
      return keys.map((k) => failure ?? byKey.get(cacheKeyFn(k))!);
    },
    { cacheKeyFn },
  );
}

/** A connection over one instance only: for lists inside a resource (a ticket's comments) that live where it lives. */
export async function instanceConnection<T>(
  capability: Capability,
  instance: string,
  args: { first?: number | null; after?: string | null },
  fetch: (page: PageRequest) => Promise<Page<T>>,
  compare: (a: T, b: T) => number,
): Promise<Connection<T>> {
  const merged = await fanOutPage([{ instance, fetch }], pageRequest(args.first, args.after), compare, capability);
  return {
    nodes: merged.items.map((e) => e.item),
    edges: merged.items.map((e) => ({ node: e.item, cursor: e.cursor })),
    pageInfo: { hasNextPage: merged.hasNextPage, endCursor: merged.endCursor },
    totalCount: merged.totalCount,
    providerErrors: providerErrorsOf(merged.failures),
  };
}

/** Orders oldest first by an ISO timestamp field, then by id for a stable order. */
export function oldestFirst<T extends { id: string }>(time: (item: T) => string) {
  return (a: T, b: T) => time(a).localeCompare(time(b)) || a.id.localeCompare(b.id);
}
