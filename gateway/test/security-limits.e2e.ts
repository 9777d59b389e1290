import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { gql, startTestGateway } from './harness.ts';
import { apiKey, bearer, writeGatewayConfig } from './security-fixtures.ts';

const nest = (levels: number) => `${'dependencies { '.repeat(levels)}id${' }'.repeat(levels)}`;

describe('limits', () => {
  let gateway: RunningGateway;
  const ops = apiKey('ops', ['*']);
  const burst = apiKey('bursty-bot', ['*'], { actor: 'agent', rateLimit: { requestsPerMinute: 6, burst: 3 } });
  const totalCalls = () => Object.values(gateway.registry.callCounts()).reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    const config = writeGatewayConfig({
      auth: { apiKeys: [ops.entry, burst.entry] },
      audit: { sinks: [] },
      limits: { maxDepth: 8, maxAliases: 5, maxCost: 5000, maxBodyBytes: 20_000, introspection: false, rateLimit: { requestsPerMinute: 6000 } },
    });
    gateway = await startTestGateway({ env: { OPSORCH_CONFIG: config } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('refuses a depth bomb before calling any provider, saying the depth and the limit', async () => {
    const fine = await gql(gateway.url, `{ services(first: 1) { nodes { ${nest(3)} } } }`, undefined, bearer(ops.key));
    expect(fine.errors).toBeUndefined();
    const before = totalCalls();
    const bomb = await gql(gateway.url, `{ services(first: 1) { nodes { ${nest(40)} } } }`, undefined, bearer(ops.key));
    expect(bomb.status).toBe(400);
    expect(bomb.data).toBeUndefined();
    expect(bomb.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MAX_DEPTH', depth: 43, limit: 8 });
    expect(bomb.errors![0]!.message).toMatch(/nests 43 levels deep; the limit is 8/);
    expect(totalCalls()).toBe(before);
  });

  it('refuses a cost bomb: lists multiply by `first`, and nested lists by their assumed size', async () => {
    const fine = await gql(gateway.url, '{ incidents(first: 20) { nodes { title service { id } } } }', undefined, bearer(ops.key));
    expect(fine.errors).toBeUndefined();
    const before = totalCalls();
    const bomb = await gql(
      gateway.url,
      'query Bomb($n: Int) { incidents(first: $n) { nodes { service { dependencies { dependencies { dependencies { id } } } } } } }',
      { n: 200 },
      bearer(ops.key),
    );
    expect(bomb.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MAX_COST', limit: 5000 });
    expect(bomb.errors![0]!.extensions!.cost).toBeGreaterThan(200_000);
    expect(bomb.errors![0]!.message).toMatch(/lower `first`/);
    expect(totalCalls()).toBe(before);
    // The same operation is judged by each request's variables, whichever came first.
    const bombQuery = 'query Bomb($n: Int) { incidents(first: $n) { nodes { service { dependencies { dependencies { dependencies { id } } } } } } }';
    for (const n of [1, 200, 1, 200]) {
      const answer = await gql(gateway.url, bombQuery, { n }, bearer(ops.key));
      expect(answer.errors?.[0]?.extensions?.reason, `first: ${n}`).toBe(n === 1 ? undefined : 'MAX_COST');
    }
    // Also when the variables are too long to be kept with the operation (analysed afresh every time).
    const longQuery = 'query Long($n: Int, $f: IncidentFilter) { incidents(first: $n, filter: $f) { nodes { service { dependencies { dependencies { dependencies { id } } } } } } }';
    for (const n of [1, 200, 1, 200]) {
      const answer = await gql(gateway.url, longQuery, { n, f: { text: 'x'.repeat(1500) } }, bearer(ops.key));
      expect(answer.errors?.[0]?.extensions?.reason, `long variables, first: ${n}`).toBe(n === 1 ? undefined : 'MAX_COST');
    }
  });

  it('charges log searches for the lines they scan, and regular expressions by their complexity', async () => {
    const search = (query: string) => `logs(query: ${query}, first: 5) { nodes { id } }`;
    const before = totalCalls();
    // A plain read stops when its page is full; a text search may scan the provider's whole budget.
    expect((await gql(gateway.url, `{ a: ${search('{}')} b: ${search('{}')} }`, undefined, bearer(ops.key))).errors).toBeUndefined();
    expect((await gql(gateway.url, `{ ${search('{ text: "timeout" }')} }`, undefined, bearer(ops.key))).errors).toBeUndefined();
    const two = await gql(gateway.url, `{ a: ${search('{ text: "timeout" }')} b: ${search('{ text: "refused" }')} }`, undefined, bearer(ops.key));
    expect(two.errors![0]!.extensions).toMatchObject({ reason: 'MAX_COST', cost: 5012, limit: 5000 });
    const simple = await gql(gateway.url, `{ ${search('{ filters: [{ field: "trace_id", op: REGEX, value: "^4b" }] }')} }`, undefined, bearer(ops.key));
    expect(simple.errors).toBeUndefined();
    const complex = await gql(gateway.url, `{ ${search('{ filters: [{ field: "trace_id", op: REGEX, value: "[0-9a-f]{1000}" }] }')} }`, undefined, bearer(ops.key));
    expect(complex.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MAX_COST' });
    expect(complex.errors![0]!.extensions!.cost).toBeGreaterThan(4_500);
    // Counting every line of a range costs more than reading a page of it.
    const volume = await gql(gateway.url, '{ logVolume(query: { text: "timeout" }) { total } }', undefined, bearer(ops.key));
    expect(volume.errors![0]!.extensions).toMatchObject({ reason: 'MAX_COST', cost: 10_001 });
    // Only the three accepted operations reached a provider (the two identical plain reads shared one call).
    expect(totalCalls() - before).toBe(3);
  });

  it('counts a dependency graph as the 500 services a walk may reach', async () => {
    const walks = (n: number) => `{ service(id: "checkout") { ${Array.from({ length: n }, (_, i) => `g${i}: dependencyGraph(depth: 6) { nodes { service { id } } }`).join(' ')} } }`;
    expect((await gql(gateway.url, walks(4), undefined, bearer(ops.key))).errors).toBeUndefined();
    const five = await gql(gateway.url, walks(5), undefined, bearer(ops.key));
    expect(five.errors![0]!.extensions).toMatchObject({ reason: 'MAX_COST', cost: 5006, limit: 5000 });
  });

  it('refuses a fragment fan-out bomb that no walk could finish', async () => {
    const fragments = Array.from({ length: 24 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
    fragments.push('fragment F24 on Query { incidents(first: 1) { totalCount } }');
    const bomb = await gql(gateway.url, `query Fan { ...F0 } ${fragments.join('\n')}`, undefined, bearer(ops.key));
    expect(bomb.errors![0]!.extensions).toMatchObject({ reason: 'MAX_COST', cost: null });
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: 6 }, (_, i) => `a${i}: incidents(first: 1) { totalCount }`).join(' ');
    const body = await gql(gateway.url, `{ ${aliases} }`, undefined, bearer(ops.key));
    expect(body.errors![0]!.extensions).toMatchObject({ reason: 'MAX_ALIASES', aliases: 6, limit: 5 });
  });

  it('refuses a body over the limit with 413 and a GraphQL-shaped error', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(ops.key) },
      body: JSON.stringify({ query: `{ __typename }`, variables: { padding: 'x'.repeat(30_000) } }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'BODY_TOO_LARGE', limit: 20_000 });
  });

  it('answers malformed JSON with 400 JSON, not an HTML error page', async () => {
    const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(ops.key) }, body: '{"query": ' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).errors[0].extensions.reason).toBe('INVALID_JSON');
  });

  it('can switch introspection off', async () => {
    const body = await gql(gateway.url, '{ __schema { queryType { name } } }', undefined, bearer(ops.key));
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INTROSPECTION_DISABLED' });
    expect((await gql(gateway.url, '{ __typename }', undefined, bearer(ops.key))).data).toEqual({ __typename: 'Query' });
  });

  it('with introspection off, typos get no "Did you mean" naming the schema', async () => {
    const field = await gql(gateway.url, '{ incidnts(first: 1) { totalCount } }', undefined, bearer(ops.key));
    expect(field.errors![0]!.message).toBe('Cannot query field "incidnts" on type "Query".');
    const argument = await gql(gateway.url, '{ incidents(frist: 1) { totalCount } }', undefined, bearer(ops.key));
    expect(argument.errors![0]!.message).toBe('Unknown argument "frist" on field "Query.incidents".');
    const enumValue = await gql(gateway.url, 'query($s: [Severity!]) { incidents(first: 1, filter: { severities: $s }) { totalCount } }', { s: ['SEV9'] }, bearer(ops.key));
    expect(enumValue.errors![0]!.message).toMatch(/Value "SEV9" does not exist in "Severity" enum\.$/);
    for (const error of [field, argument, enumValue].flatMap((b) => b.errors!)) expect(error.message).not.toMatch(/did you mean/i);
  });

  it('rate-limits per actor with 429 and Retry-After, leaving other actors alone', async () => {
    const statuses: number[] = [];
    let refused: Response | null = null;
    for (let i = 0; i < 5; i++) {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(burst.key) },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      statuses.push(response.status);
      if (response.status === 429) refused ??= response;
      else await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    // 6 a minute: one request back every 10 s.
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    const body = (await refused!.json()) as any;
    expect(body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter, limit: 6 });
    expect(body.errors[0].message).toMatch(/agent bursty-bot; retry in \d+ s/);
    expect((await gql(gateway.url, '{ __typename }', undefined, bearer(ops.key))).status).toBe(200);
  });
});

