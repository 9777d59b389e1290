// The Datadog adapter through the real gateway against contract fakes of Datadog's v1 and v2 documents
// (../shared/vendor-api/datadog-v1/-v2.openapi.json): every request must be one Datadog accepts, every answer
// served matches the spec, and the fake evaluates the log searches and metric queries the adapter writes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { runCheck } from '../../gateway/src/check.ts';
import { captureLogs, gql, startTestGateway } from '../../gateway/test/harness.ts';
import { apiKey, bearer, writeGatewayConfig } from '../../gateway/test/security-fixtures.ts';
import { sampleWorld, startFakeDatadog, type RunningFakeDatadog } from './fake-datadog.ts';

const NOW = Date.now();
const API_KEY = 'dd-api-0123456789abcdef0123456789abcdef';
const APP_KEY = 'dd-app-fedcba9876543210fedcba9876543210fedcba98';

/** Hostile values the injection test searches for: each is the literal value of one line's `user.name`. */
const HOSTILE = [
  'a" OR service:cart OR "',
  'back\\slash\\" -status:error',
  '{braces} [brackets] (parens)',
  'pipe | grep x || true',
  "' or 1=1 --",
  '*',
  'ünïcödé 🚨 \u202e RTL',
  '@http.status_code:502',
];

let fake: RunningFakeDatadog;
let gateway: RunningGateway;
const logs = captureLogs();

function env(capabilities: string[]): Record<string, string> {
  const config = JSON.stringify({ site: 'EU', url: fake.url, apiKey: 'secret://env/DD_API_KEY', applicationKey: 'secret://env/DD_APP_KEY' });
  return Object.fromEntries(capabilities.flatMap((c) => [[`OPSORCH_${c}_PROVIDER`, 'dd=datadog'], [`OPSORCH_${c}_CONFIG`, config]]));
}
const CAPABILITIES = ['METRICS', 'LOGS', 'ALERTS', 'INCIDENTS', 'SERVICES'];

beforeAll(async () => {
  const world = sampleWorld(NOW);
  HOSTILE.forEach((value, i) =>
    world.logs.push({
      id: `AQAAAYhostile${i}`,
      timestamp: new Date(NOW - 30_000 - i).toISOString(),
      status: 'info',
      service: 'checkout',
      message: `literal ${value}`,
      tags: ['env:production'],
      attributes: { user: { name: value } },
    }),
  );
  world.series.push({ metric: 'system.cpu.user', tags: ['service:checkout', 'env:prödüction-île/1', 'host:h9'], value: () => 7 });
  // 230 incidents: three vendor pages of 100.
  for (let i = 5; i < 230; i++) {
    const base = structuredClone(world.incidents[3]!) as { id: string; attributes: Record<string, unknown> };
    base.id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    base.attributes.public_id = 100 + i;
    base.attributes.detected = new Date(NOW - 10 * 3_600_000 - i * 60_000).toISOString();
    world.incidents.push(base);
  }
  fake = await startFakeDatadog(world);
  gateway = await startTestGateway({
    env: { ...env(CAPABILITIES), DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, OPSORCH_PROVIDER_TIMEOUT_MS: '1500', OPSORCH_PROVIDER_READ_ATTEMPTS: '1', OPSORCH_BREAKER_FAILURES: '100' },
    logger: logs.logger,
  });
}, 60_000);

