// The Elasticsearch / OpenSearch adapter through the real gateway against a contract fake of `_search`
// (fake-elasticsearch.ts): every request must be one Elasticsearch accepts (../shared/vendor-api), and the fake runs
// the query DSL it is sent. Paging, filters, hostile values, counts, fields, auth, failures and links.
import { RE2JS } from 're2js';
import rison from 'rison-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { captureLogs, gql, startTestGateway } from '../../gateway/test/harness.ts';
import { checkExampleProvider } from '../kit/example-check.ts';
import { walkLogs } from '../kit/log-walk.ts';
import { startFakeElasticsearch, type FakeDoc, type FakeElasticsearch } from './fake-elasticsearch.ts';

const API_KEY = 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw-secret';
const NOW = Math.floor(Date.now() / 1000) * 1000;
const BASE_MS = NOW - 600_000;
/** Quotes, backslashes, braces, pipes, backticks, an `or 1=1`, query-string and Lucene syntax, unicode, a newline. */
const HOSTILE = 'a"b\\c} | {"match_all":{}} `x` OR 1=1 *:* service.name:* ü😀\nend';
const LEVELS = ['info', 'INFO', 'warn', 'error', 'debug', 'fatal', 'Information', 'WARNING'];

const docs: FakeDoc[] = [];
function add(service: string, environment: string, pod: string, count: number, offset: number) {
  for (let i = 0; i < count; i++) {
    const ms = BASE_MS + Math.floor((i + offset) / 5);
    const nanos = i % 3 === 0 ? '000000' : String(100 + i).padStart(6, '0');
    const level = LEVELS[(i + offset) % LEVELS.length]!;
    docs.push({
      _index: `logs-${service}-2026.12.04`,
      _id: `${service}-${pod}-${i}`,
      _source: {
        '@timestamp': `${new Date(ms).toISOString().slice(0, -1)}${nanos}Z`,
        message: `request ${service} #${i}`,
        log: { level },
        service: { name: service, environment },
        host: { name: pod },
        http: { response: { status_code: level === 'error' ? 500 : 200 } },
        trace: { id: (i + offset).toString(16).padStart(32, '0') },
      },
    });
  }
}
add('checkout', 'production', 'checkout-1', 140, 0);
add('checkout', 'production', 'checkout-2', 120, 3);
add('payments-api', 'production', 'payments-1', 90, 1);
add('checkout', 'staging', 'checkout-s', 30, 2);
add('unmapped-thing', 'production', 'x-1', 10, 4);
const at = (ms: number) => new Date(BASE_MS + ms).toISOString();
docs.push({ _index: 'logs-payments-api-2026.12.04', _id: 'hostile', _source: { '@timestamp': at(50), message: `boom ${HOSTILE}`, note: HOSTILE, log: { level: 'error' }, service: { name: 'payments-api', environment: 'production' } } });
// The same words as the hostile line, so a word-based match alone would find it too.
docs.push({ _index: 'logs-payments-api-2026.12.04', _id: 'decoy', _source: { '@timestamp': at(51), message: 'boom a b c match all x or 1 1 service name ü end', note: 'a', log: { level: 'error' }, service: { name: 'payments-api', environment: 'production' } } });

let es: FakeElasticsearch;
let gateway: RunningGateway;
const logs = captureLogs();

beforeAll(async () => {
  es = await startFakeElasticsearch(docs);
  gateway = await startTestGateway({
    logger: logs.logger,
    env: {
      OPSORCH_LOGS_PROVIDER: 'es=elasticsearch',
      OPSORCH_LOGS_CONFIG: JSON.stringify({
        url: es.fake.url,
        apiKey: 'secret://env/ES_API_KEY',
        index: 'logs-*',
        dashboardsUrl: 'https://kibana.example',
        dataViewId: 'logs-dv',
        catalogSystem: 'prometheus',
        maxHitsPerRequest: 40,
      }),
      ES_API_KEY: API_KEY,
      OPSORCH_PROVIDER_READ_ATTEMPTS: '1',
      OPSORCH_PROVIDER_TIMEOUT_MS: '5000',
    },
  });
}, 60_000);

afterEach(() => {
  es.fail = null;
  es.delayMs = 0;
  es.fake.verify();
});

afterAll(async () => {
  await gateway?.close();
  await es?.close();
});

const RANGE = `{ from: "${new Date(BASE_MS - 60_000).toISOString()}", to: "${new Date(NOW).toISOString()}" }`;
const LINE = 'id timestamp level rawLevel message environment traceId url service { id } fields { key value } source { provider instance id }';

