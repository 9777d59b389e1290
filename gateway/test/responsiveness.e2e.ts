// Hostile requests against a real `opsorch start` process: none may freeze it. The server runs in its own
// process so that a regression fails these tests on the client's timeout instead of freezing the test runner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { spawnOpsOrch, startTestGateway, type SpawnedServer } from './harness.ts';

const QUIET = { OPSORCH_CONSOLE: 'off', OPSORCH_MCP: 'off', OPSORCH_AUDIT_SINKS: 'off', PORT: '0', HOST: '127.0.0.1' };

/** POSTs a query; rejects when no answer arrives within `ms` (the server is frozen or too slow). */
async function post(url: string, query: string, ms = 20_000): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(ms),
  });
  return { status: response.status, body: await response.json() };
}

/** The catastrophic-backtracking pattern that froze the gateway: exponential on any long word without `!`. */
const EVIL = String.raw`^(\w+\w?)+!$`;

describe('a catastrophic regular expression', () => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnOpsOrch(['start'], QUIET);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('in a log field filter is answered, and the gateway keeps answering others meanwhile', async () => {
    const attack = post(
      server.url,
      `{ logs(query: { filters: [{ field: "trace_id", op: REGEX, value: ${JSON.stringify(EVIL)} }] }, range: { from: "now-1h" }, first: 5) { nodes { id } pageInfo { hasNextPage } } }`,
    );
    const health = await fetch(new URL('/healthz', server.url), { signal: AbortSignal.timeout(20_000) });
    expect(health.status).toBe(200);
    const { status, body } = await attack;
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    // No trace id ends with "!": nothing matches, and the answer says so rather than hanging.
    expect(body.data.logs.nodes).toEqual([]);

    const anchored = await post(server.url, `{ logs(query: { filters: [{ field: "trace_id", op: REGEX, value: "^[0-9a-f]{32}$" }] }, first: 3) { nodes { fields { key value } } } }`);
    const traceIds = anchored.body.data.logs.nodes.map((n: any) => n.fields.find((f: any) => f.key === 'trace_id').value);
    expect(traceIds).toHaveLength(3);
    for (const id of traceIds) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('in a metric label matcher is answered with the series it matches (anchored, as in PromQL)', async () => {
    const evil = await post(server.url, `{ metricSeries(query: { name: "http_requests_total", labels: [{ name: "route", op: REGEX, value: ${JSON.stringify(EVIL)} }] }) { series { labels { value } } } }`);
    expect(evil.body.errors).toBeUndefined();
    expect(evil.body.data.metricSeries.series).toEqual([]);
    const codes = await post(server.url, `{ metricSeries(query: { name: "http_requests_total", scope: { service: "checkout" }, labels: [{ name: "code", op: REGEX, value: "5.." }], groupBy: ["code"] }) { series { labels { value } } } }`);
    const values = codes.body.data.metricSeries.series.map((s: any) => s.labels[0].value);
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value).toMatch(/^5\d\d$/);
  });

  it('that RE2 cannot run is BAD_USER_INPUT saying why, before any provider is asked', async () => {
    const lookahead = await post(server.url, `{ logs(query: { filters: [{ field: "pod", op: REGEX, value: "checkout(?!-0)" }] }) { nodes { id } } }`);
    expect(lookahead.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(lookahead.body.errors[0].extensions.provider).toBeUndefined();
    expect(lookahead.body.errors[0].message).toMatch(/query\.filters\[0\] \(field "pod"\): the regular expression "checkout\(\?!-0\)" is not a valid RE2 regular expression .*lookahead/);
    const backreference = await post(server.url, `{ metricSeries(query: { name: "http_requests_total", labels: [{ name: "route", op: NOT_REGEX, value: "(/a)\\\\1" }] }) { query } }`);
    expect(backreference.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(backreference.body.errors[0].message).toMatch(/query\.labels\[0\] \(label "route"\).*backreferences/);
    const long = await post(server.url, `{ logs(query: { filters: [{ field: "pod", op: REGEX, value: "${'a'.repeat(5000)}" }] }) { nodes { id } } }`);
    expect(long.body.errors[0].message).toMatch(/5000 characters long; patterns are limited to 1000/);
  });
  it('through REST and OpsOrch Core routes runs on the same engine, with the same clear refusal', async () => {
    const base = new URL('/', server.url);
    const rest = (filters: unknown) =>
      fetch(new URL(`/api/v1/logs?since=now-1h&limit=5&filters=${encodeURIComponent(JSON.stringify(filters))}`, base), { signal: AbortSignal.timeout(20_000) });
    const evil = await rest([{ field: 'trace_id', op: 'REGEX', value: EVIL }]);
    expect(evil.status).toBe(200);
    expect(((await evil.json()) as any).data.nodes).toEqual([]);
    const lookahead = await rest([{ field: 'pod', op: 'REGEX', value: 'checkout(?!-0)' }]);
    expect(lookahead.status).toBe(400);
    expect(await lookahead.text()).toMatch(/not a valid RE2 regular expression .*lookahead/);

    const core = (value: string) =>
      fetch(new URL('/core/logs/query', base), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ expression: { filters: [{ field: 'trace_id', operator: 'regex', value }] }, start: new Date(Date.now() - 3_600_000).toISOString(), end: new Date().toISOString(), limit: 5 }),
        signal: AbortSignal.timeout(20_000),
      });
    const coreEvil = await core(EVIL);
    expect(coreEvil.status).toBe(200);
    expect(((await coreEvil.json()) as any).entries).toEqual([]);
    const coreBackreference = await core('(a)\\1');
    expect(coreBackreference.status).toBe(400);
    expect(((await coreBackreference.json()) as any).message).toMatch(/backreferences/);
  });
});

