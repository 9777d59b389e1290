// The Backstage catalog adapter through the real gateway against a contract fake of the catalog's published
// OpenAPI document (__fixtures__/backstage-catalog.openapi.json): components as services, groups and users as
// teams and people, the catalog's cursor paging, bulk reads by reference, identity joins for other providers,
// error mapping and the token kept out of every log line, error and URL.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { captureLogs, gql, ROOT, startTestGateway } from '../../gateway/test/harness.ts';
import { startContractFake, type ContractFake } from '../kit/contract-fake.ts';
import type { Entity } from './api.ts';
import { component, group, joinedGatewayEnv, startFakeCatalog, user, type FakeCatalog } from './fake-catalog.ts';

const TOKEN = 'bs-token-7c1e9a44f0d2';
const APP = 'https://backstage.acme-shop.example';

const filler: Entity[] = Array.from({ length: 20 }, (_, i) =>
  component(`svc-${String(i).padStart(2, '0')}`, { type: 'service', lifecycle: 'production', owner: 'group:default/platform' }, { labels: { tier: '3' } }),
);

const entities: Entity[] = [
  component(
    'checkout',
    { type: 'service', lifecycle: 'production', owner: 'group:default/payments', system: 'shop', dependsOn: ['component:default/payments-api', 'resource:default/orders-db'] },
    {
      title: 'Checkout',
      description: 'Takes orders and payments',
      labels: { tier: 'tier-1' },
      tags: ['customer-facing', 'pci'],
      links: [{ url: 'https://grafana.acme-shop.example/d/checkout', title: 'Dashboard', icon: 'dashboard' }, { url: 'https://runbooks.acme-shop.example/checkout' }],
      annotations: {
        'pagerduty.com/service-id': 'PCHK123',
        'datadoghq.com/service-name': 'checkout-api',
        'github.com/project-slug': 'acme-shop/checkout',
        'jira/project-key': 'CHK',
        'backstage.io/source-location': 'url:https://github.com/acme-shop/checkout/tree/main/',
      },
    },
    // The catalog's processors add both directions of a relation; `cart` is a dependency only through them.
    [
      { type: 'ownedBy', targetRef: 'group:default/payments' },
      { type: 'dependsOn', targetRef: 'component:default/payments-api' },
      { type: 'dependsOn', targetRef: 'component:default/cart' },
    ],
  ),
  component('payments-api', { type: 'service', lifecycle: 'production', owner: 'payments' }, { title: 'Payments API', labels: { tier: '2' } }, [
    { type: 'dependencyOf', targetRef: 'component:default/checkout' },
  ]),
  // Only the catalog's relations say checkout calls cart (cart's dependencyOf, checkout's dependsOn), not checkout's spec.
  component('cart', { type: 'service', lifecycle: 'experimental', owner: 'group:default/payments' }, { title: 'Cart', labels: { tier: '1' } }, [
    { type: 'dependencyOf', targetRef: 'component:default/checkout' },
  ]),
  component('storefront', { type: 'website', owner: 'group:default/web' }, { title: 'Storefront' }),
  component('shared-lib', { type: 'library', owner: 'group:default/platform' }),
  { ...component('checkout', { type: 'service', owner: 'group:other/payments' }), metadata: { name: 'checkout', namespace: 'other' } },
  ...filler,
  group('engineering', { type: 'department', children: ['group:default/payments', 'group:default/platform'] }, { title: 'Engineering' }),
  group('payments', { parent: 'group:default/engineering', profile: { displayName: 'Payments Team' }, members: ['user:default/ana'] }, {
    description: 'Checkout and payments',
    annotations: { 'slack.com/channel': 'team-payments' },
  }),
  group('platform', { parent: 'engineering' }),
  group('web', { parent: 'group:default/engineering' }),
  user('ana', { profile: { displayName: 'Ana Lima', email: 'Ana.Lima@acme-shop.example' } }),
  user('ben', { profile: { displayName: 'Ben Okafor', email: 'ben@acme-shop.example' }, memberOf: ['payments'] }),
  user('cy', { profile: { displayName: 'Cy Park', email: 'cy@acme-shop.example' } }, [{ type: 'memberOf', targetRef: 'group:default/platform' }]),
  user('robot', { profile: { displayName: 'A robot without e-mail' }, memberOf: ['platform'] }),
];

