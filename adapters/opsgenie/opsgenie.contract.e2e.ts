// The Opsgenie adapter through the real gateway against a contract fake of Opsgenie's REST API
// (../shared/vendor-api/opsgenie.openapi.json, Swagger 2.0 without examples: answers are built here and checked
// against the spec's schemas). Also: PagerDuty and Opsgenie incidents merged in one list with one cursor.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { captureLogs, gql, startTestGateway } from '../../gateway/test/harness.ts';
import { startContractFake, type ContractFake, type FakeReply, type FakeRequest } from '../kit/contract-fake.ts';

const KEY = 'og-test-key-5d1e0c77';
const ACTOR = { 'x-opsorch-actor': 'user:alex@acme-shop.example' };
type Json = Record<string, any>;

let fake: ContractFake;
let gateway: RunningGateway;
const logs = captureLogs();
let mode: 'ok' | 'unauthorized' | 'rate-limited' | 'unavailable' | 'lagging' = 'ok';
let alerts: Json[] = [];
let incidents: Json[] = [];
const requestId = (n: number) => `7a1e2b3c-0000-4000-8000-${String(n).padStart(12, '0')}`;

function failure(): FakeReply | null {
  if (mode === 'unauthorized') return { status: 401, body: { message: `Could not authenticate with key ${KEY}`, took: 0, requestId: requestId(0) } };
  if (mode === 'rate-limited') return { status: 429, body: { message: 'Too many requests', took: 0, requestId: requestId(0) }, headers: { 'x-ratelimit-state': 'THROTTLED', 'retry-after': '12' } };
  if (mode === 'unavailable') return { status: 503, raw: 'upstream connect error' };
  return null;
}

function alert(n: number, tags: string[], extra: Json = {}): Json {
  return {
    id: `a${n}-0000-4000-8000-alert`,
    tinyId: String(n),
    alias: `alias-${n}`,
    message: `Alert ${n}`,
    status: 'open',
    acknowledged: false,
    snoozed: false,
    tags,
    createdAt: new Date(Date.UTC(2026, 11, 1, 12) - n * 60_000).toISOString(),
    updatedAt: '2026-12-01T12:30:00.000Z',
    source: 'datadog',
    owner: '',
    priority: `P${((n - 1) % 5) + 1}`,
    ...extra,
  };
}

function ogIncident(n: number, status: string, tags: string[]): Json {
  return {
    id: `i${n}-0000-4000-8000-incident`,
    tinyId: String(200 + n),
    message: `Opsgenie incident ${n}`,
    status,
    tags,
    createdAt: new Date(Date.UTC(2026, 11, 1, 12) - (n * 2 + 1) * 60_000).toISOString(),
    updatedAt: '2026-12-01T12:40:00.000Z',
    priority: 'P2',
    ownerTeam: 'commerce',
  };
}

const page = (request: FakeRequest, all: Json[]) => {
  const offset = Number(request.query.get('offset') ?? 0);
  const limit = Number(request.query.get('limit') ?? 20);
  const data = all.slice(offset, offset + limit);
  return { body: { data, took: 0.01, requestId: requestId(1), paging: offset + limit < all.length ? { next: `https://api.opsgenie.com/v2/alerts?offset=${offset + limit}&limit=${limit}` } : {} } };
};
const callsTo = (route: string) => fake.requests.filter((r) => r.route === route);

