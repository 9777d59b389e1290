// The metrics capability over Datadog: the v2 timeseries API (step = the request's), the metric catalog (v2
// metrics list, v1 active metrics), tags as labels.
import type { MetricAggregation, MetricDescriptorFilter, MetricQueryInput, MetricType, ScopeInput } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { notFound } from '../src/errors.ts';
import type { Page, PageRequest } from '../src/paging.ts';
import type { GoldenSignalsRecord, MetricDescriptorRecord, MetricProvider, MetricResultRecord, MetricSeriesRecord } from '../src/spi/metrics.ts';
import { closeMatches } from '../src/suggest.ts';
import { formatStep, resolveStep, type ResolvedTimeRange } from '../src/time.ts';
import { pageFromVendor } from '../kit/paging.ts';
import { type TimeseriesAnswer } from './api.ts';
import { metricExplorerUrl } from './links.ts';
import { metricName, metricScope, metricTagKey, metricTagValue } from './query.ts';
import { scopeServices, tagMap } from './scope.ts';
import { DatadogProvider } from './base.ts';
import { DEFAULT_GOLDEN_SIGNALS } from './settings.ts';

const TYPES: Record<string, MetricType> = { gauge: 'GAUGE', count: 'COUNTER', rate: 'COUNTER', distribution: 'HISTOGRAM' };
const AGGREGATIONS: Record<MetricType, { default: MetricAggregation; allowed: MetricAggregation[] }> = {
  GAUGE: { default: 'AVG', allowed: ['AVG', 'SUM', 'MIN', 'MAX'] },
  COUNTER: { default: 'RATE', allowed: ['RATE', 'SUM', 'AVG', 'MIN', 'MAX'] },
  HISTOGRAM: { default: 'P99', allowed: ['P99', 'P95', 'P50', 'AVG', 'SUM', 'MIN', 'MAX', 'COUNT'] },
  SUMMARY: { default: 'AVG', allowed: ['AVG', 'SUM', 'MIN', 'MAX'] },
  UNKNOWN: { default: 'AVG', allowed: ['AVG', 'SUM', 'MIN', 'MAX', 'RATE', 'COUNT', 'P50', 'P95', 'P99'] },
};
/** Names of the metrics active over this window answer "unknown metric" questions. */
const ACTIVE_WINDOW_S = 86_400;
const CATALOG_TTL_MS = 60_000;

/** The classic metrics query of an aggregation: space aggregator, metric, tag filter, grouping, rollup function. */
export function toMetricQuery(name: string, aggregation: MetricAggregation, scope: string, groupBy: readonly string[]): string {
  const by = groupBy.length > 0 ? ` by {${groupBy.join(',')}}` : '';
  const space = { AVG: 'avg', SUM: 'sum', MIN: 'min', MAX: 'max', COUNT: 'count', RATE: 'sum', P50: 'p50', P95: 'p95', P99: 'p99' }[aggregation];
  const suffix = aggregation === 'RATE' ? '.as_rate()' : aggregation === 'SUM' ? '.as_count()' : '';
  return `${space}:${name}{${scope}}${by}${suffix}`;
}

/** Points of one answer series: Datadog's own timestamps (its rollup buckets) with their values. */
function pointsOf(answer: TimeseriesAnswer, index: number) {
  const values = answer.values?.[index] ?? [];
  return (answer.times ?? []).map((t, i) => ({ timestamp: new Date(t).toISOString(), value: values[i] ?? null }));
}

function unitOf(answer: TimeseriesAnswer, index: number): string | null {
  const unit = answer.series?.[index]?.unit;
  if (!unit?.[0]) return null;
  const per = unit[1]?.short_name ?? unit[1]?.name;
  return `${unit[0].short_name ?? unit[0].name ?? ''}${per ? `/${per}` : ''}`;
}