const walk = (query: string, order: string, first: number) => walkLogs(gateway.url, query, RANGE, order, first, LINE);

const expectedCount = (pred: (s: any) => boolean) => docs.filter((d) => pred(d._source)).length;

describe('Elasticsearch adapter against the contract fake', () => {
  it('walks every line of a scope with search_after in both orders, lines sharing a millisecond included, no gap and no duplicate', async () => {
    const expected = expectedCount((s) => s.service.name === 'checkout' && s.service.environment === 'production');
    for (const [order, first] of [['NEWEST_FIRST', 37], ['OLDEST_FIRST', 50]] as const) {
      const nodes = await walk(`{ scope: { service: "checkout", environment: "production" } }`, order, first);
      expect(nodes).toHaveLength(expected);
      expect(new Set(nodes.map((n) => n.source.id)).size).toBe(expected);
      expect(new Set(nodes.map((n) => n.id)).size).toBe(expected);
    }
    const searches = es.fake.requests.filter((r) => r.route === 'POST /{index}/_search');
    expect(searches.length).toBeGreaterThan(10);
    expect(searches.some((r) => Array.isArray((r.body as any).search_after))).toBe(true);
    for (const r of searches) {
      expect(r.params.index).toBe('logs-*');
      expect(r.headers.authorization).toBe(`ApiKey ${API_KEY}`);
      expect((r.body as any).size).toBeLessThanOrEqual(40);
    }
  });

  it('maps hits: ECS level with the raw value, message, fields, trace id, catalog service, a Discover link with the exact query', async () => {
    const body = await gql(gateway.url, `{ logs(query: { scope: { service: "checkout" }, levels: [WARN] }, range: ${RANGE}, first: 3) { nodes { ${LINE} } } }`);
    expect(body.errors).toBeUndefined();
    const line = body.data.logs.nodes[0];
    expect(line).toMatchObject({ level: 'WARN', service: { id: 'checkout' }, source: { provider: 'elasticsearch', instance: 'es' } });
    expect(['warn', 'WARNING']).toContain(line.rawLevel);
    expect(line.message).toMatch(/^request checkout #\d+$/);
    expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(line.fields).toEqual(expect.arrayContaining([{ key: 'http.response.status_code', value: '200' }, { key: 'host.name', value: expect.stringMatching(/^checkout-/) }]));
    const url = new URL(line.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://kibana.example/app/discover');
    const params = new URLSearchParams(url.hash.slice(url.hash.indexOf('?') + 1));
    const a = (rison as any).decode(params.get('_a')!);
    const g = (rison as any).decode(params.get('_g')!);
    expect(a.index).toBe('logs-dv');
    expect(a.filters[0].query).toEqual((es.fake.requests.at(-1)!.body as any).query);
    expect(g.time.from).toBe(line.timestamp);
  });

  it('runs levels, text and every filter operator with the schema semantics', async () => {
    const count = async (query: string) => (await walk(query, 'NEWEST_FIRST', 200)).length;
    expect(await count(`{ scope: { service: "payments-api" }, levels: [WARN, FATAL] }`)).toBe(
      expectedCount((s) => s.service.name === 'payments-api' && ['warn', 'WARNING', 'fatal'].includes(s.log.level)),
    );
    expect(await count(`{ scope: { service: "checkout" }, text: "REQUEST CHECKOUT" }`)).toBe(
      expectedCount((s) => s.service.name === 'checkout' && s.message.toLowerCase().includes('request checkout')),
    );
    // Text is a phrase of whole words on the analyzed message (then checked as written): "#1" is not "#12".
    expect(await count(`{ scope: { service: "checkout" }, text: "checkout #12" }`)).toBe(
      expectedCount((s) => s.service.name === 'checkout' && / #12$/.test(s.message)),
    );
    expect(await count(`{ filters: [{ field: "http.response.status_code", value: "500" }, { field: "host.name", op: NOT_EQUALS, value: "checkout-1" }] }`)).toBe(
      expectedCount((s) => s.http?.response.status_code === 500 && s.host.name !== 'checkout-1'),
    );
    expect(await count(`{ filters: [{ field: "trace.id", op: REGEX, value: "f$" }, { field: "host.name", op: CONTAINS, value: "CHECKOUT" }] }`)).toBe(
      expectedCount((s) => /f$/.test(s.trace?.id ?? '') && /checkout/i.test(s.host?.name ?? '')),
    );
  });

  it('matches hostile values literally in text and in every filter operator (query DSL injection)', async () => {
    const hostile = JSON.stringify(HOSTILE);
    const find = async (query: string) => (await walk(query, 'NEWEST_FIRST', 200)).map((n) => n.source.id);
    expect(await find(`{ text: ${hostile} }`)).toEqual(['logs-payments-api-2026.12.04/hostile']);
    expect(await find(`{ filters: [{ field: "note", value: ${hostile} }] }`)).toEqual(['logs-payments-api-2026.12.04/hostile']);
    expect(await find(`{ filters: [{ field: "note", op: CONTAINS, value: ${JSON.stringify('C} | {"MATCH_ALL":{}} `X` or 1=1 *:*')} }] }`)).toEqual(['logs-payments-api-2026.12.04/hostile']);
    expect(await find(`{ scope: { service: "payments-api" }, filters: [{ field: "note", op: NOT_EQUALS, value: ${hostile} }] }`)).toHaveLength(
      expectedCount((s) => s.service.name === 'payments-api') - 1,
    );
    for (const value of ['" or 2=2', '*:* OR', '{"match_all":{"boost":1}}', 'service.name:* OR 2=2', '\\"}}']) {
      expect(await find(`{ filters: [{ field: "note", value: ${JSON.stringify(value)} }] }`)).toEqual([]);
      expect(await find(`{ filters: [{ field: "note", op: CONTAINS, value: ${JSON.stringify(value)} }] }`)).toEqual([]);
    }
    // A REGEX is RE2, run by the adapter on the field only: Lucene or JSON syntax in it is just characters.
    expect(await find(`{ filters: [{ field: "note", op: REGEX, value: ${JSON.stringify(`^${RE2JS.quote(HOSTILE.slice(0, 30))}`)} }] }`)).toEqual(['logs-payments-api-2026.12.04/hostile']);
    expect(await find(`{ filters: [{ field: "note", op: REGEX, value: ".*\\"}}, {\\"match_all\\":{}}" }] }`)).toEqual([]);
    // Every value the adapter sent sat in a value position of a term, terms, match_phrase or range object.
    const sent = JSON.stringify(es.fake.requests.map((r) => r.body));
    expect(sent).not.toMatch(/query_string|simple_query_string|"wildcard"|"regexp"|"script"/);
    for (const [field, reason] of [['a b', /not a field path/], ['x"}', /not a field path/]] as const) {
      const bad = await gql(gateway.url, `{ logs(query: { filters: [{ field: ${JSON.stringify(field)}, value: "x" }] }) { nodes { id } } }`);
      expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
      expect(bad.errors![0]!.message).toMatch(reason);
    }
  });

  it('counts lines per level and bucket with one date histogram', async () => {
    const before = es.fake.requests.length;
    const body = await gql(gateway.url, `{ logVolume(query: { scope: { service: "checkout" } }, range: ${RANGE}, buckets: 12) { total estimated buckets { total counts { level count } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.logVolume).toMatchObject({ total: expectedCount((s) => s.service.name === 'checkout'), estimated: false });
    const errors = body.data.logVolume.buckets.flatMap((b: any) => b.counts).filter((c: any) => c.level === 'ERROR').reduce((n: number, c: any) => n + c.count, 0);
    expect(errors).toBe(expectedCount((s) => s.service.name === 'checkout' && s.log.level === 'error'));
    expect(es.fake.requests.length - before).toBe(1);
  });

  it('suggests fields with their top values from a sample', async () => {
    const body = await gql(gateway.url, `{ logFields(scope: { service: "payments-api" }, range: ${RANGE}) { name topValues { value count } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.logFields.map((f: any) => f.name)).toEqual(expect.arrayContaining(['log.level', 'host.name', 'http.response.status_code', 'trace.id']));
    expect(body.data.logFields.find((f: any) => f.name === 'service.name').topValues).toEqual([{ value: 'payments-api', count: 40 }]); // a sample of one request (maxHitsPerRequest)
  });

  it('answers Service.logs for several services in one request', async () => {
    const body = await gql(gateway.url, `{ checkout: service(id: "checkout") { logs(range: ${RANGE}, first: 5, query: { environment: "staging" }) { nodes { service { id } environment } } } payments: service(id: "payments-api") { logs(range: ${RANGE}, first: 5) { nodes { service { id } } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.checkout.logs.nodes).toHaveLength(5);
    expect(body.data.checkout.logs.nodes.every((n: any) => n.service.id === 'checkout' && n.environment === 'staging')).toBe(true);
    expect(body.data.payments.logs.nodes.every((n: any) => n.service.id === 'payments-api')).toBe(true);
  });

  it('maps failures to provider errors and never shows the API key', async () => {
    const ask = async () => (await gql(gateway.url, `{ logs(query: {}, range: ${RANGE}, first: 5) { nodes { id } providerErrors { code message } } }`)) as any;
    const cases: [FakeElasticsearch['fail'], string][] = [
      [{ status: 401, body: { error: { type: 'security_exception', reason: `unable to authenticate with ApiKey ${API_KEY}` }, status: 401 } }, 'PROVIDER_AUTH_FAILED'],
      [{ status: 403, body: { error: { type: 'security_exception', reason: 'action unauthorized' }, status: 403 } }, 'PROVIDER_AUTH_FAILED'],
      [{ status: 404, body: { error: { type: 'index_not_found_exception', reason: 'no such index' }, status: 404 } }, 'NOT_FOUND'],
      [{ status: 503, raw: '<html>unavailable</html>' }, 'PROVIDER_UNAVAILABLE'],
    ];
    for (const [fail, code] of cases) {
      es.fail = fail;
      const body = await ask();
      expect((body.data?.logs?.providerErrors?.[0] ?? body.errors?.[0]?.extensions)?.code, JSON.stringify(body)).toBe(code);
      expect(JSON.stringify(body)).not.toContain(API_KEY);
    }
    es.fail = null;
    es.delayMs = 5_500;
    const slow = await ask();
    expect((slow.data?.logs?.providerErrors?.[0] ?? slow.errors?.[0]?.extensions)?.code).toBe('PROVIDER_TIMEOUT');
    es.delayMs = 0;
    es.fail = { status: 429, body: { error: { type: 'es_rejected_execution_exception', reason: 'rejected' }, status: 429 }, headers: { 'retry-after': '9' } };
    const limited = await ask();
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfter: 9 });
    expect(logs.lines.join('\n')).not.toContain(API_KEY);
  });

  it("opsorch check reports the example configuration's Elasticsearch, reached with the API key from its secret reference", async () => {
    const { code, out } = await checkExampleProvider('logs', 'elasticsearch', { url: es.fake.url }, { ES_API_KEY: API_KEY });
    expect(code, out).toBe(0);
    expect(out).toMatch(/logs\s+es\s+elasticsearch\s+UP/);
    expect(out).not.toContain(API_KEY);
    expect(es.fake.requests.at(-1)!.headers.authorization).toBe(`ApiKey ${API_KEY}`);
  }, 30_000);

  it('serves OpenSearch with basic auth from a secret reference, naming OpenSearch in the log', async () => {
    const password = 'os-pass-9f8e7d6c5b';
    const os = await startTestGateway({
      logger: logs.logger,
      env: {
        OPSORCH_LOGS_PROVIDER: 'os=elasticsearch',
        OPSORCH_LOGS_CONFIG: JSON.stringify({ url: es.fake.url, flavor: 'opensearch', index: 'logs-payments-api-*', auth: { username: 'opsorch', password: 'secret://env/OS_PASSWORD' }, catalogSystem: 'prometheus' }),
        OS_PASSWORD: password,
        OPSORCH_PROVIDER_READ_ATTEMPTS: '1',
      },
    });
    try {
      const body = await gql(os.url, `{ logs(query: { scope: { service: "payments-api" } }, range: ${RANGE}, first: 2) { nodes { url source { id } } } }`);
      expect(body.errors).toBeUndefined();
      const [line] = body.data.logs.nodes;
      // Without a dashboards URL the link is the document in the API.
      expect(line.url).toBe(`${es.fake.url}/${line.source.id.replace('/', '/_doc/')}`);
      const sent = es.fake.requests.at(-1)!;
      expect(sent.params.index).toBe('logs-payments-api-*');
      expect(sent.headers.authorization).toBe(`Basic ${Buffer.from(`opsorch:${password}`).toString('base64')}`);
      es.fail = { status: 401, body: { error: { type: 'security_exception', reason: 'bad password' }, status: 401 } };
      const refused = await gql(os.url, `{ logs(query: {}, range: ${RANGE}) { nodes { id } } }`);
      expect(refused.errors![0]!.extensions!.code).toBe('PROVIDER_AUTH_FAILED');
      expect(logs.lines.some((l) => l.includes('"tool":"OpenSearch"') && l.includes('401'))).toBe(true);
      expect(JSON.stringify(refused) + logs.lines.join('\n')).not.toContain(password);
    } finally {
      await os.close();
    }
  }, 30_000);
});
