// Bugs the fuzzer found, each kept as the reproduction it printed, against `opsorch start` as its own process.
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHttp } from '../mcp/test/harness.ts';
import { startTarget, type Target } from './target.ts';

let target: Target;

beforeAll(async () => {
  target = await startTarget();
}, 90_000);

afterAll(() => target?.stop());

/** POSTs over `agent`; a reset is an answer too (status 0 and the error's code). */
function postOver(agent: Agent, url: string, body: string): Promise<{ status: number; connection?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, error: error.code ?? error.message }));
    req.end(body);
  });
}

describe('an oversized body', () => {
  // Found by the MCP phase (seed 1): after a 413 on a kept-alive connection, the client sent its next tool call
  // on that socket and the server reset it: an innocent request failed with ECONNRESET.
  it.each([
    ['/graphql', '{"query":"{ __typename }"}'],
    ['/mcp', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'regression', version: '1' } } })],
  ])('on %s is refused with Connection: close, and the next request on a kept-alive client is answered', async (path, small) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const big = JSON.stringify({ query: '{ __typename }', variables: { padding: 'a'.repeat(1_200_000) } });
    try {
      for (let round = 0; round < 3; round++) {
        const refused = await postOver(agent, target.base + path, big);
        if (refused.status !== 0) expect(refused).toMatchObject({ status: 413, connection: 'close' });
        expect(await postOver(agent, target.base + path, small)).toMatchObject({ status: 200 });
      }
    } finally {
      agent.destroy();
    }
  });
});

/** Sends the documents `queryOf(from)` to `queryOf(from + count - 1)` one by one, each answered 200. */
const sendDistinct = (queryOf: (i: number) => string) => async (from: number, count: number) => {
  for (let i = from; i < from + count; i++) {
    const response = await fetch(target.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: queryOf(i) }) });
    expect(response.status).toBe(200);
    await response.text();
  }
};

describe('distinct operations with large literal arguments', () => {
  // Found by `npm run fuzz` (seed 318782911): the heap after GC grew from 86 to 337 MiB over 7,500 requests. The
  // planner keeps literals in its subgraph fetches, and the in-process subgraphs cached a thousand parsed
  // fetches each, whatever their size: 300 filters of 400 KB kept 265 MiB alive.
  it('stop growing the heap once the bounded caches are full', async () => {
    const send = sendDistinct((i) => `{ services(filter: { text: "${String(i).padEnd(400_000, 'x')}" }) { nodes { id } } }`);
    // Apollo's document and plan caches (30 MiB each) fill first; after that nothing more may stay.
    await send(0, 90);
    const full = await target.memory(true);
    await send(90, 60);
    const after = await target.memory(true);
    expect((after.heapUsed - full.heapUsed) / 2 ** 20).toBeLessThan(16);
  }, 120_000);
});

describe('distinct operations of many tokens', () => {
  // Found by `npm run fuzz` (seed 2025087552): the heap after GC grew from 84 to 292 MiB over 6,700 requests. The
  // document cache counted each document by its AST's JSON, a quarter of what it holds with its token list, and
  // the in-process subgraphs kept every fetch's token list as well.
  it('stop growing the heap once the bounded caches are full', async () => {
    const send = sendDistinct((i) => `{ services(filter: { tags: [${Array.from({ length: 1_500 }, (_, t) => `"t${i}-${t}"`).join(',')}] }) { nodes { id } } }`);
    await send(0, 150);
    const full = await target.memory(true);
    await send(150, 150);
    const after = await target.memory(true);
    console.log(`heap after GC: ${(full.heapUsed / 2 ** 20).toFixed(1)} MiB after 150 documents, ${(after.heapUsed / 2 ** 20).toFixed(1)} MiB after 300`);
    expect((after.heapUsed - full.heapUsed) / 2 ** 20).toBeLessThan(16);
  }, 120_000);
});

describe('a relative time past what a date can hold', () => {
  // Found by `npm run fuzz` (seed 318782911, MCP phase): query_metrics with until "now-99999999999999999999d"
  // answered INTERNAL; the offset made an Invalid Date that failed later, far from the argument.
  it('is a BAD_USER_INPUT naming the argument', async () => {
    const response = await fetch(target.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ metricSeries(query: { name: "http_requests_total" }, range: { from: "now-1h", to: "now-99999999999999999999d" }) { series { name } } }' }),
    });
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0]!.message).toMatch(/range\.to "now-99999999999999999999d" is too far from now/);
  });
});

