// Counters and histograms on the request path, counted in place and handed to prom-client when /metrics is
// scraped (decision 045). prom-client checks every label name, builds a hash string of every label set and looks
// it up, and for a histogram makes two objects and a closure, on each `inc` and `observe`: 3.6 % of a small
// request's CPU, half of it for the provider calls. Here a series is found through one Map per label, keyed by
// values that are mostly constant strings (whose hashes V8 keeps), and nothing is allocated once it exists.
import { Counter, type Registry } from 'prom-client';

/** Series by their label values: one Map per label, each series made once. */
class SeriesTable<S> {
  private readonly root = new Map<string, Map<string, Map<string, Map<string, S>>>>();
  readonly all: S[] = [];
  constructor(
    private readonly labelNames: readonly string[],
    private readonly make: (labels: Record<string, string>) => S,
  ) {
    if (labelNames.length < 1 || labelNames.length > 4) throw new Error(`a series table takes 1 to 4 labels, got ${labelNames.length}`);
  }

  at(a: string, b = '', c = '', d = ''): S {
    let byB = this.root.get(a);
    if (!byB) this.root.set(a, (byB = new Map()));
    let byC = byB.get(b);
    if (!byC) byB.set(b, (byC = new Map()));
    let byD = byC.get(c);
    if (!byD) byC.set(c, (byD = new Map()));
    let series = byD.get(d);
    if (!series) {
      const values = [a, b, c, d];
      series = this.make(Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]!])));
      byD.set(d, series);
      this.all.push(series);
    }
    return series;
  }
}

/**
 * A prom-client Counter whose increments are counted here and added to it when it is collected (scraped), so
 * what /metrics shows is what `inc` would have shown.
 */
export class FastCounter {
  private readonly series: SeriesTable<{ labels: Record<string, string>; pending: number }>;
  constructor(options: { name: string; help: string; labelNames: readonly string[]; registry: Registry }) {
    this.series = new SeriesTable(options.labelNames, (labels) => ({ labels, pending: 0 }));
    const all = this.series.all;
    new Counter({
      name: options.name,
      help: options.help,
      labelNames: options.labelNames,
      registers: [options.registry],
      collect() {
        for (const series of all) {
          if (series.pending === 0) continue;
          this.inc(series.labels, series.pending);
          series.pending = 0;
        }
      },
    });
  }

  /** Label values in the order of the label names (separate arguments: a rest array would be made on every call). */
  inc(a: string, b?: string, c?: string, d?: string): void {
    this.series.at(a, b, c, d).pending++;
  }
}

interface HistogramSeries {
  labels: Record<string, string>;
  /** Observations per bucket (the last one: above every bound); made cumulative when exported. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * A histogram exported exactly as prom-client's Histogram exports one (the same names, buckets, `le` labels and
 * order), registered with the server's Registry as one of its metrics.
 */
export class FastHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly bounds: readonly number[];
  private readonly series: SeriesTable<HistogramSeries>;

  constructor(options: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[]; registry: Registry }) {
    this.name = options.name;
    this.help = options.help;
    this.bounds = [...options.buckets].sort((x, y) => x - y);
    this.series = new SeriesTable(options.labelNames, (labels) => ({ labels, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 }));
    // The Registry reads a metric through `name`, `help`, `type` and `get()`: the shape of prom-client's own.
    options.registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** `value` in the series of these label values, in the order of the label names. */
  observe(value: number, a: string, b?: string, c?: string, d?: string): void {
    if (!Number.isFinite(value)) throw new TypeError(`${this.name}: not a finite number: ${value}`);
    const series = this.series.at(a, b, c, d);
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]!) bucket++;
    series.counts[bucket]!++;
    series.sum += value;
    series.count++;
  }

  /** What prom-client's Histogram gives its Registry for /metrics: per series, each bucket's cumulative count, +Inf, sum, count. */
  async getForPromString() {
    const values: { labels: Record<string, string | number>; sharedLabels: Record<string, string>; value: number; metricName: string; exemplar?: null }[] = [];
    for (const series of this.series.all) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += series.counts[i]!;
        values.push({ labels: { le }, sharedLabels: series.labels, value: cumulative, metricName: `${this.name}_bucket`, exemplar: null });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: series.labels, value: series.count, metricName: `${this.name}_bucket`, exemplar: null });
      values.push({ labels: {}, sharedLabels: series.labels, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: series.labels, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The same with the series' labels in each value (`Registry.getMetricsAsJSON()`). */
  async get() {
    const metric = await this.getForPromString();
    return { ...metric, values: metric.values.map(({ labels, sharedLabels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })) };
  }

  /** `Registry.resetMetrics()`: every series back to zero. */
  reset(): void {
    for (const series of this.series.all) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}