beforeAll(async () => {
  fake = await startContractFake({ spec: 'opsgenie.openapi.json', vendor: 'Opsgenie', fixtures: join(import.meta.dirname, '__fixtures__') });
  const find = (request: FakeRequest, list: Json[]) => list.find((a) => a.id === request.params.identifier);
  fake
    .on('GET /v2/alerts', (request) => failure() ?? page(request, alerts.filter((a) => a.status === 'open')))
    .on('GET /v2/alerts/{identifier}', (request) => {
      const found = find(request, alerts);
      return failure() ?? (found ? { body: { data: found, took: 0, requestId: requestId(2) } } : { status: 404, body: { message: 'Alert does not exist', took: 0, requestId: requestId(2) } });
    })
    .on('POST /v2/alerts/{identifier}/acknowledge', (request) => {
      const found = find(request, alerts);
      if (!found) return { status: 404, body: { message: 'Alert does not exist', took: 0, requestId: requestId(3) } };
      // Opsgenie queues the action; in `lagging` mode it is not applied before the adapter reads the alert back.
      if (mode !== 'lagging') Object.assign(found, { acknowledged: true, report: { ackTime: 120_000, acknowledgedBy: 'alex@acme-shop.example' } });
      return { status: 202, body: { result: 'Request will be processed', took: 0.01, requestId: requestId(3 + callsTo('POST /v2/alerts/{identifier}/acknowledge').length) } };
    })
    .on('GET /v1/incidents/', (request) => {
      const query = request.query.get('query') ?? '';
      const statuses = [...query.matchAll(/status:(\w+)/g)].map((m) => m[1]);
      return failure() ?? page(request, incidents.filter((i) => statuses.includes(i.status)));
    })
    .on('GET /v2/schedules/{identifier}/on-calls', (request) => {
      if (request.params.identifier !== 'Commerce_schedule') return { status: 404, body: { message: 'Schedule not found', took: 0, requestId: requestId(6) } };
      const user = (name: string) => ({ id: `u-${name.split('@')[0]}`, name, type: 'user' });
      const onCallParticipants = [
        { id: 'esc-1', name: 'Commerce escalation', type: 'escalation', onCallParticipants: [{ ...user('tom.baker@acme-shop.example'), escalationTime: 10 }, { ...user('Maya.Patel@acme-shop.example'), escalationTime: 0 }] },
      ];
      return { body: { data: { _parent: { id: 'sched-1', name: 'Commerce_schedule', enabled: true }, onCallParticipants }, took: 0.01, requestId: requestId(6) } };
    })
    .on('GET /v1/incidents/{identifier}', (request) => {
      const found = find(request, incidents);
      return found ? { body: { data: found, took: 0, requestId: requestId(4) } } : { status: 404, body: { message: 'Incident not found', took: 0, requestId: requestId(4) } };
    });
  gateway = await startTestGateway({
    logger: logs.logger,
    env: {
      OPSORCH_ALERTS_PROVIDER: 'og=opsgenie',
      OPSORCH_INCIDENTS_PROVIDER: 'og=opsgenie',
      OPSORCH_ALERTS_CONFIG: JSON.stringify({ url: fake.url, apiKey: 'secret://env/OG_KEY', account: 'acme', region: 'eu' }),
      OPSORCH_INCIDENTS_CONFIG: JSON.stringify({ url: fake.url, apiKey: 'secret://env/OG_KEY', account: 'acme', region: 'eu' }),
      OG_KEY: KEY,
      OPSORCH_PROVIDER_READ_ATTEMPTS: '1',
    },
  });
}, 60_000);

beforeEach(() => {
  alerts = [
    alert(1, ['service:checkout', 'env:production']),
    alert(2, ['service:checkout', 'database']),
    alert(3, ['service:cart']),
    alert(4, ['service:not-in-catalog'], { acknowledged: true }),
    alert(5, ['service:payments-api'], { snoozed: true, snoozedUntil: '2099-01-01T00:00:00.000Z' }),
    alert(6, [], { status: 'closed' }),
  ];
  incidents = [ogIncident(1, 'open', ['service:checkout', 'env:staging']), ogIncident(2, 'resolved', ['service:cart']), ogIncident(3, 'open', [])];
  fake.requests.length = 0;
});