/** Metrics from Datadog. */
export class DatadogMetricProvider extends DatadogProvider implements MetricProvider {
  private active: { until: number; names: Promise<string[]> } | null = null;


  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.metrics(null, 1, undefined, ctx.signal);
  }

  /** Names of the metrics reported in the last day (cached a minute): the "did you mean" of unknown names. */
  private activeNames(ctx: ProviderContext): Promise<string[]> {
    if (this.active && this.active.until > Date.now()) return this.active.names;
    const names = this.api.activeMetrics(Math.floor(ctx.now.getTime() / 1000) - ACTIVE_WINDOW_S, ctx.signal).then((a) => a?.metrics ?? []);
    this.active = { until: Date.now() + CATALOG_TTL_MS, names };
    names.catch(() => (this.active = null));
    return names;
  }

  async descriptors(filter: MetricDescriptorFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<MetricDescriptorRecord>> {
    const text = filter.text?.trim().toLowerCase();
    let tagFilter: string | undefined;
    if (filter.service) {
      const natives = (await this.identity.toNative([filter.service], ctx)).get(filter.service) ?? [filter.service];
      tagFilter = `${this.settings.serviceTag}:${metricTagValue(natives[0]!, 'filter.service')}`;
    }
    return pageFromVendor(
      page,
      async (cursor: string | null, limit) => {
        const answer = await this.api.metrics(cursor, Math.max(limit, 100), tagFilter, ctx.signal);
        // Text filtering happens per vendor page, the same way every time, so the paging cursor stays exact.
        const items = (answer?.data ?? [])
          .filter((m) => !text || m.id.toLowerCase().includes(text))
          .map((m): MetricDescriptorRecord => {
            const rawType = m.attributes?.metric_type ?? 'unknown';
            const type = TYPES[rawType] ?? 'UNKNOWN';
            return {
              name: m.id,
              type,
              rawType,
              unit: '',
              description: '',
              labels: m.attributes?.tags ?? [],
              defaultAggregation: AGGREGATIONS[type].default,
              aggregations: [...AGGREGATIONS[type].allowed],
            };
          });
        return { items, next: answer?.meta?.pagination?.next_cursor ?? null };
      },
      { maxPageSize: 10_000 },
    );
  }

  async labelValues(name: string, label: string, scope: ScopeInput | null, ctx: ProviderContext): Promise<string[]> {
    metricName(name);
    metricTagKey(label, 'label');
    const services = await scopeServices(scope, this.identity, this.catalog, ctx);
    if (services?.length === 0) return [];
    const filter = metricScope({ services, environment: scope?.environment ?? ctx.environment }, this.tags);
    const to = ctx.now.getTime();
    const answer = await this.api.timeseries([{ data_source: 'metrics', name: 'a', query: `avg:${name}{${filter}} by {${label}}` }], [], to - 3_600_000, to, 3_600_000, ctx.signal);
    if ((answer.series ?? []).length === 0) await this.requireKnown(name, ctx);
    const values = new Set<string>();
    for (const series of answer.series ?? []) {
      const value = tagMap(series.group_tags).get(label);
      if (value !== undefined && value !== 'N/A') values.add(value);
    }
    return [...values].sort();
  }

  /** NOT_FOUND, naming close matches, when Datadog has not seen the metric in the last day. */
  private async requireKnown(name: string, ctx: ProviderContext): Promise<void> {
    const names = await this.activeNames(ctx);
    if (names.includes(name)) return;
    const close = closeMatches(name, names);
    throw notFound(`unknown metric "${name}" in Datadog ${this.instance}${close.length > 0 ? `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : ''}; list them with metricDescriptors`);
  }

  async series(query: MetricQueryInput, range: ResolvedTimeRange, step: string | null, ctx: ProviderContext): Promise<MetricResultRecord> {
    const name = metricName(query.name);
    const aggregation = query.aggregation ?? 'AVG';
    const groupBy = (query.groupBy ?? [this.settings.serviceTag, this.settings.environmentTag]).map((k, i) => metricTagKey(k, `query.groupBy[${i}]`));
    const services = await scopeServices(query.scope, this.identity, this.catalog, ctx);
    const filter = metricScope({ services, environment: query.scope?.environment ?? ctx.environment, labels: query.labels }, this.tags);
    const text = toMetricQuery(name, aggregation, filter, groupBy);
    const stepMs = resolveStep(range, step);
    const to = new Date(Math.min(range.to.getTime(), ctx.now.getTime()));
    const base = {
      range: { from: range.from.toISOString(), to: to.toISOString() },
      step: formatStep(stepMs / 1000),
      aggregation,
      query: text,
      url: metricExplorerUrl(this.app, text, { from: range.from, to }),
    };
    if (services?.length === 0 || to <= range.from) return { ...base, series: [] };
    const answer = await this.api.timeseries([{ data_source: 'metrics', name: 'a', query: text }], [], range.from.getTime(), to.getTime(), stepMs, ctx.signal);
    if ((answer.series ?? []).length === 0) await this.requireKnown(name, ctx);
    const serviceValues = (answer.series ?? []).map((s) => tagMap(s.group_tags).get(this.settings.serviceTag) ?? '');
    const canonical = await this.identity.toCanonical(serviceValues.filter(Boolean), ctx);
    const series: MetricSeriesRecord[] = (answer.series ?? []).map((s, i) => {
      const tags = tagMap(s.group_tags);
      return {
        name,
        labels: groupBy.map((key) => ({ name: key, value: tags.get(key) ?? '' })),
        aggregation,
        unit: unitOf(answer, i) ?? '',
        serviceId: canonical.get(serviceValues[i]!) ?? null,
        points: pointsOf(answer, i),
      };
    });
    series.sort((a, b) => a.labels.map((l) => l.value).join('\u0000').localeCompare(b.labels.map((l) => l.value).join('\u0000')));
    return { ...base, series };
  }

  /** Every golden signal of every asked service in ONE timeseries call (one formula per signal). */
  async goldenSignalsForServices(serviceIds: readonly string[], range: ResolvedTimeRange, step: string | null, ctx: ProviderContext): Promise<(GoldenSignalsRecord | null)[]> {
    const stepMs = resolveStep(range, step);
    const natives = await this.identity.toNative(serviceIds, ctx);
    const values = [...new Set([...natives.values()].flat())];
    const scope = metricScope({ services: values, environment: this.settings.goldenSignalsEnvironment }, this.tags);
    const signals = { ...DEFAULT_GOLDEN_SIGNALS, ...this.settings.goldenSignals };
    const names = ['latencyP99', 'errorRate', 'requestRate', 'saturation'] as const;
    const queries = names.flatMap((signal, s) =>
      Object.entries(signals[signal].queries).map(([q, text]) => ({
        data_source: 'metrics' as const,
        name: `${q}${s}`,
        query: text.replaceAll('$scope', scope).replaceAll('$by', this.settings.serviceTag),
      })),
    );
    // Formula names are suffixed per signal so the four signals' `a` and `b` stay apart in one request.
    const formulas = names.map((signal, s) => {
      const template = signals[signal];
      const formula = template.formula ?? Object.keys(template.queries)[0]!;
      return formula.replace(/\b([a-z][a-z0-9_]*)\b/g, (word) => (word in template.queries ? `${word}${s}` : word));
    });
    const to = new Date(Math.min(range.to.getTime(), ctx.now.getTime()));
    const answer = to > range.from ? await this.api.timeseries(queries, formulas, range.from.getTime(), to.getTime(), stepMs, ctx.signal) : {};
    const resolvedRange = { from: range.from.toISOString(), to: to.toISOString() };
    return serviceIds.map((id) => {
      const own = new Set(natives.get(id) ?? []);
      const record = Object.fromEntries(
        names.map((signal, s) => {
          const index = (answer.series ?? []).findIndex((series) => (series.query_index ?? 0) === s && own.has(tagMap(series.group_tags).get(this.settings.serviceTag) ?? ''));
          if (index < 0) return [signal, null];
          const template = signals[signal];
          const series: MetricSeriesRecord = {
            name: template.name,
            labels: [{ name: this.settings.serviceTag, value: tagMap(answer.series![index]!.group_tags).get(this.settings.serviceTag) ?? '' }],
            aggregation: template.aggregation,
            unit: template.unit,
            serviceId: id,
            points: pointsOf(answer, index),
          };
          return [signal, series];
        }),
      ) as Pick<GoldenSignalsRecord, (typeof names)[number]>;
      if (names.every((n) => record[n] === null)) return null;
      return { ...record, range: resolvedRange, step: formatStep(stepMs / 1000) };
    });
  }
}
