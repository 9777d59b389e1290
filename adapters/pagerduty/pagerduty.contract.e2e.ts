// The PagerDuty adapter through the real gateway against a contract fake of PagerDuty's REST API v2
// (../shared/vendor-api/pagerduty.openapi.json): every request it sends must be one PagerDuty accepts, and every
// answer served here matches the spec (built from the spec's own examples).
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { runCheck } from '../../gateway/src/check.ts';
import { checkExampleProvider } from '../kit/example-check.ts';
import { captureLogs, gql, startTestGateway } from '../../gateway/test/harness.ts';
import { apiKey, bearer, tempDir } from '../../gateway/test/security-fixtures.ts';
import { startContractFake, type ContractFake, type FakeReply, type FakeRequest } from '../kit/contract-fake.ts';
import { patchPagerDutySpec } from './testing/pagerduty-spec.ts';

const TOKEN = 'u+pd-test-token-6f1c2a';
const FROM = 'oncall-bot@acme-shop.example';
const CHECKOUT = 'P7XK2QD'; // the demo catalog's PagerDuty reference of `checkout`
const WEB = 'PWF3N8K'; // ... of `web-frontend`
const ACTOR = { 'x-opsorch-actor': 'user:alex@acme-shop.example' };

type Json = Record<string, any>;
let fake: ContractFake;
let gateway: RunningGateway;
const logs = captureLogs();
let mode: 'ok' | 'unauthorized' | 'forbidden' | 'rate-limited' | 'unavailable' | 'slow' = 'ok';
let incidents: Json[] = [];
let notes: Record<string, Json[]> = {};
let changeEvents: Json[] = [];
/** Log entries of the account besides its incidents' own (another incident's busy hour). */
let noise: Json[] = [];

/** A change event shaped like the spec's example: a deploy of `service` at `minutesAgo` before now. */
function changeEvent(n: number, service: string, minutesAgo: number, details: Json = {}): Json {
  const base = fake.example<Json>('GET /change_events').change_events[0];
  return {
    ...base,
    id: `01CE${String(n).padStart(8, '0')}`,
    summary: `Deploy ${n}`,
    timestamp: new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    services: [{ id: service, type: 'service_reference' }],
    custom_details: { build_state: 'passed', version: `v2.${n}.0`, environment: 'production', commit: `abcdef${String(n).padStart(34, '0')}`, author: 'Maya.Patel@acme-shop.example', ...details },
  };
}

function failure(): FakeReply | null {
  if (mode === 'unauthorized') return { status: 401, body: { error: { message: `Invalid token ${TOKEN}`, code: 2006 } } };
  if (mode === 'forbidden') return { status: 403, body: { error: { message: 'Access Denied', code: 2010 } } };
  if (mode === 'rate-limited') return { status: 429, body: { error: { message: 'Rate Limit Exceeded', code: 2020 } }, headers: { 'retry-after': '30' } };
  if (mode === 'unavailable') return { status: 503, raw: '<html>Service Unavailable</html>' };
  return null;
}

/** An incident shaped like the spec's example, with the fields the test cares about. */
function incident(n: number, service: string, status: string, extra: Json = {}): Json {
  const base = fake.example<Json>('GET /incidents').incidents[0];
  const id = `Q${String(n).padStart(6, '0')}`;
  // The spec's example carries nulls its own schema refuses (`resolved_at`, `resolve_reason`...): left out.
  const { resolved_at, resolve_reason, alert_grouping, priority, ...rest } = base;
  const record: Json = {
    ...rest,
    id,
    incident_number: 1000 + n,
    title: `Incident ${n}`,
    summary: `[#${1000 + n}] Incident ${n}`,
    self: `https://api.pagerduty.com/incidents/${id}`,
    html_url: `https://acme.pagerduty.com/incidents/${id}`,
    created_at: new Date(Date.UTC(2026, 11, 1, 12, 0, 0) - n * 60_000).toISOString().replace('.000', ''),
    updated_at: new Date(Date.UTC(2026, 11, 1, 13, 0, 0)).toISOString().replace('.000', ''),
    status,
    service: { id: service, type: 'service_reference', summary: service },
    assignments: [],
    acknowledgements: [],
    urgency: n % 2 === 0 ? 'high' : 'low',
    ...(status === 'resolved' ? { resolved_at: '2026-12-01T13:00:00Z' } : {}),
    ...(n === 1 ? { priority: { ...priority, id: 'PSEV1', type: 'priority', summary: 'P1', name: 'P1' } } : {}),
    ...extra,
  };
  void [resolved_at, resolve_reason, alert_grouping];
  return record;
}