describe('arguments at the edges', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { OPSORCH_AUDIT_SINKS: 'off' } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers times outside 1970..9999 and counts past 32 bits with BAD_USER_INPUT, never INTERNAL', async () => {
    const ancient = await gql(gateway.url, '{ logVolume(query: {}, range: { from: "now-1000000d" }) { total } }');
    expect(ancient.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(ancient.errors![0]!.message).toMatch(/range\.from "now-1000000d" is outside the times OpsOrch reads: use an instant between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z/);
    const future = await gql(gateway.url, '{ metricSeries(query: { name: "error_ratio" }, range: { from: "now-1h", to: "now+999999999d" }) { step } }');
    expect(future.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    // 50 years of the demo's ~13 million lines a day is more than an Int can count.
    const huge = await gql(gateway.url, '{ logVolume(query: {}, range: { from: "now-18250d" }) { total } }');
    expect(huge.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(huge.errors![0]!.message).toMatch(/more than a count can carry \(2147483647\): narrow the range/);
    const fine = await gql(gateway.url, '{ logVolume(query: {}, range: { from: "now-7d" }) { total estimated } }');
    expect(fine.errors).toBeUndefined();
    expect(fine.data.logVolume.estimated).toBe(true);
  });
});

describe('cache sizes', () => {
  // `queryPlansMiB: 0.1` once stopped the start with "maxSize must be a positive integer if specified".
  it('take fractions of a MiB, and the gateway serves with them', async () => {
    const caches = { queryPlansMiB: 0.1, documentsMiB: 0.05, apqMiB: 0.25 };
    const gateway = await startTestGateway({ env: { OPSORCH_CONFIG: writeGatewayConfig({ audit: { sinks: [] }, caches }) } });
    try {
      for (let i = 0; i < 2; i++) expect(await gql(gateway.url, '{ incidents(first: 1) { nodes { id } } }')).toMatchObject({ data: { incidents: { nodes: [{ id: expect.any(String) }] } } });
    } finally {
      await gateway.close();
    }
  });
});