let catalog: FakeCatalog;
let am: ContractFake;
let gateway: RunningGateway;
const logs = captureLogs();

const settings = { url: 'REPLACED', appUrl: APP, token: 'secret://env/BACKSTAGE_TOKEN', pageSize: 7, snapshotTtlMs: 0, timeoutMs: 800, componentTypes: ['service', 'website'] };

beforeAll(async () => {
  catalog = await startFakeCatalog(entities);
  am = await startContractFake({ spec: 'alertmanager.openapi.json', vendor: 'Alertmanager', basePath: '/api/v2' });
  am.on('GET /alerts', () => ({
    body: [
      {
        labels: { alertname: 'HighErrorRate', service: 'checkout-api', severity: 'critical' },
        annotations: {},
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 600_000).toISOString(),
        updatedAt: new Date().toISOString(),
        fingerprint: 'aa11bb22cc33dd44',
        receivers: [{ name: 'oncall' }],
        status: { state: 'active', silencedBy: [], inhibitedBy: [], mutedBy: [] },
      },
    ],
  }));
  // The providers query checks every instance's health.
  am.on('GET /status', () => ({
    body: {
      cluster: { status: 'ready', peers: [] },
      versionInfo: { branch: 'main', buildDate: '', buildUser: '', goVersion: 'go1.22', revision: '', version: '0.27.0' },
      config: { original: '' },
      uptime: new Date().toISOString(),
    },
  }));
  gateway = await startTestGateway({
    logger: logs.logger,
    env: {
      ...joinedGatewayEnv({ ...settings, url: catalog.fake.url }, am.origin),
      BACKSTAGE_TOKEN: TOKEN,
      OPSORCH_PROVIDER_BACKOFF_MS: '0',
      OPSORCH_BREAKER_FAILURES: '1000',
    },
  });
}, 60_000);

afterEach(() => {
  catalog.failure = null;
  catalog.fake.verify();
  am.verify();
});

afterAll(async () => {
  await gateway?.close();
  await catalog?.fake.close();
  await am?.close();
});

const since = () => {
  const start = catalog.fake.requests.length;
  return () => catalog.fake.requests.slice(start);
};

