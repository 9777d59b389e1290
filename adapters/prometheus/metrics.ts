// The metrics capability over a real Prometheus (or anything speaking its HTTP API: Thanos, Mimir, VictoriaMetrics).
import type { MetricAggregation, MetricDescriptorFilter, MetricLabelMatcher, MetricQueryInput, MetricType, ScopeInput } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { badInput, notFound, OpsOrchError } from '../src/errors.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { GoldenSignalsRecord, MetricDescriptorRecord, MetricProvider, MetricResultRecord, MetricSeriesRecord } from '../src/spi/metrics.ts';
import { closeMatches } from '../src/suggest.ts';
import { formatStep, parseDuration, resolveStep, type ResolvedTimeRange } from '../src/time.ts';
import { PrometheusApi, type MatrixSeries, type MetricMetadata } from './api.ts';
import { ServiceIdentity } from '../kit/identity.ts';
import { escapeLabelValue, regexAlternatives } from './promql.ts';
import { DEFAULT_GOLDEN_SIGNALS, type PrometheusSettings } from './settings.ts';

/** How long the metric catalog (metadata and names) is reused before Prometheus is asked again. */
const CATALOG_TTL_MS = 60_000;
/** Label lookups for a page of descriptors run this many at a time. */
const LABEL_LOOKUPS_IN_FLIGHT = 8;
/** Descriptors list the labels seen over this window. */
const LABEL_WINDOW_MS = 3_600_000;

type Kind = 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNKNOWN';

const TYPES: Record<string, Kind> = { counter: 'COUNTER', gauge: 'GAUGE', histogram: 'HISTOGRAM', summary: 'SUMMARY' };

const AGGREGATIONS: Record<Kind, { default: MetricAggregation; allowed: MetricAggregation[] }> = {
  COUNTER: { default: 'RATE', allowed: ['RATE', 'SUM', 'AVG', 'MIN', 'MAX', 'COUNT'] },
  GAUGE: { default: 'AVG', allowed: ['AVG', 'SUM', 'MIN', 'MAX', 'COUNT', 'P50', 'P95', 'P99'] },
  HISTOGRAM: { default: 'P99', allowed: ['P99', 'P95', 'P50', 'AVG', 'RATE', 'COUNT', 'SUM'] },
  SUMMARY: { default: 'AVG', allowed: ['AVG', 'RATE', 'COUNT', 'SUM'] },
  // Untyped series (recording rules, `up`): read like gauges.
  UNKNOWN: { default: 'AVG', allowed: ['AVG', 'SUM', 'MIN', 'MAX', 'COUNT', 'P50', 'P95', 'P99'] },
};

/** Series a histogram or summary is stored as, besides its base name. */
const COMPONENT_SUFFIXES = ['_bucket', '_sum', '_count', '_created'];

interface CatalogEntry {
  name: string;
  kind: Kind;
  rawType: string;
  unit: string;
  help: string;
}

/** Unit from the metadata, else from the naming conventions (`_seconds`, `_bytes`, `_ratio`, `<thing>s_total`). */
function unitOf(name: string, metadata: MetricMetadata | undefined): string {
  if (metadata?.unit) return metadata.unit;
  const base = name.replace(/_total$/, '');
  for (const unit of ['seconds', 'bytes', 'ratio', 'percent', 'celsius', 'volts', 'amperes', 'joules', 'grams', 'meters']) {
    if (base.endsWith(`_${unit}`)) return unit;
  }
  if (name.endsWith('_total')) return base.split('_').pop() ?? '';
  return '';
}

function unitAfter(entry: CatalogEntry, aggregation: MetricAggregation): string {
  if (entry.kind === 'HISTOGRAM' || entry.kind === 'SUMMARY') {
    if (aggregation === 'RATE') return 'observations/s';
    if (aggregation === 'COUNT') return 'observations';
    return entry.unit;
  }
  if (aggregation === 'COUNT') return 'series';
  if (entry.kind === 'COUNTER' && aggregation !== 'SUM') return entry.unit ? `${entry.unit}/s` : 'per second';
  return entry.unit;
}

const QUANTILES: Partial<Record<MetricAggregation, string>> = { P50: '0.5', P95: '0.95', P99: '0.99' };
const MATCH_OPS: Record<string, string> = { EQUALS: '=', NOT_EQUALS: '!=', REGEX: '=~', NOT_REGEX: '!~' };

