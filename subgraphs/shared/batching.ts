// Batching shared by every subgraph: per-parent link fields, lists asked of every instance, and canonical
// (unprefixed) ids that the registry cannot route by prefix.
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
import { toConnection, type Connection } from './connection.ts';
import type { RequestContext } from './context.ts';

/** One parent's share of a per-parent link field, asked of one provider instance. */
export interface ParentKey<F> {
  instance: string;
  /** The parent's key, for example a service id. */
  parentId: string;
  /** Field arguments; parents asked with equal arguments share one provider call. */
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
 * A DataLoader for a per-parent link field (Service.incidents, Incident.timeline, Channel.messages...). Keys
 * that ask the same instance with the same arguments are answered by ONE call of the provider's batch method
 * carrying every parent id, so N parents cost one call per instance. The gateway repeats representations;
 * each parent is asked once. A failing call fails only its own group's keys.
 */
export function perParentLoader<C extends Capability, F, T>(
  ctx: RequestContext,
  capability: C,
  call: (provider: ProviderMap[C], parentIds: string[], filter: F, page: PageRequest) => Promise<readonly T[]>,
): DataLoader<ParentKey<F>, T, string> {
  const groupOf = (key: ParentKey<F>) => JSON.stringify([key.instance, key.filter, key.page]);
  return new DataLoader<ParentKey<F>, T, string>(
    async (keys) => {
      const groups = new Map<string, { instance: string; filter: F; page: PageRequest; parentIds: string[] }>();
      for (const key of keys) {
        const group = groups.get(groupOf(key)) ?? { instance: key.instance, filter: key.filter, page: key.page, parentIds: [] };
        if (!group.parentIds.includes(key.parentId)) group.parentIds.push(key.parentId);
        groups.set(groupOf(key), group);
      }
      const answers = new Map<string, Map<string, T> | Error>();
      await Promise.all(
        [...groups.entries()].map(async ([groupKey, group]) => {
          try {
            const values = await call(providerOf(ctx, capability, group.instance), group.parentIds, group.filter, group.page);
            checkBatch(capability, group.instance, group.parentIds.length, values.length);
            answers.set(groupKey, new Map(group.parentIds.map((id, i) => [id, values[i]!])));
          } catch (error) {
            answers.set(groupKey, toOpsOrchError(error, capability, group.instance));
          }
        }),
      );
      return keys.map((key) => {
        const answer = answers.get(groupOf(key))!;
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
  return toConnection(merged);
}

/** Orders oldest first by an ISO timestamp field, then by id for a stable order. */
export function oldestFirst<T extends { id: string }>(time: (item: T) => string) {
  return (a: T, b: T) => time(a).localeCompare(time(b)) || a.id.localeCompare(b.id);
}

// Canonical catalog ids (service and team slugs, e-mails) carry no instance prefix, so the registry cannot
// route them: every instance is asked once for the whole batch and the answers are merged per key.

type Answer<T> = { instance: string; values: readonly T[] } | { instance: string; error: OpsOrchError };

async function askEveryInstance<C extends Capability, T>(
  ctx: RequestContext,
  capability: C,
  keys: readonly unknown[],
  call: (provider: ProviderMap[C]) => Promise<readonly T[]>,
): Promise<Answer<T>[]> {
  return Promise.all(
    ctx.registry.all(capability).map(async (provider): Promise<Answer<T>> => {
      try {
        const values = await call(provider);
        if (values.length !== keys.length) {
          throw new OpsOrchError(
            'INTERNAL',
            `${capability} provider ${provider.instance} broke the batch contract: expected ${keys.length} results in key order, got ${values.length}`,
          );
        }
        return { instance: provider.instance, values };
      } catch (error) {
        return { instance: provider.instance, error: toOpsOrchError(error, capability, provider.instance) };
      }
    }),
  );
}

/**
 * One slot per key: the first instance (in configuration order) that knows the key wins. A key nobody knows
 * is null, unless an instance failed: then it is that failure, since the failed instance might have known it.
 */
export async function firstFoundEverywhere<C extends Capability, T>(
  ctx: RequestContext,
  capability: C,
  keys: readonly unknown[],
  call: (provider: ProviderMap[C]) => Promise<readonly (T | null)[]>,
): Promise<(T | null | Error)[]> {
  const answers = await askEveryInstance(ctx, capability, keys, call);
  return keys.map((_, i) => {
    for (const answer of answers) if ('values' in answer && answer.values[i] != null) return answer.values[i]!;
    const failed = answers.find((a) => 'error' in a);
    return failed && 'error' in failed ? failed.error : null;
  });
}

/**
 * One slot per key: the lists of every instance concatenated in configuration order, without repeating an
 * item `identity` already saw. Any failed instance fails the key: a silently partial list would mislead.
 */
export async function mergedEverywhere<C extends Capability, T>(
  ctx: RequestContext,
  capability: C,
  keys: readonly unknown[],
  call: (provider: ProviderMap[C]) => Promise<readonly (readonly T[])[]>,
  identity: (item: T) => string,
): Promise<(T[] | Error)[]> {
  const answers = await askEveryInstance(ctx, capability, keys, call);
  const failed = answers.find((a) => 'error' in a);
  if (failed && 'error' in failed) return keys.map(() => failed.error);
  return keys.map((_, i) => {
    const seen = new Set<string>();
    const merged: T[] = [];
    for (const answer of answers) {
      if (!('values' in answer)) continue;
      for (const item of answer.values[i] ?? []) {
        const key = identity(item);
        if (!seen.has(key)) {
          seen.add(key);
          merged.push(item);
        }
      }
    }
    return merged;
  });
}

/** Every slot of a `loadMany` answer, throwing the first failure instead of hiding it in the list. */
export function valuesOrThrow<T>(results: readonly (T | Error)[]): T[] {
  const failure = results.find((r): r is Error => r instanceof Error);
  if (failure) throw failure;
  return results as T[];
}
