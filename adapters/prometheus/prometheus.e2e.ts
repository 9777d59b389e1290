// Against the real servers: Debian's Prometheus and Alertmanager on loopback, a small exporter, an always-firing
// rule, and the real gateway. Every GraphQL answer is checked against what the tools report directly.
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestGateway, ROOT } from '../../gateway/test/harness.ts';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { startExporter } from '../examples/exporter.ts';
import { ensurePrometheusInstalled, eventually, startPrometheusStack, type RunningStack } from '../examples/prometheus-stack.ts';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const RULES = `groups:
  - name: test
    interval: 1s
    rules:
      - alert: CheckoutAlwaysFiring
        expr: vector(1)
        labels:
          severity: critical
          service: checkout
          env: production
        annotations:
          summary: checkout is on fire (always)
          description: vector(1) = 1
      - alert: PaymentsErrorsHigh
        expr: sum by (service) (rate(http_requests_total{service="payments",code="500"}[10s])) > 0
        labels:
          severity: warning
        annotations:
          summary: payments answers 5xx
`;

let stack: RunningStack;
let exporter: { server: Server; port: number };
let gateway: RunningGateway;
let env: Record<string, string>;

async function direct<T = any>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

beforeAll(async () => {
  ensurePrometheusInstalled();
  exporter = await startExporter(0);
  stack = await startPrometheusStack({ exporterTargets: [`127.0.0.1:${exporter.port}`], rules: RULES, interval: '1s' });
  // Enough scrapes for rate() over the windows below, and the always-firing alert delivered to Alertmanager.
  await eventually(async () => {
    const r = await direct(`${stack.prometheusUrl}/api/v1/query?query=${encodeURIComponent('count_over_time(up{job="exporter"}[1m])')}`);
    return Number(r.data.result[0]?.value[1] ?? 0) >= 15;
  }, 'fifteen scrapes of the exporter');
  await eventually(async () => (await direct<any[]>(`${stack.alertmanagerUrl}/api/v2/alerts`)).length >= 2, 'both alerts in Alertmanager');
  env = {
    OPSORCH_METRICS_PROVIDER: 'prom=prometheus',
    OPSORCH_METRICS_CONFIG: JSON.stringify({ url: stack.prometheusUrl, scrapeInterval: '1s', serviceAliases: { payments: 'payments-api' } }),
    OPSORCH_ALERTS_PROVIDER: 'am=alertmanager',
    OPSORCH_ALERTS_CONFIG: JSON.stringify({ url: stack.alertmanagerUrl, serviceAliases: { payments: 'payments-api' } }),
  };
  gateway = await startTestGateway({ env });
}, 600_000);

afterAll(async () => {
  await gateway?.close();
  await stack?.stop();
  await new Promise((resolve) => exporter?.server.close(resolve));
  // Stopped by pid: nothing of ours keeps running.
  for (const pid of [stack?.prometheusPid, stack?.alertmanagerPid].filter(Boolean) as number[]) {
    expect(() => process.kill(pid, 0)).toThrow();
  }
});

