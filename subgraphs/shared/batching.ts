// Batching and fan-out shared by every subgraph, on adapters' askEachInstance (one call per instance, one slot
// per key, failures attributed). The partial-failure rule is the same everywhere (decision 012):
// - a connection answers the healthy instances' items and lists the failed ones in `providerErrors`
//   (listConnection; only when every instance fails does the field fail);
// - a lookup by canonical id answers what the first instance that knows the key says (firstFoundEverywhere);
// - a plain value merged from every instance (a service's health, on-call, an incident's alerts) has no room
//   to report a gap, so any failed instance fails it, naming the instance (mergedEverywhere, perKeyEverywhere).
import DataLoader from 'dataloader';
import {
  askEachInstance,
  fanOutPage,
  OpsOrchError,
  pageRequest,
  type Capability,
  type Page,
  type PageRequest,
  type ProviderMap,
} from '@opsorch/adapters';
import { toConnection, type Connection } from './connection.ts';
import type { RequestContext } from './context.ts';

/** The configured instance named `instance`; NOT_FOUND when there is none. */
export function instanceOf<C extends Capability>(ctx: RequestContext, capability: C, instance: string): ProviderMap[C] {
  const provider = ctx.registry.all(capability).find((p) => p.instance === instance);
  if (!provider) throw new OpsOrchError('NOT_FOUND', `no ${capability} provider instance "${instance}" is configured`, { capability });
  return provider;
}

/**
 * A DataLoader whose keys are answered in batches by one instance each: keys that name the same instance and
 * the same arguments (`argumentsOf`) share ONE provider call carrying all of them. N parents of a field cost one
 * call per instance and argument set; a failing call fails only its own keys.
 */
export function batchLoader<C extends Capability, K extends { instance: string }, T>(
  ctx: RequestContext,
  capability: C,
  argumentsOf: (key: K) => unknown,
  call: (provider: ProviderMap[C], keys: K[]) => Promise<readonly T[]>,
  cacheKeyFn: (key: K) => string = (key) => JSON.stringify(key),
): DataLoader<K, T, string> {
  return new DataLoader<K, T, string>(
    async (keys) => {
      const groups = new Map<string, { instance: string; keys: K[]; positions: number[] }>();
      const results: (T | Error)[] = new Array(keys.length);
      keys.forEach((key, position) => {
        const id = JSON.stringify([key.instance, argumentsOf(key)]);
        const group = groups.get(id) ?? { instance: key.instance, keys: [], positions: [] };
        group.keys.push(key);
        group.positions.push(position);
        groups.set(id, group);
      });
      const asks = [...groups.values()].flatMap((group) => {
        try {
          return [{ provider: instanceOf(ctx, capability, group.instance), keys: group.keys, group }];
        } catch (error) {
          group.positions.forEach((position) => (results[position] = error as Error));
          return [];
        }
      });
      const answers = await askEachInstance(capability, asks, call);
      answers.forEach((answer, i) => asks[i]!.group.positions.forEach((position, j) => (results[position] = answer.error ?? answer.values[j]!)));
      return results;
    },
    { cacheKeyFn },
  );
}

/** One parent's share of a per-parent link field, asked of one provider instance. */
export interface ParentKey<F> {
  instance: string;
  /** The parent's key, for example a service id. */
  parentId: string;
  /** Field arguments; parents asked with equal arguments share one provider call. */
  filter: F;
  page: PageRequest;
}

/**
 * A DataLoader for a per-parent link field (Service.incidents, Incident.timeline, Channel.messages...): one call
 * of the provider's batch method per instance and argument set, carrying every parent id.
 */
export function perParentLoader<C extends Capability, F, T>(
  ctx: RequestContext,
  capability: C,
  call: (provider: ProviderMap[C], parentIds: string[], filter: F, page: PageRequest) => Promise<readonly T[]>,
): DataLoader<ParentKey<F>, T, string> {
  return batchLoader<C, ParentKey<F>, T>(
    ctx,
    capability,
    (key) => [key.filter, key.page],
    (provider, keys) => call(provider, keys.map((k) => k.parentId), keys[0]!.filter, keys[0]!.page),
    (key) => JSON.stringify([key.instance, key.parentId, key.filter, key.page]),
  );
}

/** Every instance asked once for all the keys; the partial-failure rule is the caller's. */
function askEvery<C extends Capability, K, T>(ctx: RequestContext, capability: C, keys: readonly K[], call: (provider: ProviderMap[C], keys: K[]) => Promise<readonly T[]>) {
  return askEachInstance(
    capability,
    ctx.registry.all(capability).map((provider) => ({ provider, keys })),
    call,
  );
}

/**
 * One slot per key: the values of every instance for it, merged by `merge` (in configuration order). Any failed
 * instance fails every key: a plain value has no room to report that part of it is missing.
 */
