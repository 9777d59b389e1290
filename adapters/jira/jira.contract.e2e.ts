// The Jira Cloud adapter through the real gateway against a contract fake of Jira's REST API v3
// (../shared/vendor-api/jira.openapi.json): every request it sends must be one Jira accepts, every answer served
// here matches the spec, and searches are answered by reading the JQL strictly (testing/jql-parser.ts), so a value
// that escaped its quotes fails the test.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { runCheck } from '../../gateway/src/check.ts';
import { captureLogs, gql, startTestGateway } from '../../gateway/test/harness.ts';
import { CONTRACT_TEST_ENV, startContractFake, type ContractFake, type FakeReply } from '../kit/contract-fake.ts';
import type { ProviderModule } from '../src/provider.ts';
import type { ServiceProvider } from '../src/spi/services.ts';
import { JiraTicketProvider } from './tickets.ts';
import { jiraSettingsSchema } from './settings.ts';
import { parseJql } from './testing/jql-parser.ts';
import { adf, HIDDEN, issue, MAYA, serveJira, SITE, type StoredIssue } from './testing/jira-fake.ts';
import { silentLogger } from '../src/context.ts';

const TOKEN = 'ATATT3xFfGF0-jira-api-token-secret';
const EMAIL = 'opsorch-bot@acme-shop.example';
let issues: StoredIssue[] = [];
function seed() {
  issues = [
    issue('PAY-1', { summary: 'Stripe webhook retries', priority: 'Highest', assignee: MAYA, labels: ['incident:pd:Q3VW8TR', 'postmortem'], status: { name: 'In Progress', category: 'indeterminate' } }),
    issue('PAY-2', { priority: 'Blocker', status: { name: 'In Review', category: 'indeterminate' } }),
    issue('PAY-3', { priority: null, assignee: HIDDEN, status: { name: "Won't Do", category: 'done' } }),
    issue('CHK-4', { labels: ['incident:pd:Q3VW8TR'], comments: [
      { id: '20002', author: MAYA, body: adf('second'), created: '2026-11-02T09:00:00.000+0000' },
      { id: '20001', author: HIDDEN, body: adf('first'), created: '2026-11-02T08:00:00.000+0000' },
    ] }),
    issue('CHK-5', { summary: 'Cart a+b (c) "quoted"', status: { name: 'Done', category: 'done' } }),
    issue('OPS-6', { priority: 'Trivial' }),
    issue('OPS-7', { description: 'Old plain-text description' }),
  ];
}

let mode: 'ok' | 'unauthorized' | 'rate-limited' | 'down' | 'slow' = 'ok';
const jqlSeen: string[] = [];
function failure(): FakeReply | null | Promise<FakeReply> {
  if (mode === 'unauthorized') return { status: 401, raw: `Unauthorized (token ${TOKEN} rejected)` };
  if (mode === 'rate-limited') return { status: 429, raw: 'Rate limit exceeded', headers: { 'retry-after': '17' } };
  if (mode === 'down') return { status: 503, raw: '<html>Service Unavailable</html>' };
  if (mode === 'slow') return new Promise((resolve) => setTimeout(() => resolve({ status: 503 }), 2_500));
  return null;
}

const found = (key: string) => issues.find((i) => i.key === key);
/** The catalog's checkout entry as a catalog with Jira references would hold it (the demo catalog has none). */
const CHECKOUT = {
  id: 'checkout',
  name: 'Checkout',
  description: null,
  tier: 'TIER_1',
  rawTier: 'tier1',
  kind: 'SERVICE',
  rawKind: 'service',
  tags: [],
  language: null,
  repositoryUrl: null,
  links: [],
  externalRefs: [{ system: 'jira', id: 'CHK' }],
  environments: [],
  url: 'https://backstage.acme-shop.example/catalog/default/component/checkout',
  source: { provider: 'jira-refs', instance: 'refs', id: 'checkout' },
  ownerTeamId: 'commerce',
  dependencyIds: [],
};

