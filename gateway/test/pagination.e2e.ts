import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { gql, startTestGateway, type GraphQLResponse } from './harness.ts';

/** Follows endCursor until hasNextPage is false; returns every node in order. */
async function walk(url: string, query: string, field: string, variables: Record<string, unknown> = {}) {
  const nodes: any[] = [];
  let after: string | null = null;
  let pages = 0;
  let totalCount: number | null = null;
  for (;;) {
    const body: GraphQLResponse<any> = await gql(url, query, { ...variables, after });
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    const connection: any = body.data[field];
    nodes.push(...connection.nodes);
    totalCount ??= connection.totalCount ?? null;
    pages++;
    if (!connection.pageInfo.hasNextPage) break;
    expect(connection.pageInfo.endCursor).toEqual(expect.any(String));
    after = connection.pageInfo.endCursor;
    if (pages > 500) throw new Error('pagination did not end');
  }
  return { nodes, pages, totalCount };
}

const DEPLOYMENTS = `query($after: String) { deployments(first: 40, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id startedAt } } }`;

describe('pagination through the gateway', () => {
  let single: RunningGateway;
  let merged: RunningGateway;
  beforeAll(async () => {
    single = await startTestGateway();
    // Two instances of the same provider: every list is fanned out and merged.
    merged = await startTestGateway({ env: { OPSORCH_DEPLOYMENTS_PROVIDER: 'demo,eu=demo' } });
  });
  afterAll(async () => {
    await Promise.all([single.close(), merged.close()]);
  });

  it('walks every deployment page with no gap and no duplicate, newest first', async () => {
    const { nodes, pages, totalCount } = await walk(single.url, DEPLOYMENTS, 'deployments');
    expect(pages).toBeGreaterThan(3);
    expect(nodes).toHaveLength(totalCount!);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(nodes.length);
    const times = nodes.map((n) => Date.parse(n.startedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('merges two provider instances page by page: each item exactly once, in order', async () => {
    const one = await walk(single.url, DEPLOYMENTS, 'deployments');
    const both = await walk(merged.url, DEPLOYMENTS, 'deployments');
    expect(both.nodes).toHaveLength(one.nodes.length * 2);
    expect(new Set(both.nodes.map((n) => n.id)).size).toBe(both.nodes.length);
    const natives = (prefix: string) => both.nodes.filter((n) => n.id.startsWith(prefix)).map((n) => n.id.slice(prefix.length));
    expect(natives('demo:')).toEqual(one.nodes.map((n) => n.id.slice('demo:'.length)));
    expect(natives('eu:')).toEqual(natives('demo:'));
    const times = both.nodes.map((n) => Date.parse(n.startedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('resumes from any edge cursor, not only the end of a page', async () => {
    const body = await gql(single.url, `{ deployments(first: 10) { edges { cursor node { id } } } }`);
    const edges = body.data.deployments.edges;
    const resumed = await gql(single.url, `query($after: String) { deployments(first: 3, after: $after) { nodes { id } } }`, { after: edges[4].cursor });
    expect(resumed.data.deployments.nodes.map((n: any) => n.id)).toEqual(edges.slice(5, 8).map((e: any) => e.node.id));
  });

  it('walks two minutes of generated logs with a relative range: every line once, inside the range', async () => {
    const LOGS = `query($after: String) { logs(query: { scope: { service: "checkout" } }, range: { from: "now-2m", to: "now" }, first: 200, after: $after) {
      pageInfo { hasNextPage endCursor } nodes { id timestamp } } }`;
    const started = Date.now();
    const { nodes } = await walk(single.url, LOGS, 'logs');
    // At least 5 lines a second per service.
    expect(nodes.length).toBeGreaterThanOrEqual(5 * 110);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(nodes.length);
    for (const node of nodes) {
      const at = Date.parse(node.timestamp);
      expect(at).toBeGreaterThanOrEqual(started - 125_000);
      expect(at).toBeLessThanOrEqual(Date.now());
    }
  });

  it('refuses a cursor it did not issue, saying what to do', async () => {
    const body = await gql(single.url, `{ deployments(first: 5, after: "garbage") { nodes { id } } }`);
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toMatch(/endCursor/);
  });

  it('refuses a malformed relative time, naming the argument', async () => {
    const body = await gql(single.url, `{ logs(query: {}, range: { from: "yesterday-ish" }) { nodes { id } } }`);
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toMatch(/range.from.*now-15m/);
  });
});
