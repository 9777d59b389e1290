import DataLoader from 'dataloader';
import {
  OpsOrchError,
  toOpsOrchError,
  type Capability,
  type PageRequest,
  type ProviderMap,
} from '@opsorch/adapters';
import type { RequestContext } from '../shared/index.ts';

/** One parent's share of a per-parent link field, asked of one provider instance. */
export interface LinkKey<F> {
  instance: string;
  /** The parent's key, for example a service id. */
  parentId: string;
  /** Field arguments; parents asked with equal arguments share one provider call. */
  filter: F;
  page: PageRequest;
}

/**
 * A DataLoader for a per-parent link field (`Service.incidents`, `Incident.timeline`...): the keys of a batch
 * are grouped by instance and arguments, and each group costs ONE call of the provider's batch method,
 * whatever the number of parents. Duplicate parents (the gateway repeats representations) are asked once.
 * A failing call fails only its own group's keys.
 */
export function linkLoader<C extends Capability, F, T>(
  ctx: RequestContext,
  capability: C,
  call: (provider: ProviderMap[C], parentIds: string[], filter: F, page: PageRequest) => Promise<readonly T[]>,
): DataLoader<LinkKey<F>, T, string> {
  return new DataLoader<LinkKey<F>, T, string>(
    async (keys) => {
      const results: (T | Error)[] = new Array(keys.length);
      const groups = new Map<string, { key: LinkKey<F>; parentIds: string[]; positions: number[] }>();
      keys.forEach((key, position) => {
        const groupId = JSON.stringify([key.instance, key.filter, key.page]);
        const group = groups.get(groupId) ?? { key, parentIds: [], positions: [] };
        group.parentIds.push(key.parentId);
        group.positions.push(position);
        groups.set(groupId, group);
      });
      await Promise.all(
        [...groups.values()].map(async ({ key, parentIds, positions }) => {
          try {
            const provider = ctx.registry.all(capability).find((p) => p.instance === key.instance);
            if (!provider) throw new OpsOrchError('INTERNAL', `no ${capability} provider instance "${key.instance}"`);
            const answer = await call(provider, parentIds, key.filter, key.page);
            if (answer.length !== parentIds.length) {
              throw new OpsOrchError(
                'INTERNAL',
                `${capability} provider ${key.instance} broke the batch contract: expected ${parentIds.length} results in key order, got ${answer.length}`,
              );
            }
            positions.forEach((position, i) => (results[position] = answer[i]!));
          } catch (error) {
            const failure = toOpsOrchError(error, capability, key.instance);
            positions.forEach((position) => (results[position] = failure));
          }
        }),
      );
      return results;
    },
    { cacheKeyFn: (key) => JSON.stringify([key.instance, key.parentId, key.filter, key.page]) },
  );
}
