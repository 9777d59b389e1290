import { OpsOrchError, toOpsOrchError, type Capability, type ProviderMap } from '@opsorch/adapters';
import type { RequestContext } from '../shared/index.ts';

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