/** A catalog that knows checkout's Jira project; the demo catalog answers everything else. */
const jiraRefsCatalog: ProviderModule = {
  label: 'Jira references',
  factories: {
    services: (_settings, deps): ServiceProvider => ({
      kind: 'jira-refs',
      instance: deps.instance,
      getMany: async (ids) => ids.map((id) => (id === 'checkout' ? (CHECKOUT as never) : null)),
      query: async () => ({ items: [], nextCursor: null }),
      dependentsOf: async (ids) => ids.map(() => []),
      servicesOwnedBy: async (ids) => ids.map(() => []),
      resolveExternalRefs: async (refs) => refs.map((r) => (r.system.toLowerCase() === 'jira' && r.id.toUpperCase() === 'CHK' ? 'checkout' : null)),
    }),
  },
};

let fake: ContractFake;
let gateway: RunningGateway;
const logs = captureLogs();
const config = {
  url: '',
  siteUrl: SITE,
  auth: { email: EMAIL, apiToken: 'secret://env/JIRA_TOKEN' },
  serviceAliases: { PAY: 'payments-api' },
  defaultProject: 'OPS',
  accounts: { 'jonas.weber@acme-shop.example': HIDDEN.accountId },
};

beforeAll(async () => {
  seed();
  fake = await startContractFake({ spec: 'jira.openapi.json', vendor: 'Jira', fixtures: join(import.meta.dirname, '__fixtures__') });
  serveJira(fake, { issues: () => issues, failure, jqlSeen });
  config.url = fake.origin;
  gateway = await startTestGateway({
    logger: logs.logger,
    extraProviders: { 'jira-refs': jiraRefsCatalog },
    env: gatewayEnv(),
  });
}, 60_000);

function gatewayEnv(): Record<string, string> {
  return {
    OPSORCH_TICKETS_PROVIDER: 'jira=jira',
    OPSORCH_TICKETS_CONFIG: JSON.stringify(config),
    OPSORCH_SERVICES_PROVIDER: 'refs=jira-refs,demo=demo',
    JIRA_TOKEN: TOKEN,
    ...CONTRACT_TEST_ENV,
  };
}