/** The PromQL for a normalized question: the same shapes the demo world prints, run for real. */
export function toPromQL(entry: CatalogEntry, aggregation: MetricAggregation, groupBy: readonly string[], selector: string, window: string): string {
  const by = groupBy.length > 0 ? ` by (${groupBy.join(', ')})` : '';
  const sel = (suffix = '') => `${entry.name}${suffix}${selector ? `{${selector}}` : ''}`;
  const op = { COUNT: 'count', MIN: 'min', MAX: 'max', AVG: 'avg' }[aggregation as 'COUNT'] ?? 'sum';
  if (entry.kind === 'HISTOGRAM' || entry.kind === 'SUMMARY') {
    const q = QUANTILES[aggregation];
    if (q) return `histogram_quantile(${q}, sum by (${[...groupBy, 'le'].join(', ')}) (rate(${sel('_bucket')}[${window}])))`;
    if (aggregation === 'AVG') return `sum${by} (rate(${sel('_sum')}[${window}])) / sum${by} (rate(${sel('_count')}[${window}]))`;
    if (aggregation === 'RATE') return `sum${by} (rate(${sel('_count')}[${window}]))`;
    if (aggregation === 'COUNT') return `sum${by} (increase(${sel('_count')}[${window}]))`;
    return `sum${by} (increase(${sel('_sum')}[${window}]))`;
  }
  if (entry.kind === 'COUNTER') {
    if (aggregation === 'COUNT') return `count${by} (${sel()})`;
    if (aggregation === 'SUM') return `sum${by} (increase(${sel()}[${window}]))`;
    return `${op}${by} (rate(${sel()}[${window}]))`;
  }
  const q = QUANTILES[aggregation];
  if (q) return `quantile${by} (${q}, ${sel()})`;
  return `${op}${by} (${sel()})`;
}

/** Runs `work` over `items` with at most `limit` in flight, answers in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

function toNumber(text: string): number | null {
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Prometheus' graph page for a query over a window, every parameter URL-encoded (spaces as %20). */
export function graphUrl(externalUrl: string, promql: string, range: { from: Date; to: Date }, stepSeconds: number): string {
  const spanSeconds = Math.max(1, Math.round((range.to.getTime() - range.from.getTime()) / 1000));
  const end = range.to.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '').replace('Z', '');
  const params = new URLSearchParams({
    'g0.expr': promql,
    'g0.tab': '0',
    'g0.range_input': formatStep(spanSeconds),
    'g0.end_input': end,
    'g0.moment_input': end,
    'g0.step_input': String(stepSeconds),
  });
  return `${externalUrl.replace(/\/+$/, '')}/graph?${params.toString().replaceAll('+', '%20')}`;
}

/** Points on the step grid from `startMs` to `endMs`; a step Prometheus left out (no data) is null. */
function pointsOf(series: MatrixSeries | undefined, startMs: number, endMs: number, stepMs: number) {
  const values = new Map<number, number | null>();
  for (const [t, v] of series?.values ?? []) values.set(Math.round(t * 1000), toNumber(v));
  const points: { timestamp: string; value: number | null }[] = [];
  for (let t = startMs; t <= endMs; t += stepMs) points.push({ timestamp: new Date(t).toISOString(), value: values.get(t) ?? null });
  return points;
}

/** The metrics capability over Prometheus' HTTP API. */
export class PrometheusMetricProvider implements MetricProvider {
  readonly kind = 'prometheus';
  readonly instance: string;
  readonly api: PrometheusApi;
  readonly settings: PrometheusSettings;
  private readonly identity: ServiceIdentity;
  private readonly externalUrl: string;
  private metricCatalog: { until: number; entries: Promise<Map<string, CatalogEntry>> } | null = null;
  private readonly catalog: ProviderDeps['catalog'];

  constructor(settings: PrometheusSettings, deps: ProviderDeps) {
    this.instance = deps.instance;
    this.catalog = deps.catalog;
    this.settings = settings;
    this.api = new PrometheusApi({ baseUrl: this.settings.url, auth: this.settings.auth, headers: this.settings.headers, logger: deps.logger });
    this.externalUrl = this.settings.externalUrl ?? this.settings.url;
    this.identity = new ServiceIdentity({ system: this.settings.catalogSystem, aliases: this.settings.serviceAliases, catalog: deps.catalog });
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.http.send({ path: '/-/ready', signal: ctx.signal });
    await this.api.buildInfo(ctx.signal);
  }

