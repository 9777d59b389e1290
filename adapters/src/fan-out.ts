// Fan-out, once: "ask each instance for its keys, check it answered one slot per key, attribute its failure to
// it". The registry's getMany, the catalog and every subgraph loader go through here (decision 012).
import { OpsOrchError, toOpsOrchError } from './errors.ts';
import type { ProviderBase } from './spi/base.ts';

/** One instance and the keys it is asked for. */
export interface InstanceAsk<P extends ProviderBase, K> {
  provider: P;
  keys: readonly K[];
}

/** What one instance answered: one value per key in key order, or the failure attributed to it. */
export type InstanceAnswer<P extends ProviderBase, K, T> =
  | { provider: P; keys: readonly K[]; values: readonly T[]; error?: undefined }
  | { provider: P; keys: readonly K[]; values?: undefined; error: OpsOrchError };

/** The batch contract, restated with what arrived (DataLoader's wording). */
export function checkBatch(capability: string, instance: string, expected: number, got: number): void {
  if (got !== expected) {
    throw new OpsOrchError('INTERNAL', `${capability} provider ${instance} broke the batch contract: expected ${expected} results in key order, got ${got}`, {
      capability,
      provider: instance,
    });
  }
}

/**
 * Asks every instance at once, one call each with all its keys. Never throws: an instance that fails, or answers
 * the wrong number of slots, is an `error` in its own answer, attributed to the capability and the instance, so
 * the caller applies its partial-failure rule.
 */
export async function askEachInstance<P extends ProviderBase, K, T>(
  capability: string,
  asks: readonly InstanceAsk<P, K>[],
  call: (provider: P, keys: K[]) => Promise<readonly T[]>,
): Promise<InstanceAnswer<P, K, T>[]> {
  return Promise.all(
    asks.map(async ({ provider, keys }): Promise<InstanceAnswer<P, K, T>> => {
      try {
        const values = await call(provider, [...keys]);
        checkBatch(capability, provider.instance, keys.length, values.length);
        return { provider, keys, values };
      } catch (error) {
        return { provider, keys, error: toOpsOrchError(error, capability, provider.instance) };
      }
    }),
  );
}