afterEach(() => {
  fake.failure = null;
  fake.delayMs = 0;
  fake.verify();
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

describe('Datadog adapter against the contract fake', () => {
  it('serves service definitions as the catalog, with Datadog and PagerDuty references and links to the service page', async () => {
    const body = await gql(gateway.url, `{ services(first: 10) { nodes { id name tier rawTier owner { id } externalRefs { system id } repositoryUrl url } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.services.nodes.map((s: { id: string }) => s.id)).toEqual(['checkout', 'cart', 'payments-api']);
    expect(body.data.services.nodes[0]).toMatchObject({
      tier: 'TIER_1',
      rawTier: '1',
      externalRefs: expect.arrayContaining([{ system: 'datadog', id: 'checkout' }, { system: 'pagerduty', id: 'PD0XYZ' }, { system: 'github', id: 'acme-shop/checkout' }]),
      repositoryUrl: 'https://github.com/acme-shop/checkout',
      url: 'https://app.datadoghq.eu/services/checkout',
    });
    const sent = fake.requests().find((r) => r.route === 'GET /api/v2/services/definitions')!;
    expect(sent.headers['dd-api-key']).toBe(API_KEY);
    expect(sent.headers['dd-application-key']).toBe(APP_KEY);
  });

  it('serves monitors as alerts: states and priorities raw, a downtime as a silence, the catalog service joined', async () => {
    const body = await gql(gateway.url, `{ alerts(first: 10) { nodes { id name state rawState severity rawSeverity silencedUntil url service { id } } } }`);
    expect(body.errors).toBeUndefined();
    const byId = Object.fromEntries(body.data.alerts.nodes.map((a: { id: string }) => [a.id, a]));
    expect(byId['dd:1001']).toMatchObject({ state: 'FIRING', rawState: 'Alert', severity: 'SEV1', rawSeverity: 'P1', url: 'https://app.datadoghq.eu/monitors/1001', service: { id: 'checkout' } });
    expect(byId['dd:1002']).toMatchObject({ state: 'SILENCED', rawState: 'Warn', severity: 'SEV3', rawSeverity: 'P3', service: { id: 'cart' } });
    expect(Date.parse(byId['dd:1002'].silencedUntil)).toBeGreaterThan(NOW);
    expect(byId['dd:1003']).toMatchObject({ state: 'RESOLVED', rawState: 'OK', severity: 'UNKNOWN', rawSeverity: null });
    expect(byId['dd:1004']).toMatchObject({ state: 'FIRING', rawState: 'No Data', severity: 'SEV5', service: null });
    const asked = fake.requests().filter((r) => r.route === 'GET /api/v1/monitor').at(-1)!;
    expect(asked.query.get('group_states')).toBe('all');
    expect(asked.query.get('with_downtimes')).toBe('true');
  });

  it('walks every incident across vendor pages without gap or duplicate, newest first, with deep links and the commander', async () => {
    const before = fake.requests().length;
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const body: any = await gql(gateway.url, `query($after: String) { incidents(first: 60, after: $after) { nodes { id number status rawStatus severity rawSeverity startedAt url commander { id } service { id } } pageInfo { hasNextPage endCursor } } }`, { after });
      expect(body.errors).toBeUndefined();
      seen.push(...body.data.incidents.nodes.map((n: { id: string }) => n.id));
      if (pages === 0) {
        expect(body.data.incidents.nodes[0]).toMatchObject({ number: 40, status: 'TRIGGERED', rawStatus: 'active', severity: 'SEV1', rawSeverity: 'SEV-1', url: 'https://app.datadoghq.eu/incidents/40', commander: { id: 'alex@acme-shop.example' }, service: { id: 'checkout' } });
        expect(body.data.incidents.nodes.find((n: { number: number }) => n.number === 41)).toMatchObject({ status: 'ACKNOWLEDGED', rawStatus: 'stable' });
        expect(body.data.incidents.nodes.find((n: { number: number }) => n.number === 42)).toMatchObject({ status: 'RESOLVED', severity: 'SEV1', rawSeverity: 'SEV-0' });
      }
      if (!body.data.incidents.pageInfo.hasNextPage) break;
      after = body.data.incidents.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(230);
    expect(new Set(seen).size).toBe(230);
    const listCalls = fake.requests().slice(before).filter((r) => r.route === 'GET /api/v2/incidents');
    expect(listCalls.map((r) => r.query.get('page[offset]'))).toEqual(expect.arrayContaining(['0', '100', '200']));
  });

  it('resolves an incident once for two mutations with the same idempotency key, and answers NOT_FOUND for an unknown one', async () => {
    const mutation = `mutation { resolveIncident(id: "dd:00000000-0000-4000-8000-000000000000", resolution: "rolled back", idempotencyKey: "dd-resolve-1") { status rawStatus resolvedAt } }`;
    const first = await gql(gateway.url, mutation);
    const second = await gql(gateway.url, mutation);
    expect(first.errors).toBeUndefined();
    expect(first.data.resolveIncident).toMatchObject({ status: 'RESOLVED', rawStatus: 'resolved' });
    expect(second.data).toEqual(first.data);
    const patches = fake.requests().filter((r) => r.route === 'PATCH /api/v2/incidents/{incident_id}');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.body).toMatchObject({ data: { type: 'incidents', attributes: { fields: { state: { type: 'dropdown', value: 'resolved' } } } } });
    const missing = await gql(gateway.url, `mutation { resolveIncident(id: "dd:no-such-incident") { status } }`);
    expect(missing.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', provider: 'dd' });
  });

  it('pages log lines with Datadog\'s cursor: walked to the end, no gap and no duplicate, fields and links kept', async () => {
    const range = { from: new Date(NOW - 3_600_000).toISOString(), to: new Date(NOW).toISOString() };
    const expected = fake.world.logs.filter((l) => l.service === 'cart').length;
    const seen: string[] = [];
    let after: string | null = null;
    let first: any = null;
    for (let pages = 0; pages < 40; pages++) {
      const body: any = await gql(gateway.url, `query($after: String, $range: TimeRangeInput) { logs(query: { scope: { service: "cart" } }, range: $range, first: 7, after: $after) { nodes { id timestamp level rawLevel message service { id } environment traceId url fields { key value } } pageInfo { hasNextPage endCursor } } }`, { after, range });
      expect(body.errors).toBeUndefined();
      first ??= body.data.logs.nodes[0];
      seen.push(...body.data.logs.nodes.map((n: { id: string }) => n.id));
      if (!body.data.logs.pageInfo.hasNextPage) break;
      after = body.data.logs.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(expected);
    expect(new Set(seen).size).toBe(expected);
    expect(first).toMatchObject({ service: { id: 'cart' }, environment: 'production' });
    expect(first.fields).toEqual(expect.arrayContaining([{ key: 'http.method', value: 'GET' }, { key: 'version', value: expect.any(String) }]));
    const url = new URL(first.url);
    expect(url.origin + url.pathname).toBe('https://app.datadoghq.eu/logs');
    expect(url.searchParams.get('query')).toBe('service:"cart"');
    expect(url.searchParams.get('from_ts')).toBe(String(Date.parse(range.from)));
    const searches = fake.requests().filter((r) => r.route === 'POST /api/v2/logs/events/search');
    expect(searches.at(-1)!.body).toMatchObject({ filter: { query: 'service:"cart"' }, sort: '-timestamp' });
  });

  it('translates levels, text and field filters into one search and reads volume and fields from it', async () => {
    const body = await gql(gateway.url, `{
      errors: logs(query: { levels: [ERROR, FATAL], filters: [{ field: "http.status_code", value: "502" }] }, range: { from: "now-2h" }, first: 200) { nodes { level rawLevel } }
      volume: logVolume(query: { text: "upstream timeout" }, range: { from: "now-2h" }, buckets: 4) { total estimated }
      fields: logFields(scope: { service: "checkout" }, range: { from: "now-2h" }, top: 3) { name topValues { value count } }
    }`);
    expect(body.errors).toBeUndefined();
    const errors = fake.world.logs.filter((l) => l.status === 'error').length;
    expect(body.data.errors.nodes).toHaveLength(errors);
    expect(new Set(body.data.errors.nodes.map((n: { level: string }) => n.level))).toEqual(new Set(['ERROR']));
    expect(body.data.volume).toEqual({ total: errors, estimated: false });
    fake.world.logs.push({ id: 'AQAAAYodd', timestamp: new Date(NOW - 5_000).toISOString(), status: 'Emergency!', service: 'cart', message: 'odd status', tags: [], attributes: {} });
    const unknown = await gql(gateway.url, `{ logs(query: { levels: [UNKNOWN] }, range: { from: "now-1h" }) { nodes { id level rawLevel } } }`);
    expect(unknown.data.logs.nodes).toEqual([{ id: 'dd:AQAAAYodd', level: 'UNKNOWN', rawLevel: 'Emergency!' }]);
    fake.world.logs.pop();
    expect(body.data.fields.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['http.status_code', 'env', 'host']));
  });

  it('matches hostile filter values literally in the log search: quotes, backslashes, braces, pipes, or-1=1, unicode', async () => {
    for (const [i, value] of HOSTILE.entries()) {
      const body = await gql(
        gateway.url,
        `query($value: String!) {
          equals: logs(query: { filters: [{ field: "user.name", value: $value }] }, range: { from: "now-1h" }, first: 200) { nodes { id } }
          contains: logs(query: { filters: [{ field: "user.name", op: CONTAINS, value: $value }] }, range: { from: "now-1h" }, first: 200) { nodes { id } }
          text: logs(query: { text: $value }, range: { from: "now-1h" }, first: 200) { nodes { id } }
        }`,
        { value },
      );
      expect(body.errors, value).toBeUndefined();
      // Exactly the one line holding the value; an escaped quote would have matched every cart line or none.
      expect(body.data.equals.nodes, value).toEqual([{ id: `dd:AQAAAYhostile${i}` }]);
      expect(body.data.text.nodes, value).toEqual([{ id: `dd:AQAAAYhostile${i}` }]);
      expect(body.data.contains.nodes.map((n: { id: string }) => n.id), value).toContain(`dd:AQAAAYhostile${i}`);
      expect(body.data.contains.nodes.length, value).toBeLessThanOrEqual(2);
    }
    const regex = await gql(gateway.url, `{ logs(query: { filters: [{ field: "user.name", op: REGEX, value: ".*" }] }) { nodes { id } } }`);
    expect(regex.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const badField = await gql(gateway.url, `{ logs(query: { filters: [{ field: "a:b OR *", value: "x" }] }) { nodes { id } } }`);
    expect(badField.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('refuses metric tag values Datadog cannot hold instead of writing them into the query, and matches unicode tags literally', async () => {
    const before = fake.requests().filter((r) => r.route === 'POST /api/v2/query/timeseries').length;
    for (const value of HOSTILE) {
      const body = await gql(gateway.url, `query($value: String!) { metricSeries(query: { name: "system.cpu.user", labels: [{ name: "env", value: $value }] }, range: { from: "now-1h" }) { series { name } } }`, { value });
      expect(body.errors?.[0]?.extensions?.code, value).toBe('BAD_USER_INPUT');
      expect(body.errors![0]!.message).toContain('cannot be a Datadog tag value');
    }
    expect(fake.requests().filter((r) => r.route === 'POST /api/v2/query/timeseries')).toHaveLength(before);
    const unicode = await gql(gateway.url, `{ metricSeries(query: { name: "system.cpu.user", labels: [{ name: "env", value: "prödüction-île/1" }], groupBy: ["host"] }, range: { from: "now-1h" }) { query series { labels { name value } points { value } } } }`);
    expect(unicode.errors).toBeUndefined();
    expect(unicode.data.metricSeries.query).toBe('avg:system.cpu.user{env:prödüction-île/1} by {host}');
    expect(unicode.data.metricSeries.series).toHaveLength(1);
    expect(unicode.data.metricSeries.series[0].labels).toEqual([{ name: 'host', value: 'h9' }]);
  });

  it('reads a series with the request\'s step, tags as labels, a metric explorer link, and names close matches for an unknown metric', async () => {
    const from = new Date(NOW - 3_600_000).toISOString();
    const to = new Date(NOW).toISOString();
    const body = await gql(gateway.url, `query($from: String!, $to: String!) { metricSeries(query: { name: "trace.http.request.hits", scope: { service: "checkout", environment: "production" }, aggregation: RATE }, range: { from: $from, to: $to }, step: "2m") { step query url series { service { id } labels { name value } points { timestamp value } } } }`, { from, to });
    expect(body.errors).toBeUndefined();
    const result = body.data.metricSeries;
    expect(result.step).toBe('2m');
    expect(result.query).toBe('sum:trace.http.request.hits{service:checkout AND env:production} by {service,env}.as_rate()');
    expect(result.series).toHaveLength(1);
    expect(result.series[0]).toMatchObject({ service: { id: 'checkout' }, labels: [{ name: 'service', value: 'checkout' }, { name: 'env', value: 'production' }] });
    expect(result.series[0].points.length).toBeGreaterThanOrEqual(29);
    const sent = fake.requests().filter((r) => r.route === 'POST /api/v2/query/timeseries').at(-1)!.body as any;
    expect(sent.data.attributes).toMatchObject({ interval: 120_000, from: Date.parse(from), to: Date.parse(to) });
    const url = new URL(result.url);
    expect(url.origin + url.pathname).toBe('https://app.datadoghq.eu/metric/explorer');
    expect(url.searchParams.get('exp_query')).toBe(result.query);
    expect(url.searchParams.get('from_ts')).toBe(String(Date.parse(from)));

    const unknown = await gql(gateway.url, `{ metricSeries(query: { name: "trace.http.request.hit" }, range: { from: "now-1h" }) { step } }`);
    expect(unknown.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect(unknown.errors![0]!.message).toContain('"trace.http.request.hits"');
  });

  it('lists the metric catalog across cursor pages with types and tags as labels, label values, and golden signals in one call', async () => {
    const body = await gql(gateway.url, `{ metricDescriptors(first: 2) { nodes { name type rawType labels } pageInfo { hasNextPage endCursor } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.metricDescriptors.nodes[0]).toMatchObject({ name: 'system.cpu.user', type: 'GAUGE', rawType: 'gauge', labels: ['env', 'host', 'service'] });
    const rest = await gql(gateway.url, `query($after: String) { metricDescriptors(first: 10, after: $after) { nodes { name type rawType } } }`, { after: body.data.metricDescriptors.pageInfo.endCursor });
    expect([...body.data.metricDescriptors.nodes, ...rest.data.metricDescriptors.nodes].map((n: { name: string }) => n.name)).toEqual([
      'system.cpu.user',
      'trace.http.request',
      'trace.http.request.errors',
      'trace.http.request.hits',
    ]);
    expect(rest.data.metricDescriptors.nodes.find((n: { name: string }) => n.name === 'trace.http.request.errors')).toMatchObject({ type: 'UNKNOWN', rawType: 'unknown' });
    const values = await gql(gateway.url, `{ metricLabelValues(name: "system.cpu.user", label: "env", scope: { service: "checkout" }) }`);
    expect(values.data.metricLabelValues).toEqual(['production', 'prödüction-île/1', 'staging']);

    const before = fake.requests().filter((r) => r.route === 'POST /api/v2/query/timeseries').length;
    const golden = await gql(gateway.url, `{ services { nodes { id goldenSignals(range: { from: "now-1h" }) { requestRate { points { value } } errorRate { points { value } } latencyP99 { unit } saturation { name } } } } }`);
    expect(golden.errors).toBeUndefined();
    expect(golden.data.services.nodes.every((s: any) => s.goldenSignals.requestRate.points.length > 0 && s.goldenSignals.errorRate.points[0].value > 0)).toBe(true);
    expect(fake.requests().filter((r) => r.route === 'POST /api/v2/query/timeseries')).toHaveLength(before + 1);
  });

  it('maps Datadog\'s refusals and outages, and never shows the keys in an answer, an error or a log line', async () => {
    fake.failure = { status: 403, body: { errors: [`Forbidden for key ${API_KEY}`] } };
    const forbidden = await gql(gateway.url, `{ incidents { nodes { id } } }`);
    expect(forbidden.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', capability: 'incidents', provider: 'dd' });
    fake.failure = { status: 401, body: { errors: ['Unauthorized'] } };
    const unauthorized = await gql(gateway.url, `{ logs(query: {}) { nodes { id } providerErrors { code } } }`);
    expect(JSON.stringify(unauthorized)).toContain('PROVIDER_AUTH_FAILED');
    fake.failure = { status: 503, raw: '<html>bad gateway</html>' };
    const down = await gql(gateway.url, `{ metricSeries(query: { name: "system.cpu.user" }) { step } }`);
    expect(down.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', capability: 'metrics' });
    fake.failure = null;
    fake.delayMs = 2_500;
    const slow = await gql(gateway.url, `{ alerts { nodes { id } } }`);
    expect(slow.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_TIMEOUT', capability: 'alerts' });
    fake.delayMs = 0;
    // Last: a 429's Retry-After closes the instance's gate for that long.
    fake.failure = { status: 429, body: { errors: ['Rate limit exceeded'] }, headers: { 'retry-after': '30', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '30' } };
    const limited = await gql(gateway.url, `{ alerts { nodes { id } } }`);
    expect(limited.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', provider: 'dd', retryAfter: 30 });
    for (const text of [...logs.lines, JSON.stringify([forbidden, unauthorized, down, slow, limited])]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(APP_KEY);
    }
    for (const request of fake.requests()) expect(request.query.toString()).not.toContain('dd-a');
  });

  it('is reported by opsorch check for each capability it serves', async () => {
    let out = '';
    await runCheck({ env: { ...env(CAPABILITIES), DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY }, json: true, write: (t) => (out += t) });
    const report = JSON.parse(out) as { providers: { capability: string; instance: string; provider: string; health: string }[] };
    for (const capability of ['metrics', 'logs', 'alerts', 'incidents', 'services']) {
      expect(report.providers.find((p) => p.capability === capability)).toMatchObject({ instance: 'dd', provider: 'datadog', health: 'UP' });
    }
    expect(out).not.toContain(API_KEY);
  });
});

describe('Datadog objects and environment isolation (decision 014)', () => {
  const staging = apiKey('staging-ci', ['*:read'], { environments: ['staging'] });
  const ops = apiKey('ops', ['*:read']);
  let isolated: RunningGateway;

  beforeAll(async () => {
    const config = writeGatewayConfig({ auth: { apiKeys: [staging.entry, ops.entry] } });
    isolated = await startTestGateway({ env: { ...env(CAPABILITIES), OPSORCH_CONFIG: config, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY } });
  }, 60_000);
  afterAll(async () => {
    await isolated?.close();
  });

  const read = `query($environment: String) {
    incidents(first: 50, filter: { scope: { environment: $environment } }) { nodes { id number environment } }
    alerts(first: 10, filter: { scope: { environment: $environment } }) { nodes { id labels { name value } } } }`;
  const byId = `query($id: ID!) { incident(id: $id) { number environment } }`;

  it('carries the env field of incidents as environment, and the env tag of monitors', async () => {
    const body = await gql(isolated.url, read, undefined, bearer(ops.key));
    expect(body.errors).toBeUndefined();
    const incidents = Object.fromEntries(body.data.incidents.nodes.map((i: { number: number; environment: string | null }) => [i.number, i.environment]));
    expect([incidents[40], incidents[42], incidents[44]]).toEqual(['production', 'staging', null]);
    // A monitor's environment is its env tag (a label); 1003 has none.
    const envOf = (id: string) => body.data.alerts.nodes.find((a: { id: string }) => a.id === id).labels.find((l: { name: string }) => l.name === 'env')?.value ?? null;
    expect([envOf('dd:1001'), envOf('dd:1003')]).toEqual(['production', null]);
  });

  it('shows a staging credential the staging incident, by list and by id, and a production one as if it did not exist', async () => {
    const body = await gql(isolated.url, read, { environment: 'staging' }, bearer(staging.key));
    expect(body.errors).toBeUndefined();
    expect(body.data.incidents.nodes).toEqual([{ id: 'dd:00000000-0000-4000-8000-000000000002', number: 42, environment: 'staging' }]);
    expect(body.data.alerts.nodes).toEqual([]);
    const own = await gql(isolated.url, byId, { id: 'dd:00000000-0000-4000-8000-000000000002' }, bearer(staging.key));
    expect(own.data.incident).toEqual({ number: 42, environment: 'staging' });
    for (const id of ['dd:00000000-0000-4000-8000-000000000000', 'dd:00000000-0000-4000-8000-000000000004']) {
      const other = await gql(isolated.url, byId, { id }, bearer(staging.key));
      expect(other.errors).toBeUndefined();
      expect(other.data.incident).toBeNull();
    }
  });
});
