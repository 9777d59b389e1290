// The Loki adapter through the real gateway against a fake Loki (fake-loki.ts) that validates every request
// against the API described in ../shared/vendor-api/loki.md (__fixtures__/loki.openapi.json) and runs the LogQL
// it receives: paging, filters, hostile values, counts, fields, tenants, failures and links.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { captureLogs, gql, startTestGateway } from '../../gateway/test/harness.ts';
import { checkExampleProvider } from '../kit/example-check.ts';
import { walkLogs } from '../kit/log-walk.ts';
import { startFakeLoki, type FakeLoki, type FakeStream } from './fake-loki.ts';

const PASSWORD = 'pw-loki-very-secret-4711';
const NOW = Math.floor(Date.now() / 1000) * 1000;
const BASE_MS = NOW - 600_000;
/** Quotes, backslashes, braces, pipes, backticks, an `or 1=1`, LogQL syntax, unicode and a newline. */
const HOSTILE = 'a"b\\c} | json |~ `.*` or 1=1 {x=~".+"} ü😀 (?i).*\nend';
const LEVELS = ['info', 'info', 'warn', 'error', 'debug', 'fatal', 'INFO', 'Warning'];

function stream(labels: Record<string, string>, count: number, offset: number): FakeStream {
  const entries: [bigint, string][] = [];
  for (let i = 0; i < count; i++) {
    // Lines 5 apart in index share a millisecond; every third shares the exact nanosecond with other streams.
    const ns = BigInt(BASE_MS + Math.floor((i + offset) / 5)) * 1_000_000n + (i % 3 === 0 ? 0n : BigInt(100 + i));
    const level = LEVELS[(i + offset) % LEVELS.length]!;
    entries.push([ns, JSON.stringify({ level, message: `request ${labels.service_name} #${i}`, http: { status: level === 'error' ? 500 : 200 }, trace_id: (i + offset).toString(16).padStart(32, '0') })]);
  }
  return { labels, entries };
}

const streams: FakeStream[] = [
  stream({ service_name: 'checkout', env: 'production', pod: 'checkout-1' }, 140, 0),
  stream({ service_name: 'checkout', env: 'production', pod: 'checkout-2' }, 120, 3),
  stream({ service_name: 'payments-api', env: 'production', pod: 'payments-1' }, 90, 1),
  stream({ service_name: 'checkout', env: 'staging', pod: 'checkout-s' }, 30, 2),
  stream({ service_name: 'unmapped-thing', env: 'production', pod: 'x-1' }, 10, 4),
];
// One line carrying the hostile value, and a decoy that an escaped-out value would also match.
streams[2]!.entries.push([BigInt(BASE_MS + 50) * 1_000_000n, JSON.stringify({ level: 'error', message: `boom ${HOSTILE}`, note: HOSTILE })]);
streams[2]!.entries.push([BigInt(BASE_MS + 51) * 1_000_000n, JSON.stringify({ level: 'error', message: 'decoy a" or 1=1', note: 'a' })]);

let loki: FakeLoki;
let gateway: RunningGateway;
const logs = captureLogs();

beforeAll(async () => {
  loki = await startFakeLoki(streams);
  gateway = await startTestGateway({
    logger: logs.logger,
    env: {
      OPSORCH_LOGS_PROVIDER: 'lk=loki',
      OPSORCH_LOGS_CONFIG: JSON.stringify({
        url: loki.fake.url,
        tenant: 'team-a|team-b',
        auth: { username: 'opsorch', password: 'secret://env/LOKI_PASSWORD' },
        grafanaUrl: 'https://grafana.example',
        grafanaDatasourceUid: 'loki-prod',
        catalogSystem: 'prometheus',
        maxLinesPerRequest: 40,
      }),
      LOKI_PASSWORD: PASSWORD,
      OPSORCH_PROVIDER_READ_ATTEMPTS: '1',
      OPSORCH_PROVIDER_TIMEOUT_MS: '1500',
    },
  });
}, 60_000);

