import type { GoldenSignalsRecord, ResolvedTimeRange } from '@opsorch/adapters';
import DataLoader from 'dataloader';
import { batchLoader, type RequestContext } from '../shared/index.ts';

/** One service's golden signals under one window and step, as asked of one instance. */
export interface GoldenSignalsKey {
  instance: string;
  serviceId: string;
  range: ResolvedTimeRange;
  step: string | null;
}

export interface MetricLoaders {
  /** `Service.goldenSignals`: one provider call per instance and distinct window and step for a whole batch of services. */
  goldenSignals: DataLoader<GoldenSignalsKey, GoldenSignalsRecord | null, string>;
}

const windowKey = (key: GoldenSignalsKey) => JSON.stringify([key.range.from.toISOString(), key.range.to.toISOString(), key.step]);

export function createMetricLoaders(ctx: RequestContext): MetricLoaders {
  return {
    goldenSignals: batchLoader(
      ctx,
      'metrics',
      windowKey,
      (provider, keys) => provider.goldenSignalsForServices(keys.map((k) => k.serviceId), keys[0]!.range, keys[0]!.step, ctx.provider),
      (key) => `${key.instance}\u0000${key.serviceId}\u0000${windowKey(key)}`,
    ),
  };
}