  /** Metadata plus every series name, cached for a minute; histogram and summary parts fold into their base name. */
  private entries(ctx: ProviderContext): Promise<Map<string, CatalogEntry>> {
    if (this.metricCatalog && this.metricCatalog.until > Date.now()) return this.metricCatalog.entries;
    const entries = (async () => {
      const now = ctx.now.getTime() / 1000;
      const [metadata, names] = await Promise.all([
        this.api.metadata(ctx.signal),
        this.api.labelValues('__name__', [], now - LABEL_WINDOW_MS / 1000, now, ctx.signal),
      ]);
      const map = new Map<string, CatalogEntry>();
      for (const [name, list] of Object.entries(metadata)) {
        const meta = list[0];
        const kind = TYPES[meta?.type ?? ''] ?? 'UNKNOWN';
        map.set(name, { name, kind, rawType: meta?.type ?? 'unknown', unit: unitOf(name, meta), help: meta?.help ?? '' });
      }
      for (const name of names) {
        if (map.has(name)) continue;
        const suffix = COMPONENT_SUFFIXES.find((s) => name.endsWith(s));
        const base = suffix ? map.get(name.slice(0, -suffix.length)) : undefined;
        if (base && (base.kind === 'HISTOGRAM' || base.kind === 'SUMMARY')) continue;
        map.set(name, { name, kind: 'UNKNOWN', rawType: 'unknown', unit: unitOf(name, undefined), help: '' });
      }
      return map;
    })();
    this.metricCatalog = { until: Date.now() + CATALOG_TTL_MS, entries };
    entries.catch(() => (this.metricCatalog = null));
    return entries;
  }

