// Several providers for one capability, end to end through the real gateway: PagerDuty and Opsgenie serve incidents,
// Jira and GitHub serve tickets, GitHub serves deployments, each on its contract fake (every request checked against
// the vendor's published API), and a Backstage catalog (its contract fake) joins them through `externalRefs`. The
// merged lists come under one cursor, writes go back to the instance an item came from, one tool's outage leaves the
// other's items in the answer, and a PagerDuty service and a GitHub repository are one catalog service.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../gateway/src/index.ts';
import { gql, startTestGateway } from '../gateway/test/harness.ts';
import { component, group, startFakeCatalog, type FakeCatalog } from './backstage/fake-catalog.ts';
import { iso, PEOPLE, startGithubWorld } from './github/fake-github.ts';
import { issue, serveJira, SITE, type StoredIssue } from './jira/testing/jira-fake.ts';
import { CONTRACT_TEST_ENV, startContractFake, type ContractFake, type FakeReply, type FakeRequest } from './kit/contract-fake.ts';
import { emptyAccount, servePagerDuty, startPagerDutyFake } from './pagerduty/testing/pagerduty-fake.ts';

type Json = Record<string, any>;
type Mode = 'ok' | 'unavailable' | 'unauthorized';
const ACTOR = { 'x-opsorch-actor': 'user:alex@acme-shop.example' };
const PD_CHECKOUT = 'PCHK001';
const PD_CART = 'PCART01';

let catalog: FakeCatalog;
let pd: ContractFake;
let og: ContractFake;
let jira: ContractFake;
let github: Awaited<ReturnType<typeof startGithubWorld>>;
let gateway: RunningGateway;
const pdAccount = { ...emptyAccount(), failure: () => pdFailure() };
let ogIncidents: Json[] = [];
let jiraIssues: StoredIssue[] = [];
const modes: { pd: Mode; og: Mode; jira: Mode } = { pd: 'ok', og: 'ok', jira: 'ok' };

/** The answer of a tool that is down (503) or refuses the credential (401), or null when it answers. */
function failure(mode: Mode, unauthorized: FakeReply): FakeReply | null {
  if (mode === 'unavailable') return { status: 503, raw: '<html>Service Unavailable</html>' };
  return mode === 'unauthorized' ? unauthorized : null;
}
const pdFailure = () => failure(modes.pd, { status: 401, body: { error: { message: 'Invalid token', code: 2006 } } });
const ogFailure = () => failure(modes.og, { status: 401, body: { message: 'Could not authenticate', took: 0, requestId: '7a1e2b3c-0000-4000-8000-000000000401' } });

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
const offsetOf = (request: FakeRequest, fallback: number) => ({ offset: Number(request.query.get('offset') ?? 0), limit: Number(request.query.get('limit') ?? fallback) });

/** PagerDuty incident `n`, started `n * 4 + 1` minutes ago (so the two tools interleave by start). */
function pdIncident(n: number, service: string, status = 'triggered'): Json {
  return {
    id: `QPD${n}`,
    type: 'incident',
    incident_number: 700 + n,
    title: `PagerDuty incident ${n}`,
    created_at: minutesAgo(n * 4 + 1).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    updated_at: minutesAgo(0).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    status,
    urgency: 'high',
    html_url: `https://acme.pagerduty.com/incidents/QPD${n}`,
    service: { id: service, type: 'service_reference' },
    assignments: [],
    acknowledgements: [],
  };
}

/** Opsgenie incident `n`, started `n * 4 + 3` minutes ago, naming its service by tag. */
function ogIncident(n: number, tags: string[]): Json {
  return {
    id: `i${n}-0000-4000-8000-incident`,
    tinyId: String(300 + n),
    message: `Opsgenie incident ${n}`,
    status: 'open',
    tags,
    createdAt: minutesAgo(n * 4 + 3).toISOString(),
    updatedAt: minutesAgo(0).toISOString(),
    priority: 'P2',
  };
}