describe('the request deadline on every route', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    // A deadline far below what a filtered count over 30 days takes (about a second of generation).
    gateway = await startTestGateway({ env: { OPSORCH_REQUEST_TIMEOUT_MS: '100', OPSORCH_LOG_SEARCH_COST: '0', OPSORCH_AUDIT_SINKS: 'off' } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('stops REST and OpsOrch Core requests too, saying so', async () => {
    const base = new URL('/', gateway.url);
    const rest = await fetch(new URL('/api/v1/logs/volume?text=no-such-text&since=now-30d', base));
    expect(rest.status).toBe(504);
    expect(await rest.text()).toMatch(/deadline of 100 ms \(OPSORCH_REQUEST_TIMEOUT_MS\)/);
    const core = await fetch(new URL('/core/logs/query', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ expression: { search: 'no-such-text' }, start: new Date(Date.now() - 30 * 86_400_000).toISOString(), end: new Date().toISOString(), limit: 1000 }),
    });
    expect(core.status).toBe(502);
    expect(((await core.json()) as any).message).toMatch(/deadline of 100 ms \(OPSORCH_REQUEST_TIMEOUT_MS\)/);
  });
});

describe('CPU work per request', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    // Searches cost nothing here so the deadline, not the cost limit, is what stops them.
    gateway = await startTestGateway({ env: { OPSORCH_REQUEST_TIMEOUT_MS: '1000', OPSORCH_LOG_SEARCH_COST: '0', OPSORCH_AUDIT_SINKS: 'off' } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('stops at the request deadline, CPU work included, and says so', async () => {
    // Eight filtered volume counts over 30 days: several seconds of generation on one core.
    const volumes = Array.from({ length: 8 }, (_, i) => `v${i}: logVolume(query: { text: "no-such-text-${i}" }, range: { from: "now-30d" }) { total }`).join(' ');
    const { body } = await post(gateway.url, `{ ${volumes} }`);
    expect(body.errors?.length).toBeGreaterThan(0);
    for (const error of body.errors) {
      expect(error.extensions.code).toBe('PROVIDER_TIMEOUT');
      expect(error.message).toMatch(/deadline of 1000 ms \(OPSORCH_REQUEST_TIMEOUT_MS\)/);
    }
    // A request that ran out of time says nothing about the provider: it stays UP.
    const providers = await post(gateway.url, '{ providers(capability: "logs") { health lastError { code } } }');
    expect(providers.body.data.providers[0]).toEqual({ health: 'UP', lastError: null });
  });
});

describe('event-loop lag', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { OPSORCH_READYZ_MAX_EVENT_LOOP_LAG_MS: '1500', OPSORCH_AUDIT_SINKS: 'off' } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('is a metric and part of /readyz: not ready while the loop was recently held past the limit', async () => {
    const ready = await fetch(new URL('/readyz', gateway.url));
    expect(((await ready.json()) as any).eventLoop).toMatchObject({ limitMs: 1500, windowSeconds: 10 });
    // The gateway runs in this process: hold its event loop for two seconds.
    const until = performance.now() + 2_000;
    while (performance.now() < until);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lagging = await fetch(new URL('/readyz', gateway.url));
    expect(lagging.status).toBe(503);
    const body = (await lagging.json()) as any;
    expect(body.reasons.join(' ')).toMatch(/event loop lagged \d+ ms within the last 10 s \(limit 1500 ms, OPSORCH_READYZ_MAX_EVENT_LOOP_LAG_MS\)/);
    expect(body.eventLoop.lagMaxMs).toBeGreaterThanOrEqual(1_900);
    const metrics = await (await fetch(new URL('/metrics', gateway.url))).text();
    const max = /^opsorch_event_loop_lag_seconds\{stat="max",component="gateway"\} (\S+)$/m.exec(metrics);
    expect(Number(max?.[1])).toBeGreaterThanOrEqual(1.9);
  });
});

describe('SIGTERM under load', () => {
  it('is acted on while requests keep the gateway busy: it drains within the grace period and exits', async () => {
    const server = await spawnOpsOrch(['start'], { ...QUIET, OPSORCH_SHUTDOWN_GRACE_MS: '2000' });
    const heavy = [
      `{ logs(query: { filters: [{ field: "trace_id", op: REGEX, value: ${JSON.stringify(EVIL)} }] }, range: { from: "now-7d" }, first: 200) { nodes { id } } }`,
      '{ logVolume(query: { text: "no-such-text" }, range: { from: "now-30d" }, buckets: 1000) { total } }',
      '{ metricSeries(query: { name: "http_requests_total", groupBy: ["service", "route", "code"] }, range: { from: "now-7d" }, maxPoints: 2000) { series { points { value } } } }',
    ];
    let loading = true;
    const load = Array.from({ length: 12 }, async (_, i) => {
      while (loading) await post(server.url, heavy[i % heavy.length]!, 30_000).catch(() => undefined);
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const signalledAt = performance.now();
      const exited = new Promise<{ code: number | null; signal: string | null; afterMs: number }>((resolve) =>
        server.process.once('exit', (code, signal) => resolve({ code, signal, afterMs: performance.now() - signalledAt })),
      );
      server.process.kill('SIGTERM');
      const outcome = await Promise.race([exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000))]);
      expect(outcome, 'the gateway did not exit within 30 s of SIGTERM').not.toBeNull();
      // Exited on its own (not killed), after the 2 s grace period plus closing, nowhere near the old unbounded wait.
      expect(outcome!.signal).toBeNull();
      expect(outcome!.code).toBe(0);
      expect(outcome!.afterMs).toBeLessThan(15_000);
      expect(server.output.join('')).toMatch(/"signal":"SIGTERM".*shutting down/);
    } finally {
      loading = false;
      await server.stop();
      await Promise.all(load);
    }
  }, 90_000);
});