  private async lookup(name: string, ctx: ProviderContext): Promise<CatalogEntry> {
    const entries = await this.entries(ctx);
    const entry = entries.get(name);
    if (entry) return entry;
    const close = closeMatches(name, [...entries.keys()]);
    throw notFound(
      `unknown metric "${name}" in Prometheus ${this.instance}${close.length > 0 ? `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : ''}; list them with metricDescriptors`,
    );
  }

  /** The series a descriptor's labels are read from (a histogram's buckets carry every label). */
  private seriesName(entry: CatalogEntry): string {
    if (entry.kind === 'HISTOGRAM') return `${entry.name}_bucket`;
    if (entry.kind === 'SUMMARY') return `${entry.name}_count`;
    return entry.name;
  }

  private describe(entry: CatalogEntry, labels: string[]): MetricDescriptorRecord {
    return {
      name: entry.name,
      type: entry.kind as MetricType,
      rawType: entry.rawType,
      unit: entry.unit,
      description: entry.help,
      labels,
      defaultAggregation: AGGREGATIONS[entry.kind].default,
      aggregations: [...AGGREGATIONS[entry.kind].allowed],
    };
  }

  /** Label matchers for a scope: the services' label values (through the identity mapping) and the environment. */
  private async scopeMatchers(scope: ScopeInput | null | undefined, ctx: ProviderContext, environment?: string | null): Promise<string[] | null> {
    const parts: string[] = [];
    let serviceIds: string[] | null = null;
    if (scope?.service) serviceIds = [scope.service];
    if (scope?.team) {
      const owned = (await this.requireCatalog('scope.team').servicesOwnedBy([scope.team], ctx))[0] ?? [];
      serviceIds = serviceIds ? serviceIds.filter((id) => owned.includes(id)) : owned;
    }
    if (serviceIds) {
      if (serviceIds.length === 0) return null;
      const natives = [...new Set([...(await this.identity.toNative(serviceIds, ctx)).values()].flat())];
      parts.push(`${this.settings.serviceLabel}=~"${escapeLabelValue(regexAlternatives(natives))}"`);
    }
    const env = scope?.environment ?? environment ?? undefined;
    if (env) parts.push(`${this.settings.environmentLabel}="${escapeLabelValue(env)}"`);
    return parts;
  }

  private requireCatalog(what: string) {
    if (!this.catalog) throw new OpsOrchError('NOT_SUPPORTED', `${what} needs the service catalog, which this provider was built without`);
    return this.catalog;
  }

  async descriptors(filter: MetricDescriptorFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<MetricDescriptorRecord>> {
    const entries = await this.entries(ctx);
    const text = filter.text?.trim().toLowerCase();
    let names: Set<string> | null = null;
    if (filter.service) {
      const matchers = (await this.scopeMatchers({ service: filter.service }, ctx)) ?? [];
      const now = ctx.now.getTime() / 1000;
      const seen = await this.api.labelValues('__name__', [`{${matchers.join(', ')}}`], now - LABEL_WINDOW_MS / 1000, now, ctx.signal);
      names = new Set(seen.map((n) => {
        const suffix = COMPONENT_SUFFIXES.find((s) => n.endsWith(s) && entries.has(n.slice(0, -s.length)));
        return suffix ? n.slice(0, -suffix.length) : n;
      }));
    }
    const matching = [...entries.values()]
      .filter((e) => !text || e.name.toLowerCase().includes(text) || e.help.toLowerCase().includes(text))
      .filter((e) => !names || names.has(e.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    const slice = pageOfArray(matching, page);
    const now = ctx.now.getTime() / 1000;
    const items = await mapLimited(slice.items, LABEL_LOOKUPS_IN_FLIGHT, async (entry) => {
      const labels = await this.api.labelNames([this.seriesName(entry)], now - LABEL_WINDOW_MS / 1000, now, ctx.signal);
      return this.describe(entry, labels.filter((l) => l !== '__name__' && l !== 'le' && l !== 'quantile'));
    });
    return { ...slice, items };
  }

  async labelValues(name: string, label: string, scope: ScopeInput | null, ctx: ProviderContext): Promise<string[]> {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) throw badInput(`label "${label}" is not a Prometheus label name`);
    const entry = await this.lookup(name, ctx);
    const matchers = await this.scopeMatchers(scope, ctx, ctx.environment);
    if (matchers === null) return [];
    const now = ctx.now.getTime() / 1000;
    const selector = `${this.seriesName(entry)}${matchers.length > 0 ? `{${matchers.join(', ')}}` : ''}`;
    const values = await this.api.labelValues(label, [selector], now - LABEL_WINDOW_MS / 1000, now, ctx.signal);
    return [...values].sort();
  }

  /** The asked step, or the default (about 300 points) but never finer than a scrape: finer steps repeat samples. */
  private step(range: ResolvedTimeRange, step: string | null): number {
    const ms = resolveStep(range, step);
    if (step) return ms;
    const scrapeMs = parseDuration(this.settings.scrapeInterval, 'scrapeInterval');
    return Math.max(ms, Math.ceil(scrapeMs / 1000) * 1000);
  }

  /** Rate windows cover at least four scrapes (so a missed scrape is no gap) and at least one step. */
  private window(stepMs: number): string {
    return formatStep(Math.max(stepMs, 4 * parseDuration(this.settings.scrapeInterval, 'scrapeInterval')) / 1000);
  }

  private grid(range: ResolvedTimeRange, stepMs: number, now: Date) {
    const endMs = Math.min(range.to.getTime(), now.getTime());
    const startMs = Math.ceil(range.from.getTime() / stepMs) * stepMs;
    // The last point is the last grid instant not after the end (Prometheus evaluates start + k*step <= end).
    const lastMs = startMs + Math.floor((endMs - startMs) / stepMs) * stepMs;
    return { startMs, lastMs, endMs };
  }

  async series(query: MetricQueryInput, range: ResolvedTimeRange, step: string | null, ctx: ProviderContext): Promise<MetricResultRecord> {
    const entry = await this.lookup(query.name, ctx);
    const aggregation = query.aggregation ?? AGGREGATIONS[entry.kind].default;
    if (!AGGREGATIONS[entry.kind].allowed.includes(aggregation)) {
      throw badInput(`aggregation ${aggregation} does not apply to ${entry.name}, a ${entry.rawType}; use one of ${AGGREGATIONS[entry.kind].allowed.join(', ')}`);
    }
    const groupBy = query.groupBy ?? [this.settings.serviceLabel, this.settings.environmentLabel];
    groupBy.forEach((label, i) => {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) throw badInput(`query.groupBy[${i}]: "${label}" is not a Prometheus label name`);
    });
    const stepMs = this.step(range, step);
    const scope = await this.scopeMatchers(query.scope, ctx, ctx.environment);
    const matchers = (query.labels ?? []).map(
      (m: MetricLabelMatcher) => `${m.name}${MATCH_OPS[m.op ?? 'EQUALS']}"${escapeLabelValue(m.value)}"`,
    );
    const selector = [...(scope ?? []), ...matchers].join(', ');
    const promql = toPromQL(entry, aggregation, groupBy, selector, this.window(stepMs));
    const { startMs, lastMs, endMs } = this.grid(range, stepMs, ctx.now);
    const base = {
      range: { from: range.from.toISOString(), to: new Date(endMs).toISOString() },
      step: formatStep(stepMs / 1000),
      aggregation,
      query: promql,
      url: graphUrl(this.externalUrl, promql, range, stepMs / 1000),
    };
    if (scope === null || lastMs < startMs) return { ...base, series: [] };
    const data = await this.api.queryRange(promql, startMs / 1000, lastMs / 1000, stepMs / 1000, ctx.signal);
    const serviceIndex = groupBy.indexOf(this.settings.serviceLabel);
    const canonical = serviceIndex >= 0 ? await this.identity.toCanonical(data.result.map((s) => s.metric[this.settings.serviceLabel] ?? ''), ctx) : null;
    const unit = unitAfter(entry, aggregation);
    const series: MetricSeriesRecord[] = data.result
      .map((s) => ({
        name: entry.name,
        labels: groupBy.map((name) => ({ name, value: s.metric[name] ?? '' })),
        aggregation,
        unit,
        serviceId: canonical?.get(s.metric[this.settings.serviceLabel] ?? '') ?? null,
        points: pointsOf(s, startMs, lastMs, stepMs),
      }))
      .sort((a, b) => a.labels.map((l) => l.value).join('\u0000').localeCompare(b.labels.map((l) => l.value).join('\u0000')));
    return { ...base, series };
  }

  async goldenSignalsForServices(
    serviceIds: readonly string[],
    range: ResolvedTimeRange,
    step: string | null,
    ctx: ProviderContext,
  ): Promise<(GoldenSignalsRecord | null)[]> {
    const stepMs = this.step(range, step);
    const natives = await this.identity.toNative(serviceIds, ctx);
    const nativeToIds = new Map<string, string[]>();
    for (const [id, values] of natives) for (const v of values) nativeToIds.set(v, [...(nativeToIds.get(v) ?? []), id]);
    const label = this.settings.serviceLabel;
    const parts = [`${label}=~"${escapeLabelValue(regexAlternatives([...nativeToIds.keys()]))}"`];
    if (this.settings.goldenSignalsEnvironment) parts.push(`${this.settings.environmentLabel}="${escapeLabelValue(this.settings.goldenSignalsEnvironment)}"`);
    const selector = parts.join(', ');
    const { startMs, lastMs, endMs } = this.grid(range, stepMs, ctx.now);
    const window = this.window(stepMs);
    const signals = { ...DEFAULT_GOLDEN_SIGNALS, ...this.settings.goldenSignals };
    const names = ['latencyP99', 'errorRate', 'requestRate', 'saturation'] as const;
    // One range query per signal for the whole batch of services: four calls for N services.
    const answers = await Promise.all(
      names.map(async (signal) => {
        const template = signals[signal];
        const promql = template.query.replaceAll('$selector', selector).replaceAll('$by', label).replaceAll('$window', window);
        if (lastMs < startMs) return [] as MatrixSeries[];
        return (await this.api.queryRange(promql, startMs / 1000, lastMs / 1000, stepMs / 1000, ctx.signal)).result;
      }),
    );
    const resolvedRange = { from: range.from.toISOString(), to: new Date(endMs).toISOString() };
    return serviceIds.map((id) => {
      const own = new Set(natives.get(id) ?? []);
      const record = Object.fromEntries(
        names.map((signal, i) => {
          // Several label values may alias one service: the series with the most data stands for it.
          const candidates = answers[i]!.filter((s) => own.has(s.metric[label] ?? ''));
          const best = candidates.sort((a, b) => b.values.length - a.values.length)[0];
          if (!best) return [signal, null];
          const template = signals[signal];
          const series: MetricSeriesRecord = {
            name: template.name,
            labels: [{ name: label, value: best.metric[label] ?? '' }],
            aggregation: template.aggregation,
            unit: template.unit,
            serviceId: id,
            points: pointsOf(best, startMs, lastMs, stepMs),
          };
          return [signal, series];
        }),
      ) as Pick<GoldenSignalsRecord, (typeof names)[number]>;
      if (names.every((n) => record[n] === null)) return null;
      return { ...record, range: resolvedRange, step: formatStep(stepMs / 1000) };
    });
  }
}
