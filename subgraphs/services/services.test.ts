import { describe, it, expect } from 'vitest';
import type { ProviderModule, ServiceProvider, ServiceRecord } from '@opsorch/adapters';
import { createSubgraphRunner, testRegistry } from '../shared/testing.ts';
import { servicesSubgraph } from './index.ts';

const runner = createSubgraphRunner(servicesSubgraph);

function codeOf(result: { errors?: readonly { extensions?: Record<string, unknown> }[] }): unknown {
  return result.errors?.[0]?.extensions?.code;
}

describe('services subgraph: catalog', () => {
  it('answers a service by canonical id with its catalog fields, and null for an unknown id', async () => {
    const result = await runner.run(`{
      service(id: "checkout") { id name tier rawTier kind rawKind tags language repositoryUrl owner { id }
        links { title url } externalRefs { system id } environments url source { provider instance id } }
      missing: service(id: "no-such-service") { id }
    }`);
    expect(result.errors).toBeUndefined();
    const service = result.data!.service as Record<string, unknown>;
    expect(service).toMatchObject({
      id: 'checkout',
      name: 'Checkout',
      tier: 'TIER_1',
      rawTier: '1',
      kind: 'SERVICE',
      owner: { id: 'commerce' },
      url: 'https://backstage.acme-shop.example/catalog/default/component/checkout',
      source: { provider: 'demo', instance: 'demo', id: 'checkout' },
    });
    expect(service.externalRefs).toContainEqual({ system: 'pagerduty', id: 'P7XK2QD' });
    expect(service.environments).toEqual(['production', 'staging']);
    expect(result.data!.missing).toBeNull();
  });

  it('maps a tool-native reference to the canonical service (cross-tool identity)', async () => {
    const result = await runner.run(`{
      pd: serviceByExternalRef(system: "PagerDuty", id: "P7XK2QD") { id }
      dd: serviceByExternalRef(system: "datadog", id: "checkout-api") { id }
      gh: serviceByExternalRef(system: "github", id: "acme-shop/orders-db") { id }
      none: serviceByExternalRef(system: "pagerduty", id: "PNOPE00") { id }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ pd: { id: 'checkout' }, dd: { id: 'checkout' }, gh: { id: 'orders-db' }, none: null });
  });

  it('refuses an empty external reference', async () => {
    const result = await runner.run(`{ serviceByExternalRef(system: " ", id: "P7XK2QD") { id } }`);
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
  });

  it('lists services most critical tier first, then by name, and filters', async () => {
    const all = await runner.run(`{ services(first: 200) { nodes { id name tier } totalCount } }`);
    const nodes = (all.data!.services as { nodes: { id: string; name: string; tier: string }[] }).nodes;
    const order = ['TIER_1', 'TIER_2', 'TIER_3'];
    for (let i = 1; i < nodes.length; i++) {
      const [a, b] = [nodes[i - 1]!, nodes[i]!];
      expect(order.indexOf(a.tier) < order.indexOf(b.tier) || (a.tier === b.tier && a.name.localeCompare(b.name) <= 0)).toBe(true);
    }
    const filtered = await runner.run(`{
      byTeam: services(filter: { team: "payments" }) { nodes { id } }
      byKind: services(filter: { kinds: [DATABASE, QUEUE] }) { nodes { id } }
      byTier: services(filter: { tiers: [TIER_3] }) { nodes { id } }
      byTags: services(filter: { tags: ["customer-facing", "edge"] }) { nodes { id } }
      byText: services(filter: { text: "POSTGRES" }) { nodes { id } }
    }`);
    const ids = (key: string) => (filtered.data![key] as { nodes: { id: string }[] }).nodes.map((n) => n.id);
    expect(ids('byTeam')).toEqual(['payments-api', 'stripe-bridge', 'fraud-check']);
    expect(ids('byKind').sort()).toEqual(['kafka', 'orders-db', 'sessions-cache']);
    expect(ids('byTier')).toEqual(['recommendations']);
    expect(ids('byTags').sort()).toEqual(['api-gateway', 'web-frontend']);
    expect(ids('byText')).toEqual(['orders-db']);
  });

  it('walks every page with no gap and no duplicate', async () => {
    const full = await runner.run(`{ services(first: 200) { nodes { id } totalCount } }`);
    const expected = (full.data!.services as { nodes: { id: string }[] }).nodes.map((n) => n.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const page = await runner.run(`query($after: String) { services(first: 4, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount } }`, { after });
      const connection = page.data!.services as { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount: number };
      expect(connection.totalCount).toBe(expected.length);
      seen.push(...connection.edges.map((e) => e.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses an oversized page and a forged cursor', async () => {
    expect(codeOf(await runner.run(`{ services(first: 500) { nodes { id } } }`))).toBe('BAD_USER_INPUT');
    expect(codeOf(await runner.run(`{ services(after: "not-a-cursor") { nodes { id } } }`))).toBe('BAD_USER_INPUT');
  });
});

describe('services subgraph: dependencies', () => {
  it('answers direct dependencies and dependents, most critical first', async () => {
    const result = await runner.run(`{
      service(id: "checkout") { dependencies { id tier } dependents { id } }
      db: service(id: "orders-db") { dependencies { id } dependents { id } }
    }`);
    expect(result.errors).toBeUndefined();
    const checkout = result.data!.service as { dependencies: { id: string; tier: string }[]; dependents: { id: string }[] };
    expect(checkout.dependencies.map((d) => d.id)).toEqual(['inventory', 'kafka', 'orders-db', 'payments-api', 'cart', 'shipping']);
    expect(checkout.dependents).toEqual([{ id: 'api-gateway' }]);
    const db = result.data!.db as { dependencies: unknown[]; dependents: { id: string }[] };
    expect(db.dependencies).toEqual([]);
    expect(db.dependents.map((d) => d.id).sort()).toEqual(['checkout', 'inventory', 'payments-api', 'shipping']);
  });

  it('walks the graph upstream to the blast radius with distances and caller-to-callee edges', async () => {
    const result = await runner.run(`{ service(id: "orders-db") {
      dependencyGraph(direction: DEPENDENTS, depth: 2) { root { id } direction depth nodes { service { id } distance } edges { from to } }
    } }`);
    expect(result.errors).toBeUndefined();
    const graph = (result.data!.service as { dependencyGraph: { root: { id: string }; nodes: { service: { id: string }; distance: number }[]; edges: { from: string; to: string }[] } }).dependencyGraph;
    const distance = Object.fromEntries(graph.nodes.map((n) => [n.service.id, n.distance]));
    expect(graph.root.id).toBe('orders-db');
    expect(distance).toMatchObject({ 'orders-db': 0, checkout: 1, 'payments-api': 1, inventory: 1, shipping: 1, 'api-gateway': 2 });
    expect(distance['web-frontend']).toBeUndefined(); // three hops away
    expect(graph.edges).toContainEqual({ from: 'checkout', to: 'orders-db' });
    expect(graph.edges).toContainEqual({ from: 'api-gateway', to: 'checkout' });
    for (const edge of graph.edges) {
      expect(distance[edge.from]).toBeDefined();
      expect(distance[edge.to]).toBeDefined();
    }
  });

  it('walks downstream only when asked, and both ways by default', async () => {
    const result = await runner.run(`{ service(id: "payments-api") {
      down: dependencyGraph(direction: DEPENDENCIES, depth: 1) { nodes { service { id } distance } }
      both: dependencyGraph { direction depth nodes { service { id } distance } }
    } }`);
    const service = result.data!.service as Record<string, { direction?: string; depth?: number; nodes: { service: { id: string }; distance: number }[] }>;
    expect(service.down!.nodes.map((n) => n.service.id).sort()).toEqual(['fraud-check', 'orders-db', 'payments-api', 'stripe-bridge']);
    expect(service.both!.direction).toBe('BOTH');
    expect(service.both!.depth).toBe(2);
    const both = Object.fromEntries(service.both!.nodes.map((n) => [n.service.id, n.distance]));
    expect(both).toMatchObject({ checkout: 1, 'api-gateway': 2, kafka: 2, 'stripe-bridge': 1 });
  });

  it('refuses a depth outside 1..6', async () => {
    for (const depth of [0, 7]) {
      const result = await runner.run(`query($d: Int) { service(id: "checkout") { dependencyGraph(depth: $d) { depth } } }`, { d: depth });
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
    }
  });

  it('costs one provider call per level of a graph walk, not one per node', async () => {
    runner.registry.resetCallCounts();
    await runner.run(`{ service(id: "web-frontend") { dependencyGraph(direction: DEPENDENCIES, depth: 6) { nodes { service { id } } } } }`);
    const counts = runner.registry.callCounts();
    // root lookup + one per level (at most 6) + the last level's services
    expect(counts['services/demo.getMany']).toBeLessThanOrEqual(8);
    expect(counts['services/demo.dependentsOf']).toBeUndefined();
  });
});

describe('services subgraph: federation', () => {
  it('resolves Service representations, and null for unknown ids', async () => {
    const result = await runner.run(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Service { id name owner { id } } } }`,
      { r: [{ __typename: 'Service', id: 'kafka' }, { __typename: 'Service', id: 'ghost' }, { __typename: 'Service', id: 'kafka' }] },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([{ id: 'kafka', name: 'Kafka', owner: { id: 'data-infra' } }, null, { id: 'kafka', name: 'Kafka', owner: { id: 'data-infra' } }]);
  });

  it('adds the owned services to Team entities', async () => {
    const result = await runner.run(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Team { id services { id } } } }`,
      { r: [{ __typename: 'Team', id: 'data-infra' }, { __typename: 'Team', id: 'nobody' }] },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      { id: 'data-infra', services: [{ id: 'kafka' }, { id: 'orders-db' }, { id: 'media-storage' }] },
      { id: 'nobody', services: [] },
    ]);
  });

  it('answers N services and N teams with a constant number of provider calls', async () => {
    const all = await runner.run(`{ services(first: 200) { nodes { id owner { id } } } }`);
    const nodes = (all.data!.services as { nodes: { id: string; owner: { id: string } }[] }).nodes;
    const representations = [
      ...nodes.map((n) => ({ __typename: 'Service', id: n.id })),
      ...[...new Set(nodes.map((n) => n.owner.id))].map((id) => ({ __typename: 'Team', id })),
    ];
    expect(representations.length).toBeGreaterThan(20);
    runner.registry.resetCallCounts();
    const result = await runner.run(
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Service { id dependencies { id name } dependents { id name } }
        ... on Team { id services { id } }
      } }`,
      { r: representations },
    );
    expect(result.errors).toBeUndefined();
    expect(runner.registry.callCounts()).toEqual({
      'services/demo.getMany': 1, // every representation and every dependency: all known after the first batch
      'services/demo.dependentsOf': 1,
      'services/demo.servicesOwnedBy': 1,
    });
  });
});