export async function perKeyEverywhere<C extends Capability, K, T, M>(
  ctx: RequestContext,
  capability: C,
  keys: readonly K[],
  call: (provider: ProviderMap[C], keys: K[]) => Promise<readonly T[]>,
  merge: (values: T[]) => M,
): Promise<(M | Error)[]> {
  const answers = await askEvery(ctx, capability, keys, call);
  const failed = answers.find((a) => a.error);
  if (failed?.error) return keys.map(() => failed.error);
  return keys.map((_, i) => merge(answers.map((a) => a.values![i]!)));
}

/**
 * One slot per key: the lists of every instance concatenated in configuration order, without repeating an item
 * `identity` already saw. Any failed instance fails the key: a silently partial list would mislead.
 */
export function mergedEverywhere<C extends Capability, K, T>(
  ctx: RequestContext,
  capability: C,
  keys: readonly K[],
  call: (provider: ProviderMap[C]) => Promise<readonly (readonly T[])[]>,
  identity: (item: T) => string,
): Promise<(T[] | Error)[]> {
  return perKeyEverywhere(ctx, capability, keys, (provider) => call(provider), (lists) => {
    const seen = new Set<string>();
    return lists.flat().filter((item) => !seen.has(identity(item)) && seen.add(identity(item)));
  });
}

/**
 * A short per-parent list (Incident.tickets, Service.runbooks) asked of EVERY instance in one batch call each,
 * merged per parent in `compare` order (configuration order when null).
 */
export function parentListLoader<C extends Capability, K, T>(
  ctx: RequestContext,
  capability: C,
  call: (provider: ProviderMap[C], keys: K[]) => Promise<readonly (readonly T[])[]>,
  compare: ((a: T, b: T) => number) | null,
  cacheKeyFn: (key: K) => string = (key) => JSON.stringify(key),
): DataLoader<K, T[], string> {
  return new DataLoader<K, T[], string>(
    (keys) => perKeyEverywhere(ctx, capability, keys, call, (lists) => (compare ? lists.flat().sort(compare) : lists.flat())),
    { cacheKeyFn },
  );
}

/**
 * One slot per key: the first instance (in configuration order) that knows the key wins. A key nobody knows is
 * null, unless an instance failed: then it is that failure, since the failed instance might have known it.
 */
export async function firstFoundEverywhere<C extends Capability, T>(
  ctx: RequestContext,
  capability: C,
  keys: readonly unknown[],
  call: (provider: ProviderMap[C]) => Promise<readonly (T | null)[]>,
): Promise<(T | null | Error)[]> {
  const answers = await askEvery(ctx, capability, keys, (provider) => call(provider));
  return keys.map((_, i) => {
    for (const answer of answers) if (answer.values?.[i] != null) return answer.values[i]!;
    return answers.find((a) => a.error)?.error ?? null;
  });
}

/**
 * A value asked of every instance (a volume, a catalog page, on-call for all teams): the healthy answers and the
 * failures beside them; throws only when every instance failed. `notFailures` names errors that only mean "not
 * here" (a metric another instance holds).
 */
export async function everyInstance<C extends Capability, T>(
  ctx: RequestContext,
  capability: C,
  call: (provider: ProviderMap[C]) => Promise<T>,
  notFailures: (error: OpsOrchError) => boolean = () => false,
): Promise<{ answers: T[]; failures: OpsOrchError[] }> {
  const answers = await askEvery(ctx, capability, [null], async (provider) => [await call(provider)]);
  const values = answers.flatMap((a) => (a.values ? [a.values[0]!] : []));
  const errors = answers.flatMap((a) => (a.error ? [a.error] : []));
  if (values.length === 0 && errors.length > 0) throw errors.find((e) => !notFailures(e)) ?? errors[0];
  return { answers: values, failures: errors.filter((e) => !notFailures(e)) };
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

/** Every slot of a `loadMany` answer, throwing the first failure instead of hiding it in the list. */
export function valuesOrThrow<T>(results: readonly (T | Error)[]): T[] {
  const failure = results.find((r): r is Error => r instanceof Error);
  if (failure) throw failure;
  return results as T[];
}

/**
 * The provider, checked to implement the write `method`: one without it answers NOT_SUPPORTED naming the kind,
 * instance and method (writes are the SPIs' optional methods).
 */
export function requireWrite<C extends Capability, M extends keyof ProviderMap[C] & string>(
  capability: C,
  provider: ProviderMap[C],
  method: M,
): ProviderMap[C] & Required<Pick<ProviderMap[C], M>> {
  if (typeof provider[method] !== 'function') {
    throw new OpsOrchError('NOT_SUPPORTED', `the ${provider.kind} ${capability} provider ${provider.instance} cannot ${method}`, {
      capability,
      provider: provider.instance,
    });
  }
  return provider as ProviderMap[C] & Required<Pick<ProviderMap[C], M>>;
}

/** The instance that owns `id` (`<instance>:<nativeId>`), checked to implement the write `method`. */
export function writerFor<C extends Capability, M extends keyof ProviderMap[C] & string>(ctx: RequestContext, capability: C, id: string, method: M) {
  return requireWrite(capability, ctx.registry.forId(capability, id), method);
}