describe('Prometheus metrics provider against a real Prometheus', () => {
  it('metricDescriptors come from /api/v1/metadata with their types and the labels of their series', async () => {
    const metadata = (await direct(`${stack.prometheusUrl}/api/v1/metadata`)).data as Record<string, { type: string }[]>;
    const body = await gql(gateway.url, `{ metricDescriptors(filter: { text: "http_request" }, first: 50) {
      nodes { name type rawType unit labels defaultAggregation } providerErrors { code } } }`);
    expect(body.errors).toBeUndefined();
    const byName = Object.fromEntries(body.data.metricDescriptors.nodes.map((n: any) => [n.name, n]));
    expect(byName.http_requests_total).toMatchObject({ type: 'COUNTER', rawType: metadata.http_requests_total![0]!.type, unit: 'requests', defaultAggregation: 'RATE' });
    expect(byName.http_requests_total.labels).toEqual(expect.arrayContaining(['service', 'route', 'code', 'method', 'job', 'instance']));
    expect(byName.http_request_duration_seconds).toMatchObject({ type: 'HISTOGRAM', rawType: 'histogram', unit: 'seconds', defaultAggregation: 'P99' });
    expect(byName.http_request_duration_seconds.labels).not.toContain('le');
    // Histogram parts fold into their base name; Prometheus' own metrics are there too.
    expect(byName.http_request_duration_seconds_bucket).toBeUndefined();
    expect(byName.prometheus_http_requests_total?.type).toBe('COUNTER');
  });

  it('metricDescriptors narrowed to a catalog service list what its series carry', async () => {
    const body = await gql(gateway.url, `{ metricDescriptors(filter: { service: "payments-api" }) { nodes { name } } }`);
    // ALERTS and ALERTS_FOR_STATE: the PaymentsErrorsHigh rule's own series carry service="payments" too.
    expect(body.data.metricDescriptors.nodes.map((n: any) => n.name).sort()).toEqual(
      ['ALERTS', 'ALERTS_FOR_STATE', 'http_request_duration_seconds', 'http_requests_total', 'process_cpu_seconds_total'],
    );
  });

  it('metricLabelValues equals /api/v1/label/<name>/values', async () => {
    const direct_ = (await direct(`${stack.prometheusUrl}/api/v1/label/service/values?match[]=http_requests_total`)).data;
    const body = await gql(gateway.url, `{ metricLabelValues(name: "http_requests_total", label: "service") }`);
    expect(body.data.metricLabelValues).toEqual([...direct_].sort());
    const scoped = await gql(gateway.url, `{ metricLabelValues(name: "http_requests_total", label: "route", scope: { service: "checkout" }) }`);
    expect(scoped.data.metricLabelValues).toEqual(['/api/items', '/api/orders']);
  });

  it('metricSeries runs a range query with the asked step; every point equals Prometheus answering the same PromQL', async () => {
    // Ends 5 s back: a scrape still being ingested cannot change the compared points.
    const to = new Date(Math.floor((Date.now() - 5000) / 5000) * 5000);
    const from = new Date(to.getTime() - 10_000);
    const body = await gql(
      gateway.url,
      `query($from: String!, $to: String!) { metricSeries(query: { name: "http_requests_total", aggregation: RATE, groupBy: ["service"] }, range: { from: $from, to: $to }, step: "5s") {
        step aggregation query url range { from to }
        series { name labels { name value } unit points { timestamp value } service { id name } } providerErrors { code } } }`,
      { from: from.toISOString(), to: to.toISOString() },
    );
    expect(body.errors).toBeUndefined();
    const result = body.data.metricSeries;
    expect(result.step).toBe('5s');
    expect(result.query).toBe('sum by (service) (rate(http_requests_total[5s]))');
    const answer = await direct(
      `${stack.prometheusUrl}/api/v1/query_range?${new URLSearchParams({ query: result.query, start: String(from.getTime() / 1000), end: String(to.getTime() / 1000), step: '5' })}`,
    );
    const expected = Object.fromEntries(
      answer.data.result.map((s: any) => [s.metric.service, new Map(s.values.map(([t, v]: [number, string]) => [t * 1000, Number(v)]))]),
    );
    expect(result.series.map((s: any) => s.labels[0].value)).toEqual(Object.keys(expected).sort());
    for (const series of result.series) {
      expect(series.unit).toBe('requests/s');
      expect(series.points.map((p: any) => p.timestamp)).toEqual([0, 5, 10].map((s) => new Date(from.getTime() + s * 1000).toISOString()));
      // A step Prometheus leaves out (no samples yet) is a null point; every other point is Prometheus' own value.
      const own = expected[series.labels[0].value] as Map<number, number>;
      expect(series.points.map((p: any) => p.value)).toEqual(series.points.map((p: any) => own.get(Date.parse(p.timestamp)) ?? null));
      expect(series.points.at(-1).value).not.toBeNull();
    }
    // Identity: the `service` label joins the catalog (externalRefs for checkout, an alias for payments, nothing for legacy-batch).
    const services = Object.fromEntries(result.series.map((s: any) => [s.labels[0].value, s.service?.id ?? null]));
    expect(services).toEqual({ cart: 'cart', checkout: 'checkout', 'legacy-batch': null, payments: 'payments-api' });
    const checkoutRate = result.series.find((s: any) => s.labels[0].value === 'checkout').points.at(-1).value;
    expect(checkoutRate).toBeGreaterThan(25);
    expect(checkoutRate).toBeLessThan(55);
    // The deep link opens the same query on Prometheus' graph page, every parameter encoded.
    const url = new URL(result.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${stack.prometheusUrl}/graph`);
    expect(url.searchParams.get('g0.expr')).toBe(result.query);
    expect(url.searchParams.get('g0.step_input')).toBe('5');
    expect(result.url).not.toMatch(/[ "{}]/);
  });

  it('histogram quantiles, scopes and label matchers become PromQL that Prometheus agrees with', async () => {
    const body = await gql(gateway.url, `{ metricSeries(query: { name: "http_request_duration_seconds", scope: { service: "payments-api" }, aggregation: P99, groupBy: [] },
      range: { from: "now-25s", to: "now-5s" }, step: "5s") { query series { labels { name } points { timestamp value } unit } } }`);
    expect(body.errors).toBeUndefined();
    const { query, series } = body.data.metricSeries;
    expect(query).toBe('histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service=~"payments|payments-api"}[5s])))');
    expect(series).toHaveLength(1);
    expect(series[0].unit).toBe('seconds');
    const points = series[0].points;
    const again = await direct(
      `${stack.prometheusUrl}/api/v1/query_range?${new URLSearchParams({ query, start: String(Date.parse(points[0].timestamp) / 1000), end: String(Date.parse(points.at(-1).timestamp) / 1000), step: '5' })}`,
    );
    // A step without data (before the first scrapes) is a null point, where Prometheus leaves the step out.
    const byTime = new Map(again.data.result[0].values.map(([t, v]: [number, string]) => [t * 1000, Number(v)]));
    expect(points.map((p: any) => p.value)).toEqual(points.map((p: any) => byTime.get(Date.parse(p.timestamp)) ?? null));
    expect(points.at(-1).value).not.toBeNull();
    // Payments' median is 0.35 s: its p99 lies well above that, within the finite buckets.
    expect(points.at(-1).value).toBeGreaterThan(0.35);
    expect(points.at(-1).value).toBeLessThanOrEqual(5);

    const matched = await gql(gateway.url, `{ metricSeries(query: { name: "http_requests_total", labels: [{ name: "code", value: "5..", op: REGEX }], groupBy: ["service", "code"] }, range: { from: "now-20s" }, step: "5s") {
      query series { labels { value } } } }`);
    expect(matched.data.metricSeries.query).toBe('sum by (service, code) (rate(http_requests_total{code=~"5.."}[5s]))');
    expect(matched.data.metricSeries.series.map((s: any) => s.labels.map((l: any) => l.value).join('/'))).toEqual(['cart/500', 'checkout/500', 'legacy-batch/500', 'payments/500']);
  });

  it('matches hostile label values literally: quotes, backslashes, braces, pipes, backticks, or-fragments and unicode never become PromQL', async () => {
    const series = async (labels: string, scope = '') => {
      const body = await gql(gateway.url, `{ metricSeries(query: { name: "http_requests_total", ${scope} labels: ${labels}, groupBy: ["service", "code"] }, range: { from: "now-20s" }, step: "5s") { query series { labels { value } } } }`);
      expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
      return body.data.metricSeries.series.map((s: any) => s.labels.map((l: any) => l.value).join('/'));
    };
    const everything = await series('[]');
    expect(everything.length).toBeGreaterThan(2);
    const hostile = ['500"} or vector(1) #', '500\\" or code=~".+', '.+"}|| up{x="', '`500`', '500 or 1=1', 'ü😀"}\n{', '"', '\\'];
    for (const value of hostile) {
      for (const op of ['EQUALS', 'REGEX']) {
        // Prometheus received each value as one string literal: nothing has a code like it, so no series.
        const literal = op === 'EQUALS' ? value : value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        expect(await series(`[{ name: "code", op: ${op}, value: ${JSON.stringify(literal)} }]`)).toEqual([]);
      }
      // NOT_EQUALS with a hostile value excludes nothing.
      expect(await series(`[{ name: "code", op: NOT_EQUALS, value: ${JSON.stringify(value)} }]`)).toEqual(everything);
      expect(await series('[]', `scope: { service: ${JSON.stringify(value)} },`)).toEqual([]);
    }
    // A label name cannot carry syntax either.
    const bad = await gql(gateway.url, `{ metricSeries(query: { name: "http_requests_total", labels: [{ name: "code=\\"500\\"} or vector(1) #", value: "x" }] }) { query } }`);
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toMatch(/label names are letters, digits and underscores/);
  });

  it('errors keep their meaning: unknown metric NOT_FOUND with a suggestion, a query Prometheus refuses BAD_USER_INPUT', async () => {
    const unknown = await gql(gateway.url, `{ metricSeries(query: { name: "http_request_totl" }) { query } }`);
    expect(unknown.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', capability: 'metrics', provider: 'prom' });
    expect(unknown.errors![0]!.message).toContain('"http_requests_total"');
    // Valid for JavaScript, not RE2 (Prometheus' engine): refused by OpsOrch before Prometheus is asked, saying why.
    const refused = await gql(gateway.url, `{ metricSeries(query: { name: "http_requests_total", labels: [{ name: "route", op: REGEX, value: "(?=x)" }] }) { query } }`);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(refused.errors![0]!.message).toMatch(/query\.labels\[0\] \(label "route"\).*lookahead/);
  });

  it('a catalog service joins its Prometheus golden signals in one query (identity mapping)', async () => {
    const body = await gql(gateway.url, `{
      checkout: service(id: "checkout") { id name owner { id } goldenSignals(range: { from: "now-20s", to: "now-5s" }, step: "5s") {
        step requestRate { name unit points { timestamp value } service { id } } errorRate { unit points { value } } latencyP99 { points { value } } saturation { name } } }
      payments: service(id: "payments-api") { id goldenSignals(range: { from: "now-30s" }, step: "5s") { requestRate { labels { value } points { value } } } }
      search: service(id: "search") { id goldenSignals(range: { from: "now-30s" }, step: "5s") { step } }
    }`);
    expect(body.errors).toBeUndefined();
    const checkout = body.data.checkout;
    expect(checkout.name).toEqual(expect.any(String));
    expect(checkout.owner.id).toEqual(expect.any(String));
    const rate = checkout.goldenSignals.requestRate;
    expect(rate).toMatchObject({ name: 'http_requests_total', unit: 'requests/s', service: { id: 'checkout' } });
    const [start, end] = [rate.points[0].timestamp, rate.points.at(-1).timestamp].map((t: string) => String(Date.parse(t) / 1000));
    const direct_ = await direct(
      `${stack.prometheusUrl}/api/v1/query_range?${new URLSearchParams({ query: 'sum by (service) (rate(http_requests_total{service="checkout"}[5s]))', start: start!, end: end!, step: '5' })}`,
    );
    const byTime = new Map(direct_.data.result[0].values.map(([t, v]: [number, string]) => [t * 1000, Number(v)]));
    expect(rate.points.map((p: any) => p.value)).toEqual(rate.points.map((p: any) => byTime.get(Date.parse(p.timestamp)) ?? null));
    // 40 requests/s, give or take the scrape timing of a 5 s window.
    expect(rate.points.at(-1).value).toBeGreaterThan(25);
    expect(rate.points.at(-1).value).toBeLessThan(55);
    const errors = checkout.goldenSignals.errorRate.points.map((p: any) => p.value).filter((v: number | null) => v !== null);
    expect(errors.length).toBeGreaterThan(0);
    // 2% of requests fail. Whole-number counters over a 5 s window make each step noisy, more so when the test
    // exporter shares a loaded machine: bound each step loosely and their mean tightly.
    for (const e of errors) {
      expect(e).toBeGreaterThanOrEqual(0);
      expect(e).toBeLessThan(0.25);
    }
    const mean = errors.reduce((a: number, b: number) => a + b, 0) / errors.length;
    expect(mean).toBeGreaterThan(0.005);
    expect(mean).toBeLessThan(0.06);
    expect(checkout.goldenSignals.saturation.name).toBe('process_cpu_seconds_total');
    // The `payments` label is payments-api in the catalog (an alias in config); search exports nothing.
    expect(body.data.payments.goldenSignals.requestRate.labels).toEqual([{ value: 'payments' }]);
    expect(body.data.search.goldenSignals).toBeNull();
  });
});

describe('Alertmanager alerts provider against a real Alertmanager', () => {
  it('alerts equal /api/v2/alerts: fingerprints, state, severity from labels, service, links', async () => {
    const raw = await direct<any[]>(`${stack.alertmanagerUrl}/api/v2/alerts`);
    const body = await gql(gateway.url, `{ alerts(first: 50) { nodes { id name summary state rawState severity rawSeverity fingerprint url generatorUrl
      service { id } labels { name value } startsAt endsAt source { provider instance id } } providerErrors { code } totalCount } }`);
    expect(body.errors).toBeUndefined();
    const nodes = body.data.alerts.nodes;
    expect(nodes.map((n: any) => n.fingerprint).sort()).toEqual(raw.map((a) => a.fingerprint).sort());
    const checkout = nodes.find((n: any) => n.name === 'CheckoutAlwaysFiring');
    const original = raw.find((a) => a.labels.alertname === 'CheckoutAlwaysFiring');
    expect(checkout).toMatchObject({
      id: `am:${original.fingerprint}`,
      summary: 'checkout is on fire (always)',
      state: 'FIRING',
      rawState: 'active',
      severity: 'SEV2',
      rawSeverity: 'critical',
      service: { id: 'checkout' },
      endsAt: null,
      generatorUrl: original.generatorURL,
      source: { provider: 'alertmanager', instance: 'am', id: original.fingerprint },
    });
    expect(new Date(checkout.startsAt).getTime()).toBe(new Date(original.startsAt).getTime());
    expect(checkout.labels).toEqual(Object.entries(original.labels).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value })));
    const link = new URL(checkout.url.replace('/#/', '/'));
    expect(link.searchParams.get('filter')).toBe('{alertname="CheckoutAlwaysFiring",service="checkout",env="production"}');
    const payments = nodes.find((n: any) => n.name === 'PaymentsErrorsHigh');
    expect(payments).toMatchObject({ severity: 'SEV3', rawSeverity: 'warning', service: { id: 'payments-api' } });
  });

  it('Service.health and Service.alerts come from the firing alerts', async () => {
    const body = await gql(gateway.url, `{ service(id: "checkout") { health { status reason firingAlerts } alerts(states: [FIRING]) { nodes { name } } } }`);
    expect(body.data.service.health).toMatchObject({ status: 'DOWN', firingAlerts: 1 });
    expect(body.data.service.health.reason).toContain('CheckoutAlwaysFiring (critical)');
    expect(body.data.service.alerts.nodes).toEqual([{ name: 'CheckoutAlwaysFiring' }]);
  });

  it('silenceAlert creates a silence matching the labels; silencing again replaces it (the old one expires)', async () => {
    const [{ id }] = (await gql(gateway.url, `{ alerts(filter: { text: "checkout is on fire" }) { nodes { id } } }`)).data.alerts.nodes;
    const first = await gql(
      gateway.url,
      `mutation($id: ID!) { silenceAlert(id: $id, duration: "30m", comment: "known, OPS-1", idempotencyKey: "s1") { state rawState silencedUntil silenceComment } }`,
      { id },
      { 'x-opsorch-actor': JSON.stringify({ kind: 'user', id: 'maya.chen@acme-shop.example' }) },
    );
    expect(first.errors).toBeUndefined();
    expect(first.data.silenceAlert).toMatchObject({ state: 'SILENCED', rawState: 'suppressed', silenceComment: 'known, OPS-1' });
    const silences = await direct<any[]>(`${stack.alertmanagerUrl}/api/v2/silences`);
    const active = silences.filter((s) => s.status.state === 'active');
    expect(active).toHaveLength(1);
    expect(active[0].comment).toBe('known, OPS-1');
    expect(active[0].createdBy).toMatch(/\(via OpsOrch\)$/);
    expect(new Date(active[0].endsAt).toISOString()).toBe(first.data.silenceAlert.silencedUntil);
    const alert = (await direct<any[]>(`${stack.alertmanagerUrl}/api/v2/alerts`)).find((a) => a.labels.alertname === 'CheckoutAlwaysFiring');
    expect(alert.status.silencedBy).toEqual([active[0].id]);
    expect(active[0].matchers.map((m: any) => `${m.name}=${m.value}`).sort()).toEqual(Object.entries(alert.labels).map(([k, v]) => `${k}=${v}`).sort());

    const health = await gql(gateway.url, `{ service(id: "checkout") { health { status firingAlerts } } }`);
    expect(health.data.service.health).toEqual({ status: 'HEALTHY', firingAlerts: 0 });

    const again = await gql(gateway.url, `mutation($id: ID!) { silenceAlert(id: $id, duration: "1h") { silencedUntil silenceComment } }`, { id });
    expect(again.errors).toBeUndefined();
    const after = await direct<any[]>(`${stack.alertmanagerUrl}/api/v2/silences`);
    expect(after.filter((s) => s.status.state === 'active')).toHaveLength(1);
    expect(after.find((s) => s.id === active[0].id).status.state).toBe('expired');
    expect(again.data.silenceAlert.silenceComment).toMatch(/^Silenced from OpsOrch by /);
  });

  it('acknowledgeAlert is NOT_SUPPORTED: Alertmanager has no acknowledgement', async () => {
    const [{ id }] = (await gql(gateway.url, `{ alerts(filter: { text: "payments" }) { nodes { id } } }`)).data.alerts.nodes;
    const body = await gql(gateway.url, `mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }`, { id });
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'NOT_SUPPORTED', provider: 'am' });
  });

  it("Prometheus' own alerting rules as the alerts provider: the firing alerts of /api/v1/alerts", async () => {
    const own = await startTestGateway({
      env: { OPSORCH_ALERTS_PROVIDER: 'prom=prometheus', OPSORCH_ALERTS_CONFIG: JSON.stringify({ url: stack.prometheusUrl, serviceAliases: { payments: 'payments-api' } }) },
    });
    try {
      const raw = (await direct(`${stack.prometheusUrl}/api/v1/alerts`)).data.alerts.filter((a: any) => a.state === 'firing');
      const body = await gql(own.url, `{ alerts { nodes { name state rawState severity service { id } generatorUrl } } }`);
      expect(body.errors).toBeUndefined();
      expect(body.data.alerts.nodes.map((n: any) => n.name).sort()).toEqual(raw.map((a: any) => a.labels.alertname).sort());
      const checkout = body.data.alerts.nodes.find((n: any) => n.name === 'CheckoutAlwaysFiring');
      expect(checkout).toMatchObject({ state: 'FIRING', rawState: 'firing', severity: 'SEV2', service: { id: 'checkout' } });
      expect(new URL(checkout.generatorUrl).searchParams.get('g0.expr')).toBe('vector(1)');
    } finally {
      await own.close();
    }
  });
});

describe('provider health', () => {
  it('the providers query reaches Prometheus and Alertmanager and reports latency; a dead one is DOWN with its error', async () => {
    const body = await gql(gateway.url, `{ providers { capability provider instance health checked latencyMs lastError { code message } calls } }`);
    expect(body.errors).toBeUndefined();
    const byKey = Object.fromEntries(body.data.providers.map((p: any) => [`${p.capability}/${p.instance}`, p]));
    expect(byKey['metrics/prom']).toMatchObject({ provider: 'prometheus', health: 'UP', checked: true, lastError: null });
    expect(byKey['metrics/prom'].latencyMs).toBeGreaterThan(0);
    expect(byKey['alerts/am']).toMatchObject({ provider: 'alertmanager', health: 'UP', checked: true });
    expect(byKey['incidents/demo']).toMatchObject({ provider: 'demo', health: 'UP', checked: false });

    const dead = await startTestGateway({ env: { ...env, OPSORCH_ALERTS_CONFIG: JSON.stringify({ url: 'http://127.0.0.1:9' }) } });
    try {
      const down = await gql(dead.url, `{ providers(capability: "alerts") { instance health lastError { code message } } }`);
      expect(down.data.providers).toEqual([
        { instance: 'am', health: 'DOWN', lastError: { code: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining('cannot reach Alertmanager at http://127.0.0.1:9') } },
      ]);
      const wrong = await gql(dead.url, `{ providers(capability: "alert") { instance } }`);
      expect(wrong.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    } finally {
      await dead.close();
    }
  });

  it('opsorch check exits 0 when every provider answers, 1 when one is down, 2 on invalid configuration', async () => {
    const run = (extra: Record<string, string>) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [join(ROOT, 'bin', 'opsorch.mjs'), 'check'], { cwd: ROOT, env: { ...process.env, ...env, ...extra } });
        let out = '';
        child.stdout.on('data', (c) => (out += c));
        child.stderr.on('data', (c) => (out += c));
        child.on('exit', (code) => resolve({ code, out }));
      });
    // Three CLI processes, each loading the whole gateway: run side by side, with room for a busy machine.
    const [ok, down, invalid] = await Promise.all([
      run({}),
      run({ OPSORCH_METRICS_CONFIG: JSON.stringify({ url: 'http://127.0.0.1:9' }) }),
      run({ OPSORCH_METRICS_CONFIG: JSON.stringify({ url: stack.prometheusUrl, serviceLabel: 'not a label' }) }),
    ]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/metrics\s+prom\s+prometheus\s+UP\s+\d+ ms/);
    expect(down.code, down.out).toBe(1);
    expect(down.out).toContain('1 of 10 provider instances DOWN: metrics/prom');
    expect(invalid.code, invalid.out).toBe(2);
    expect(invalid.out).toContain('serviceLabel');
  }, 90_000);
});