describe('services subgraph: several catalogs', () => {
  const broken: ProviderModule = {
    label: 'always down',
    factories: {
      services: (_settings, deps): ServiceProvider => {
        const down = async (): Promise<never> => {
          throw new Error('connection refused');
        };
        return { kind: 'broken', instance: deps.instance, getMany: down, query: down, dependentsOf: down, servicesOwnedBy: down, resolveExternalRefs: down };
      },
    },
  };
  const registry = testRegistry({ OPSORCH_SERVICES_PROVIDER: 'demo,backstage=broken' }, { broken });
  const mixed = createSubgraphRunner(servicesSubgraph, registry);

  it('keeps the healthy catalog answering and reports the failed one', async () => {
    const result = await mixed.run(`{ services(first: 3) { nodes { id } providerErrors { capability provider code } } service(id: "checkout") { id } }`);
    expect(result.errors).toBeUndefined();
    const services = result.data!.services as { nodes: unknown[]; providerErrors: unknown[] };
    expect(services.nodes).toHaveLength(3);
    expect(services.providerErrors).toEqual([{ capability: 'services', provider: 'backstage', code: 'PROVIDER_UNAVAILABLE' }]);
    expect(result.data!.service).toEqual({ id: 'checkout' });
  });

  it('does not claim an id is unknown while a catalog that might know it is down', async () => {
    const result = await mixed.run(`{ service(id: "ghost") { id } }`);
    expect(result.data!.service).toBeNull();
    expect(codeOf(result)).toBe('PROVIDER_UNAVAILABLE');
  });

  it('answers null with the provider named when every catalog is down, leaving sibling fields alone', async () => {
    const down = createSubgraphRunner(servicesSubgraph, testRegistry({ OPSORCH_SERVICES_PROVIDER: 'backstage=broken' }, { broken }));
    const result = await down.run(`{ services { nodes { id } } team: _entities(representations: [{ __typename: "Team", id: "growth" }]) { ... on Team { id } } }`);
    expect(result.data!.services).toBeNull();
    expect(result.data!.team).toEqual([{ id: 'growth' }]);
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', capability: 'services', provider: 'backstage' });
  });
});