describe('Backstage catalog adapter against the contract fake', () => {
  it('walks the service catalog to its end across several catalog pages: no gap, no duplicate, most critical first', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const requests = since();
    for (let pages = 0; pages < 10; pages++) {
      const body: any = await gql(gateway.url, `query($after: String) { services(first: 10, after: $after) { nodes { id tier } pageInfo { hasNextPage endCursor } totalCount providerErrors { code } } }`, { after });
      expect(body.errors).toBeUndefined();
      seen.push(...body.data.services.nodes.map((n: { id: string }) => n.id));
      expect(body.data.services.totalCount).toBe(24);
      if (!body.data.services.pageInfo.hasNextPage) break;
      after = body.data.services.pageInfo.endCursor;
    }
    const expected = ['cart', 'checkout', 'payments-api', ...filler.map((f) => f.metadata.name), 'storefront'];
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    const queries = requests().filter((r) => r.route === 'GET /entities/by-query');
    expect(queries.length).toBeGreaterThan(1);
    const first = queries[0]!;
    expect(first.query.getAll('filter')).toEqual(['kind=component,metadata.namespace=default,spec.type=service', 'kind=component,metadata.namespace=default,spec.type=website']);
    expect(first.query.get('limit')).toBe('7');
    // Every following page continues with the catalog's cursor alone.
    const followUps = queries.slice(1, 4);
    expect(followUps.every((r) => r.query.has('cursor') && !r.query.has('filter'))).toBe(true);
    expect(first.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('maps a component losslessly: owner, tier, kind, system and lifecycle, links, annotations as externalRefs, deep link', async () => {
    const body = await gql(
      gateway.url,
      `{ service(id: "checkout") { id name description tier rawTier kind rawKind tags language repositoryUrl links { title url } externalRefs { system id } environments url source { provider instance id } owner { id name chatChannel } dependencies { id } dependents { id } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.service).toEqual({
      id: 'checkout',
      name: 'Checkout',
      description: 'Takes orders and payments',
      tier: 'TIER_1',
      rawTier: 'tier-1',
      kind: 'SERVICE',
      rawKind: 'service',
      tags: ['customer-facing', 'pci', 'system:shop', 'lifecycle:production'],
      language: null,
      repositoryUrl: 'https://github.com/acme-shop/checkout/tree/main/',
      links: [
        { title: 'Dashboard', url: 'https://grafana.acme-shop.example/d/checkout' },
        { title: 'https://runbooks.acme-shop.example/checkout', url: 'https://runbooks.acme-shop.example/checkout' },
      ],
      externalRefs: [
        { system: 'backstage', id: 'component:default/checkout' },
        { system: 'pagerduty', id: 'PCHK123' },
        { system: 'datadog', id: 'checkout-api' },
        { system: 'github', id: 'acme-shop/checkout' },
        { system: 'jira', id: 'CHK' },
      ],
      environments: [],
      url: `${APP}/catalog/default/component/checkout`,
      source: { provider: 'backstage', instance: 'bs', id: 'component:default/checkout' },
      owner: { id: 'payments', name: 'Payments Team', chatChannel: '#team-payments' },
      // dependsOn from the spec and from cart's dependencyOf relation; the resource is not a service.
      dependencies: [{ id: 'cart' }, { id: 'payments-api' }],
      dependents: [],
    });
    const payments = await gql(gateway.url, `{ service(id: "payments-api") { dependents { id } dependencyGraph(direction: DEPENDENTS, depth: 2) { edges { from to } } } }`);
    expect(payments.errors).toBeUndefined();
    expect(payments.data.service.dependents).toEqual([{ id: 'checkout' }]);
    expect(payments.data.service.dependencyGraph.edges).toEqual([{ from: 'checkout', to: 'payments-api' }]);
  });

  it('reads several services in one /entities/by-refs call, with null for what the catalog lacks or is not a service', async () => {
    const requests = since();
    const body = await gql(gateway.url, `{ a: service(id: "checkout") { id } b: service(id: "cart") { id } c: service(id: "nope") { id } d: service(id: "shared-lib") { id } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ a: { id: 'checkout' }, b: { id: 'cart' }, c: null, d: null });
    const byRefs = requests().filter((r) => r.route === 'POST /entities/by-refs');
    expect(byRefs).toHaveLength(1);
    expect((byRefs[0]!.body as { entityRefs: string[] }).entityRefs.sort()).toEqual(
      ['component:default/cart', 'component:default/checkout', 'component:default/nope', 'component:default/shared-lib'],
    );
  });

  it('resolves every annotation reference to the canonical service, case-insensitively', async () => {
    const body = await gql(
      gateway.url,
      `{ pd: serviceByExternalRef(system: "PagerDuty", id: "pchk123") { id } dd: serviceByExternalRef(system: "datadog", id: "checkout-api") { id } gh: serviceByExternalRef(system: "github", id: "acme-shop/checkout") { id } jira: serviceByExternalRef(system: "jira", id: "CHK") { id } none: serviceByExternalRef(system: "pagerduty", id: "PXXXX") { id } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ pd: { id: 'checkout' }, dd: { id: 'checkout' }, gh: { id: 'checkout' }, jira: { id: 'checkout' }, none: null });

    // Hostile values are compared literally and never reach the catalog's filter syntax.
    const requests = since();
    const hostile = ['PCHK123,kind=user', 'pchk123&filter=kind=group', '*', '" or 1=1 --', 'checkout-api\\', '{PCHK123}', 'PCHK123|x', 'ｐｃｈｋ１２３'];
    for (const id of hostile) {
      const answer = await gql(gateway.url, `query($id: String!) { serviceByExternalRef(system: "pagerduty", id: $id) { id } }`, { id });
      expect(answer.errors, id).toBeUndefined();
      expect(answer.data.serviceByExternalRef, id).toBeNull();
    }
    for (const r of requests()) expect(r.query.getAll('filter').join('\n')).not.toMatch(/pchk|or 1=1|\*/i);
  });

  it('joins another provider through the Backstage identity in one GraphQL query', async () => {
    const requests = since();
    const body = await gql(gateway.url, `{ alerts(first: 5) { nodes { name service { id name owner { id name } } } providerErrors { code } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.alerts.nodes).toEqual([{ name: 'HighErrorRate', service: { id: 'checkout', name: 'Checkout', owner: { id: 'payments', name: 'Payments Team' } } }]);
    // One by-refs call for the service and one for its owner, whatever the number of alerts.
    expect(requests().filter((r) => r.route === 'POST /entities/by-refs')).toHaveLength(2);
  });

  it('serves groups as teams with their hierarchy and users as members, by e-mail', async () => {
    const body = await gql(
      gateway.url,
      `{ team(id: "payments") { id name description chatChannel url source { provider id } parent { id name } subTeams { id } members { role user { id name email url teams { id } } } services { id } }
         engineering: team(id: "engineering") { parent { id } subTeams { id } }
         teams(first: 2) { nodes { id } pageInfo { hasNextPage endCursor } totalCount }
         platformPeople: users(filter: { team: "platform" }) { nodes { id } }
         user(id: "ANA.LIMA@acme-shop.example") { id name teams { id } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.team).toEqual({
      id: 'payments',
      name: 'Payments Team',
      description: 'Checkout and payments',
      chatChannel: '#team-payments',
      url: `${APP}/catalog/default/group/payments`,
      source: { provider: 'backstage', id: 'group:default/payments' },
      parent: { id: 'engineering', name: 'Engineering' },
      subTeams: [],
      members: [
        { role: 'MEMBER', user: { id: 'ana.lima@acme-shop.example', name: 'Ana Lima', email: 'Ana.Lima@acme-shop.example', url: `${APP}/catalog/default/user/ana`, teams: [{ id: 'payments' }] } },
        { role: 'MEMBER', user: { id: 'ben@acme-shop.example', name: 'Ben Okafor', email: 'ben@acme-shop.example', url: `${APP}/catalog/default/user/ben`, teams: [{ id: 'payments' }] } },
      ],
      services: [{ id: 'cart' }, { id: 'checkout' }, { id: 'payments-api' }],
    });
    expect(body.data.engineering).toEqual({ parent: null, subTeams: [{ id: 'payments' }, { id: 'platform' }, { id: 'web' }] });
    expect(body.data.teams).toMatchObject({ nodes: [{ id: 'engineering' }, { id: 'payments' }], pageInfo: { hasNextPage: true }, totalCount: 4 });
    expect(body.data.platformPeople.nodes).toEqual([{ id: 'cy@acme-shop.example' }]);
    expect(body.data.user).toEqual({ id: 'ana.lima@acme-shop.example', name: 'Ana Lima', teams: [{ id: 'payments' }] });
  });

  it('maps the catalog failures to OpsOrch codes and keeps the token out of every error, log line and URL', async () => {
    const cases: [FakeCatalog['failure'], string, Record<string, unknown>?][] = [
      [() => ({ status: 401, body: { error: { name: 'AuthenticationError', message: `bad token ${TOKEN}` }, response: { statusCode: 401 } } }), 'PROVIDER_AUTH_FAILED'],
      [() => ({ status: 403, body: { error: { name: 'NotAllowedError', message: 'no' }, response: { statusCode: 403 } } }), 'PROVIDER_AUTH_FAILED'],
      [() => ({ status: 404, body: { error: { name: 'NotFoundError', message: 'no such route' }, response: { statusCode: 404 } } }), 'NOT_FOUND'],
      [() => ({ status: 503, raw: '<html>bad gateway</html>' }), 'PROVIDER_UNAVAILABLE'],
      [
        async (request) => {
          await new Promise((r) => setTimeout(r, 1_500));
          return { body: request.route === 'GET /entities/by-query' ? { items: [], totalItems: 0, pageInfo: {} } : { items: [] } };
        },
        'PROVIDER_TIMEOUT',
      ],
      // Last: the registry then holds calls back for the whole retry-after window.
      [() => ({ status: 429, headers: { 'retry-after': '1' }, body: { error: { name: 'TooManyRequests', message: 'slow down' }, response: { statusCode: 429 } } }), 'PROVIDER_RATE_LIMITED', { retryAfter: 1 }],
    ];
    for (const [failure, code, extensions] of cases) {
      catalog.failure = failure;
      const list = await gql(gateway.url, `{ services { nodes { id } } }`);
      expect(list.errors?.[0]?.extensions, code).toMatchObject({ code, provider: 'bs', ...extensions });
      expect(JSON.stringify(list)).not.toContain(TOKEN);
      const one = await gql(gateway.url, `{ service(id: "checkout") { id } }`);
      expect(one.errors?.[0]?.extensions, code).toMatchObject({ code, ...extensions });
    }
    catalog.failure = null;
    await new Promise((r) => setTimeout(r, 1_100));
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.lines.filter((line) => line.includes(TOKEN))).toEqual([]);
    expect(catalog.fake.requests.every((r) => !r.path.includes(TOKEN) && !r.query.toString().includes(TOKEN))).toBe(true);
    expect(logs.lines.some((line) => line.includes('tool refused the request'))).toBe(true);
  }, 30_000);

  it('reports its health for the providers query', async () => {
    const body = await gql(gateway.url, `{ providers(capability: "services") { instance provider health } teams: providers(capability: "teams") { instance health } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.providers).toEqual([{ instance: 'bs', provider: 'backstage', health: 'UP' }]);
    expect(body.data.teams).toEqual([{ instance: 'bs', health: 'UP' }]);
  });

  it('opsorch check reports both Backstage instances', async () => {
    const run = (config: Record<string, unknown>) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const env = {
          ...process.env,
          OPSORCH_SERVICES_PROVIDER: 'bs=backstage',
          OPSORCH_SERVICES_CONFIG: JSON.stringify(config),
          OPSORCH_TEAMS_PROVIDER: 'bs=backstage',
          OPSORCH_TEAMS_CONFIG: JSON.stringify({ ...settings, url: catalog.fake.url }),
          BACKSTAGE_TOKEN: TOKEN,
        };
        const child = spawn(process.execPath, [join(ROOT, 'bin', 'opsorch.mjs'), 'check'], { cwd: ROOT, env });
        let out = '';
        child.stdout.on('data', (c) => (out += c));
        child.stderr.on('data', (c) => (out += c));
        child.on('exit', (code) => resolve({ code, out }));
      });
    const ok = await run({ ...settings, url: catalog.fake.url });
    expect(ok.out).toMatch(/services\s+bs\s+backstage\s+UP/);
    expect(ok.out).toMatch(/teams\s+bs\s+backstage\s+UP/);
    expect(ok.out).not.toContain(TOKEN);
    expect(ok.code, ok.out).toBe(0);
  }, 60_000);

  it('refuses settings that name no app URL or misspell a key, naming the key', async () => {
    const start = (config: Record<string, unknown>) =>
      startTestGateway({ env: { OPSORCH_SERVICES_PROVIDER: 'bs=backstage', OPSORCH_SERVICES_CONFIG: JSON.stringify(config) } });
    await expect(start({ url: catalog.fake.url, apUrl: APP })).rejects.toThrow(/OPSORCH_SERVICES_CONFIG.*apUrl/s);
    await expect(start({ url: catalog.fake.url, appUrl: APP, componentTypes: ['service,kind=user'] })).rejects.toThrow(/componentTypes/);
  });
});
