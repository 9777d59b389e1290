// Demo metric provider: a Prometheus-like catalog whose series are computed on demand from
// (DEMO_SEED, service, timestamp, step): diurnal traffic, baseline latency and errors from the world's
// services, gaussian noise, and scenario effects ramping in and out. Nothing is stored.
import type { MetricAggregation, MetricDescriptorFilter, MetricLabelMatcher, MetricQueryInput, MetricType, ScopeInput } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { CpuSlices } from '../src/cooperative.ts';
import { badInput, notFound } from '../src/errors.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import { compileUserPattern } from '../src/patterns.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { GoldenSignalsRecord, MetricDescriptorRecord, MetricProvider, MetricResultRecord, MetricSeriesRecord } from '../src/spi/metrics.ts';
import { formatStep, resolveStep, type ResolvedTimeRange } from '../src/time.ts';
import { gaussian, hashString, rngFor } from './random.ts';
import {
  ENVIRONMENTS,
  diskUsedRatio,
  effectsOver,
  hasDbClientPool,
  hasDisk,
  normalPoolUse,
  applySaturation,
  podsOf,
  poolCapacity,
  poolName,
  resolveScope,
  suggest,
  trafficShape,
} from './signals.ts';
import { DEMO_SEED, serviceById, type DemoService, type Environment } from './world.ts';

const PROMETHEUS = 'http://prometheus.acme-shop.example';

/** Raw samples one query may compute (series x points) before it must be narrowed. */
const MAX_SAMPLES = 6_000_000;
/** Prometheus scrapes every 15 s. */
const SCRAPE_MS = 15_000;
/** How often the demo's Prometheus misses a whole scrape round (a restart, a stalled TSDB). */
const MISSED_SCRAPE_ODDS = 0.002;

/**
 * Whether the scrape round a point at `tMs` reads was missed. The miss is world-wide (one Prometheus scrapes
 * every target), so every series of an instant is missing together: an aggregate is then empty (a gap), never
 * a sum that lost some of its members.
 */
function missedScrape(tMs: number): boolean {
  return rngFor(DEMO_SEED, 'missed-scrape', Math.floor(tMs / SCRAPE_MS))() < MISSED_SCRAPE_ODDS;
}

/**
 * Whether a point of this metric is missing at `tMs`, as Prometheus would answer. A gauge point is an instant
 * sample: after a missed scrape its series are stale, so the point is absent. Counters and histograms are read
 * through rate()/increase() over a window of at least four scrapes, which computes from the samples it has:
 * one missed scrape changes nothing. Steps above a minute stand for several scrapes and never miss.
 */
function missingAt(kind: Kind, tMs: number, stepMs: number): boolean {
  return kind === 'GAUGE' && stepMs <= 4 * SCRAPE_MS && missedScrape(tMs);
}

type Kind = 'COUNTER' | 'GAUGE' | 'HISTOGRAM';