afterEach(() => {
  loki.fail = null;
  loki.delayMs = 0;
  loki.fake.verify();
});

afterAll(async () => {
  await gateway?.close();
  await loki?.close();
});

const RANGE = `{ from: "${new Date(BASE_MS - 60_000).toISOString()}", to: "${new Date(NOW).toISOString()}" }`;
const LINE = 'id timestamp level rawLevel message environment traceId url service { id } fields { key value } source { provider instance id }';

const walk = (query: string, order: string, first: number) => walkLogs(gateway.url, query, RANGE, order, first, LINE);

const expectedCount = (pred: (labels: Record<string, string>, line: any) => boolean) =>
  streams.reduce((n, s) => n + s.entries.filter(([, line]) => pred(s.labels, JSON.parse(line))).length, 0);

describe('Loki adapter against the fake Loki', () => {
  it('walks every line of a scope to the end in both orders, lines sharing a nanosecond included, no gap and no duplicate', async () => {
    const expected = expectedCount((l) => l.service_name === 'checkout' && l.env === 'production');
    for (const [order, first] of [['NEWEST_FIRST', 37], ['OLDEST_FIRST', 50]] as const) {
      const nodes = await walk(`{ scope: { service: "checkout", environment: "production" } }`, order, first);
      expect(nodes).toHaveLength(expected);
      expect(new Set(nodes.map((n) => n.id)).size).toBe(expected);
      const times = nodes.map((n) => Date.parse(n.timestamp));
      expect(times).toEqual([...times].sort((a, b) => (order === 'NEWEST_FIRST' ? b - a : a - b)));
    }
    // 40 lines per request at most: several requests, each with the tenant and the credentials.
    const ranges = loki.fake.requests.filter((r) => r.route === 'GET /loki/api/v1/query_range');
    expect(ranges.length).toBeGreaterThan(10);
    for (const r of ranges) {
      expect(r.headers['x-scope-orgid']).toBe('team-a|team-b');
      expect(r.headers.authorization).toBe(`Basic ${Buffer.from(`opsorch:${PASSWORD}`).toString('base64')}`);
      expect(Number(r.query.get('limit'))).toBeLessThanOrEqual(40);
    }
  });

  it('maps lines: levels with the raw value, message, fields, trace id, the catalog service, an Explore link to the query', async () => {
    const body = await gql(gateway.url, `{ logs(query: { scope: { service: "checkout" }, levels: [ERROR] }, range: ${RANGE}, first: 3) { nodes { ${LINE} } } }`);
    expect(body.errors).toBeUndefined();
    const line = body.data.logs.nodes[0];
    expect(line).toMatchObject({ level: 'ERROR', rawLevel: 'error', service: { id: 'checkout' }, source: { provider: 'loki', instance: 'lk' } });
    expect(line.id).toMatch(/^lk:checkout:\d+:\d+$/);
    expect(line.message).toMatch(/^request checkout #\d+$/);
    expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(line.fields).toEqual(expect.arrayContaining([{ key: 'http.status', value: '500' }, { key: 'pod', value: expect.stringMatching(/^checkout-/) }]));
    const url = new URL(line.url);
    expect(url.origin + url.pathname).toBe('https://grafana.example/explore');
    const pane = JSON.parse(url.searchParams.get('panes')!).a;
    expect(pane.queries[0]).toMatchObject({ datasource: { type: 'loki', uid: 'loki-prod' } });
    expect(pane.queries[0].expr).toBe(loki.fake.requests.at(-1)!.query.get('query'));
    expect(Number(pane.range.from)).toBe(Date.parse(line.timestamp));
    // The levels filter ran in Loki: every line is an error line.
    expect(body.data.logs.nodes.every((n: any) => n.level === 'ERROR')).toBe(true);
  });

  it('runs level, text and every filter operator in Loki with the schema semantics', async () => {
    const count = async (query: string) => (await walk(query, 'NEWEST_FIRST', 200)).length;
    expect(await count(`{ scope: { service: "payments-api" }, levels: [WARN, FATAL] }`)).toBe(
      expectedCount((l, line) => l.service_name === 'payments-api' && ['warn', 'Warning', 'fatal'].includes(line.level)),
    );
    expect(await count(`{ scope: { service: "checkout" }, text: "REQUEST CHECKOUT #1" }`)).toBe(
      expectedCount((l, line) => l.service_name === 'checkout' && line.message.toLowerCase().includes('request checkout #1')),
    );
    expect(await count(`{ filters: [{ field: "http.status", value: "500" }, { field: "pod", op: NOT_EQUALS, value: "checkout-1" }] }`)).toBe(
      expectedCount((l, line) => line.http?.status === 500 && l.pod !== 'checkout-1'),
    );
    expect(await count(`{ filters: [{ field: "trace_id", op: REGEX, value: "f$" }, { field: "message", op: CONTAINS, value: "CHECKOUT" }] }`)).toBe(
      expectedCount((_, line) => /f$/.test(line.trace_id ?? '') && /checkout/i.test(line.message)),
    );
  });

  it('matches hostile values literally in text and in every filter operator (LogQL injection)', async () => {
    const hostile = JSON.stringify(HOSTILE);
    const find = async (query: string) => (await walk(query, 'NEWEST_FIRST', 200)).map((n) => n.message);
    expect(await find(`{ text: ${hostile} }`)).toEqual([`boom ${HOSTILE}`]);
    expect(await find(`{ filters: [{ field: "note", value: ${hostile} }] }`)).toEqual([`boom ${HOSTILE}`]);
    expect(await find(`{ filters: [{ field: "note", op: CONTAINS, value: ${JSON.stringify('C} | JSON |~ `.*` OR 1=1 {X=~".+"} Ü😀')} }] }`)).toEqual([`boom ${HOSTILE}`]);
    expect(await find(`{ scope: { service: "payments-api" }, filters: [{ field: "note", op: NOT_EQUALS, value: ${hostile} }] }`)).toHaveLength(
      expectedCount((l) => l.service_name === 'payments-api') - 1,
    );
    // Fragments that would widen the query if they became syntax match nothing.
    for (const value of ['" or 2=2', '"} or {service_name=~".+', '`) |~ `.*', 'x\\" | json | note=~".*']) {
      expect(await find(`{ text: ${JSON.stringify(value)} }`)).toEqual([]);
      expect(await find(`{ filters: [{ field: "note", value: ${JSON.stringify(value)} }] }`)).toEqual([]);
      expect(await find(`{ filters: [{ field: "note", op: CONTAINS, value: ${JSON.stringify(value)} }] }`)).toEqual([]);
    }
    // A REGEX is RE2 run by Loki, confined to its field: a pattern trying to close the string matches literally.
    expect(await find(`{ filters: [{ field: "note", op: REGEX, value: ${JSON.stringify('a"} |~ ".*')} }] }`)).toEqual([]);
    expect(await find(`{ filters: [{ field: "note", op: REGEX, value: "^a$" }] }`)).toEqual(['decoy a" or 1=1']);
    // Services are escaped too: a scope naming a hostile service asks Loki for that literal label value.
    expect(await find(`{ scope: { service: ${hostile} } }`)).toEqual([]);
    const bad = await gql(gateway.url, `{ logs(query: { filters: [{ field: "1=1", value: "x" }] }) { nodes { id } } }`);
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toMatch(/cannot be a Loki label name/);
  });

  it('counts lines per level and bucket with one metric query', async () => {
    const before = loki.fake.requests.length;
    const body = await gql(gateway.url, `{ logVolume(query: { scope: { service: "checkout" } }, range: ${RANGE}, buckets: 12) { total estimated buckets { total counts { level count } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.logVolume.total).toBe(expectedCount((l) => l.service_name === 'checkout'));
    expect(body.data.logVolume.buckets).toHaveLength(12);
    const errors = body.data.logVolume.buckets.flatMap((b: any) => b.counts).filter((c: any) => c.level === 'ERROR').reduce((n: number, c: any) => n + c.count, 0);
    expect(errors).toBe(expectedCount((l, line) => l.service_name === 'checkout' && line.level === 'error'));
    expect(loki.fake.requests.length - before).toBe(1);
  });

  it('suggests fields from a sample and stream labels from the label API', async () => {
    const body = await gql(gateway.url, `{ logFields(scope: { service: "payments-api" }, range: ${RANGE}) { name distinctValues topValues { value count } } logFieldValues(field: "pod", range: ${RANGE}) { value count } }`);
    expect(body.errors).toBeUndefined();
    const names = body.data.logFields.map((f: any) => f.name);
    expect(names).toEqual(expect.arrayContaining(['http.status', 'level', 'pod', 'trace_id']));
    expect(body.data.logFields.find((f: any) => f.name === 'pod').topValues).toEqual([{ value: 'payments-1', count: 40 }]);
    expect(loki.fake.requests.some((r) => r.route === 'GET /loki/api/v1/labels')).toBe(true);
  });

  it('answers Service.logs for several services in one request, each paged on its own', async () => {
    const body = await gql(gateway.url, `{ checkout: service(id: "checkout") { logs(range: ${RANGE}, first: 5, query: { environment: "staging" }) { nodes { service { id } environment } pageInfo { hasNextPage } } } payments: service(id: "payments-api") { logs(range: ${RANGE}, first: 5) { nodes { service { id } } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.checkout.logs.nodes).toHaveLength(5);
    expect(body.data.checkout.logs.nodes.every((n: any) => n.service.id === 'checkout' && n.environment === 'staging')).toBe(true);
    expect(body.data.payments.logs.nodes.every((n: any) => n.service.id === 'payments-api')).toBe(true);
  });

  it('maps Loki failures to provider errors and never shows the credential', async () => {
    const ask = async () => (await gql(gateway.url, `{ logs(query: {}, range: ${RANGE}, first: 5) { nodes { id } providerErrors { code message } } }`)) as any;
    const cases: [FakeLoki['fail'], string][] = [
      [{ status: 401, raw: `bad credentials for opsorch:${PASSWORD}` }, 'PROVIDER_AUTH_FAILED'],
      [{ status: 403, raw: 'tenant not allowed' }, 'PROVIDER_AUTH_FAILED'],
      [{ status: 404, raw: 'not found' }, 'NOT_FOUND'],
      [{ status: 502, raw: '<html>bad gateway</html>' }, 'PROVIDER_UNAVAILABLE'],
    ];
    for (const [fail, code] of cases) {
      loki.fail = fail;
      const body = await ask();
      const error = body.data?.logs?.providerErrors?.[0] ?? body.errors?.[0]?.extensions;
      expect(error?.code, JSON.stringify(body)).toBe(code);
      expect(JSON.stringify(body)).not.toContain(PASSWORD);
    }
    loki.fail = null;
    loki.delayMs = 2_500;
    const slow = await ask();
    expect((slow.data?.logs?.providerErrors?.[0] ?? slow.errors?.[0]?.extensions)?.code).toBe('PROVIDER_TIMEOUT');
    loki.delayMs = 0;
    // Last: the registry holds calls back for the time a rate limit asks.
    loki.fail = { status: 429, raw: 'too many outstanding requests', headers: { 'retry-after': '7' } };
    const limited = await ask();
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfter: 7 });
    expect(logs.lines.join('\n')).not.toContain(PASSWORD);
    expect(logs.lines.join('\n')).not.toContain(Buffer.from(`opsorch:${PASSWORD}`).toString('base64'));
  });

  it("opsorch check reports the example configuration's Loki, reached with its tenant", async () => {
    const { code, out } = await checkExampleProvider('logs', 'loki', { url: loki.fake.url, tenant: 'team-a' });
    expect(code, out).toBe(0);
    expect(out).toMatch(/logs\s+loki\s+loki\s+UP/);
    expect(loki.fake.requests.at(-1)).toMatchObject({ route: 'GET /loki/api/v1/labels', headers: expect.objectContaining({ 'x-scope-orgid': 'team-a' }) });
  }, 30_000);
});
