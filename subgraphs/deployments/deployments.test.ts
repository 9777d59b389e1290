import { describe, it, expect } from 'vitest';
import { isoMinutesAgo } from '@opsorch/adapters/demo/clock.ts';
import { createSubgraphRunner } from '../shared/testing.ts';
import { deploymentsSubgraph } from './index.ts';

const runner = createSubgraphRunner(deploymentsSubgraph);
const BAD_DEPLOY = 'demo:dep-checkout-production-2.14.0-47';

function codeOf(result: { errors?: readonly { extensions?: Record<string, unknown> }[] }): unknown {
  return result.errors?.[0]?.extensions?.code;
}

type Node = { id: string; startedAt: string; environment: string; status: string; service: { id: string } | null; author: { id: string } | null };
const nodesOf = (data: unknown) => (data as { nodes: Node[] }).nodes;

function expectNewestFirst(nodes: Node[]): void {
  for (let i = 1; i < nodes.length; i++) {
    const [a, b] = [nodes[i - 1]!, nodes[i]!];
    expect(a.startedAt > b.startedAt || (a.startedAt === b.startedAt && a.id < b.id)).toBe(true);
  }
}

describe('deployments subgraph: queries', () => {
  it('answers the bad checkout deploy with its commit, PR, author and CI run', async () => {
    const result = await runner.run(`query($id: ID!) { deployment(id: $id) {
      id service { id } version previousVersion environment status rawStatus startedAt finishedAt
      commit { sha shortSha message url } pullRequestUrl author { id } url source { provider instance id }
    } }`, { id: BAD_DEPLOY });
    expect(result.errors).toBeUndefined();
    const d = result.data!.deployment as Record<string, unknown> & { commit: { sha: string; shortSha: string; url: string }; startedAt: string; finishedAt: string };
    expect(d).toMatchObject({
      id: BAD_DEPLOY,
      service: { id: 'checkout' },
      version: '2.14.0',
      previousVersion: '2.13.4',
      environment: 'production',
      status: 'SUCCEEDED',
      rawStatus: 'succeeded',
      startedAt: isoMinutesAgo(47),
      pullRequestUrl: 'https://github.com/acme-shop/checkout/pull/1287',
      author: { id: 'jonas.weber@acme-shop.example' },
      source: { provider: 'demo', instance: 'demo', id: 'dep-checkout-production-2.14.0-47' },
    });
    expect(d.commit.shortSha).toBe(d.commit.sha.slice(0, 7));
    expect(d.commit.url).toBe(`https://github.com/acme-shop/checkout/commit/${d.commit.sha}`);
    expect(d.url).toMatch(/^https:\/\/github\.com\/acme-shop\/checkout\/actions\/runs\/\d+$/);
    expect(d.finishedAt > d.startedAt).toBe(true);
  });

  it('answers null for an unknown deployment and refuses a malformed id', async () => {
    expect((await runner.run(`{ deployment(id: "demo:dep-nope") { id } }`)).data!.deployment).toBeNull();
    expect(codeOf(await runner.run(`{ deployment(id: "nope") { id } }`))).toBe('BAD_USER_INPUT');
  });

  it('lists newest first and filters by scope, status, author and range', async () => {
    const result = await runner.run(`{
      recent: deployments(first: 200, filter: { range: { from: "now-1h" } }) { nodes { id startedAt environment status service { id } author { id } } }
      team: deployments(first: 200, filter: { scope: { team: "payments", environment: "staging" } }) { nodes { id startedAt environment status service { id } author { id } } }
      failed: deployments(first: 200, filter: { statuses: [FAILED, ROLLED_BACK] }) { nodes { id startedAt environment status service { id } author { id } } }
      jonas: deployments(first: 200, filter: { author: "Jonas.Weber@acme-shop.example", scope: { service: "checkout" } }) { nodes { id startedAt environment status service { id } author { id } } }
    }`);
    expect(result.errors).toBeUndefined();
    const recent = nodesOf(result.data!.recent);
    expect(recent.map((n) => n.id)).toContain(BAD_DEPLOY);
    for (const key of ['recent', 'team', 'failed', 'jonas']) expectNewestFirst(nodesOf(result.data![key]));
    const team = nodesOf(result.data!.team);
    expect(team.length).toBeGreaterThan(0);
    expect(new Set(team.map((n) => n.service!.id))).toEqual(new Set(['payments-api', 'stripe-bridge', 'fraud-check']));
    expect(team.every((n) => n.environment === 'staging')).toBe(true);
    const failed = nodesOf(result.data!.failed);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((n) => n.status === 'FAILED' || n.status === 'ROLLED_BACK')).toBe(true);
    const jonas = nodesOf(result.data!.jonas);
    expect(jonas.length).toBeGreaterThan(0);
    expect(jonas.every((n) => n.author?.id === 'jonas.weber@acme-shop.example' && n.service?.id === 'checkout')).toBe(true);
  });

  it('walks every page with no gap and no duplicate', async () => {
    const filter = { scope: { service: 'checkout' } };
    const full = await runner.run(`query($f: DeploymentFilter) { deployments(first: 200, filter: $f) { nodes { id } totalCount } }`, { f: filter });
    const expected = nodesOf(full.data!.deployments).map((n) => n.id);
    expect(expected.length).toBeGreaterThan(20);
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const page = await runner.run(`query($f: DeploymentFilter, $after: String) { deployments(first: 7, after: $after, filter: $f) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { f: filter, after });
      const connection = page.data!.deployments as { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      seen.push(...connection.nodes.map((n) => n.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses bad filters', async () => {
    expect(codeOf(await runner.run(`{ deployments(filter: { range: { from: "yesterday" } }) { nodes { id } } }`))).toBe('BAD_USER_INPUT');
    expect(codeOf(await runner.run(`{ deployments(filter: { range: { from: "now", to: "now-1h" } }) { nodes { id } } }`))).toBe('BAD_USER_INPUT');
    expect(codeOf(await runner.run(`{ deployments(filter: { author: "jonas" }) { nodes { id } } }`))).toBe('BAD_USER_INPUT');
    expect(codeOf(await runner.run(`{ deployments(first: 201) { nodes { id } } }`))).toBe('BAD_USER_INPUT');
  });
});

describe('deployments subgraph: Service.deployments', () => {
  const services = ['checkout', 'cart', 'payments-api', 'orders-db', 'kafka', 'web-frontend'].map((id) => ({ __typename: 'Service', id }));

  it('pages one service’s deployments with filters', async () => {
    const result = await runner.run(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Service { id
        deployments(environment: "production", range: { from: "now-2h" }, first: 2) { nodes { id environment } pageInfo { hasNextPage endCursor } }
      } } }`,
      { r: [{ __typename: 'Service', id: 'checkout' }] },
    );
    expect(result.errors).toBeUndefined();
    const [checkout] = result.data!._entities as { deployments: { nodes: { id: string; environment: string }[]; pageInfo: { hasNextPage: boolean } } }[];
    expect(checkout!.deployments.nodes).toEqual([{ id: BAD_DEPLOY, environment: 'production' }]);
    expect(checkout!.deployments.pageInfo.hasNextPage).toBe(false);
  });

  it('continues a service’s list from its cursor', async () => {
    const query = `query($r: [_Any!]!, $after: String) { _entities(representations: $r) { ... on Service { deployments(first: 3, after: $after) { nodes { id } pageInfo { endCursor } } } } }`;
    const r = [{ __typename: 'Service', id: 'cart' }];
    const all = await runner.run(query.replace('first: 3', 'first: 6'), { r, after: null });
    const first = await runner.run(query, { r, after: null });
    const cursor = (first.data!._entities as { deployments: { pageInfo: { endCursor: string } } }[])[0]!.deployments.pageInfo.endCursor;
    const second = await runner.run(query, { r, after: cursor });
    const ids = (res: typeof all) => (res.data!._entities as { deployments: { nodes: { id: string }[] } }[])[0]!.deployments.nodes.map((n) => n.id);
    expect([...ids(first), ...ids(second)]).toEqual(ids(all));
  });

  it('costs one provider call for N services', async () => {
    runner.registry.resetCallCounts();
    const result = await runner.run(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Service { id deployments(first: 5) { nodes { id service { id } } } } } }`,
      { r: services },
    );
    expect(result.errors).toBeUndefined();
    for (const entity of result.data!._entities as { id: string; deployments: { nodes: { service: { id: string } }[] } }[]) {
      expect(entity.deployments.nodes.length).toBeGreaterThan(0);
      expect(entity.deployments.nodes.every((n) => n.service.id === entity.id)).toBe(true);
    }
    expect(runner.registry.callCounts()).toEqual({ 'deployments/demo.deploymentsForServices': 1 });
  });
});

describe('deployments subgraph: Incident.deploymentsBefore', () => {
  const checkoutIncident = { __typename: 'Incident', id: 'demo:Q3VW8TR', startedAt: isoMinutesAgo(45), service: { id: 'checkout' } };
  const query = `query($r: [_Any!]!, $within: String) { _entities(representations: $r) { ... on Incident { id deploymentsBefore(within: $within) { id version environment } } } }`;

  it('finds the production deploy shortly before the incident started', async () => {
    const result = await runner.run(query, { r: [checkoutIncident], within: '1h' });
    expect(result.errors).toBeUndefined();
    const [incident] = result.data!._entities as { deploymentsBefore: { id: string; environment: string }[] }[];
    expect(incident!.deploymentsBefore).toEqual([{ id: BAD_DEPLOY, version: '2.14.0', environment: 'production' }]);
    const narrow = await runner.run(query, { r: [checkoutIncident], within: '1m' });
    expect((narrow.data!._entities as { deploymentsBefore: unknown[] }[])[0]!.deploymentsBefore).toEqual([]);
  });

  it('answers an empty list for an incident without a service', async () => {
    const result = await runner.run(query, { r: [{ ...checkoutIncident, service: null }] });
    expect((result.data!._entities as { deploymentsBefore: unknown[] }[])[0]!.deploymentsBefore).toEqual([]);
  });

  it('refuses a window that is not a duration or longer than 7d', async () => {
    for (const within of ['soon', '8d', '0m']) {
      expect(codeOf(await runner.run(query, { r: [checkoutIncident], within })), within).toBe('BAD_USER_INPUT');
    }
  });

  it('costs one provider call for N incidents', async () => {
    const incidents = ['checkout', 'orders-db', 'cart', 'kafka', 'search'].map((service, i) => ({
      __typename: 'Incident',
      id: `demo:INC${i}`,
      startedAt: isoMinutesAgo(30 + i * 600),
      service: { id: service },
    }));
    runner.registry.resetCallCounts();
    const result = await runner.run(query, { r: incidents, within: '1d' });
    expect(result.errors).toBeUndefined();
    const lists = (result.data!._entities as { deploymentsBefore: { environment: string }[] }[]).map((e) => e.deploymentsBefore);
    expect(lists.flat().length).toBeGreaterThan(0);
    expect(lists.flat().every((d) => d.environment === 'production')).toBe(true);
    expect(runner.registry.callCounts()).toEqual({ 'deployments/demo.deploymentsInWindows': 1 });
  });
});