/** Jira's timestamp format (`2026-12-01T12:00:00.000+0000`) of `m` minutes ago. */
const jiraTime = (m: number) => minutesAgo(m).toISOString().replace('Z', '+0000');

beforeAll(async () => {
  catalog = await startFakeCatalog([
    component(
      'checkout',
      { type: 'service', lifecycle: 'production', owner: 'group:default/payments' },
      { title: 'Checkout', annotations: { 'pagerduty.com/service-id': PD_CHECKOUT, 'github.com/project-slug': 'acme-shop/checkout', 'jira/project-key': 'CHK' } },
    ),
    component(
      'cart',
      { type: 'service', lifecycle: 'production', owner: 'group:default/payments' },
      { title: 'Cart', annotations: { 'pagerduty.com/service-id': PD_CART, 'github.com/project-slug': 'acme-shop/cart', 'jira/project-key': 'CART' } },
    ),
    group('payments', { profile: { displayName: 'Payments' } }),
  ]);

  pd = servePagerDuty(await startPagerDutyFake(), pdAccount);

  og = await startContractFake({ spec: 'opsgenie.openapi.json', vendor: 'Opsgenie' });
  og.on('GET /v1/incidents/', (request) => {
    const statuses = [...(request.query.get('query') ?? '').matchAll(/status:(\w+)/g)].map((m) => m[1]);
    const matching = ogIncidents.filter((i) => statuses.length === 0 || statuses.includes(i.status));
    const { offset, limit } = offsetOf(request, 20);
    const next = offset + limit < matching.length ? { next: `https://api.opsgenie.com/v1/incidents?offset=${offset + limit}&limit=${limit}` } : {};
    return ogFailure() ?? { body: { data: matching.slice(offset, offset + limit), took: 0.01, requestId: '7a1e2b3c-0000-4000-8000-000000000001', paging: next } };
  }).on('GET /v1/incidents/{identifier}', (request) => {
    const found = ogIncidents.find((i) => i.id === request.params.identifier);
    const answer = { took: 0, requestId: '7a1e2b3c-0000-4000-8000-000000000002' };
    return ogFailure() ?? (found ? { body: { data: found, ...answer } } : { status: 404, body: { message: 'Incident not found', ...answer } });
  });

  jira = await startContractFake({ spec: 'jira.openapi.json', vendor: 'Jira' });
  serveJira(jira, {
    issues: () => jiraIssues,
    failure: () => failure(modes.jira, { status: 401, raw: 'Unauthorized' }),
  });

  github = await startGithubWorld();
  for (let i = 0; i < 3; i++) {
    github.deployment('acme-shop/checkout', 801 + i, {
      sha: `${i}`.repeat(40),
      ref: `v3.${i}.0`,
      environment: 'production',
      createdAt: iso(-(3 - i) * 900_000),
      creator: PEOPLE.alex,
      states: ['success'],
    });
  }
  github.deployment('acme-shop/cart', 811, { sha: 'c'.repeat(40), ref: 'v1.0.0', environment: 'production', createdAt: iso(-600_000), creator: PEOPLE.sam, states: ['success'] });

  const ghSettings = { url: github.fake.url, token: 'secret://env/GH_TOKEN', repos: ['acme-shop/checkout', 'acme-shop/cart'], webUrl: 'https://github.com' };
  gateway = await startTestGateway({
    env: {
      ...CONTRACT_TEST_ENV,
      OPSORCH_SERVICES_PROVIDER: 'bs=backstage',
      OPSORCH_SERVICES_CONFIG: JSON.stringify({ url: catalog.fake.url, appUrl: 'https://backstage.acme-shop.example', token: 'secret://env/BACKSTAGE_TOKEN', snapshotTtlMs: 0 }),
      OPSORCH_INCIDENTS_PROVIDER: 'pd=pagerduty,og=opsgenie',
      OPSORCH_INCIDENTS_CONFIG: JSON.stringify({
        pd: { url: pd.url, apiToken: 'secret://env/PD_TOKEN', fromEmail: 'oncall-bot@acme-shop.example', subdomain: 'acme' },
        og: { url: og.url, apiKey: 'secret://env/OG_KEY', account: 'acme' },
      }),
      OPSORCH_TICKETS_PROVIDER: 'jira=jira,gh=github',
      OPSORCH_TICKETS_CONFIG: JSON.stringify({
        jira: { url: jira.origin, siteUrl: SITE, auth: { email: 'opsorch-bot@acme-shop.example', apiToken: 'secret://env/JIRA_TOKEN' }, projects: ['CHK', 'CART'] },
        gh: { ...ghSettings, ticketsRepo: 'acme-shop/checkout' },
      }),
      OPSORCH_DEPLOYMENTS_PROVIDER: 'gh=github',
      OPSORCH_DEPLOYMENTS_CONFIG: JSON.stringify(ghSettings),
      BACKSTAGE_TOKEN: 'bs-token-cross-vendor',
      PD_TOKEN: 'pd-token-cross-vendor',
      OG_KEY: 'og-key-cross-vendor',
      JIRA_TOKEN: 'jira-token-cross-vendor',
      GH_TOKEN: 'ghp_crossVendorToken0123456789abcdef',
    },
  });
}, 60_000);