describe('services subgraph: a large catalog', () => {
  // A catalog of 3,000 services where `hub` calls every other one: a depth-1 walk would reach them all.
  const ids = Array.from({ length: 3_000 }, (_, i) => `svc-${i}`);
  const record = (id: string): ServiceRecord => ({
    id,
    name: id,
    description: null,
    tier: 'TIER_3',
    rawTier: '3',
    kind: 'SERVICE',
    rawKind: 'service',
    tags: [],
    language: null,
    repositoryUrl: null,
    links: [],
    externalRefs: [],
    environments: ['production'],
    url: `https://catalog.example/${id}`,
    source: { provider: 'big', instance: 'big', id },
    ownerTeamId: null,
    dependencyIds: id === 'hub' ? ids : [],
  });
  const big: ProviderModule = {
    label: 'big catalog',
    factories: {
      services: (_settings, deps): ServiceProvider => ({
        kind: 'big',
        instance: deps.instance,
        getMany: async (wanted) => wanted.map((id) => (id === 'hub' || ids.includes(id) ? record(id) : null)),
        query: async () => ({ items: [record('hub')], nextCursor: null }),
        dependentsOf: async (wanted) => wanted.map((id) => (id === 'hub' ? [] : ['hub'])),
        servicesOwnedBy: async (teams) => teams.map(() => []),
        resolveExternalRefs: async (refs) => refs.map(() => null),
      }),
    },
  };
  const large = createSubgraphRunner(servicesSubgraph, testRegistry({ OPSORCH_SERVICES_PROVIDER: 'big' }, { big }));

  it('stops a dependency-graph walk at 500 services and says it did', async () => {
    const result = await large.run(`{ service(id: "hub") { dependencyGraph(direction: DEPENDENCIES, depth: 1) { truncated nodes { service { id } } edges { from to } } } }`);
    expect(result.errors).toBeUndefined();
    const graph = (result.data!.service as { dependencyGraph: { truncated: boolean; nodes: unknown[]; edges: unknown[] } }).dependencyGraph;
    expect(graph.truncated).toBe(true);
    expect(graph.nodes).toHaveLength(500);
    expect(graph.edges).toHaveLength(499);
    const small = await runner.run(`{ service(id: "checkout") { dependencyGraph { truncated } } }`);
    expect(small.data!.service).toEqual({ dependencyGraph: { truncated: false } });
  });
});