describe('amplification through cheap fields', () => {
  const stops: RunningGateway[] = [];
  afterAll(async () => {
    await Promise.all(stops.map((g) => g.close()));
  });
  async function gatewayWithLimits(limits: Record<string, unknown>): Promise<RunningGateway> {
    const gateway = await startTestGateway({ env: { OPSORCH_CONFIG: writeGatewayConfig({ audit: { sinks: [] }, limits }) } });
    stops.push(gateway);
    return gateway;
  }
  const calls = (gateway: RunningGateway) => Object.values(gateway.registry.callCounts()).reduce((a, b) => a + b, 0);
  const typenames = (n: number, prefix = 'a') => Array.from({ length: n }, (_, i) => `${prefix}${i}: __typename`).join(' ');

  it('refuses 45,000 aliased __typename under logs(first: 200) with the default limits, before any provider call', async () => {
    const gateway = await gatewayWithLimits({});
    const attack = `{ logs(query: {}, first: 200) { nodes { ${typenames(45_000)} } } }`;
    const body = await gql(gateway.url, attack);
    expect(body.status).toBe(400);
    expect(body.data).toBeUndefined();
    // Refused while parsing: the 800 KB document is never validated nor planned.
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MAX_TOKENS', limit: 5000 });
    expect(body.errors![0]!.message).toMatch(/more than 5000 tokens .* Split it into smaller operations/);
    expect(calls(gateway)).toBe(0);
    // A smaller dose of the same: every __typename alias counts as an alias.
    const aliased = await gql(gateway.url, `{ logs(query: {}, first: 200) { nodes { ${typenames(1_000)} } } }`);
    expect(aliased.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MAX_ALIASES', aliases: 1_000, limit: 100 });
    expect(calls(gateway)).toBe(0);
  });

  it('counts every field on one object, fragments merged, and estimates the answer before building it', async () => {
    const gateway = await gatewayWithLimits({ maxAliases: 1_000_000, maxTokens: 1_000_000 });
    const wide = await gql(gateway.url, `{ logs(query: {}, first: 200) { nodes { ${typenames(45_000)} } } }`);
    expect(wide.errors![0]!.extensions).toMatchObject({ reason: 'MAX_FIELDS_PER_SELECTION', fields: 45_000, limit: 100 });
    expect(wide.errors![0]!.message).toMatch(/selects 45000 fields on one object \(aliases and __typename included\); the limit is 100/);
    // The same width split into fragments of 90 is still one object's selection.
    const fragments = Array.from({ length: 20 }, (_, f) => `fragment F${f} on LogEntry { ${typenames(90, `f${f}_`)} }`).join('\n');
    const spread = await gql(gateway.url, `{ logs(query: {}, first: 200) { nodes { ${Array.from({ length: 20 }, (_, f) => `...F${f}`).join(' ')} } } } ${fragments}`);
    expect(spread.errors![0]!.extensions).toMatchObject({ reason: 'MAX_FIELDS_PER_SELECTION', fields: 1_800 });
    // 100 aliased lists of 200 lines with 60 fields each: narrow objects, but 1.2 million values.
    const lists = Array.from({ length: 100 }, (_, i) => `l${i}: logs(query: {}, first: 200) { nodes { ${typenames(60)} } }`).join(' ');
    const many = await gql(gateway.url, `{ ${lists} }`);
    expect(many.errors![0]!.extensions).toMatchObject({ reason: 'MAX_RESPONSE_SIZE', values: 1_220_100, limit: 1_000_000 });
    expect(many.errors![0]!.message).toMatch(/about 1220100 values .* Ask for fewer items/);
    expect(calls(gateway)).toBe(0);
    const fine = await gql(gateway.url, `{ logs(query: {}, first: 20) { nodes { ${typenames(50)} } } }`);
    expect(fine.errors).toBeUndefined();
    expect(fine.data.logs.nodes).toHaveLength(20);
  });

  it('refuses an answer that grows past maxResponseBytes anyway, saying how big it was', async () => {
    const gateway = await gatewayWithLimits({ maxResponseBytes: 100_000 });
    // A metric series' points are not counted by `first`: the estimate is low, the bytes are not.
    const body = await gql(gateway.url, '{ metricSeries(query: { name: "http_requests_total", groupBy: ["service"] }, range: { from: "now-1d" }, maxPoints: 2000) { series { points { timestamp value } } } }');
    expect(body.status).toBe(400);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'RESPONSE_TOO_LARGE', limit: 100_000 });
    expect(body.errors![0]!.extensions!.bytes).toBeGreaterThan(100_000);
    expect((await gql(gateway.url, '{ metricSeries(query: { name: "error_ratio", scope: { service: "checkout" } }) { step } }')).errors).toBeUndefined();
  });

  it('sends an answer under the limit whole, its length counted in bytes, not characters', async () => {
    const gateway = await gatewayWithLimits({});
    // Hundreds of bytes of two- and three-byte characters: a Content-Length in characters would cut the answer.
    const title = 'Zürich → Kraków ☃ '.repeat(12).trim();
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { createIncident(input: { title: ${JSON.stringify(title)}, serviceId: "checkout", severity: SEV4 }) { title } }` }),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    expect(response.headers.get('transfer-encoding')).toBeNull();
    const answer = JSON.parse(bytes.toString('utf8'));
    expect(answer.errors).toBeUndefined();
    expect(answer.data.createIncident.title).toBe(title);
  });
});
