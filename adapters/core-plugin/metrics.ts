// Metrics from a Core plugin: `metric.query` (series) and `metric.describe` (the catalog). Core has no golden
// signals: a Core plugin's services have none (null slots), as the SPI allows for services a provider does not know.
import type { MetricQueryInput, ScopeInput } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { OpsOrchError } from '../src/errors.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { GoldenSignalsRecord, MetricDescriptorRecord, MetricProvider, MetricResultRecord } from '../src/spi/metrics.ts';
import { parseDuration, type ResolvedTimeRange } from '../src/time.ts';
import type { MetricDescriptorFilter } from '@opsorch/schema';
import { asArray, pairs, str, type CorePlugin, type Json } from './plugin.ts';
import { metricType, normalized } from './vocabulary.ts';

const OPERATORS = { EQUALS: '=', NOT_EQUALS: '!=', REGEX: '=~', NOT_REGEX: '!~' } as const;
/** Core's aggregations; OpsOrch's others (rate, percentiles) are asked as they are, lower case. */
const AGGREGATIONS = ['AVG', 'SUM', 'MIN', 'MAX', 'COUNT', 'RATE', 'P50', 'P95', 'P99'] as const;

export class CoreMetricProvider implements MetricProvider {
  readonly kind = 'core-plugin';
  readonly instance: string;

  constructor(private readonly plugin: CorePlugin) {
    this.instance = plugin.instance;
  }

  private async catalog(scope: ScopeInput | null, ctx: ProviderContext): Promise<MetricDescriptorRecord[]> {
    const service = await this.plugin.nativeService(scope?.service, ctx);
    const answer = await this.plugin.call<Json | Json[] | null>('metric.describe', { service, environment: scope?.environment ?? undefined }, ctx);
    const metrics = asArray(Array.isArray(answer) ? answer : answer?.metrics, 'metric.describe');
    return metrics
      .map((m): MetricDescriptorRecord => ({
        name: String(m.name),
        type: normalized(str(m.type), metricType, 'UNKNOWN'),
        rawType: String(m.type ?? ''),
        unit: str(m.unit) ?? '',
        description: String(m.description ?? ''),
        labels: Array.isArray(m.labels) ? m.labels.map(String) : [],
        defaultAggregation: m.type === 'counter' ? 'RATE' : 'AVG',
        aggregations: [...AGGREGATIONS],
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async descriptors(filter: MetricDescriptorFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<MetricDescriptorRecord>> {
    const text = filter.text?.toLowerCase();
    const all = await this.catalog(filter.service ? { service: filter.service } : null, ctx);
    return pageOfArray(all.filter((m) => !text || m.name.toLowerCase().includes(text) || m.description.toLowerCase().includes(text)), page);
  }

  async series(query: MetricQueryInput, range: ResolvedTimeRange, step: string | null, ctx: ProviderContext): Promise<MetricResultRecord> {
    const stepSeconds = step ? Math.max(1, Math.round(parseDuration(step, 'step') / 1000)) : Math.max(1, Math.round((range.to.getTime() - range.from.getTime()) / 300_000));
    const aggregation = query.aggregation ?? 'AVG';
    const answer = asArray(
      await this.plugin.call(
        'metric.query',
        {
          expression: {
            metricName: query.name,
            aggregation: aggregation.toLowerCase(),
            filters: (query.labels ?? []).map((l) => ({ label: l.name, operator: OPERATORS[l.op ?? 'EQUALS'], value: l.value })),
            groupBy: query.groupBy ?? undefined,
          },
          start: range.from.toISOString(),
          end: range.to.toISOString(),
          step: stepSeconds,
          scope: { service: await this.plugin.nativeService(query.scope?.service, ctx), environment: query.scope?.environment ?? undefined },
        },
        ctx,
      ),
      'metric.query',
    );
    const services = await this.plugin.canonical(answer.map((s) => str(s.service)), ctx);
    const descriptor = (await this.catalog(null, ctx).catch(() => [])).find((d) => d.name === query.name);
    return {
      aggregation,
      step: `${stepSeconds}s`,
      range: { from: range.from.toISOString(), to: range.to.toISOString() },
      query: null,
      url: str(answer[0]?.url),
      series: answer.map((s) => ({
        name: String(s.name ?? query.name),
        labels: pairs(s.labels),
        aggregation,
        unit: descriptor?.unit ?? '',
        points: asArray(s.points, 'metric points').map((p) => ({ timestamp: new Date(Date.parse(String(p.timestamp))).toISOString(), value: typeof p.value === 'number' ? p.value : null })),
        serviceId: str(s.service) ? (services.get(s.service) ?? null) : null,
      })),
    };
  }

  async labelValues(name: string, label: string, scope: ScopeInput | null, ctx: ProviderContext): Promise<string[]> {
    const known = (await this.catalog(scope, ctx)).some((d) => d.name === name);
    if (!known) throw new OpsOrchError('NOT_FOUND', `the Core plugin ${this.instance} has no metric ${name}`);
    const now = ctx.now;
    const result = await this.series({ name, scope, groupBy: [label] }, { from: new Date(now.getTime() - 3_600_000), to: now }, '5m', ctx);
    return [...new Set(result.series.map((s) => s.labels.find((l) => l.name === label)?.value).filter((v): v is string => Boolean(v)))].sort();
  }

  async goldenSignalsForServices(serviceIds: readonly string[]): Promise<(GoldenSignalsRecord | null)[]> {
    return serviceIds.map(() => null);
  }

  close() {
    return this.plugin.close();
  }
}