describe('one object where a list is expected', () => {
  // Found by `npm run fuzz` (seed 874772236): logs(query: $q) with `filters: { field: "" }` (GraphQL coerces a single
  // value to a list of one) answered INTERNAL: the cost analysis read the variables as sent and iterated an object.
  it('is read as a list of one, and costed as the search it is', async () => {
    // One fixed window in the past, so the two reads see the same lines however far apart they run.
    const to = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000);
    const range = { from: new Date(to.getTime() - 15 * 60_000).toISOString(), to: to.toISOString() };
    const post = async (variables: Record<string, unknown>) => {
      const response = await fetch(target.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query Q($q: ServiceLogQueryInput, $r: TimeRangeInput) { service(id: "checkout") { logs(query: $q, range: $r, first: 2) { nodes { message } } } }', variables: { ...variables, r: range } }),
      });
      return { status: response.status, body: (await response.json()) as { data?: { service: { logs: { nodes: unknown[] } | null } }; errors?: { message: string; extensions: { code: string } }[] } };
    };
    const single = await post({ q: { filters: { field: 'http.status', op: 'EQUALS', value: '500' } } });
    const list = await post({ q: { filters: [{ field: 'http.status', op: 'EQUALS', value: '500' }] } });
    expect(single.status, JSON.stringify(single.body)).toBe(200);
    expect(single.body).toEqual(list.body);
    // A filter that names no field is refused for what it is, never an internal error.
    const empty = await post({ q: { filters: { field: '' } } });
    expect(empty.body.errors?.map((e) => e.extensions.code)).not.toContain('INTERNAL');
    // Searches cost more than reads (decision 013), sent either way: 21 of them are past the default cost limit.
    const searches = Array.from({ length: 21 }, (_, i) => `s${i}: service(id: "checkout") { logs(query: $q, first: 1) { nodes { message } } }`).join(' ');
    for (const filters of [{ field: 'http.status', value: '500' }, [{ field: 'http.status', value: '500' }]]) {
      const response = await fetch(target.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query Q($q: ServiceLogQueryInput) { ${searches} }`, variables: { q: { filters } } }),
      });
      const body = (await response.json()) as { errors?: { extensions: { code: string; reason?: string } }[] };
      expect(body.errors?.[0]?.extensions, JSON.stringify(filters)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MAX_COST' });
    }
  });
});

describe('a huge value quoted in an error', () => {
  // Found by reading a fuzzing run's answers: a 300,000-character `since` came back whole inside a 300 KB
  // "is not a time" error, over GraphQL, REST and MCP alike.
  const huge = (length: number) => `now-${'x'.repeat(length)}`;
  const cut = /^range\.from "now-x+… \[[\d,]+ characters cut\] …x+" is not a time: use RFC 3339/;

  it('comes back cut in the middle over GraphQL, its advice kept at the end', async () => {
    const response = await fetch(target.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'query Q($from: String!) { service(id: "checkout") { goldenSignals(range: { from: $from }) { step } } }',
        variables: { from: huge(300_000) },
      }),
    });
    const text = await response.text();
    expect(text.length).toBeLessThan(3_000);
    const error = (JSON.parse(text) as { errors: { message: string; extensions: { code: string } }[] }).errors[0]!;
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(cut);
    expect(error.message.length).toBeLessThanOrEqual(1_040);
  });

  it('comes back cut over REST and MCP too', async () => {
    const rest = await fetch(`${target.base}/api/v1/services/checkout/golden-signals?since=${huge(10_000)}`);
    expect(rest.status).toBe(400);
    const problem = (await rest.json()) as { detail: string };
    expect(problem.detail.length).toBeLessThanOrEqual(1_040);
    expect(problem.detail).toContain('characters cut');
    const client = await connectHttp(target.mcpUrl, 'regressions');
    try {
      // The service's other parts still answer; the failed one names the argument, cut.
      const result = (await client.callTool({ name: 'get_golden_signals', arguments: { service: 'checkout', since: huge(300_000) } })) as { content: { text: string }[] };
      const text = result.content[0]!.text;
      expect(text.length).toBeLessThan(3_000);
      const answer = JSON.parse(text) as { service: { health: unknown; goldenSignals: unknown }; errors: { message: string; code: string }[] };
      expect(answer.service).toMatchObject({ health: expect.anything(), goldenSignals: null });
      expect(answer.errors[0]).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(cut) });
    } finally {
      await client.close();
    }
  });
});