afterEach(() => {
  mode = 'ok';
  fake.verify();
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

describe('Opsgenie alerts and incidents against the contract fake', () => {
  it('reads every page of open alerts once per request, with states, priorities, tags, services and deep links', async () => {
    const body = await gql(gateway.url, `{ alerts(first: 50) { nodes { id name state rawState severity rawSeverity fingerprint silencedUntil url source { id } service { id } labels { name value } } } }`);
    expect(body.errors).toBeUndefined();
    const nodes = body.data.alerts.nodes;
    expect(nodes.map((n: Json) => n.id)).toEqual([1, 2, 3, 4, 5].map((n) => `og:a${n}-0000-4000-8000-alert`));
    expect(nodes[0]).toMatchObject({
      name: 'Alert 1',
      state: 'FIRING',
      rawState: 'open',
      severity: 'SEV1',
      rawSeverity: 'P1',
      fingerprint: 'alias-1',
      url: 'https://acme.app.eu.opsgenie.com/alert/detail/a1-0000-4000-8000-alert/details',
      service: { id: 'checkout' },
    });
    expect(nodes[0].labels).toEqual(expect.arrayContaining([{ name: 'env', value: 'production' }, { name: 'priority', value: 'P1' }, { name: 'source', value: 'datadog' }]));
    expect(nodes[1].labels).toEqual(expect.arrayContaining([{ name: 'tag_1', value: 'database' }]));
    expect(nodes[3]).toMatchObject({ state: 'ACKNOWLEDGED', rawState: 'open,acknowledged', service: null });
    expect(nodes[4]).toMatchObject({ state: 'SILENCED', rawState: 'open,snoozed', silencedUntil: '2099-01-01T00:00:00.000Z', service: { id: 'payments-api' } });
    const asked = callsTo('GET /v2/alerts');
    expect(asked).toHaveLength(1);
    expect(Object.fromEntries(asked[0]!.query)).toEqual({ query: 'status:open', sort: 'createdAt', order: 'desc', offset: '0', limit: '100' });
    expect(asked[0]!.headers.authorization).toBe(`GenieKey ${KEY}`);
  });

  it('pages alerts to the end across several Opsgenie pages, without gap or duplicate', async () => {
    alerts = Array.from({ length: 230 }, (_, i) => alert(i + 1, ['service:checkout']));
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const body: Json = await gql(gateway.url, `query($after: String) { alerts(first: 60, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { after });
      expect(body.errors).toBeUndefined();
      seen.push(...body.data.alerts.nodes.map((n: Json) => n.id));
      if (!body.data.alerts.pageInfo.hasNextPage) break;
      after = body.data.alerts.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(230);
    expect(new Set(seen).size).toBe(230);
    expect(callsTo('GET /v2/alerts').map((r) => r.query.get('offset')).slice(0, 3)).toEqual(['0', '100', '200']);
  });

  it('reads a closed alert by id, and an unknown one as null', async () => {
    const body = await gql(gateway.url, `{ a: alert(id: "og:a6-0000-4000-8000-alert") { state rawState endsAt } b: alert(id: "og:nope") { id } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ a: { state: 'RESOLVED', rawState: 'closed', endsAt: '2026-12-01T12:30:00.000Z' }, b: null });
  });

  it('acknowledges once per idempotency key; an action Opsgenie has not applied yet is reported as accepted', async () => {
    const ack = `mutation($id: ID!, $key: String) { acknowledgeAlert(id: $id, idempotencyKey: $key) { id state acknowledgedAt labels { name value } } }`;
    const one = await gql(gateway.url, ack, { id: 'og:a1-0000-4000-8000-alert', key: 'ack-1' }, ACTOR);
    const two = await gql(gateway.url, ack, { id: 'og:a1-0000-4000-8000-alert', key: 'ack-1' }, ACTOR);
    expect(one.errors).toBeUndefined();
    expect(one.data.acknowledgeAlert).toMatchObject({ state: 'ACKNOWLEDGED', acknowledgedAt: '2026-12-01T12:01:00.000Z' });
    expect(two.data).toEqual(one.data);
    const posts = callsTo('POST /v2/alerts/{identifier}/acknowledge');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ user: 'alex@acme-shop.example', source: 'OpsOrch', note: 'Acknowledged from OpsOrch by alex@acme-shop.example' });
    expect(posts[0]!.query.get('identifierType')).toBe('id');

    mode = 'lagging';
    const queued = await gql(gateway.url, ack, { id: 'og:a2-0000-4000-8000-alert', key: 'ack-2' }, ACTOR);
    expect(queued.errors).toBeUndefined();
    expect(queued.data.acknowledgeAlert.state).toBe('FIRING');
    expect(queued.data.acknowledgeAlert.labels).toEqual(expect.arrayContaining([{ name: 'opsgenie_request', value: 'accepted' }, { name: 'opsgenie_request_id', value: requestId(5) }]));

    const closed = await gql(gateway.url, ack, { id: 'og:a6-0000-4000-8000-alert', key: 'ack-3' }, ACTOR);
    expect(closed.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const missing = await gql(gateway.url, ack, { id: 'og:nope', key: 'ack-4' }, ACTOR);
    expect(missing.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', provider: 'og' });
  });

  it('lists incidents with statuses asked in Opsgenie\'s query language, environments from the `env` tag, and reads one by id', async () => {
    const body = await gql(gateway.url, `{ incidents(filter: { statuses: [TRIGGERED] }) { nodes { id number title status rawStatus severity rawSeverity url service { id } environment } } staging: incidents(filter: { scope: { environment: "staging" } }) { nodes { id } } one: incident(id: "og:i2-0000-4000-8000-incident") { status rawStatus resolvedAt } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.incidents.nodes).toEqual([
      { id: 'og:i1-0000-4000-8000-incident', number: 201, title: 'Opsgenie incident 1', status: 'TRIGGERED', rawStatus: 'open', severity: 'SEV2', rawSeverity: 'P2', url: 'https://acme.app.eu.opsgenie.com/incident/detail/i1-0000-4000-8000-incident/details', service: { id: 'checkout' }, environment: 'staging' },
      expect.objectContaining({ id: 'og:i3-0000-4000-8000-incident', service: null, environment: null }),
    ]);
    // An incident without an `env` tag is in no environment: a question about one does not include it.
    expect(body.data.staging.nodes).toEqual([{ id: 'og:i1-0000-4000-8000-incident' }]);
    expect(body.data.one).toEqual({ status: 'RESOLVED', rawStatus: 'resolved', resolvedAt: '2026-12-01T12:40:00.000Z' });
    expect(callsTo('GET /v1/incidents/').map((r) => r.query.get('query'))).toContain('(status:open)');
  });

  it('maps 401, 429 and 5xx to OpsOrch codes, and the key appears nowhere', async () => {
    const texts: string[] = [];
    for (const [failing, code] of [['unauthorized', 'PROVIDER_AUTH_FAILED'], ['unavailable', 'PROVIDER_UNAVAILABLE'], ['rate-limited', 'PROVIDER_RATE_LIMITED']] as const) {
      mode = failing;
      const body = await gql(gateway.url, `{ incidents { nodes { id } } }`);
      expect(body.errors![0]!.extensions).toMatchObject({ code, provider: 'og' });
      texts.push(JSON.stringify(body));
    }
    expect(JSON.parse(texts[2]!).errors[0].extensions.retryAfter).toBe(12);
    for (const text of [...texts, ...logs.lines]) expect(text).not.toContain(KEY);
    for (const request of fake.requests) expect(request.query.toString()).not.toContain(KEY);
  });
});

describe('PagerDuty and Opsgenie incidents in one list', () => {
  let pd: ContractFake;
  let both: RunningGateway;
  const pdIncidents = Array.from({ length: 4 }, (_, i) => ({
    id: `QPD${i}`,
    type: 'incident',
    incident_number: 500 + i,
    title: `PagerDuty incident ${i}`,
    created_at: new Date(Date.UTC(2026, 11, 1, 12) - i * 2 * 60_000).toISOString().replace('.000', ''),
    updated_at: '2026-12-01T12:30:00Z',
    status: 'triggered',
    urgency: 'high',
    html_url: `https://acme.pagerduty.com/incidents/QPD${i}`,
    service: { id: 'P7XK2QD', type: 'service_reference' },
    assignments: [],
    acknowledgements: [],
  }));

  beforeAll(async () => {
    pd = await startContractFake({ spec: 'pagerduty.openapi.json', vendor: 'PagerDuty' });
    pd.on('GET /incidents', (request) => {
      const offset = Number(request.query.get('offset') ?? 0);
      const limit = Number(request.query.get('limit') ?? 25);
      return { body: { incidents: pdIncidents.slice(offset, offset + limit), limit, offset, more: offset + limit < pdIncidents.length, total: null } };
    });
    pd.on('GET /incidents/{id}', (request) => {
      const found = pdIncidents.find((i) => i.id === request.params.id);
      return found ? { body: { incident: found } } : { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
    });
    pd.on('PUT /incidents/{id}', (request) => {
      const found = pdIncidents.find((i) => i.id === request.params.id)!;
      found.status = (request.body as Json).incident.status;
      return { body: { incident: found } };
    });
    both = await startTestGateway({
      env: {
        OPSORCH_INCIDENTS_PROVIDER: 'pd=pagerduty,og=opsgenie',
        OPSORCH_INCIDENTS_CONFIG: JSON.stringify({
          pd: { url: pd.url, apiToken: 'secret://env/PD_TOKEN', fromEmail: 'bot@acme-shop.example' },
          og: { url: fake.url, apiKey: 'secret://env/OG_KEY' },
        }),
        PD_TOKEN: 'pd-token',
        OG_KEY: KEY,
      },
    });
  }, 60_000);

  afterAll(async () => {
    await both?.close();
    await pd?.close();
  });

  afterEach(() => pd.verify());

  it('merges both tools newest first under one cursor, walked to the end, and routes a write back to its tool', async () => {
    incidents = [ogIncident(1, 'open', []), ogIncident(2, 'open', []), ogIncident(3, 'open', [])];
    const seen: { id: string; startedAt: string }[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const body: Json = await gql(both.url, `query($after: String) { incidents(filter: { statuses: [TRIGGERED] }, first: 2, after: $after) { nodes { id startedAt source { provider } } pageInfo { hasNextPage endCursor } providerErrors { provider } } }`, { after });
      expect(body.errors).toBeUndefined();
      expect(body.data.incidents.providerErrors).toEqual([]);
      seen.push(...body.data.incidents.nodes);
      if (!body.data.incidents.pageInfo.hasNextPage) break;
      after = body.data.incidents.pageInfo.endCursor;
    }
    // PagerDuty's start every 2 minutes from 12:00, Opsgenie's at 11:57, 11:55, 11:53: interleaved by start time.
    expect(seen.map((n) => n.id)).toEqual(['pd:QPD0', 'pd:QPD1', 'og:i1-0000-4000-8000-incident', 'pd:QPD2', 'og:i2-0000-4000-8000-incident', 'pd:QPD3', 'og:i3-0000-4000-8000-incident']);
    expect([...seen].sort((a, b) => b.startedAt.localeCompare(a.startedAt))).toEqual(seen);

    const acked = await gql(both.url, `mutation { acknowledgeIncident(id: "pd:QPD2") { id status source { provider } } }`, undefined, ACTOR);
    expect(acked.errors).toBeUndefined();
    expect(acked.data.acknowledgeIncident).toEqual({ id: 'pd:QPD2', status: 'ACKNOWLEDGED', source: { provider: 'pagerduty' } });
    expect(pd.requests.filter((r) => r.route === 'PUT /incidents/{id}').map((r) => r.params.id)).toEqual(['QPD2']);
    // Opsgenie incidents are read-only here: the write is refused as not supported, and nothing reached Opsgenie.
    const refused = await gql(both.url, `mutation { acknowledgeIncident(id: "og:i1-0000-4000-8000-incident") { id } }`, undefined, ACTOR);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'NOT_SUPPORTED', provider: 'og' });
  });
});

describe('Opsgenie on-call from schedules', () => {
  let teams: RunningGateway;
  beforeAll(async () => {
    teams = await startTestGateway({
      env: { OPSORCH_TEAMS_PROVIDER: 'og=opsgenie', OPSORCH_TEAMS_CONFIG: JSON.stringify({ url: fake.url, apiKey: KEY, account: 'acme', schedules: { commerce: 'Commerce_schedule', payments: 'Gone_schedule' } }) },
    });
  }, 60_000);
  afterAll(async () => {
    await teams?.close();
  });

  it('answers who is on call for a team by its schedule, escalation order as levels', async () => {
    const body = await gql(teams.url, `{ team(id: "commerce") { id onCall { level user { id } } } other: team(id: "payments") { onCall { level } } unknown: team(id: "growth") { id } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      team: { id: 'commerce', onCall: [{ level: 'PRIMARY', user: { id: 'maya.patel@acme-shop.example' } }, { level: 'SECONDARY', user: { id: 'tom.baker@acme-shop.example' } }] },
      other: { onCall: [] },
      unknown: null,
    });
    const asked = callsTo('GET /v2/schedules/{identifier}/on-calls').find((r) => r.params.identifier === 'Commerce_schedule')!;
    expect(asked.query.get('scheduleIdentifierType')).toBe('name');
    expect(Date.parse(asked.query.get('date')!)).toBeGreaterThan(Date.now() - 60_000);
  });
});
