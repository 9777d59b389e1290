import { describe, it, expect } from 'vitest';
import { minutesAgo } from '@opsorch/adapters/demo/clock.ts';
import { serviceById, services } from '@opsorch/adapters/demo/world.ts';
import { errorOf, mean, ok, runner, SERIES, seriesOf, values, window, type Point } from './series-testing.ts';

const BUDGETED = /* GraphQL */ `
  query ($query: MetricQueryInput!, $range: TimeRangeInput, $step: String, $maxPoints: Int) {
    metricSeries(query: $query, range: $range, step: $step, maxPoints: $maxPoints) {
      series { points { timestamp } }
      step
      requestedStep
      maxPoints
    }
  }
`;


describe('metric catalog', () => {
  const DESCRIPTORS = /* GraphQL */ `
    query ($filter: MetricDescriptorFilter, $first: Int, $after: String) {
      metricDescriptors(filter: $filter, first: $first, after: $after) {
        nodes { name type rawType unit description labels defaultAggregation aggregations }
        pageInfo { hasNextPage endCursor }
        totalCount
      }
    }
  `;

  it('pages through every metric by name, with no gap or duplicate', async () => {
    const names: string[] = [];
    let after: string | null = null;
    let total = 0;
    do {
      const data = await ok(DESCRIPTORS, { first: 4, after });
      names.push(...data.metricDescriptors.nodes.map((n: { name: string }) => n.name));
      total = data.metricDescriptors.totalCount;
      after = data.metricDescriptors.pageInfo.hasNextPage ? data.metricDescriptors.pageInfo.endCursor : null;
    } while (after);
    expect(names).toHaveLength(total);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([...names].sort());
    for (const name of ['http_requests_total', 'http_request_duration_seconds', 'error_ratio', 'cpu_usage_ratio', 'memory_usage_bytes', 'db_pool_saturation_ratio', 'disk_used_ratio', 'kafka_consumer_lag']) {
      expect(names).toContain(name);
    }
  });

  it('narrows to what a service exports, and describes types', async () => {
    const data = await ok(DESCRIPTORS, { filter: { service: 'orders-db' }, first: 50 });
    const byName = new Map(data.metricDescriptors.nodes.map((n: { name: string }) => [n.name, n]));
    expect(byName.has('db_pool_saturation_ratio')).toBe(true);
    expect(byName.has('http_requests_total')).toBe(false);
    expect(byName.get('db_query_duration_seconds')).toMatchObject({ type: 'HISTOGRAM', rawType: 'histogram', unit: 'seconds', defaultAggregation: 'P99' });
    const text = await ok(DESCRIPTORS, { filter: { text: 'LATENCY' }, first: 50 });
    expect(text.metricDescriptors.nodes.map((n: { name: string }) => n.name)).toContain('http_request_duration_seconds');
  });

  it('lists label values for suggestions', async () => {
    const data = await ok(`{ metricLabelValues(name: "http_requests_total", label: "route", scope: { service: "checkout" }) }`);
    expect(data.metricLabelValues).toEqual(serviceById.get('checkout')!.endpoints.map((e) => e.path).sort());
    const pods = await ok(`{ metricLabelValues(name: "disk_used_ratio", label: "pod", scope: { service: "media-storage", environment: "production" }) }`);
    expect(pods.metricLabelValues).toEqual(['media-storage-0', 'media-storage-1', 'media-storage-2']);
    // Suggestions while typing: values containing the text, ignoring case, at most `first`.
    const typed = await ok(`{ metricLabelValues(name: "disk_used_ratio", label: "pod", text: "GE-1", scope: { service: "media-storage", environment: "production" }) }`);
    expect(typed.metricLabelValues).toEqual(['media-storage-1']);
    const two = await ok(`{ metricLabelValues(name: "http_requests_total", label: "service", first: 2) }`);
    expect(two.metricLabelValues).toHaveLength(2);
  });
});