beforeEach(() => {
  pdAccount.notes = {};
  pdAccount.log = {};
  pdAccount.incidents = [0, 1, 2, 3].map((n) => pdIncident(n, n % 2 === 0 ? PD_CHECKOUT : PD_CART));
  ogIncidents = [0, 1, 2].map((n) => ogIncident(n, [n === 1 ? 'service:cart' : 'service:checkout']));
  // Jira's and GitHub's tickets interleave by last update: Jira's 2, 6, 10, 14 minutes ago; GitHub's 4, 8, 12.
  jiraIssues = ['CHK-1', 'CART-2', 'CHK-3', 'CHK-4'].map((key, i) => issue(key, { updated: jiraTime(2 + i * 4) }));
  for (let i = 0; i < 3; i++) github.issue('acme-shop/checkout', { number: 20 + i, title: `Checkout issue ${i}`, labels: ['bug'], updatedAt: iso(-(4 + i * 4) * 60_000) });
  for (const fake of [pd, og, jira, github.fake, catalog.fake]) fake.requests.length = 0;
});

afterEach(() => {
  Object.assign(modes, { pd: 'ok', og: 'ok', jira: 'ok' });
  for (const fake of [pd, og, jira, github.fake, catalog.fake]) fake.verify();
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([pd?.close(), og?.close(), jira?.close(), github?.close(), catalog?.fake.close()]);
});

/** Walks a merged list `first` at a time to its end, answering every node and each page's provider errors. */
async function walk(field: 'incidents' | 'tickets', selection: string, first: number): Promise<Json[]> {
  const nodes: Json[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 20; pages++) {
    const body: Json = await gql(gateway.url, `query($after: String) { ${field}(first: ${first}, after: $after) { nodes { ${selection} } pageInfo { hasNextPage endCursor } providerErrors { provider code } } }`, { after });
    expect(body.errors).toBeUndefined();
    expect(body.data[field].providerErrors).toEqual([]);
    nodes.push(...body.data[field].nodes);
    if (!body.data[field].pageInfo.hasNextPage) return nodes;
    after = body.data[field].pageInfo.endCursor;
  }
  throw new Error(`${field} did not reach its end`);
}

const writesTo = (fake: ContractFake) => fake.requests.filter((r) => r.method !== 'GET' && !(r.method === 'POST' && r.route.endsWith('/search/jql')));