afterEach(() => {
  mode = 'ok';
  fake.verify();
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

const TICKET = 'id key title description status rawStatus priority rawPriority labels url source { provider instance id } assignee { id } reporter { id } service { id } incident { id } createdAt updatedAt';

describe('Jira Cloud adapter against the contract fake', () => {
  it('walks every ticket across several Jira pages by nextPageToken, newest first, with no gap and no duplicate', async () => {
    const keys: string[] = [];
    let after: string | null = null;
    const before = fake.requests.length;
    for (let guard = 0; guard < 10; guard++) {
      const body: any = await gql(gateway.url, 'query($after: String) { tickets(first: 2, after: $after) { nodes { key } pageInfo { hasNextPage endCursor } providerErrors { code } } }', { after });
      expect(body.errors).toBeUndefined();
      keys.push(...body.data.tickets.nodes.map((n: { key: string }) => n.key));
      if (!body.data.tickets.pageInfo.hasNextPage) break;
      after = body.data.tickets.pageInfo.endCursor;
    }
    expect(keys).toEqual(['OPS-7', 'OPS-6', 'CHK-5', 'CHK-4', 'PAY-3', 'PAY-2', 'PAY-1']);
    const searches = fake.requests.slice(before).filter((r) => r.route === 'POST /rest/api/3/search/jql');
    expect(searches.some((r) => (r.body as { nextPageToken?: string }).nextPageToken)).toBe(true);
  });

  it('maps fields losslessly: raw status and priority beside normalized ones, ADF and plain descriptions, people, deep links', async () => {
    const body = await gql(gateway.url, `{ a: ticket(id: "jira:PAY-1") { ${TICKET} } b: ticket(id: "jira:PAY-2") { status rawStatus priority rawPriority } c: ticket(id: "jira:PAY-3") { status rawStatus priority rawPriority assignee { id } } d: ticket(id: "jira:OPS-6") { priority rawPriority } e: ticket(id: "jira:OPS-7") { description } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.a).toMatchObject({
      id: 'jira:PAY-1',
      key: 'PAY-1',
      title: 'Stripe webhook retries',
      description: 'Details of PAY-1',
      status: 'IN_PROGRESS',
      rawStatus: 'In Progress',
      priority: 'HIGHEST',
      rawPriority: 'Highest',
      labels: ['postmortem'],
      url: `${SITE}/browse/PAY-1`,
      source: { provider: 'jira', instance: 'jira', id: 'PAY-1' },
      assignee: { id: 'maya.patel@acme-shop.example' },
      incident: { id: 'pd:Q3VW8TR' },
      createdAt: '2026-11-01T08:01:00.000Z',
    });
    expect(body.data.b).toEqual({ status: 'IN_REVIEW', rawStatus: 'In Review', priority: 'HIGHEST', rawPriority: 'Blocker' });
    expect(body.data.c).toEqual({ status: 'CANCELLED', rawStatus: "Won't Do", priority: 'UNKNOWN', rawPriority: null, assignee: { id: 'jonas.weber@acme-shop.example' } });
    expect(body.data.d).toEqual({ priority: 'LOWEST', rawPriority: 'Trivial' });
    expect(body.data.e).toEqual({ description: 'Old plain-text description' });
  });

  it('reads a batch of tickets with one key-in search, and asks key by key only when Jira refuses a missing key', async () => {
    const before = fake.requests.length;
    const body = await gql(gateway.url, '{ a: ticket(id: "jira:PAY-1") { key } b: ticket(id: "jira:CHK-4") { key } c: ticket(id: "jira:OPS-7") { key } }');
    expect(body.data).toEqual({ a: { key: 'PAY-1' }, b: { key: 'CHK-4' }, c: { key: 'OPS-7' } });
    const asked = fake.requests.slice(before);
    expect(asked.map((r) => r.route)).toEqual(['POST /rest/api/3/search/jql']);
    expect(parseJql((asked[0]!.body as { jql: string }).jql).where).toEqual({ field: 'key', op: 'in', values: ['PAY-1', 'CHK-4', 'OPS-7'] });

    const mixed = fake.requests.length;
    const withMissing = await gql(gateway.url, '{ a: ticket(id: "jira:PAY-1") { key } b: ticket(id: "jira:NOPE-9") { key } }');
    expect(withMissing.errors).toBeUndefined();
    expect(withMissing.data).toEqual({ a: { key: 'PAY-1' }, b: null });
    expect(fake.requests.slice(mixed).map((r) => r.route).sort()).toEqual(['GET /rest/api/3/issue/{issueIdOrKey}', 'GET /rest/api/3/issue/{issueIdOrKey}', 'POST /rest/api/3/search/jql']);
  });

  it('joins projects to catalog services through aliases and the catalog\'s jira externalRefs, both ways', async () => {
    const body = await gql(gateway.url, `{ pay: ticket(id: "jira:PAY-1") { service { id } } chk: ticket(id: "jira:CHK-4") { service { id } } ops: ticket(id: "jira:OPS-6") { service { id } }
      checkout: service(id: "checkout") { tickets { nodes { key } } } payments: service(id: "payments-api") { tickets(statuses: [IN_PROGRESS, IN_REVIEW]) { nodes { key status } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.pay.service).toEqual({ id: 'payments-api' });
    expect(body.data.chk.service).toEqual({ id: 'checkout' });
    expect(body.data.ops.service).toBeNull();
    expect(body.data.checkout.tickets.nodes.map((n: { key: string }) => n.key)).toEqual(['CHK-5', 'CHK-4']);
    expect(body.data.payments.tickets.nodes).toEqual([{ key: 'PAY-2', status: 'IN_REVIEW' }, { key: 'PAY-1', status: 'IN_PROGRESS' }]);
  });

  it('filters by status, priority, text, assignee and incident, with hostile text staying one quoted JQL value', async () => {
    const body = await gql(gateway.url, `{ open: tickets(filter: { statuses: [TODO], priorities: [LOWEST] }) { nodes { key } } text: tickets(filter: { text: "a+b (c) \\"quoted\\"" }) { nodes { key } }
      mine: tickets(filter: { assignee: "jonas.weber@acme-shop.example" }) { nodes { key } } incident: tickets(filter: { incidentId: "pd:Q3VW8TR" }) { nodes { key } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.open.nodes).toEqual([{ key: 'OPS-6' }]);
    expect(body.data.text.nodes).toEqual([{ key: 'CHK-5' }]);
    expect(body.data.mine.nodes).toEqual([{ key: 'PAY-3' }]);
    expect(body.data.incident.nodes.map((n: { key: string }) => n.key)).toEqual(['CHK-4', 'PAY-1']);
    const searched = jqlSeen.length;
    const byKey = await gql(gateway.url, '{ found: tickets(filter: { text: "chk-5" }) { nodes { key } providerErrors { code } } missing: tickets(filter: { text: "NOPE-1" }) { nodes { key } providerErrors { code } } }');
    expect(byKey.data).toEqual({ found: { nodes: [{ key: 'CHK-5' }], providerErrors: [] }, missing: { nodes: [], providerErrors: [] } });
    // The key clause is asked; for a missing key Jira refuses it and the search runs again without it.
    expect(jqlSeen.slice(searched).filter((jql) => jql.includes('key = "CHK-5"'))).toHaveLength(1);
    expect(jqlSeen.slice(searched).filter((jql) => jql.includes('"NOPE-1"'))).toHaveLength(2);

    for (const hostile of ['" OR project = "OPS', 'x\\" OR 1=1 OR text ~ \\"', 'ünï 🚨\n" OR key in ("PAY-1")', '\\']) {
      const seen = jqlSeen.length;
      const answer = await gql(gateway.url, 'query($text: String) { tickets(filter: { text: $text }) { nodes { key } providerErrors { code message } } }', { text: hostile });
      expect(answer.errors).toBeUndefined();
      expect(answer.data.tickets).toEqual({ nodes: [], providerErrors: [] });
      const where = parseJql(jqlSeen[seen]!).where as { or: { values: string[] }[] };
      expect(where.or[1]!.values).toEqual([hostile.trim()]);
    }
  });

  it('answers the tickets of every incident of a war room with one labels-in search', async () => {
    const open = await gql(gateway.url, '{ incidents(first: 4) { nodes { id } } }');
    const ids: string[] = open.data.incidents.nodes.map((n: { id: string }) => n.id);
    expect(ids.length).toBeGreaterThan(1);
    found('OPS-6')!.labels = [`incident:${ids[0]}`];
    found('OPS-7')!.labels = [`incident:${ids[1]}`, 'follow-up'];
    const before = fake.requests.length;
    const body = await gql(gateway.url, '{ incidents(first: 4) { nodes { id tickets { key incident { id } } } } }');
    expect(body.errors).toBeUndefined();
    const byIncident = Object.fromEntries(body.data.incidents.nodes.map((n: { id: string; tickets: { key: string }[] }) => [n.id, n.tickets.map((t) => t.key)]));
    expect(byIncident[ids[0]!]).toEqual(['OPS-6']);
    expect(byIncident[ids[1]!]).toEqual(['OPS-7']);
    const searches = fake.requests.slice(before);
    expect(searches.map((r) => r.route)).toEqual(['POST /rest/api/3/search/jql']);
    expect(parseJql((searches[0]!.body as { jql: string }).jql).where).toEqual({ field: 'labels', op: 'in', values: ids.map((id) => `incident:${id}`) });
    found('OPS-6')!.labels = [];
    found('OPS-7')!.labels = [];
  });

  it('lists comments oldest first and transitions of a batch with one search each', async () => {
    const before = fake.requests.length;
    const body = await gql(gateway.url, '{ a: ticket(id: "jira:CHK-4") { comments { totalCount nodes { id body author { id } createdAt } } availableTransitions { id name to rawTo } } b: ticket(id: "jira:PAY-2") { comments { totalCount } availableTransitions { id to } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.a.comments).toEqual({
      totalCount: 2,
      nodes: [
        { id: 'jira:CHK-4/20001', body: 'first', author: { id: 'jonas.weber@acme-shop.example' }, createdAt: '2026-11-02T08:00:00.000Z' },
        { id: 'jira:CHK-4/20002', body: 'second', author: { id: 'maya.patel@acme-shop.example' }, createdAt: '2026-11-02T09:00:00.000Z' },
      ],
    });
    expect(body.data.a.availableTransitions).toEqual([
      { id: '21', name: 'Start Progress', to: 'IN_PROGRESS', rawTo: 'In Progress' },
      { id: '41', name: "Won't Do", to: 'CANCELLED', rawTo: 'Cancelled' },
    ]);
    expect(body.data.b.availableTransitions).toEqual([{ id: '51', to: 'DONE' }]);
    const routes = fake.requests.slice(before).map((r) => r.route);
    expect(routes.filter((r) => r !== 'POST /rest/api/3/search/jql')).toEqual([]);
    expect(routes.length).toBeLessThanOrEqual(3);
  });

  it('creates a ticket with an ADF description once per idempotency key, in the service\'s project, assigned by account id', async () => {
    const create = 'mutation($key: String) { createTicket(input: { title: "Rotate webhook secret", description: "Line one\\nline two\\n\\nSecond paragraph", priority: HIGH, serviceId: "payments-api", assigneeId: "jonas.weber@acme-shop.example", labels: ["follow-up"], incidentId: "pd:Q3VW8TR" }, idempotencyKey: $key) { id key title description priority rawPriority labels assignee { id } incident { id } service { id } url } }';
    const first = await gql(gateway.url, create, { key: 'create-1' });
    const again = await gql(gateway.url, create, { key: 'create-1' });
    expect(first.errors).toBeUndefined();
    expect(again.data.createTicket).toEqual(first.data.createTicket);
    expect(first.data.createTicket).toMatchObject({
      key: 'PAY-8',
      title: 'Rotate webhook secret',
      description: 'Line one\nline two\n\nSecond paragraph',
      priority: 'HIGH',
      rawPriority: 'High',
      labels: ['follow-up'],
      assignee: { id: 'jonas.weber@acme-shop.example' },
      incident: { id: 'pd:Q3VW8TR' },
      service: { id: 'payments-api' },
      url: `${SITE}/browse/PAY-8`,
    });
    const posts = fake.requests.filter((r) => r.route === 'POST /rest/api/3/issue');
    expect(posts).toHaveLength(1);
    expect((posts[0]!.body as { fields: Record<string, unknown> }).fields).toMatchObject({
      project: { key: 'PAY' },
      issuetype: { name: 'Task' },
      assignee: { accountId: HIDDEN.accountId },
      labels: ['follow-up', 'incident:pd:Q3VW8TR'],
      description: {
        type: 'doc',
        version: 1,
        content: [
          { type: 'paragraph', content: [{ type: 'text', text: 'Line one' }, { type: 'hardBreak' }, { type: 'text', text: 'line two' }] },
          { type: 'paragraph', content: [{ type: 'text', text: 'Second paragraph' }] },
        ],
      },
    });
    const unknownPerson = await gql(gateway.url, 'mutation { createTicket(input: { title: "x", assigneeId: "nobody@acme-shop.example" }) { id } }');
    expect(unknownPerson.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(unknownPerson.errors![0]!.message).toContain('accounts');
  });

  it('edits fields keeping the incident link, comments in ADF, and transitions by id, by name and by target status', async () => {
    const edited = await gql(gateway.url, 'mutation { updateTicket(id: "jira:PAY-1", input: { title: "Stripe webhook retries (v2)", labels: ["postmortem", "q4"] }) { title labels incident { id } } }');
    expect(edited.errors).toBeUndefined();
    expect(edited.data.updateTicket).toEqual({ title: 'Stripe webhook retries (v2)', labels: ['postmortem', 'q4'], incident: { id: 'pd:Q3VW8TR' } });
    expect(found('PAY-1')!.labels).toEqual(['postmortem', 'q4', 'incident:pd:Q3VW8TR']);

    const commented = await gql(gateway.url, 'mutation { commentOnTicket(id: "jira:OPS-6", body: "Rolled back.", idempotencyKey: "c-1") { comments { nodes { body } } } }');
    await gql(gateway.url, 'mutation { commentOnTicket(id: "jira:OPS-6", body: "Rolled back.", idempotencyKey: "c-1") { key } }');
    expect(commented.data.commentOnTicket.comments.nodes).toEqual([{ body: 'Rolled back.' }]);
    expect(fake.requests.filter((r) => r.route === 'POST /rest/api/3/issue/{issueIdOrKey}/comment')).toHaveLength(1);

    const byId = await gql(gateway.url, 'mutation { transitionTicket(id: "jira:OPS-6", transition: "21") { status rawStatus } }');
    expect(byId.data.transitionTicket).toEqual({ status: 'IN_PROGRESS', rawStatus: 'In Progress' });
    const byName = await gql(gateway.url, 'mutation { transitionTicket(id: "jira:OPS-6", transition: "send to review") { status } }');
    expect(byName.data.transitionTicket).toEqual({ status: 'IN_REVIEW' });
    const byStatus = await gql(gateway.url, 'mutation { transitionTicket(id: "jira:OPS-6", transition: "DONE") { status rawStatus } }');
    expect(byStatus.data.transitionTicket).toEqual({ status: 'DONE', rawStatus: 'Done' });
    const impossible = await gql(gateway.url, 'mutation { transitionTicket(id: "jira:OPS-7", transition: "Reopen") { status } }');
    expect(impossible.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(impossible.errors![0]!.message).toContain('21 "Start Progress" → In Progress');
  });

  it('answers NOT_FOUND for a write to a missing issue', async () => {
    const body = await gql(gateway.url, 'mutation { commentOnTicket(id: "jira:OPS-999", body: "hello") { key } }');
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', provider: 'jira' });
  });

  it('is reported by `opsorch check`', async () => {
    let out = '';
    const code = await runCheck({ env: gatewayEnv(), json: true, extraProviders: { 'jira-refs': jiraRefsCatalog }, write: (text) => (out += text) });
    expect(code).toBe(0);
    expect(JSON.parse(out).providers).toContainEqual(expect.objectContaining({ capability: 'tickets', instance: 'jira', provider: 'jira', health: 'UP', checked: true }));
    expect(out).not.toContain(TOKEN);
  });

  it('is reported by the providers query, and speaks OAuth bearer tokens as well', async () => {
    const body = await gql(gateway.url, '{ providers { capability provider instance health } }');
    expect(body.data.providers).toContainEqual(expect.objectContaining({ capability: 'tickets', provider: 'jira', instance: 'jira', health: 'UP' }));
    const oauthWithoutSite = jiraSettingsSchema.safeParse({ url: 'https://api.atlassian.com/ex/jira/11223344-a1b2-3b33-c444-def123456789', auth: { bearerToken: 't' } });
    expect(oauthWithoutSite.error?.issues[0]).toMatchObject({ path: ['siteUrl'] });
    const before = fake.requests.length;
    const bearer = new JiraTicketProvider(jiraSettingsSchema.parse({ url: fake.origin, auth: { bearerToken: 'oauth-access-token' } }), { instance: 'jb', kind: 'jira', logger: silentLogger });
    await bearer.checkHealth({ signal: AbortSignal.timeout(5_000), logger: silentLogger, actor: { kind: 'anonymous', id: 'anonymous' }, requestId: 't', now: new Date() });
    expect(fake.requests.slice(before).map((r) => [r.route, r.headers.authorization])).toEqual([['GET /rest/api/3/myself', 'Bearer oauth-access-token']]);
  });
  it('maps 401, 429, 503 and the deadline to OpsOrch codes, and the token appears in no answer, log line or URL', async () => {
    const ask = () => gql(gateway.url, '{ tickets { nodes { key } providerErrors { code message } } }');
    const codes: Record<string, unknown> = {};
    // Last: after a 429 the registry holds the instance off for its retry-after.
    for (const m of ['unauthorized', 'down', 'slow', 'rate-limited'] as const) {
      mode = m;
      const body = await ask();
      codes[m] = body.errors?.[0]?.extensions;
      expect(JSON.stringify(body)).not.toContain(TOKEN);
    }
    expect(codes.unauthorized).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', provider: 'jira', capability: 'tickets' });
    expect(codes['rate-limited']).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfter: 17 });
    expect(codes.down).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(codes.slow).toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    const basic = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const line of logs.lines) {
      expect(line).not.toContain(TOKEN);
      expect(line).not.toContain(basic);
    }
    for (const request of fake.requests) expect(request.path + request.query.toString()).not.toContain(TOKEN);
    expect(new Set(fake.requests.map((r) => r.headers.authorization))).toEqual(new Set([`Basic ${basic}`, 'Bearer oauth-access-token']));
  });

});
