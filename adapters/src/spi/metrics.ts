import type { GoldenSignals, MetricDescriptor, MetricDescriptorFilter, MetricQueryInput, MetricResult, MetricSeries, ScopeInput } from '@opsorch/schema';
import type { ProviderContext } from '../context.ts';
import type { Page, PageRequest } from '../paging.ts';
import type { ResolvedTimeRange } from '../time.ts';
import type { ProviderBase } from './base.ts';

export type MetricDescriptorRecord = MetricDescriptor;

/** A result series with its catalog service as an id (null when the series has no `service` label). */
export type MetricSeriesRecord = Omit<MetricSeries, 'service'> & { serviceId: string | null };

/**
 * A metric query's answer as a provider returns it; the resolver adds `providerErrors` and the step policy's
 * `requestedStep` and `maxPoints` (see subgraphs/metrics/step.ts).
 */
export type MetricResultRecord = Omit<MetricResult, 'series' | 'providerErrors' | 'requestedStep' | 'maxPoints'> & { series: MetricSeriesRecord[] };

export type GoldenSignalsRecord = Omit<GoldenSignals, 'latencyP99' | 'errorRate' | 'requestRate' | 'saturation' | 'requestedStep'> & {
  latencyP99: MetricSeriesRecord | null;
  errorRate: MetricSeriesRecord | null;
  requestRate: MetricSeriesRecord | null;
  saturation: MetricSeriesRecord | null;
};

/**
 * The metrics capability's provider contract. Ranges are resolved by the caller. `step` is a duration string
 * (`30s`, `5m`): the subgraph resolves it (its step policy keeps every series within 2,000 points) and always
 * passes one; a provider still validates it and may pick one when given null (its point limits are its own).
 */
export interface MetricProvider extends ProviderBase {
  /** The metric catalog by name. */
  descriptors(filter: MetricDescriptorFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<MetricDescriptorRecord>>;
  /** Sorted values of `label` across the series of metric `name` in `scope`; NOT_FOUND for an unknown metric. */
  labelValues(name: string, label: string, scope: ScopeInput | null, ctx: ProviderContext): Promise<string[]>;
  /** Reads and aggregates a metric; NOT_FOUND (naming close matches) for an unknown metric. */
  series(query: MetricQueryInput, range: ResolvedTimeRange, step: string | null, ctx: ProviderContext): Promise<MetricResultRecord>;
  /** Batch for `Service.goldenSignals`: one slot per service id in key order, null for a service it does not know. */
  goldenSignalsForServices(
    serviceIds: readonly string[],
    range: ResolvedTimeRange,
    step: string | null,
    ctx: ProviderContext,
  ): Promise<(GoldenSignalsRecord | null)[]>;
}
