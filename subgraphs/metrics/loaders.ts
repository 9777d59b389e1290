import type { GoldenSignalsRecord, MetricProvider, ResolvedTimeRange } from '@opsorch/adapters';
import DataLoader from 'dataloader';
import type { RequestContext } from '../shared/index.ts';

/** One service's golden signals under one window and step, as asked of one instance. */
export interface GoldenSignalsKey {
  serviceId: string;
  range: ResolvedTimeRange;
  step: string | null;
}

export interface MetricLoaders {
  /** `Service.goldenSignals` of one instance: one provider call per distinct window and step for a whole batch of services. */
  goldenSignals(provider: MetricProvider): DataLoader<GoldenSignalsKey, GoldenSignalsRecord | null, string>;
}

const windowKey = (key: GoldenSignalsKey) => JSON.stringify([key.range.from.toISOString(), key.range.to.toISOString(), key.step]);

export function createMetricLoaders(ctx: RequestContext): MetricLoaders {
  const byInstance = new Map<string, DataLoader<GoldenSignalsKey, GoldenSignalsRecord | null, string>>();
  return {
    goldenSignals(provider) {
      let loader = byInstance.get(provider.instance);
      if (!loader) {
        loader = new DataLoader(
          async (keys) => {
            const groups = new Map<string, number[]>();
            keys.forEach((key, i) => groups.set(windowKey(key), [...(groups.get(windowKey(key)) ?? []), i]));
            const results: (GoldenSignalsRecord | null | Error)[] = new Array(keys.length).fill(null);
            await Promise.all(
              [...groups.values()].map(async (positions) => {
                const first = keys[positions[0]!]!;
                try {
                  const ids = positions.map((i) => keys[i]!.serviceId);
                  const answer = await provider.goldenSignalsForServices(ids, first.range, first.step, ctx.provider);
                  positions.forEach((position, j) => (results[position] = answer[j] ?? null));
                } catch (error) {
                  positions.forEach((position) => (results[position] = error as Error));
                }
              }),
            );
            return results;
          },
          { cacheKeyFn: (key) => `${key.serviceId}\u0000${windowKey(key)}` },
        );
        byInstance.set(provider.instance, loader);
      }
      return loader;
    },
  };
}