/** What one raw series reports at one point. Histograms report a distribution. */
interface HistogramValue {
  rate: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** The state of one service environment over one step: computed once and shared by every series. */
interface State {
  rps: number;
  errorRatio: number;
  p50: number;
  p99: number;
  cpu: number;
  memoryBytes: number;
  poolUse: number;
  lag: number;
  tMs: number;
  environment: Environment;
}

interface RawSeries {
  service: DemoService;
  environment: Environment;
  labels: Record<string, string>;
  value: (state: State) => number | HistogramValue;
}

interface MetricDefinition {
  name: string;
  type: Kind;
  unit: string;
  description: string;
  labels: string[];
  appliesTo: (service: DemoService) => boolean;
  series: (service: DemoService, environment: Environment) => RawSeries[];
}

const HTTP_KINDS = new Set(['service', 'frontend', 'third-party']);
const isHttp = (s: DemoService) => HTTP_KINDS.has(s.kind);
const isDatabase = (s: DemoService) => s.kind === 'database';
const isQueue = (s: DemoService) => s.kind === 'queue';

/** A fixed share per item that sums to 1, deterministic per service (busier routes, topics...). */
function shares(service: DemoService, what: string, count: number): number[] {
  const weights = Array.from({ length: count }, (_, i) => 1 + (hashString(`${DEMO_SEED}:${service.id}:${what}:${i}`) % 5));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** A fixed factor around 1 (0.75..1.35) per item: some routes are slower, some pods busier. */
function spread(service: DemoService, what: string, i: number): number {
  return 0.75 + (hashString(`${DEMO_SEED}:${service.id}:${what}:${i}:spread`) % 61) / 100;
}

function histogram(rate: number, p50: number, p99: number): HistogramValue {
  const sigma = Math.log(Math.max(p99 / p50, 1.01)) / 2.326;
  return { rate, p50, p95: p50 * Math.exp(1.645 * sigma), p99, mean: p50 * Math.exp((sigma * sigma) / 2) };
}

function endpoints(service: DemoService) {
  return service.endpoints.length > 0 ? service.endpoints : [{ method: 'GET' as const, path: '/healthz' }];
}

const CODES = ['200', '404', '500'] as const;
function codeShare(code: (typeof CODES)[number], s: State): number {
  if (code === '500') return s.errorRatio;
  if (code === '404') return 0.012;
  return Math.max(0, 1 - s.errorRatio - 0.012);
}

const DATABASE_NAMES: Record<string, string> = { 'orders-db': 'orders', 'sessions-cache': 'sessions' };
const KAFKA_TOPICS = ['orders.created', 'orders.paid', 'stock.changed', 'notifications.outbound', 'payments.events'];
const CONSUMER_GROUPS: [group: string, topic: string][] = [
  ['notifications', 'notifications.outbound'],
  ['inventory-sync', 'stock.changed'],
  ['fraud-features', 'payments.events'],
  ['shipping-events', 'orders.paid'],
  ['recommendations-events', 'orders.created'],
];

const base = (service: DemoService, environment: Environment) => ({ service: service.id, env: environment });

/** The catalog. Every label list starts with `service` and `env`. */
export const METRICS: readonly MetricDefinition[] = [
  {
    name: 'http_requests_total',
    type: 'COUNTER',
    unit: 'requests',
    description: 'HTTP requests served, by route and status code. Read as RATE for requests per second.',
    labels: ['service', 'env', 'method', 'route', 'code'],
    appliesTo: isHttp,
    series: (service, environment) => {
      const routes = endpoints(service);
      const routeShares = shares(service, 'route', routes.length);
      return routes.flatMap((route, i) =>
        CODES.map((code) => ({
          service,
          environment,
          labels: { ...base(service, environment), method: route.method, route: route.path, code },
          value: (s: State) => s.rps * routeShares[i]! * codeShare(code, s),
        })),
      );
    },
  },
  {
    name: 'http_errors_total',
    type: 'COUNTER',
    unit: 'requests',
    description: 'HTTP requests that failed with a 5xx status, by route. Read as RATE for errors per second.',
    labels: ['service', 'env', 'method', 'route', 'code'],
    appliesTo: isHttp,
    series: (service, environment) => {
      const routes = endpoints(service);
      const routeShares = shares(service, 'route', routes.length);
      return routes.map((route, i) => ({
        service,
        environment,
        labels: { ...base(service, environment), method: route.method, route: route.path, code: '500' },
        value: (s: State) => s.rps * routeShares[i]! * s.errorRatio,
      }));
    },
  },
  {
    name: 'http_request_duration_seconds',
    type: 'HISTOGRAM',
    unit: 'seconds',
    description: 'Latency of HTTP requests, by route. Read P50, P95 or P99 (histogram_quantile), or AVG.',
    labels: ['service', 'env', 'method', 'route'],
    appliesTo: isHttp,
    series: (service, environment) => {
      const routes = endpoints(service);
      const routeShares = shares(service, 'route', routes.length);
      return routes.map((route, i) => {
        const slower = spread(service, 'route', i);
        return {
          service,
          environment,
          labels: { ...base(service, environment), method: route.method, route: route.path },
          value: (s: State) => histogram(s.rps * routeShares[i]!, s.p50 * slower, s.p99 * slower),
        };
      });
    },
  },
  {
    name: 'error_ratio',
    type: 'GAUGE',
    unit: 'ratio',
    description: 'Fraction of requests (or queries, or broker requests) that failed, 0 to 1, over the step.',
    labels: ['service', 'env'],
    appliesTo: () => true,
    series: (service, environment) => [{ service, environment, labels: base(service, environment), value: (s: State) => s.errorRatio }],
  },
  {
    name: 'cpu_usage_ratio',
    type: 'GAUGE',
    unit: 'ratio',
    description: 'CPU used by each pod as a fraction of its CPU limit, 0 to 1.',
    labels: ['service', 'env', 'pod'],
    appliesTo: () => true,
    series: (service, environment) =>
      podsOf(service, environment).map((pod, i) => {
        const factor = spread(service, `cpu-${environment}`, i) * 0.95;
        return { service, environment, labels: { ...base(service, environment), pod }, value: (s: State) => Math.min(1, s.cpu * factor) };
      }),
  },
  {
    name: 'memory_usage_bytes',
    type: 'GAUGE',
    unit: 'bytes',
    description: 'Resident memory of each pod (working set), in bytes.',
    labels: ['service', 'env', 'pod'],
    appliesTo: () => true,
    series: (service, environment) =>
      podsOf(service, environment).map((pod, i) => {
        const factor = 0.9 + (spread(service, `mem-${environment}`, i) - 0.75) / 3;
        return { service, environment, labels: { ...base(service, environment), pod }, value: (s: State) => Math.round(s.memoryBytes * factor) };
      }),
  },
  {
    name: 'db_connections_in_use',
    type: 'GAUGE',
    unit: 'connections',
    description: 'Connections in use in the connection pool: server connections of a database pooler, or a service\'s client pool.',
    labels: ['service', 'env', 'pool'],
    appliesTo: (s) => isDatabase(s) || hasDbClientPool(s),
    series: (service, environment) => [
      {
        service,
        environment,
        labels: { ...base(service, environment), pool: poolName(service) },
        value: (s: State) => Math.round(s.poolUse * poolCapacity(service)),
      },
    ],
  },
  {
    name: 'db_pool_saturation_ratio',
    type: 'GAUGE',
    unit: 'ratio',
    description: 'Connections in use divided by the pool size, 0 to 1: at 1 new requests wait for a connection.',
    labels: ['service', 'env', 'pool'],
    appliesTo: (s) => isDatabase(s) || hasDbClientPool(s),
    series: (service, environment) => [
      { service, environment, labels: { ...base(service, environment), pool: poolName(service) }, value: (s: State) => s.poolUse },
    ],
  },
  {
    name: 'db_queries_total',
    type: 'COUNTER',
    unit: 'queries',
    description: 'Queries (or commands) executed by the database. Read as RATE for queries per second.',
    labels: ['service', 'env', 'database'],
    appliesTo: isDatabase,
    series: (service, environment) => [
      { service, environment, labels: { ...base(service, environment), database: DATABASE_NAMES[service.id] ?? service.id }, value: (s: State) => s.rps },
    ],
  },
  {
    name: 'db_query_duration_seconds',
    type: 'HISTOGRAM',
    unit: 'seconds',
    description: 'Query (or command) execution time in the database. Read P50, P95 or P99, or AVG.',
    labels: ['service', 'env', 'database'],
    appliesTo: isDatabase,
    series: (service, environment) => [
      {
        service,
        environment,
        labels: { ...base(service, environment), database: DATABASE_NAMES[service.id] ?? service.id },
        value: (s: State) => histogram(s.rps, s.p50, s.p99),
      },
    ],
  },
  {
    name: 'disk_used_ratio',
    type: 'GAUGE',
    unit: 'ratio',
    description: 'Fraction of the data volume used on each pod, 0 to 1 (1 - node_filesystem_avail_bytes / size).',
    labels: ['service', 'env', 'pod', 'mountpoint'],
    appliesTo: hasDisk,
    series: (service, environment) =>
      podsOf(service, environment).map((pod, i) => ({
        service,
        environment,
        labels: { ...base(service, environment), pod, mountpoint: '/data' },
        value: (s: State) =>
          environment === 'production' ? diskUsedRatio(service, i, s.tMs) : 0.22 + 0.04 * dayFraction(s.tMs),
      })),
  },
  {
    name: 'kafka_messages_in_total',
    type: 'COUNTER',
    unit: 'messages',
    description: 'Messages written to the brokers, by topic. Read as RATE for messages per second.',
    labels: ['service', 'env', 'topic'],
    appliesTo: isQueue,
    series: (service, environment) => {
      const topicShares = shares(service, 'topic', KAFKA_TOPICS.length);
      return KAFKA_TOPICS.map((topic, i) => ({
        service,
        environment,
        labels: { ...base(service, environment), topic },
        value: (s: State) => s.rps * topicShares[i]!,
      }));
    },
  },
  {
    name: 'kafka_consumer_lag',
    type: 'GAUGE',
    unit: 'messages',
    description: 'Messages a consumer group still has to read, by group and topic.',
    labels: ['service', 'env', 'group', 'topic'],
    appliesTo: isQueue,
    series: (service, environment) =>
      CONSUMER_GROUPS.map(([group, topic], i) => {
        const factor = spread(service, 'lag', i);
        return { service, environment, labels: { ...base(service, environment), group, topic }, value: (s: State) => Math.round(s.lag * factor) };
      }),
  },
  {
    name: 'kafka_request_duration_seconds',
    type: 'HISTOGRAM',
    unit: 'seconds',
    description: 'Broker request latency (Produce and Fetch). Read P50, P95 or P99, or AVG.',
    labels: ['service', 'env', 'request'],
    appliesTo: isQueue,
    series: (service, environment) =>
      ['Produce', 'Fetch'].map((request, i) => ({
        service,
        environment,
        labels: { ...base(service, environment), request },
        value: (s: State) => histogram(s.rps / 2, s.p50 * (i === 0 ? 1.2 : 0.8), s.p99 * (i === 0 ? 1.2 : 0.8)),
      })),
  },
];

const metricByName = new Map(METRICS.map((m) => [m.name, m]));

const AGGREGATIONS: Record<Kind, { default: MetricAggregation; allowed: MetricAggregation[] }> = {
  COUNTER: { default: 'RATE', allowed: ['RATE', 'SUM', 'AVG', 'MIN', 'MAX', 'COUNT'] },
  GAUGE: { default: 'AVG', allowed: ['AVG', 'SUM', 'MIN', 'MAX', 'COUNT', 'P50', 'P95', 'P99'] },
  HISTOGRAM: { default: 'P99', allowed: ['P99', 'P95', 'P50', 'AVG', 'RATE', 'COUNT', 'SUM'] },
};

function describe(metric: MetricDefinition): MetricDescriptorRecord {
  return {
    name: metric.name,
    type: metric.type as MetricType,
    rawType: metric.type.toLowerCase(),
    unit: metric.unit,
    description: metric.description,
    labels: [...metric.labels],
    defaultAggregation: AGGREGATIONS[metric.type].default,
    aggregations: [...AGGREGATIONS[metric.type].allowed],
  };
}

// ---------------------------------------------------------------------------------------------
// Steps


// ---------------------------------------------------------------------------------------------
// Evaluation

/** Per-call cache of service states, so every series and every golden signal shares one computation. */
class StateCache {
  private readonly states = new Map<string, State[]>();

  constructor(private readonly stepMs: number) {}

  /** The states of a service environment at each timestamp. */
  async statesOf(service: DemoService, environment: Environment, timestamps: readonly number[], work: CpuSlices): Promise<State[]> {
    const key = `${service.id}|${environment}|${timestamps[0]}|${timestamps.length}`;
    let states = this.states.get(key);
    if (!states) {
      states = [];
      for (const t of timestamps) {
        if (work.due()) await work.pause();
        states.push(computeState(service, environment, t, this.stepMs));
      }
      this.states.set(key, states);
    }
    return states;
  }
}

function computeState(service: DemoService, environment: Environment, tMs: number, stepMs: number): State {
  const rng = rngFor(DEMO_SEED, 'metrics', service.id, environment, tMs, stepMs);
  // Noise shrinks as a step averages more scrapes.
  const damp = 1 / Math.sqrt(Math.max(1, stepMs / SCRAPE_MS));
  const shape = trafficShape(tMs);
  const b = service.baseline;
  const production = environment === 'production';
  const effects = production ? effectsOver(service.id, tMs - stepMs, tMs) : { extraErrorRate: 0, latencyFactor: 1, saturation: [] };
  const load = 1 + 0.15 * (shape - 1);
  const rps = b.rps * (production ? 1 : 0.03) * shape * Math.max(0.2, 1 + 0.05 * damp * gaussian(rng));
  const errorRatio = Math.min(0.95, b.errorRate * Math.max(0.1, 1 + 0.35 * damp * gaussian(rng)) + effects.extraErrorRate);
  const p50 = (b.p50Ms / 1000) * load * effects.latencyFactor * Math.max(0.5, 1 + 0.06 * damp * gaussian(rng));
  const p99 = Math.max(p50 * 1.5, (b.p99Ms / 1000) * load * effects.latencyFactor * Math.max(0.5, 1 + 0.1 * damp * gaussian(rng)));
  const cpu = Math.min(1, b.cpu * (production ? 1 : 0.4) * (0.55 + 0.45 * shape) * (1 + 0.1 * (effects.latencyFactor - 1) ** 0.5) * Math.max(0.3, 1 + 0.06 * damp * gaussian(rng)));
  const memoryBytes = b.memoryMb * 1_048_576 * (production ? 1 : 0.6) * (0.78 + 0.1 * dayFraction(tMs)) * (1 + 0.01 * damp * gaussian(rng));
  const poolUse = applySaturation(normalPoolUse(service, tMs) * (production ? 1 : 0.2) * Math.max(0.5, 1 + 0.05 * damp * gaussian(rng)), effects.saturation);
  const lag = (production ? 160 : 12) * shape * Math.max(0.1, 1 + 0.3 * damp * gaussian(rng)) * (1 + 20 * effects.saturation.reduce((m, s) => Math.max(m, s.weight), 0));
  return { rps, errorRatio, p50, p99, cpu, memoryBytes, poolUse, lag, tMs, environment };
}

/** Position of an instant in its UTC day, 0..1 (memory and disk creep up until the nightly restart or compaction). */
function dayFraction(tMs: number): number {
  return (((tMs / 86_400_000) % 1) + 1) % 1;
}

function quantile(sorted: number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** Combines the raw values of one group at one point. Null when no series had a value. */
function aggregate(kind: Kind, aggregation: MetricAggregation, values: (number | HistogramValue)[], stepSeconds: number): number | null {
  if (values.length === 0) return null;
  if (kind === 'HISTOGRAM') {
    const hs = values as HistogramValue[];
    const rate = hs.reduce((sum, h) => sum + h.rate, 0);
    // Rate-weighted quantiles: close to histogram_quantile over the merged buckets for similar routes.
    const weighted = (f: (h: HistogramValue) => number) => (rate > 0 ? hs.reduce((sum, h) => sum + h.rate * f(h), 0) / rate : hs.reduce((sum, h) => sum + f(h), 0) / hs.length);
    switch (aggregation) {
      case 'P50': return weighted((h) => h.p50);
      case 'P95': return weighted((h) => h.p95);
      case 'P99': return weighted((h) => h.p99);
      case 'AVG': return weighted((h) => h.mean);
      case 'RATE': return rate;
      case 'COUNT': return rate * stepSeconds;
      case 'SUM': return weighted((h) => h.mean) * rate * stepSeconds;
      default: return null;
    }
  }
  const xs = values as number[];
  switch (aggregation) {
    case 'COUNT': return xs.length;
    case 'MIN': return Math.min(...xs);
    case 'MAX': return Math.max(...xs);
    case 'AVG': return xs.reduce((a, b) => a + b, 0) / xs.length;
    case 'RATE': return xs.reduce((a, b) => a + b, 0);
    case 'SUM': return xs.reduce((a, b) => a + b, 0) * (kind === 'COUNTER' ? stepSeconds : 1);
    default: {
      const q = aggregation === 'P50' ? 0.5 : aggregation === 'P95' ? 0.95 : 0.99;
      return quantile([...xs].sort((a, b) => a - b), q);
    }
  }
}

function unitAfter(metric: MetricDefinition, aggregation: MetricAggregation): string {
  if (metric.type === 'HISTOGRAM') {
    if (aggregation === 'RATE') return 'observations/s';
    if (aggregation === 'COUNT') return 'observations';
    return metric.unit;
  }
  if (aggregation === 'COUNT') return 'series';
  if (metric.type === 'COUNTER' && aggregation !== 'SUM') return `${metric.unit}/s`;
  return metric.unit;
}

/** Six significant digits: the noise is not more precise than that, and the JSON stays small. */
function round(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const scale = 10 ** (5 - Math.floor(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
}

const PROMQL_OPS: Record<string, string> = { EQUALS: '=', NOT_EQUALS: '!=', REGEX: '=~', NOT_REGEX: '!~' };

/** The PromQL a Prometheus user would type for the same question. */
function toPromQL(metric: MetricDefinition, aggregation: MetricAggregation, groupBy: string[], selector: string, stepMs: number): string {
  const window = formatStep(Math.max(60, stepMs / 1000));
  const by = groupBy.length > 0 ? ` by (${groupBy.join(', ')})` : '';
  const op = aggregation === 'COUNT' ? 'count' : aggregation === 'MIN' ? 'min' : aggregation === 'MAX' ? 'max' : aggregation === 'AVG' ? 'avg' : 'sum';
  if (metric.type === 'HISTOGRAM') {
    const q = { P50: '0.5', P95: '0.95', P99: '0.99' }[aggregation as 'P50'];
    if (q) return `histogram_quantile(${q}, sum by (${[...groupBy, 'le'].join(', ')}) (rate(${metric.name}_bucket${selector}[${window}])))`;
    if (aggregation === 'AVG') return `sum${by} (rate(${metric.name}_sum${selector}[${window}])) / sum${by} (rate(${metric.name}_count${selector}[${window}]))`;
    if (aggregation === 'RATE') return `sum${by} (rate(${metric.name}_count${selector}[${window}]))`;
    if (aggregation === 'COUNT') return `sum${by} (increase(${metric.name}_count${selector}[${window}]))`;
    return `sum${by} (increase(${metric.name}_sum${selector}[${window}]))`;
  }
  if (metric.type === 'COUNTER') {
    if (aggregation === 'COUNT') return `count${by} (${metric.name}${selector})`;
    if (aggregation === 'SUM') return `sum${by} (increase(${metric.name}${selector}[${window}]))`;
    return `${op}${by} (rate(${metric.name}${selector}[${window}]))`;
  }
  const q = { P50: '0.5', P95: '0.95', P99: '0.99' }[aggregation as 'P50'];
  if (q) return `quantile${by} (${q}, ${metric.name}${selector})`;
  return `${op}${by} (${metric.name}${selector})`;
}

interface Evaluation {
  series: MetricSeriesRecord[];
  aggregation: MetricAggregation;
  query: string;
}

function lookupMetric(name: string): MetricDefinition {
  const metric = metricByName.get(name);
  if (!metric) throw notFound(`unknown metric "${name}"${suggest(name, METRICS.map((m) => m.name))}; list them with metricDescriptors`);
  return metric;
}

function checkLabel(metric: MetricDefinition, label: string, where: string): void {
  if (!metric.labels.includes(label)) {
    throw badInput(`${where}: metric ${metric.name} has no label "${label}"; its labels are ${metric.labels.join(', ')}`);
  }
}

/** Raw series of a metric for the scoped services and environments, filtered by the label matchers. */
function matchingSeries(metric: MetricDefinition, scope: ScopeInput | null | undefined, matchers: readonly MetricLabelMatcher[], defaultEnvironment?: string): RawSeries[] {
  const resolved = resolveScope(scope, defaultEnvironment);
  const tests = matchers.map((matcher, index) => {
    const where = `query.labels[${index}]`;
    checkLabel(metric, matcher.name, where);
    const op = matcher.op ?? 'EQUALS';
    if (op === 'REGEX' || op === 'NOT_REGEX') {
      // PromQL regex matchers are anchored at both ends.
      const regex = compileUserPattern(matcher.value, `${where} (label "${matcher.name}")`, 'full');
      return (labels: Record<string, string>) => regex.test(labels[matcher.name] ?? '') === (op === 'REGEX');
    }
    return (labels: Record<string, string>) => (labels[matcher.name] === matcher.value) === (op === 'EQUALS');
  });
  const out: RawSeries[] = [];
  for (const service of resolved.services) {
    if (!metric.appliesTo(service)) continue;
    for (const environment of ENVIRONMENTS) {
      if (resolved.environment !== null && environment !== resolved.environment) continue;
      for (const series of metric.series(service, environment)) if (tests.every((t) => t(series.labels))) out.push(series);
    }
  }
  return out;
}

function selectorOf(scope: ScopeInput | null | undefined, matchers: readonly MetricLabelMatcher[], defaultEnvironment?: string): string {
  const parts: string[] = [];
  if (scope?.service) parts.push(`service="${escapeLabel(scope.service)}"`);
  else if (scope?.team) parts.push(`service=~"${resolveScope({ team: scope.team }).services.map((s) => s.id).join('|')}"`);
  const environment = scope?.environment ?? defaultEnvironment;
  if (environment) parts.push(`env="${escapeLabel(environment)}"`);
  for (const m of matchers) parts.push(`${m.name}${PROMQL_OPS[m.op ?? 'EQUALS']}"${escapeLabel(m.value)}"`);
  return parts.length > 0 ? `{${parts.join(', ')}}` : '';
}

/** Computes a query's series, in slices that yield to the event loop (`work`) and stop at the call's deadline. */
async function evaluate(
  query: MetricQueryInput,
  range: ResolvedTimeRange,
  stepMs: number,
  now: Date,
  cache: StateCache,
  work: CpuSlices,
  defaultEnvironment?: string,
): Promise<Evaluation> {
  const metric = lookupMetric(query.name);
  const aggregation = query.aggregation ?? AGGREGATIONS[metric.type].default;
  if (!AGGREGATIONS[metric.type].allowed.includes(aggregation)) {
    throw badInput(
      `aggregation ${aggregation} does not apply to ${metric.name}, a ${metric.type.toLowerCase()}; use one of ${AGGREGATIONS[metric.type].allowed.join(', ')}`,
    );
  }
  const groupBy = query.groupBy ?? ['service', 'env'];
  groupBy.forEach((label, i) => checkLabel(metric, label, `query.groupBy[${i}]`));
  const matchers = query.labels ?? [];
  const raw = matchingSeries(metric, query.scope, matchers, defaultEnvironment);

  const endMs = Math.min(range.to.getTime(), now.getTime());
  const first = Math.ceil(range.from.getTime() / stepMs) * stepMs;
  const timestamps: number[] = [];
  for (let t = first; t < endMs || (t === endMs && endMs === now.getTime()); t += stepMs) timestamps.push(t);
  if (raw.length * timestamps.length > MAX_SAMPLES) {
    throw badInput(
      `this query would compute ${raw.length} series x ${timestamps.length} points; narrow the scope or the label matchers, or use a larger step`,
    );
  }

  const groups = new Map<string, { labels: { name: string; value: string }[]; members: RawSeries[] }>();
  for (const series of raw) {
    const labels = groupBy.map((name) => ({ name, value: series.labels[name] ?? '' }));
    const key = labels.map((l) => l.value).join('\u0000');
    const group = groups.get(key) ?? { labels, members: [] };
    group.members.push(series);
    groups.set(key, group);
  }
  const stepSeconds = stepMs / 1000;
  const unit = unitAfter(metric, aggregation);
  const series: MetricSeriesRecord[] = [];
  for (const [, group] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const serviceIds = new Set(group.members.map((m) => m.service.id));
    const members: { member: RawSeries; states: State[] }[] = [];
    for (const member of group.members) members.push({ member, states: await cache.statesOf(member.service, member.environment, timestamps, work) });
    const points: MetricSeriesRecord['points'] = [];
    for (let i = 0; i < timestamps.length; i++) {
      if (work.due()) await work.pause();
      const values: (number | HistogramValue)[] = [];
      if (!missingAt(metric.type, timestamps[i]!, stepMs)) for (const { member, states } of members) values.push(member.value(states[i]!));
      const value = aggregate(metric.type, aggregation, values, stepSeconds);
      points.push({ timestamp: new Date(timestamps[i]!).toISOString(), value: value === null ? null : round(value) });
    }
    series.push({
      name: metric.name,
      labels: group.labels,
      aggregation,
      unit,
      serviceId: groupBy.includes('service') && serviceIds.size === 1 ? [...serviceIds][0]! : null,
      points,
    });
  }
  return { series, aggregation, query: toPromQL(metric, aggregation, groupBy, selectorOf(query.scope, matchers, defaultEnvironment), stepMs) };
}

function graphUrl(promql: string, range: ResolvedTimeRange, stepMs: number): string {
  const spanSeconds = Math.max(1, Math.round((range.to.getTime() - range.from.getTime()) / 1000));
  const params = new URLSearchParams({
    'g0.expr': promql,
    'g0.tab': '0',
    'g0.range_input': formatStep(spanSeconds),
    'g0.end_input': range.to.toISOString(),
    'g0.step_input': String(stepMs / 1000),
  });
  return `${PROMETHEUS}/graph?${params.toString().replaceAll('+', '%20')}`;
}

/** The demo world's Prometheus. */
export class DemoMetricProvider implements MetricProvider {
  readonly kind = 'demo';

  constructor(readonly instance: string) {}

  async descriptors(filter: MetricDescriptorFilter, page: PageRequest, _ctx: ProviderContext): Promise<Page<MetricDescriptorRecord>> {
    const text = filter.text?.toLowerCase();
    let service: DemoService | undefined;
    if (filter.service) service = resolveScope({ service: filter.service }).services[0];
    const matching = [...METRICS]
      .filter((m) => !text || m.name.includes(text) || m.description.toLowerCase().includes(text))
      .filter((m) => !service || m.appliesTo(service))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(describe);
    return pageOfArray(matching, page);
  }

  async labelValues(name: string, label: string, scope: ScopeInput | null, ctx: ProviderContext): Promise<string[]> {
    const metric = lookupMetric(name);
    checkLabel(metric, label, 'label');
    const values = new Set(matchingSeries(metric, scope, [], ctx.environment).map((s) => s.labels[label] ?? ''));
    return [...values].sort();
  }

  async series(query: MetricQueryInput, range: ResolvedTimeRange, step: string | null, ctx: ProviderContext): Promise<MetricResultRecord> {
    const stepMs = resolveStep(range, step);
    const evaluation = await evaluate(query, range, stepMs, ctx.now, new StateCache(stepMs), new CpuSlices(ctx.signal), ctx.environment);
    return {
      series: evaluation.series,
      range: { from: range.from.toISOString(), to: new Date(Math.min(range.to.getTime(), ctx.now.getTime())).toISOString() },
      step: formatStep(stepMs / 1000),
      aggregation: evaluation.aggregation,
      query: evaluation.query,
      url: graphUrl(evaluation.query, range, stepMs),
    };
  }

  async goldenSignalsForServices(
    serviceIds: readonly string[],
    range: ResolvedTimeRange,
    step: string | null,
    ctx: ProviderContext,
  ): Promise<(GoldenSignalsRecord | null)[]> {
    const stepMs = resolveStep(range, step);
    const cache = new StateCache(stepMs);
    const work = new CpuSlices(ctx.signal);
    const resolvedRange = { from: range.from.toISOString(), to: new Date(Math.min(range.to.getTime(), ctx.now.getTime())).toISOString() };
    const one = async (serviceId: string, name: string, aggregation: MetricAggregation): Promise<MetricSeriesRecord | null> => {
      const scope = { service: serviceId, environment: 'production' };
      return (await evaluate({ name, scope, aggregation, groupBy: ['service'] }, range, stepMs, ctx.now, cache, work)).series[0] ?? null;
    };
    const answers: (GoldenSignalsRecord | null)[] = [];
    for (const id of serviceIds) {
      const service = serviceById.get(id);
      if (!service) {
        answers.push(null);
        continue;
      }
      const signals = isDatabase(service)
        ? { latency: 'db_query_duration_seconds', requests: 'db_queries_total', saturation: ['db_pool_saturation_ratio', 'MAX'] as const }
        : isQueue(service)
          ? { latency: 'kafka_request_duration_seconds', requests: 'kafka_messages_in_total', saturation: ['kafka_consumer_lag', 'MAX'] as const }
          : {
              latency: 'http_request_duration_seconds',
              requests: 'http_requests_total',
              saturation: hasDbClientPool(service)
                ? (['db_pool_saturation_ratio', 'MAX'] as const)
                : hasDisk(service)
                  ? (['disk_used_ratio', 'MAX'] as const)
                  : (['cpu_usage_ratio', 'AVG'] as const),
            };
      answers.push({
        latencyP99: await one(id, signals.latency, 'P99'),
        errorRate: await one(id, 'error_ratio', 'AVG'),
        requestRate: await one(id, signals.requests, 'RATE'),
        saturation: await one(id, signals.saturation[0], signals.saturation[1]),
        range: resolvedRange,
        step: formatStep(stepMs / 1000),
      });
    }
    return answers;
  }
}

export function createDemoMetricProvider(_settings: unknown, deps: ProviderDeps): MetricProvider {
  return new DemoMetricProvider(deps.instance);
}
