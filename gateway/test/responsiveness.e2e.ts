// Hostile requests against a real `opsorch start` process: none may freeze it. The server runs in its own
// process so that a regression fails these tests on the client's timeout instead of freezing the test runner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnOpsOrch, type SpawnedServer } from './harness.ts';

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
});