describe('several providers for one capability through the gateway', () => {
  it('merges PagerDuty and Opsgenie incidents newest first under one cursor, to the end without gap or duplicate', async () => {
    const seen = await walk('incidents', 'id startedAt source { provider instance }', 2);
    // Started 1, 3, 5, 7, 9, 11 and 13 minutes ago: the tools alternate.
    expect(seen.map((n) => n.id)).toEqual(['pd:QPD0', 'og:i0-0000-4000-8000-incident', 'pd:QPD1', 'og:i1-0000-4000-8000-incident', 'pd:QPD2', 'og:i2-0000-4000-8000-incident', 'pd:QPD3']);
    expect(new Set(seen.map((n) => n.id)).size).toBe(seen.length);
    expect(seen.map((n) => n.source.instance)).toEqual(['pd', 'og', 'pd', 'og', 'pd', 'og', 'pd']);
  });

  it('merges Jira and GitHub tickets most recently updated first under one cursor, to the end without gap or duplicate', async () => {
    const seen = await walk('tickets', 'id key updatedAt', 3);
    expect(seen.map((n) => n.id)).toEqual(['jira:CHK-1', 'gh:acme-shop/checkout#20', 'jira:CART-2', 'gh:acme-shop/checkout#21', 'jira:CHK-3', 'gh:acme-shop/checkout#22', 'jira:CHK-4']);
    expect([...seen].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))).toEqual(seen);
  });

  it('routes an incident write to the instance it came from, once per idempotency key', async () => {
    const ack = `mutation { acknowledgeIncident(id: "pd:QPD1", idempotencyKey: "cross-ack-1") { id status source { instance } } }`;
    const first = await gql(gateway.url, ack, undefined, ACTOR);
    const again = await gql(gateway.url, ack, undefined, ACTOR);
    expect(first.errors).toBeUndefined();
    expect(first.data.acknowledgeIncident).toEqual({ id: 'pd:QPD1', status: 'ACKNOWLEDGED', source: { instance: 'pd' } });
    expect(again.data).toEqual(first.data);
    const resolved = await gql(gateway.url, `mutation { resolveIncident(id: "pd:QPD2", idempotencyKey: "cross-resolve-1") { status } }`, undefined, ACTOR);
    expect(resolved.data.resolveIncident).toEqual({ status: 'RESOLVED' });
    // A note is no state change PagerDuty would absorb: only the idempotency key keeps a retry from adding it twice.
    const note = `mutation { addIncidentNote(incidentId: "pd:QPD3", body: "Paged the DBA", idempotencyKey: "cross-note-1") { id } }`;
    expect((await gql(gateway.url, note, undefined, ACTOR)).errors).toBeUndefined();
    expect((await gql(gateway.url, note, undefined, ACTOR)).errors).toBeUndefined();
    expect(writesTo(pd).map((r) => `${r.route} ${r.params.id} ${(r.body as Json).incident?.status ?? ''}`.trim())).toEqual([
      'PUT /incidents/{id} QPD1 acknowledged',
      'PUT /incidents/{id} QPD2 resolved',
      'POST /incidents/{id}/notes QPD3',
    ]);
    // Opsgenie's incidents are read-only (its published API has no incident writes): refused by name, and neither tool was written.
    const refused = await gql(gateway.url, `mutation { acknowledgeIncident(id: "og:i0-0000-4000-8000-incident") { id } }`, undefined, ACTOR);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'NOT_SUPPORTED', provider: 'og' });
    expect(writesTo(og)).toEqual([]);
    expect(writesTo(pd)).toHaveLength(3);
  });

  it('routes ticket comments and transitions to the tracker each ticket came from, once per idempotency key', async () => {
    const comment = `mutation { commentOnTicket(id: "jira:CHK-3", body: "Rolled back", idempotencyKey: "cross-comment-1") { id comments { nodes { body } } } }`;
    const first = await gql(gateway.url, comment, undefined, ACTOR);
    const again = await gql(gateway.url, comment, undefined, ACTOR);
    expect(first.errors).toBeUndefined();
    expect(again.data).toEqual(first.data);
    expect(first.data.commentOnTicket.comments.nodes.map((c: Json) => c.body)).toContain('Rolled back');
    expect(writesTo(jira).map((r) => r.route)).toEqual(['POST /rest/api/3/issue/{issueIdOrKey}/comment']);

    const transition = `mutation { transitionTicket(id: "gh:acme-shop/checkout#21", transition: "DONE", idempotencyKey: "cross-close-1") { id status } }`;
    const closed = await gql(gateway.url, transition, undefined, ACTOR);
    const closedAgain = await gql(gateway.url, transition, undefined, ACTOR);
    expect(closed.errors).toBeUndefined();
    expect(closed.data.transitionTicket).toEqual({ id: 'gh:acme-shop/checkout#21', status: 'DONE' });
    expect(closedAgain.data).toEqual(closed.data);
    expect(writesTo(github.fake).map((r) => `${r.route} ${r.params.issue_number}`)).toEqual(['PATCH /repos/{owner}/{repo}/issues/{issue_number} 21']);
    // Each write reached its own tracker only.
    expect(writesTo(jira)).toHaveLength(1);
  });

  it('keeps the other tool\'s items when one answers 503 or 401, naming the failed instance', async () => {
    modes.pd = 'unavailable';
    const incidents = await gql(gateway.url, `{ incidents(first: 20) { nodes { id } providerErrors { provider code } } }`);
    expect(incidents.errors).toBeUndefined();
    expect(incidents.data.incidents.nodes.map((n: Json) => n.id)).toEqual(['og:i0-0000-4000-8000-incident', 'og:i1-0000-4000-8000-incident', 'og:i2-0000-4000-8000-incident']);
    expect(incidents.data.incidents.providerErrors).toEqual([{ provider: 'pd', code: 'PROVIDER_UNAVAILABLE' }]);

    modes.pd = 'ok';
    modes.og = 'unauthorized';
    const pdOnly = await gql(gateway.url, `{ incidents(first: 20) { nodes { id } providerErrors { provider code } } }`);
    expect(pdOnly.data.incidents.nodes.map((n: Json) => n.id)).toEqual(['pd:QPD0', 'pd:QPD1', 'pd:QPD2', 'pd:QPD3']);
    expect(pdOnly.data.incidents.providerErrors).toEqual([{ provider: 'og', code: 'PROVIDER_AUTH_FAILED' }]);

    modes.jira = 'unauthorized';
    const tickets = await gql(gateway.url, `{ tickets(first: 20) { nodes { id } providerErrors { provider code } } }`);
    expect(tickets.errors).toBeUndefined();
    expect(tickets.data.tickets.nodes.map((n: Json) => n.id)).toEqual(['gh:acme-shop/checkout#20', 'gh:acme-shop/checkout#21', 'gh:acme-shop/checkout#22']);
    expect(tickets.data.tickets.providerErrors).toEqual([{ provider: 'jira', code: 'PROVIDER_AUTH_FAILED' }]);
  });

  it('joins a PagerDuty service, Opsgenie tags, a GitHub repository and a Jira project into one catalog service in one query', async () => {
    const body = await gql(
      gateway.url,
      `{ service(id: "checkout") { id name incidents(first: 20) { nodes { id } } deployments(first: 10) { nodes { id version } } }
         incident(id: "pd:QPD2") { service { id deployments(first: 1) { nodes { id } } } }
         ticket(id: "jira:CHK-3") { service { id } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.service.id).toBe('checkout');
    expect(body.data.service.incidents.nodes.map((n: Json) => n.id).sort()).toEqual(['og:i0-0000-4000-8000-incident', 'og:i2-0000-4000-8000-incident', 'pd:QPD0', 'pd:QPD2']);
    expect(body.data.service.deployments.nodes.map((n: Json) => n.version)).toEqual(['v3.2.0', 'v3.1.0', 'v3.0.0']);
    // PagerDuty was asked for the service the catalog's annotation names, GitHub for the repository it names.
    expect(pd.requests.filter((r) => r.route === 'GET /incidents').flatMap((r) => r.query.getAll('service_ids[]'))).toContain(PD_CHECKOUT);
    expect(github.fake.requests.filter((r) => r.route === 'GET /repos/{owner}/{repo}/deployments').map((r) => r.params.repo)).toContain('checkout');
    expect(body.data.incident.service.id).toBe('checkout');
    expect(body.data.incident.service.deployments.nodes).toEqual([{ id: body.data.service.deployments.nodes[0].id }]);
    expect(body.data.ticket.service).toEqual({ id: 'checkout' });
  });
});