describe('metricSeries', () => {
  it('defaults to the last hour at about 300 points, grouped by service and env', async () => {
    const data = await ok(SERIES, { query: { name: 'http_requests_total', scope: { service: 'checkout' } } });
    const result = data.metricSeries;
    expect(result.step).toBe('10s');
    expect(result.aggregation).toBe('RATE');
    expect(result.series.map((s: { labels: unknown }) => s.labels)).toEqual([
      [{ name: 'service', value: 'checkout' }, { name: 'env', value: 'production' }],
      [{ name: 'service', value: 'checkout' }, { name: 'env', value: 'staging' }],
    ]);
    const production = result.series[0];
    expect(production.unit).toBe('requests/s');
    expect(production.service).toEqual({ id: 'checkout' });
    expect(production.points.length).toBeGreaterThanOrEqual(359);
    expect(production.points.length).toBeLessThanOrEqual(361);
    for (const p of production.points) expect(Date.parse(p.timestamp) % 10_000).toBe(0);
    // Around the checkout baseline of 95 rps, shaped by the time of day.
    expect(mean(values(production.points))).toBeGreaterThan(95 * 0.4);
    expect(mean(values(production.points))).toBeLessThan(95 * 1.6);
    expect(result.query).toBe('sum by (service, env) (rate(http_requests_total{service="checkout"}[1m]))');
    const url = new URL(result.url);
    expect(url.origin + url.pathname).toBe('http://prometheus.acme-shop.example/graph');
    expect(url.searchParams.get('g0.expr')).toBe(result.query);
    expect(result.providerErrors).toEqual([]);
  });

  it('is deterministic per service, timestamp and step, whatever the window', async () => {
    const query = { name: 'cpu_usage_ratio', scope: { service: 'search' }, groupBy: ['pod'] };
    const wide = await seriesOf(query, window(240, 0), '1m');
    const narrow = await seriesOf(query, window(120, 60), '1m');
    expect(await seriesOf(query, window(240, 0), '1m')).toEqual(wide);
    const byTime = new Map(wide.series[0].points.map((p: Point) => [p.timestamp, p.value]));
    for (const p of narrow.series[0].points) expect(p.value).toBe(byTime.get(p.timestamp));
  });

  it('never ships more than 2,000 points per series: a too-fine step is raised and the answer says so', async () => {
    const week = await seriesOf({ name: 'http_request_duration_seconds', scope: { service: 'api-gateway', environment: 'production' } }, { from: 'now-7d' });
    expect(week.step).toBe('30m');
    expect(week.series[0].points.length).toBeGreaterThan(330);
    const fine = await ok(BUDGETED, { query: { name: 'error_ratio', scope: { service: 'auth', environment: 'production' } }, range: { from: 'now-7d' }, step: '1m' });
    expect(fine.metricSeries).toMatchObject({ step: '10m', requestedStep: '1m', maxPoints: 2000 });
    expect(fine.metricSeries.series[0].points.length).toBeLessThanOrEqual(2000);
    expect(fine.metricSeries.series[0].points.length).toBeGreaterThan(1000);
    // A step that fits is kept as asked.
    const kept = await ok(BUDGETED, { query: { name: 'error_ratio', scope: { service: 'auth' } }, range: { from: 'now-1h' }, step: '30s' });
    expect(kept.metricSeries).toMatchObject({ step: '30s', requestedStep: '30s' });
  });

  it('chooses the step from the chart width (maxPoints) and refuses a budget out of bounds', async () => {
    const query = { name: 'error_ratio', scope: { service: 'auth', environment: 'production' } };
    for (const [from, maxPoints, step] of [['now-7d', 1000, '15m'], ['now-24h', 1200, '2m'], ['now-1h', 800, '5s'], ['now-7d', 2000, '10m']] as const) {
      const data = await ok(BUDGETED, { query, range: { from }, maxPoints });
      expect(data.metricSeries, `${from} in ${maxPoints} points`).toMatchObject({ step, requestedStep: null, maxPoints });
      expect(data.metricSeries.series[0].points.length).toBeLessThanOrEqual(maxPoints);
    }
    for (const maxPoints of [0, 2001]) {
      const error = await errorOf(BUDGETED, { query, maxPoints });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toContain('maxPoints must be an integer from 1 to 2000');
    }
  });

  it('refuses a request past 50,000 points, naming the sizes to change, before it is shaped and sent', async () => {
    const widest = await errorOf(BUDGETED, { query: { name: 'http_requests_total', groupBy: ['service', 'route', 'code'] }, range: { from: 'now-7d' }, maxPoints: 2000 });
    expect(widest.extensions?.code).toBe('BAD_USER_INPUT');
    expect(widest.message).toMatch(/^metricSeries would carry \d+ points \(\d+ series of up to \d+\), past the 50000 points one request may carry: group by fewer labels, add label matchers, or lower maxPoints$/);
    // The budget is the request's: 30 series of 1,008 points fit once, not twice.
    const twice = await runner.run(`{
      a: metricSeries(query: { name: "http_requests_total", groupBy: ["service", "env"] }, range: { from: "now-7d" }, maxPoints: 2000) { series { name } }
      b: metricSeries(query: { name: "http_requests_total", groupBy: ["service", "env"] }, range: { from: "now-7d" }, maxPoints: 2000) { series { name } }
    }`);
    expect(twice.errors?.length).toBe(1);
    expect(twice.errors![0]!.message).toMatch(/already used\)/);
  });

  it('says which metric was meant when the name is unknown', async () => {
    const error = await errorOf(SERIES, { query: { name: 'http_request_total' } });
    expect(error.extensions?.code).toBe('NOT_FOUND');
    expect(error.message).toContain('"http_requests_total"');
  });

  it('refuses aggregations, labels and regexes that do not fit, naming them', async () => {
    const aggregation = await errorOf(SERIES, { query: { name: 'http_requests_total', aggregation: 'P99' } });
    expect(aggregation.extensions?.code).toBe('BAD_USER_INPUT');
    expect(aggregation.message).toContain('RATE');
    const groupBy = await errorOf(SERIES, { query: { name: 'error_ratio', groupBy: ['route'] } });
    expect(groupBy.extensions?.code).toBe('BAD_USER_INPUT');
    expect(groupBy.message).toContain('query.groupBy[0]');
    const regex = await errorOf(SERIES, { query: { name: 'http_requests_total', labels: [{ name: 'code', op: 'REGEX', value: '5..(' }] } });
    expect(regex.extensions?.code).toBe('BAD_USER_INPUT');
    expect(regex.message).toContain('query.labels[0] (label "code")');
    const step = await errorOf(SERIES, { query: { name: 'error_ratio' }, step: 'fast' });
    expect(step.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('applies PromQL-style label matchers and grouping', async () => {
    const result = await seriesOf(
      { name: 'http_requests_total', scope: { service: 'checkout', environment: 'production' }, labels: [{ name: 'code', op: 'REGEX', value: '5..' }], groupBy: ['code'] },
      window(30, 20),
      '1m',
    );
    expect(result.series.map((s: { labels: unknown }) => s.labels)).toEqual([[{ name: 'code', value: '500' }]]);
    expect(result.series[0].service).toBeNull();
    expect(result.query).toContain('code=~"5.."');
    const all = await seriesOf({ name: 'memory_usage_bytes', groupBy: [], aggregation: 'COUNT' }, window(30, 20), '1m');
    expect(all.series).toHaveLength(1);
    expect(all.series[0].unit).toBe('series');
    // Every service has 3 production pods and 1 staging pod.
    expect(Math.max(...values(all.series[0].points))).toBe(services.length * 4);
  });

  it('shows the bad deploy: checkout error ratio and latency jump and stay up', async () => {
    const scope = { service: 'checkout', environment: 'production' };
    const errors = await seriesOf({ name: 'error_ratio', scope }, window(90, 0), '1m');
    const pts = errors.series[0].points as Point[];
    const before = values(pts.filter((p) => Date.parse(p.timestamp) < minutesAgo(50).getTime()));
    const after = values(pts.filter((p) => Date.parse(p.timestamp) > minutesAgo(40).getTime()));
    expect(mean(before)).toBeLessThan(0.01);
    expect(Math.min(...after)).toBeGreaterThan(0.15);
    const latency = await seriesOf({ name: 'http_request_duration_seconds', scope, aggregation: 'P99' }, window(90, 0), '1m');
    const lp = latency.series[0].points as Point[];
    const p99Before = mean(values(lp.filter((p) => Date.parse(p.timestamp) < minutesAgo(50).getTime())));
    const p99After = mean(values(lp.filter((p) => Date.parse(p.timestamp) > minutesAgo(40).getTime())));
    expect(p99After).toBeGreaterThan(p99Before * 1.4);
  });

  it('ramps a resolved incident in and out: the auth key rotation a day ago', async () => {
    const result = await seriesOf({ name: 'error_ratio', scope: { service: 'api-gateway', environment: 'production' } }, window(1530, 1450), '1m');
    const at = (minutes: number) => (result.series[0].points as Point[]).find((p) => p.timestamp === new Date(Math.ceil(minutesAgo(minutes).getTime() / 60_000) * 60_000).toISOString())?.value ?? null;
    expect(at(1520)!).toBeLessThan(0.01);
    expect(at(1495)!).toBeGreaterThan(0.1);
    expect(at(1460)!).toBeLessThan(0.01);
  });

  it('shows the saturated pool and the filling disk', async () => {
    const pool = await seriesOf({ name: 'db_pool_saturation_ratio', scope: { service: 'orders-db', environment: 'production' } }, window(60, 0), '1m');
    const pp = pool.series[0].points as Point[];
    expect(mean(values(pp.filter((p) => Date.parse(p.timestamp) < minutesAgo(30).getTime())))).toBeLessThan(0.6);
    expect(Math.min(...values(pp.filter((p) => Date.parse(p.timestamp) > minutesAgo(15).getTime())))).toBeGreaterThan(0.9);
    const disk = await seriesOf({ name: 'disk_used_ratio', scope: { service: 'media-storage', environment: 'production' }, aggregation: 'MAX', groupBy: [] }, { from: 'now-2d' }, '1h');
    const dv = values(disk.series[0].points);
    expect(dv.at(-1)!).toBeGreaterThan(0.89);
    expect(dv.at(-1)!).toBeLessThan(0.93);
    expect(dv[0]!).toBeLessThan(dv.at(-1)! - 0.1);
  });
});

describe('Service.goldenSignals', () => {
  const GOLDEN = /* GraphQL */ `
    query ($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on Service {
          id
          goldenSignals(range: { from: "now-30m" }, step: "1m") {
            step range { from to }
            latencyP99 { name unit points { value } }
            errorRate { name unit points { value } }
            requestRate { name unit points { value } }
            saturation { name unit service { id } points { value } }
          }
        }
      }
    }
  `;

  it('costs one provider call for any number of services, and picks signals by kind', async () => {
    const ids = ['checkout', 'orders-db', 'kafka', 'media-storage', 'web-frontend', 'auth', 'no-such-service'];
    runner.registry.resetCallCounts();
    const data = await ok(GOLDEN, { representations: ids.map((id) => ({ __typename: 'Service', id })) });
    expect(runner.registry.callCounts()).toEqual({ 'metrics/demo.goldenSignalsForServices': 1 });
    const byId = new Map<string, any>(data._entities.map((e: { id: string; goldenSignals: unknown }) => [e.id, e.goldenSignals]));
    const checkout = byId.get('checkout');
    expect(checkout.step).toBe('1m');
    expect(checkout.latencyP99).toMatchObject({ name: 'http_request_duration_seconds', unit: 'seconds' });
    expect(checkout.requestRate).toMatchObject({ name: 'http_requests_total', unit: 'requests/s' });
    expect(checkout.saturation).toMatchObject({ name: 'db_pool_saturation_ratio', service: { id: 'checkout' } });
    expect(mean(values(checkout.errorRate.points))).toBeGreaterThan(0.15);
    expect(byId.get('orders-db').latencyP99.name).toBe('db_query_duration_seconds');
    expect(byId.get('kafka').saturation.name).toBe('kafka_consumer_lag');
    expect(byId.get('media-storage').saturation.name).toBe('disk_used_ratio');
    expect(byId.get('auth').saturation.name).toBe('cpu_usage_ratio');
    expect(byId.get('no-such-service')).toBeNull();
  });

  it('applies the same step policy: a budget of points, the step echoed and what was asked', async () => {
    const result = await runner.run(
      `query { _entities(representations: [{ __typename: "Service", id: "auth" }]) { ... on Service { goldenSignals(range: { from: "now-7d" }, step: "1m", maxPoints: 500) { step requestedStep errorRate { points { value } } } } } }`,
    );
    expect(result.errors).toBeUndefined();
    const signals = (result.data as any)._entities[0].goldenSignals;
    expect(signals).toMatchObject({ step: '30m', requestedStep: '1m' });
    expect(signals.errorRate.points.length).toBeLessThanOrEqual(500);
  });

  it('refuses a bad step', async () => {
    const result = await runner.run(`query { _entities(representations: [{ __typename: "Service", id: "auth" }]) { ... on Service { goldenSignals(step: "0s") { step } } } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