/** An incident's log as PagerDuty keeps it: triggered, escalated, and an annotation per note. */
function logOf(found: Json): Json[] {
  const template = fake.example<Json>('GET /incidents/{id}/log_entries').log_entries[0];
  const incident = { id: found.id, type: 'incident_reference' };
  return [
    { ...template, id: `LTRIGGER${found.id}`, type: 'trigger_log_entry', summary: 'Triggered through the API', created_at: found.created_at, agent: { id: 'PSVC', type: 'service_reference', summary: 'Checkout' }, incident },
    { ...template, id: `LACK${found.id}`, type: 'escalate_log_entry', summary: 'Escalated to Earline Greenholt', created_at: '2026-12-01T12:05:00Z', agent: { id: 'PXPGF42', type: 'user_reference', summary: 'Earline Greenholt' }, incident },
    ...(notes[found.id] ?? []).map((n) => ({ ...template, id: `L${n.id}`, type: 'annotate_log_entry', summary: 'Note added', created_at: n.created_at, agent: { id: 'PXPGF42', type: 'user_reference' }, incident })),
  ];
}

const lastOf = (route: string) => [...fake.requests].reverse().find((r) => r.route === route)!;
const callsTo = (route: string) => fake.requests.filter((r) => r.route === route);

beforeAll(async () => {
  fake = await startContractFake({
    spec: 'pagerduty.openapi.json',
    vendor: 'PagerDuty',
    fixtures: join(import.meta.dirname, '__fixtures__'),
    patchSpec: patchPagerDutySpec,
  });
  const byId = (request: FakeRequest) => incidents.find((i) => i.id === request.params.id);
  fake
    .on('GET /incidents', async (request) => {
      if (mode === 'slow') await new Promise((r) => setTimeout(r, 4_000));
      const refused = failure();
      if (refused) return refused;
      const statuses = request.query.getAll('statuses[]');
      const services = request.query.getAll('service_ids[]');
      const matching = incidents
        .filter((i) => (statuses.length === 0 || statuses.includes(i.status)) && (services.length === 0 || services.includes(i.service.id)))
        .sort((a, b) => b.created_at.localeCompare(a.created_at));
      const offset = Number(request.query.get('offset') ?? 0);
      const limit = Number(request.query.get('limit') ?? 25);
      return { body: { incidents: matching.slice(offset, offset + limit), limit, offset, more: offset + limit < matching.length, total: null } };
    })
    .on('GET /incidents/{id}', (request) => {
      const found = byId(request);
      return failure() ?? (found ? { body: { incident: found } } : { status: 404, body: { error: { message: 'Not Found', code: 2100 } } });
    })
    .on('PUT /incidents/{id}', (request) => {
      const found = byId(request);
      if (!found) return { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
      const change = (request.body as Json).incident;
      if (change.status) found.status = change.status;
      if (change.status === 'acknowledged') found.acknowledgements = [{ at: '2026-12-01T13:05:00Z', acknowledger: { id: 'PBOT', type: 'user_reference', summary: 'bot' } }];
      if (change.status === 'resolved') found.resolved_at = '2026-12-01T13:10:00Z';
      if (change.title) found.title = change.title;
      if (change.urgency) found.urgency = change.urgency;
      if (change.assignments) found.assignments = change.assignments.map((a: Json) => ({ at: '2026-12-01T13:06:00Z', assignee: { ...a.assignee, summary: 'Earline Greenholt' } }));
      return { body: { incident: found } };
    })
    .on('POST /incidents', (request) => {
      const asked = (request.body as Json).incident;
      const created = incident(99, asked.service.id, 'triggered', { title: asked.title, urgency: asked.urgency, body: asked.body });
      incidents.push(created);
      return { status: 201, body: { incident: created } };
    })
    .on('GET /incidents/{id}/log_entries', (request) => {
      const found = byId(request);
      if (!found) return { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
      return { body: { ...fake.example<Json>('GET /incidents/{id}/log_entries'), log_entries: logOf(found), limit: 100, offset: 0, more: false } };
    })
    .on('GET /log_entries', (request) => {
      const since = Date.parse(request.query.get('since')!);
      const until = Date.parse(request.query.get('until')!);
      const all = [...incidents.flatMap(logOf), ...noise].filter((e) => Date.parse(e.created_at) >= since && Date.parse(e.created_at) <= until);
      const offset = Number(request.query.get('offset') ?? 0);
      const limit = Number(request.query.get('limit') ?? 25);
      return { body: { log_entries: all.slice(offset, offset + limit), limit, offset, more: offset + limit < all.length, total: null } };
    })
    .on('GET /incidents/{id}/notes', (request) => {
      if (!byId(request)) return { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
      return { body: { notes: notes[request.params.id!] ?? [] } };
    })
    .on('POST /incidents/{id}/notes', (request) => {
      if (!byId(request)) return { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
      const note = { ...fake.example<Json>('POST /incidents/{id}/notes').note, id: `N${Object.keys(notes).length}`, content: (request.body as Json).note.content, created_at: '2026-12-01T12:06:00Z' };
      (notes[request.params.id!] ??= []).push(note);
      return { body: { note } };
    })
    .on('GET /change_events', (request) => {
      const since = Date.parse(request.query.get('since')!);
      const until = Date.parse(request.query.get('until')!);
      const offset = Number(request.query.get('offset') ?? 0);
      const limit = Number(request.query.get('limit') ?? 25);
      const inRange = changeEvents.filter((e) => Date.parse(e.timestamp) >= since && Date.parse(e.timestamp) <= until);
      return { body: { change_events: inRange.slice(offset, offset + limit) } };
    })
    .on('GET /incidents/{id}/alerts', (request) => {
      const found = byId(request);
      if (!found) return { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
      const template = fake.example<Json>('GET /incidents/{id}/alerts').alerts[0];
      const alerts = [0, 1].map((k) => ({
        ...template,
        id: `A${found.id}${k}`,
        summary: `Alert ${k} of ${found.id}`,
        html_url: `https://acme.pagerduty.com/alerts/A${found.id}${k}`,
        created_at: found.created_at,
        status: k === 0 ? 'triggered' : 'resolved',
        alert_key: `key-${found.id}-${k}`,
        severity: k === 0 ? 'critical' : 'warning',
        service: { id: found.service.id, type: 'service_reference' },
        incident: { id: found.id, type: 'incident_reference' },
      }));
      return { body: { alerts, limit: 100, offset: 0, more: false } };
    })
    .on('GET /users', () => ({ body: fake.example('GET /users') }))
    .on('GET /users/{id}', (request) => {
      const user = fake.example<Json>('GET /users/{id}').user;
      return request.params.id === user.id ? { body: { user } } : { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
    });
  gateway = await startTestGateway({
    logger: logs.logger,
    env: {
      OPSORCH_INCIDENTS_PROVIDER: 'pd=pagerduty',
      OPSORCH_INCIDENTS_CONFIG: JSON.stringify({ url: fake.url, apiToken: 'secret://env/PD_TOKEN', fromEmail: FROM, subdomain: 'acme' }),
      OPSORCH_ALERTS_PROVIDER: 'pd=pagerduty',
      OPSORCH_ALERTS_CONFIG: JSON.stringify({ url: fake.url, apiToken: 'secret://env/PD_TOKEN', subdomain: 'acme' }),
      OPSORCH_DEPLOYMENTS_PROVIDER: 'pd=pagerduty',
      OPSORCH_DEPLOYMENTS_CONFIG: JSON.stringify({ url: fake.url, apiToken: 'secret://env/PD_TOKEN', subdomain: 'acme' }),
      PD_TOKEN: TOKEN,
      // Room for a cold gateway's first call on a loaded CI machine (one took over 800 ms); `slow` outlasts it.
      OPSORCH_PROVIDER_TIMEOUT_MS: '3000',
      OPSORCH_PROVIDER_READ_ATTEMPTS: '2',
      OPSORCH_PROVIDER_BACKOFF_MS: '1',
    },
  });
}, 60_000);

beforeEach(() => {
  incidents = [
    incident(1, CHECKOUT, 'triggered'),
    incident(2, CHECKOUT, 'acknowledged'),
    incident(3, WEB, 'triggered'),
    incident(4, CHECKOUT, 'resolved'),
    incident(5, WEB, 'acknowledged'),
    incident(6, CHECKOUT, 'triggered'),
    incident(7, 'PUNKNOWN', 'triggered'),
  ];
  notes = { Q000001: [{ ...fake.example<Json>('GET /incidents/{id}/notes').notes[0], id: 'N1', content: 'Rolling back v2.14.0', created_at: '2026-12-01T12:06:00Z' }] };
  changeEvents = [];
  noise = [];
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

const FIELDS = 'id number title status rawStatus severity rawSeverity startedAt acknowledgedAt url source { provider instance id } service { id }';

describe('PagerDuty incidents against the contract fake', () => {
  it('walks open incidents page by page to the end, without gap or duplicate, in PagerDuty order', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const body: Json = await gql(gateway.url, `query($after: String) { incidents(filter: { statuses: [TRIGGERED, ACKNOWLEDGED] }, first: 2, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } providerErrors { code } } }`, { after });
      expect(body.errors).toBeUndefined();
      seen.push(...body.data.incidents.nodes.map((n: Json) => n.id));
      after = body.data.incidents.pageInfo.hasNextPage ? body.data.incidents.pageInfo.endCursor : null;
      pages++;
    } while (after && pages < 10);
    expect(seen).toEqual(['pd:Q000001', 'pd:Q000002', 'pd:Q000003', 'pd:Q000005', 'pd:Q000006', 'pd:Q000007']);
    const asked = callsTo('GET /incidents');
    expect(asked.length).toBeGreaterThanOrEqual(3);
    expect(asked[0]!.query.getAll('statuses[]')).toEqual(['triggered', 'acknowledged']);
    expect(asked[0]!.query.get('sort_by')).toBe('created_at:desc');
    expect(asked[0]!.headers.accept).toBe('application/vnd.pagerduty+json;version=2');
    expect(asked[0]!.headers.authorization).toBe(`Token token=${TOKEN}`);
  });

  it('maps status, priority and urgency (raw values kept), deep links and the catalog service', async () => {
    const body = await gql(gateway.url, `{ incidents(first: 10) { nodes { ${FIELDS} } } }`);
    expect(body.errors).toBeUndefined();
    const [first, second] = body.data.incidents.nodes;
    expect(first).toEqual({
      id: 'pd:Q000001',
      number: 1001,
      title: 'Incident 1',
      status: 'TRIGGERED',
      rawStatus: 'triggered',
      severity: 'SEV1',
      rawSeverity: 'priority:P1 urgency:low',
      startedAt: '2026-12-01T11:59:00.000Z',
      acknowledgedAt: null,
      url: 'https://acme.pagerduty.com/incidents/Q000001',
      source: { provider: 'pagerduty', instance: 'pd', id: 'Q000001' },
      service: { id: 'checkout' },
    });
    expect(second).toMatchObject({ id: 'pd:Q000002', status: 'ACKNOWLEDGED', severity: 'SEV2', rawSeverity: 'urgency:high' });
    const unknown = body.data.incidents.nodes.find((n: Json) => n.id === 'pd:Q000007');
    expect(unknown.service).toBeNull();
  });

  it('filters by catalog service through the PagerDuty service id the catalog carries', async () => {
    const body = await gql(gateway.url, `{ incidents(filter: { scope: { service: "checkout" }, statuses: [TRIGGERED] }) { nodes { id } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.incidents.nodes.map((n: Json) => n.id)).toEqual(['pd:Q000001', 'pd:Q000006']);
    expect(lastOf('GET /incidents').query.getAll('service_ids[]')).toEqual([CHECKOUT]);
  });

  it('reads one incident and its timeline from log entries and notes, with people as e-mails', async () => {
    const body = await gql(gateway.url, `{ incident(id: "pd:Q000001") { id title timeline(first: 10, order: OLDEST_FIRST) { nodes { kind rawKind message actor { id } } } } missing: incident(id: "pd:QNOPE") { id } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.missing).toBeNull();
    expect(callsTo('GET /incidents/{id}/notes')).toHaveLength(1); // QNOPE has no log entries, so no notes either
    expect(body.data.incident.timeline.nodes).toEqual([
      { kind: 'TRIGGERED', rawKind: 'trigger_log_entry', message: 'Triggered through the API', actor: null },
      { kind: 'ESCALATED', rawKind: 'escalate_log_entry', message: 'Escalated to Earline Greenholt', actor: { id: '125.greenholt.earline@graham.name' } },
      { kind: 'NOTE', rawKind: 'note', message: 'Rolling back v2.14.0', actor: { id: '125.greenholt.earline@graham.name' } },
    ]);
  });

  it('reads the timelines of several incidents from one read of the account log, and one per incident when that log is busier', async () => {
    const query = `{ incidents(filter: { statuses: [TRIGGERED, ACKNOWLEDGED] }, first: 5) { nodes { id timeline(first: 5, order: OLDEST_FIRST) { nodes { kind message } } } } }`;
    const body = await gql(gateway.url, query);
    expect(body.errors).toBeUndefined();
    const timelines = (answer: Json) => Object.fromEntries(answer.data.incidents.nodes.map((n: Json) => [n.id, n.timeline.nodes.map((e: Json) => e.kind)]));
    expect(timelines(body)).toEqual({
      'pd:Q000001': ['TRIGGERED', 'ESCALATED', 'NOTE'],
      'pd:Q000002': ['TRIGGERED', 'ESCALATED'],
      'pd:Q000003': ['TRIGGERED', 'ESCALATED'],
      'pd:Q000005': ['TRIGGERED', 'ESCALATED'],
      'pd:Q000006': ['TRIGGERED', 'ESCALATED'],
    });
    expect(callsTo('GET /log_entries')).toHaveLength(1);
    expect(callsTo('GET /incidents/{id}/log_entries')).toHaveLength(0);
    // Since the earliest incident asked (Q000006, 11:54), a minute of slack.
    expect(callsTo('GET /log_entries')[0]!.query.get('since')).toBe('2026-12-01T11:53:00.000Z');
    expect(Date.parse(callsTo('GET /log_entries')[0]!.query.get('until')!)).toBeGreaterThan(Date.now());

    // Another incident of the account logged 700 entries since then: more pages than incidents asked, so each
    // incident's own log is read instead, with the same answer.
    const busy = incident(8, WEB, 'resolved', { created_at: '2026-12-01T11:58:30Z' });
    incidents.push(busy);
    noise = Array.from({ length: 700 }, (_, i) => ({ ...logOf(busy)[1], id: `LBUSY${i}` }));
    fake.requests.length = 0;
    const busier = await gql(gateway.url, query);
    expect(busier.errors).toBeUndefined();
    expect(timelines(busier)).toEqual(timelines(body));
    expect(callsTo('GET /log_entries')).toHaveLength(5);
    expect(callsTo('GET /incidents/{id}/log_entries')).toHaveLength(5);
  });

  it('acknowledges once per idempotency key, with the From header, and refuses a resolved incident', async () => {
    const ack = `mutation($id: ID!) { acknowledgeIncident(id: $id, idempotencyKey: "ack-1") { id status acknowledgedAt } }`;
    const one = await gql(gateway.url, ack, { id: 'pd:Q000001' }, ACTOR);
    const two = await gql(gateway.url, ack, { id: 'pd:Q000001' }, ACTOR);
    expect(one.errors).toBeUndefined();
    expect(one.data.acknowledgeIncident).toEqual({ id: 'pd:Q000001', status: 'ACKNOWLEDGED', acknowledgedAt: '2026-12-01T13:05:00.000Z' });
    expect(two.data).toEqual(one.data);
    const puts = callsTo('PUT /incidents/{id}');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.headers.from).toBe(FROM);
    expect(puts[0]!.body).toEqual({ incident: { type: 'incident_reference', status: 'acknowledged' } });
    const refused = await gql(gateway.url, `mutation { acknowledgeIncident(id: "pd:Q000004") { id } }`, undefined, ACTOR);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('resolves with a resolution, reassigns by e-mail, notes and creates incidents PagerDuty accepts', async () => {
    const resolved = await gql(gateway.url, `mutation { resolveIncident(id: "pd:Q000002", resolution: "rolled back") { status resolvedAt } }`, undefined, ACTOR);
    expect(resolved.errors).toBeUndefined();
    expect(resolved.data.resolveIncident).toEqual({ status: 'RESOLVED', resolvedAt: '2026-12-01T13:10:00.000Z' });
    expect(lastOf('PUT /incidents/{id}').body).toEqual({ incident: { type: 'incident_reference', status: 'resolved', resolution: 'rolled back' } });

    const reassigned = await gql(gateway.url, `mutation { updateIncident(id: "pd:Q000003", input: { assigneeId: "125.Greenholt.Earline@graham.name", severity: SEV1 }) { assignee { id } severity } }`, undefined, ACTOR);
    expect(reassigned.errors).toBeUndefined();
    expect(reassigned.data.updateIncident).toEqual({ assignee: { id: '125.greenholt.earline@graham.name' }, severity: 'SEV2' });
    expect(lastOf('GET /users').query.get('query')).toBe('125.greenholt.earline@graham.name');
    expect(lastOf('PUT /incidents/{id}').body).toEqual({
      incident: { type: 'incident_reference', urgency: 'high', assignments: [{ assignee: { id: 'PXPGF42', type: 'user_reference' } }] },
    });

    const noted = await gql(gateway.url, `mutation { addIncidentNote(incidentId: "pd:Q000003", body: "Paging the DBA", idempotencyKey: "n-1") { timeline(first: 1) { nodes { kind message } } } }`, undefined, ACTOR);
    expect(noted.errors).toBeUndefined();
    expect(noted.data.addIncidentNote.timeline.nodes[0]).toEqual({ kind: 'NOTE', message: 'Paging the DBA\n\n(alex@acme-shop.example via OpsOrch)' });
    await gql(gateway.url, `mutation { addIncidentNote(incidentId: "pd:Q000003", body: "Paging the DBA", idempotencyKey: "n-1") { id } }`, undefined, ACTOR);
    expect(callsTo('POST /incidents/{id}/notes')).toHaveLength(1);

    const created = await gql(
      gateway.url,
      `mutation { createIncident(input: { title: "Checkout 5xx spike", serviceId: "checkout", severity: SEV2, summary: "since 12:00" }, idempotencyKey: "c-1") { id status severity url service { id } } }`,
      undefined,
      ACTOR,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data.createIncident).toEqual({ id: 'pd:Q000099', status: 'TRIGGERED', severity: 'SEV2', url: 'https://acme.pagerduty.com/incidents/Q000099', service: { id: 'checkout' } });
    expect(lastOf('POST /incidents').body).toEqual({
      incident: { type: 'incident', title: 'Checkout 5xx spike', service: { id: CHECKOUT, type: 'service_reference' }, urgency: 'high', body: { type: 'incident_body', details: 'since 12:00' } },
    });
  });

  it('answers NOT_FOUND for a write to an incident PagerDuty does not know', async () => {
    const body = await gql(gateway.url, `mutation { resolveIncident(id: "pd:QNOPE") { id } }`, undefined, ACTOR);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', provider: 'pd' });
  });

  it('reads change events as deployments of catalog services, walking every page of the time range', async () => {
    changeEvents = Array.from({ length: 230 }, (_, i) => changeEvent(i + 1, i % 2 === 0 ? CHECKOUT : WEB, 10 + i));
    changeEvents.push(changeEvent(999, CHECKOUT, 5, { build_state: 'failed', environment: 'staging' }));
    const body = await gql(gateway.url, `{ deployments(filter: { scope: { service: "checkout" } }, first: 200) { nodes { id version environment status rawStatus startedAt url author { id } commit { shortSha } service { id } source { provider id } } } }`);
    expect(body.errors).toBeUndefined();
    const nodes = body.data.deployments.nodes;
    expect(nodes).toHaveLength(116);
    expect(nodes[0]).toMatchObject({ id: 'pd:01CE00000999', version: 'v2.999.0', environment: 'staging', status: 'FAILED', rawStatus: 'failed', url: `https://acme.pagerduty.com/service-directory/${CHECKOUT}`, service: { id: 'checkout' } });
    expect(nodes[1]).toMatchObject({ version: 'v2.1.0', status: 'SUCCEEDED', rawStatus: 'passed', author: { id: 'maya.patel@acme-shop.example' }, commit: { shortSha: 'abcdef0' }, source: { provider: 'pagerduty', id: '01CE00000001' } });
    expect(callsTo('GET /change_events').map((r) => r.query.get('offset'))).toEqual(['0', '100', '200']);
  });

  it('answers the deploys before several incidents with one read of the change events', async () => {
    changeEvents = [changeEvent(1, CHECKOUT, 30), changeEvent(2, WEB, 40), changeEvent(3, CHECKOUT, 600)];
    const now = Date.now();
    incidents = [incident(1, CHECKOUT, 'triggered', { created_at: new Date(now - 20 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }), incident(2, WEB, 'triggered', { created_at: new Date(now - 25 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') })];
    const body = await gql(gateway.url, `{ incidents { nodes { id deploymentsBefore(within: "1h") { version } } } }`);
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(body.data.incidents.nodes).toEqual([
      { id: 'pd:Q000001', deploymentsBefore: [{ version: 'v2.1.0' }] },
      { id: 'pd:Q000002', deploymentsBefore: [{ version: 'v2.2.0' }] },
    ]);
    expect(callsTo('GET /change_events')).toHaveLength(1);
  });

  it('reads the alerts of an incident from the incident itself, and open incidents\' alerts as the alert list', async () => {
    const body = await gql(gateway.url, `{ incident(id: "pd:Q000002") { alerts { id name state rawState severity rawSeverity fingerprint url service { id } } } }`);
    expect(body.errors).toBeUndefined();
    // Q000002 is acknowledged: so is its open alert, here as in the list below.
    expect(body.data.incident.alerts).toEqual([
      { id: 'pd:AQ0000020', name: 'Alert 0 of Q000002', state: 'ACKNOWLEDGED', rawState: 'triggered,incident_acknowledged', severity: 'SEV2', rawSeverity: 'critical', fingerprint: 'key-Q000002-0', url: 'https://acme.pagerduty.com/alerts/AQ0000020', service: { id: 'checkout' } },
      expect.objectContaining({ id: 'pd:AQ0000021', state: 'RESOLVED', severity: 'SEV3', rawSeverity: 'warning' }),
    ]);
    expect(callsTo('GET /incidents/{id}/alerts').map((r) => r.params.id)).toEqual(['Q000002']);

    const list = await gql(gateway.url, `{ alerts(filter: { states: [FIRING, ACKNOWLEDGED] }, first: 50) { nodes { id state rawState } } }`);
    expect(list.errors).toBeUndefined();
    expect(list.data.alerts.nodes).toHaveLength(6); // one open alert per open incident
    expect(list.data.alerts.nodes).toContainEqual({ id: 'pd:AQ0000020', state: 'ACKNOWLEDGED', rawState: 'triggered,incident_acknowledged' });
  });

  it("puts an account's incidents and alerts in its `environment`: a staging credential sees the staging account only", async () => {
    const staging = apiKey('staging-ci', ['*'], { environments: ['staging'] });
    const ops = apiKey('ops', ['*']);
    const account = (environment?: string) => ({ url: fake.url, apiToken: 'secret://env/PD_TOKEN', fromEmail: FROM, ...(environment ? { environment } : {}) });
    const dir = tempDir();
    writeFileSync(
      join(dir, 'opsorch.yaml'),
      stringify({
        gateway: { auth: { apiKeys: [staging.entry, ops.entry] } },
        capabilities: {
          incidents: [
            { instance: 'pd', provider: 'pagerduty', config: account() },
            { instance: 'pds', provider: 'pagerduty', config: account('staging') },
          ],
          alerts: [{ instance: 'pds', provider: 'pagerduty', config: account('staging') }],
        },
      }),
    );
    const isolated = await startTestGateway({ logger: logs.logger, env: { OPSORCH_CONFIG: join(dir, 'opsorch.yaml'), PD_TOKEN: TOKEN } });
    try {
      const list = (filter: string) => `{ incidents(first: 100, filter: { statuses: [TRIGGERED] ${filter} }) { nodes { id environment } } }`;
      const open = ['Q000001', 'Q000003', 'Q000006', 'Q000007'];

      const asStaging = await gql(isolated.url, list('scope: { environment: "staging" }'), undefined, bearer(staging.key));
      expect(asStaging.errors).toBeUndefined();
      expect(asStaging.data.incidents.nodes).toEqual(open.map((id) => ({ id: `pds:${id}`, environment: 'staging' })));
      // The production account's incident read by id is as absent as one that does not exist.
      const byId = await gql(isolated.url, `{ incident(id: "pd:Q000001") { id } }`, undefined, bearer(staging.key));
      expect(byId.data).toEqual({ incident: null });

      const everything = await gql(isolated.url, list(''), undefined, bearer(ops.key));
      expect(everything.data.incidents.nodes).toHaveLength(8);
      expect(everything.data.incidents.nodes).toContainEqual({ id: 'pd:Q000001', environment: 'production' });

      // A question about one environment is answered by that account alone: the other one is not asked.
      fake.requests.length = 0;
      const production = await gql(isolated.url, list('scope: { environment: "production" }'), undefined, bearer(ops.key));
      expect(production.data.incidents.nodes).toEqual(open.map((id) => ({ id: `pd:${id}`, environment: 'production' })));
      expect(callsTo('GET /incidents')).toHaveLength(1);

      const alerts = await gql(isolated.url, `{ alerts(first: 50, filter: { scope: { environment: "staging" } }) { nodes { id labels { name value } } } }`, undefined, bearer(staging.key));
      expect(alerts.errors).toBeUndefined();
      expect(alerts.data.alerts.nodes.length).toBeGreaterThan(0);
      for (const alert of alerts.data.alerts.nodes) expect(alert.labels).toContainEqual({ name: 'env', value: 'staging' });

      const elsewhere = await gql(
        isolated.url,
        `mutation { createIncident(input: { title: "Checkout 5xx", serviceId: "checkout", severity: SEV2, providerInstance: "pds", environment: "production" }) { id } }`,
        undefined,
        bearer(ops.key),
      );
      expect(elsewhere.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(elsewhere.errors?.[0]?.message).toContain('opens incidents in "staging" only (its `environment` setting)');
      expect(callsTo('POST /incidents')).toHaveLength(0);
    } finally {
      await isolated.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('opsorch check reaches PagerDuty, from the environment and from the example configuration', async () => {
    let printed = '';
    const code = await runCheck({
      json: true,
      write: (text) => (printed += text),
      env: { OPSORCH_INCIDENTS_PROVIDER: 'pd=pagerduty', OPSORCH_INCIDENTS_CONFIG: JSON.stringify({ url: fake.url, apiToken: 'secret://env/PD_TOKEN' }), PD_TOKEN: TOKEN },
    });
    expect(code).toBe(0);
    expect(JSON.parse(printed).providers).toContainEqual(expect.objectContaining({ capability: 'incidents', instance: 'pd', provider: 'pagerduty', health: 'UP', checked: true }));
    expect(printed).not.toContain(TOKEN);

    // The example configuration's PagerDuty entries, pointed at the fake, are valid and reach it.
    for (const [capability, line] of [['incidents', /incidents\s+pagerduty\s+pagerduty\s+UP/], ['deployments', /deployments\s+pagerduty\s+pagerduty\s+UP/]] as const) {
      const { code: exampleCode, out } = await checkExampleProvider(capability, 'pagerduty', { url: fake.url }, { PAGERDUTY_TOKEN: TOKEN });
      expect(exampleCode, out).toBe(0);
      expect(out).toMatch(line);
      expect(out).not.toContain(TOKEN);
    }
  }, 60_000);

  // Last: a rate-limited answer holds the instance's calls back for the rest of the file.
  it('maps 401/403, 429, 5xx and the deadline to OpsOrch codes, and the token appears nowhere', async () => {
    // One provider: its failure is the list's error, with the code in `extensions`.
    const codeOf = async () => {
      const body = await gql(gateway.url, `{ incidents { nodes { id } } }`);
      const extensions = body.errors?.[0]?.extensions ?? {};
      return { code: extensions.code, retryAfter: extensions.retryAfter, provider: extensions.provider, raw: JSON.stringify(body) };
    };
    const answers: string[] = [];
    mode = 'unauthorized';
    let got = await codeOf();
    answers.push(got.raw);
    expect(got.code).toBe('PROVIDER_AUTH_FAILED');
    mode = 'forbidden';
    got = await codeOf();
    expect(got.code).toBe('PROVIDER_AUTH_FAILED');
    mode = 'unavailable';
    const before = callsTo('GET /incidents').length;
    got = await codeOf();
    expect(got.code).toBe('PROVIDER_UNAVAILABLE');
    expect(callsTo('GET /incidents').length - before).toBe(2); // the registry retried the read once
    mode = 'ok';
    expect((await codeOf()).code).toBeUndefined();
    mode = 'slow';
    got = await codeOf();
    expect(got.code).toBe('PROVIDER_TIMEOUT');
    answers.push(got.raw);
    // Last: the registry then holds this instance's calls back for the 30 s PagerDuty asked for.
    mode = 'rate-limited';
    got = await codeOf();
    expect(got).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfter: 30, provider: 'pd' });
    for (const text of [...answers, ...logs.lines]) expect(text).not.toContain(TOKEN);
    for (const request of fake.requests) expect(request.query.toString()).not.toContain(TOKEN.slice(2));
  });
});
