// OpsOrch Core's REST API served by the gateway (/core): every Core route with request bodies in Core's own shapes,
// unknown members refused as Core refuses them, answers compared field by field with the GraphQL answers for the
// same data, Core's error body and statuses, request ids, bearer tokens, audit headers, CORS, and the root mount.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { failing } from './doubles.ts';
import { gql, startTestGateway, waitFor } from './harness.ts';
import { apiKey, bearer, tempDir, writeGatewayConfig } from './security-fixtures.ts';

type Json = Record<string, any>;

let gateway: RunningGateway;
let auditFile: string;

async function core(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, base = '/core') {
  const response = await fetch(new URL(`${base}${path}`, gateway.url), {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, body: json };
}

beforeAll(async () => {
  auditFile = join(tempDir(), 'audit.jsonl');
  gateway = await startTestGateway({ env: { OPSORCH_AUDIT_SINKS: `file:${auditFile}` } });
});
afterAll(async () => {
  await gateway?.close();
});

const lower = (value: string | null | undefined) => value?.toLowerCase();

describe('Core routes answer in Core shapes, field by field equal to GraphQL', () => {
  it('POST /incidents/query and GET /incidents/{id}', async () => {
    const answer = await core('POST', '/incidents/query', { statuses: ['triggered', 'acknowledged'], severities: ['sev1', 'sev2', 'sev3'], scope: {}, limit: 10 });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const g = await gql(
      gateway.url,
      '{ incidents(filter: { statuses: [TRIGGERED, ACKNOWLEDGED], severities: [SEV1, SEV2, SEV3] }, first: 10) { nodes { id title summary rawStatus rawSeverity status severity number startedAt updatedAt url service { id } assignee { email } source { provider instance id } } } }',
    );
    expect(answer.body.map((i: Json) => i.id)).toEqual(g.data.incidents.nodes.map((n: Json) => n.id));
    for (const n of g.data.incidents.nodes as Json[]) {
      const c = answer.body.find((i: Json) => i.id === n.id);
      expect(c).toEqual({
        id: n.id,
        title: n.title,
        description: n.summary,
        status: lower(n.rawStatus),
        severity: lower(n.rawSeverity),
        service: n.service.id,
        url: n.url,
        createdAt: n.startedAt,
        updatedAt: n.updatedAt,
        fields: expect.objectContaining({ number: n.number, status: n.status, severity: n.severity, assignee: n.assignee?.email }),
        metadata: { source: n.source },
      });
    }
    const one = await core('GET', `/incidents/${answer.body[0].id}`);
    expect(one.body).toEqual(answer.body[0]);
  });

  it('GET and POST /incidents/{id}/timeline', async () => {
    const appended = await core('POST', '/incidents/demo:Q3VW8TR/timeline', { at: new Date().toISOString(), kind: 'note', body: 'Core client note', actor: { type: 'user' } });
    expect(appended).toMatchObject({ status: 201, body: { status: 'ok' } });
    const answer = await core('GET', '/incidents/demo:Q3VW8TR/timeline');
    const g = await gql(gateway.url, '{ incident(id: "demo:Q3VW8TR") { timeline(first: 200, order: OLDEST_FIRST) { nodes { id at kind rawKind message actor { id } } } } }');
    const nodes = g.data.incident.timeline.nodes as Json[];
    expect(answer.body).toHaveLength(nodes.length);
    nodes.forEach((n, i) => {
      expect(answer.body[i]).toMatchObject({ id: n.id, incidentId: 'demo:Q3VW8TR', at: n.at, kind: lower(n.rawKind), body: n.message, metadata: { kind: n.kind } });
      expect(answer.body[i].actor?.id).toBe(n.actor?.id);
    });
    expect(answer.body.at(-1).body).toBe('Core client note');
  });

  it('POST /incidents and PATCH /incidents/{id}', async () => {
    const created = await core('POST', '/incidents', { title: 'Core: checkout timeouts', description: 'p99 over 3s', status: 'triggered', severity: 'high', service: 'checkout', fields: {}, metadata: {} });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'Core: checkout timeouts', description: 'p99 over 3s', status: 'triggered', severity: 'sev2', service: 'checkout' });
    const id = created.body.id as string;
    const patched = await core('PATCH', `/incidents/${id}`, { status: 'acknowledged', severity: 'critical', description: 'p99 over 5s' });
    expect(patched.status).toBe(200);
    const g = await gql(gateway.url, `{ incident(id: "${id}") { status rawStatus severity summary } }`);
    expect(g.data.incident).toMatchObject({ status: 'ACKNOWLEDGED', severity: 'SEV1', summary: 'p99 over 5s' });
    expect(patched.body).toMatchObject({ status: lower(g.data.incident.rawStatus), severity: 'sev1', description: 'p99 over 5s' });
    const resolved = await core('PATCH', `/incidents/${id}`, { status: 'resolved' });
    expect(resolved.body.status).toBe('resolved');
  });

  it('POST /alerts/query and GET /alerts/{id}', async () => {
    const answer = await core('POST', '/alerts/query', { statuses: ['firing'], limit: 5 });
    const g = await gql(gateway.url, '{ alerts(filter: { states: [FIRING] }, first: 5) { nodes { id name summary description rawState rawSeverity service { id } startsAt url labels { name value } fingerprint } } }');
    expect(answer.body.map((a: Json) => a.id)).toEqual(g.data.alerts.nodes.map((n: Json) => n.id));
    for (const n of g.data.alerts.nodes as Json[]) {
      const c = answer.body.find((a: Json) => a.id === n.id);
      expect(c).toMatchObject({ title: n.summary, status: lower(n.rawState), severity: lower(n.rawSeverity), service: n.service?.id, url: n.url, createdAt: n.startsAt });
      expect(c.fields).toMatchObject({ name: n.name, fingerprint: n.fingerprint, labels: Object.fromEntries(n.labels.map((l: Json) => [l.name, l.value])) });
    }
    expect((await core('GET', `/alerts/${answer.body[0].id}`)).body).toEqual(answer.body[0]);
  });

  it('POST /logs/query', async () => {
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
    const start = new Date(Date.parse(end) - 30 * 60_000).toISOString();
    const answer = await core('POST', '/logs/query', {
      expression: { search: '', filters: [{ field: 'http.status', operator: '=', value: '500' }], severityIn: ['error'] },
      start,
      end,
      scope: { service: 'checkout' },
      limit: 20,
      metadata: {},
    });
    expect(answer.status).toBe(200);
    const g = await gql(
      gateway.url,
      `{ logs(query: { scope: { service: "checkout" }, levels: [ERROR], filters: [{ field: "http.status", op: EQUALS, value: "500" }] }, range: { from: "${start}", to: "${end}" }, first: 20) { nodes { timestamp message rawLevel service { id } fields { key value } } } }`,
    );
    expect(answer.body.entries.length).toBeGreaterThan(0);
    expect(answer.body.entries).toHaveLength(g.data.logs.nodes.length);
    (g.data.logs.nodes as Json[]).forEach((n, i) => {
      expect(answer.body.entries[i]).toMatchObject({ timestamp: n.timestamp, message: n.message, severity: lower(n.rawLevel), service: n.service.id });
      expect(answer.body.entries[i].labels).toMatchObject(Object.fromEntries(n.fields.map((f: Json) => [f.key, f.value])));
    });
  });

  it('POST /metrics/query, GET and POST /metrics/describe', async () => {
    const end = new Date(Math.floor(Date.now() / 300_000) * 300_000).toISOString();
    const start = new Date(Date.parse(end) - 3_600_000).toISOString();
    const answer = await core('POST', '/metrics/query', {
      expression: { metricName: 'http_requests_total', aggregation: 'sum', filters: [{ label: 'env', operator: '=', value: 'production' }], groupBy: ['service'] },
      start,
      end,
      step: 300,
      scope: { service: 'checkout' },
    });
    expect(answer.status).toBe(200);
    const g = await gql(
      gateway.url,
      `{ metricSeries(query: { name: "http_requests_total", scope: { service: "checkout" }, labels: [{ name: "env", op: EQUALS, value: "production" }], aggregation: SUM, groupBy: ["service"] }, range: { from: "${start}", to: "${end}" }, step: "300s") { url series { name labels { name value } points { timestamp value } } } }`,
    );
    expect(answer.body).toHaveLength(g.data.metricSeries.series.length);
    (g.data.metricSeries.series as Json[]).forEach((s, i) => {
      expect(answer.body[i]).toMatchObject({ name: s.name, labels: Object.fromEntries(s.labels.map((l: Json) => [l.name, l.value])) });
      expect(answer.body[i].points).toEqual(s.points.filter((p: Json) => p.value !== null));
    });
    const described = await core('GET', '/metrics/describe?service=checkout&environment=production');
    const posted = await core('POST', '/metrics/describe', { service: 'checkout' });
    expect(posted.body).toEqual(described.body);
    const d = await gql(gateway.url, '{ metricDescriptors(filter: { service: "checkout" }, first: 200) { nodes { name rawType description labels unit } } }');
    expect(described.body.metrics.map((m: Json) => m.name)).toEqual(d.data.metricDescriptors.nodes.map((n: Json) => n.name));
    for (const n of d.data.metricDescriptors.nodes as Json[]) {
      expect(described.body.metrics.find((m: Json) => m.name === n.name)).toMatchObject({ type: lower(n.rawType), description: n.description, labels: n.labels });
    }
  });

  it('tickets: query, create, get, patch', async () => {
    const answer = await core('POST', '/tickets/query', { statuses: ['todo', 'in progress'], scope: { service: 'checkout' }, limit: 10 });
    const g = await gql(gateway.url, '{ tickets(filter: { statuses: [TODO, IN_PROGRESS], scope: { service: "checkout" } }, first: 10) { nodes { id key title rawStatus assignee { email } reporter { email } createdAt updatedAt url } } }');
    expect(answer.body.map((t: Json) => t.id)).toEqual(g.data.tickets.nodes.map((n: Json) => n.id));
    for (const n of g.data.tickets.nodes as Json[]) {
      const c = answer.body.find((t: Json) => t.id === n.id);
      expect(c).toMatchObject({ key: n.key, title: n.title, status: lower(n.rawStatus), reporter: n.reporter?.email, createdAt: n.createdAt, updatedAt: n.updatedAt, url: n.url });
      expect(c.assignees).toEqual(n.assignee ? [n.assignee.email] : undefined);
    }
    const created = await core('POST', '/tickets', { title: 'Core: add retry budget', description: 'from the postmortem', fields: { priority: 'high', service: 'checkout' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'Core: add retry budget', description: 'from the postmortem', fields: { priority: 'HIGH', service: 'checkout' } });
    const id = created.body.id as string;
    const patched = await core('PATCH', `/tickets/${id}`, { title: 'Core: add a retry budget', status: 'In Progress', assignees: ['maya.patel@acme-shop.example'] });
    expect(patched.status).toBe(200);
    const t = await gql(gateway.url, `{ ticket(id: "${id}") { title status rawStatus assignee { email } } }`);
    expect(t.data.ticket).toMatchObject({ title: 'Core: add a retry budget', status: 'IN_PROGRESS', assignee: { email: 'maya.patel@acme-shop.example' } });
    expect(patched.body).toMatchObject({ title: 'Core: add a retry budget', status: lower(t.data.ticket.rawStatus), assignees: ['maya.patel@acme-shop.example'] });
    expect((await core('GET', `/tickets/${id}`)).body).toEqual(patched.body);
  });

  it('POST /messages/send', async () => {
    const answer = await core('POST', '/messages/send', {
      channel: '#inc-1042-checkout-5xx',
      body: 'Rollback started',
      blocks: [{ type: 'header', text: 'Status' }, { type: 'divider' }, { type: 'section', text: 'ETA 10 min', fields: { owner: 'maya' } }],
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ channel: '#inc-1042-checkout-5xx', sentAt: expect.any(String), url: expect.any(String) });
    const g = await gql(gateway.url, '{ channelByName(name: "#inc-1042-checkout-5xx") { messages(first: 1) { nodes { id text postedAt } } } }');
    const message = g.data.channelByName.messages.nodes[0];
    expect(answer.body).toMatchObject({ id: message.id, sentAt: message.postedAt });
    expect(message.text).toBe('Rollback started\n*Status*\n———\nETA 10 min\nowner: maya');
  });

  it('POST /services/query (owner and tier as tags, dependencies in metadata)', async () => {
    const answer = await core('POST', '/services/query', { ids: ['checkout', 'payments-api'], tags: { owner: 'payments' } });
    expect(answer.body.map((s: Json) => s.id)).toEqual(['payments-api']);
    const g = await gql(gateway.url, '{ service(id: "payments-api") { id name url tier owner { id } dependencies { id } } }');
    const s = g.data.service;
    expect(answer.body[0]).toMatchObject({ id: s.id, name: s.name, url: s.url, tags: { owner: s.owner.id }, metadata: { dependencies: s.dependencies.map((d: Json) => d.id) } });
    const all = await core('POST', '/services/query', { name: 'check' });
    expect(all.body.map((x: Json) => x.id)).toContain('checkout');
  });

  it('teams: query, get, members', async () => {
    const answer = await core('POST', '/teams/query', { name: 'pay' });
    const g = await gql(gateway.url, '{ teams(filter: { text: "pay" }, first: 200) { nodes { id name url parent { id } } } }');
    expect(answer.body.map((t: Json) => ({ id: t.id, name: t.name, url: t.url, parent: t.parent }))).toEqual(
      g.data.teams.nodes.map((n: Json) => ({ id: n.id, name: n.name, url: n.url, parent: n.parent?.id })),
    );
    expect((await core('GET', '/teams/payments')).body).toMatchObject({ id: 'payments', name: g.data.teams.nodes.find((n: Json) => n.id === 'payments').name });
    const members = await core('GET', '/teams/payments/members');
    const m = await gql(gateway.url, '{ team(id: "payments") { members { role user { id name email chatHandle } } } }');
    expect(members.body).toHaveLength(m.data.team.members.length);
    (m.data.team.members as Json[]).forEach((n, i) => {
      expect(members.body[i]).toMatchObject({ id: n.user.id, name: n.user.name, email: n.user.email, handle: n.user.chatHandle, role: lower(n.role) });
    });
  });

  it('deployments: query, get', async () => {
    const answer = await core('POST', '/deployments/query', { statuses: ['success'], versions: ['2.14.0'], scope: { service: 'checkout' } });
    const g = await gql(gateway.url, '{ deployments(filter: { scope: { service: "checkout" }, statuses: [SUCCEEDED], range: { from: "now-30d" } }, first: 200) { nodes { id version environment rawStatus startedAt finishedAt url author { email } service { id } } } }');
    const expected = (g.data.deployments.nodes as Json[]).filter((n) => n.version === '2.14.0');
    expect(answer.body.map((d: Json) => d.id)).toEqual(expected.map((n) => n.id));
    for (const n of expected) {
      expect(answer.body.find((d: Json) => d.id === n.id)).toMatchObject({
        service: n.service.id,
        environment: n.environment,
        version: n.version,
        status: lower(n.rawStatus),
        startedAt: n.startedAt,
        finishedAt: n.finishedAt ?? '0001-01-01T00:00:00Z',
        url: n.url,
        actor: { email: n.author.email },
      });
    }
    expect((await core('GET', `/deployments/${expected[0]!.id}`)).body).toEqual(answer.body[0]);
  });

  it('orchestration: plans query and get, runs query, get, start and complete a step', async () => {
    const plans = await core('POST', '/orchestration/plans/query', { query: 'connection', scope: {} });
    const g = await gql(gateway.url, '{ runbooks(filter: { text: "connection" }, first: 200) { nodes { id name url steps { id title kind dependsOn } } } }');
    expect(plans.body.map((p: Json) => p.id)).toEqual(g.data.runbooks.nodes.map((n: Json) => n.id));
    const plan = g.data.runbooks.nodes[0];
    expect(plans.body[0]).toMatchObject({
      title: plan.name,
      url: plan.url,
      steps: plan.steps.map((s: Json) => expect.objectContaining({ id: s.id, title: s.title, type: lower(s.kind), dependsOn: s.dependsOn })),
    });
    expect((await core('GET', `/orchestration/plans/${plan.id}`)).body).toEqual(plans.body[0]);

    const started = await core('POST', '/orchestration/runs', { planId: 'demo:rb-db-connection-saturation' });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ planId: 'demo:rb-db-connection-saturation', plan: { id: 'demo:rb-db-connection-saturation' } });
    const blocked = await core('POST', '/orchestration/runs/query', { statuses: ['blocked'], planIds: [], limit: 50 });
    const r = await gql(gateway.url, '{ runbookRuns(filter: { statuses: [WAITING_FOR_INPUT] }, first: 50) { nodes { id rawStatus startedAt runbook { id } steps { step { id } status note } } } }');
    expect(blocked.body.map((x: Json) => x.id)).toEqual(r.data.runbookRuns.nodes.map((n: Json) => n.id));
    const run = r.data.runbookRuns.nodes[0];
    expect(blocked.body[0]).toMatchObject({
      planId: run.runbook.id,
      status: lower(run.rawStatus),
      createdAt: run.startedAt,
      steps: run.steps.map((s: Json) => expect.objectContaining({ stepId: s.step.id, status: lower(s.status) })),
    });
    const step = run.steps.find((s: Json) => s.status === 'WAITING_FOR_INPUT').step.id;
    const completed = await core('POST', `/orchestration/runs/${run.id}/steps/${step}/complete`, { actor: 'maya', note: 'done by hand' });
    expect(completed).toMatchObject({ status: 200, body: { status: 'ok' } });
    const after = await core('GET', `/orchestration/runs/${run.id}`);
    expect(after.body.steps.find((s: Json) => s.stepId === step)).toMatchObject({ status: 'succeeded', note: 'done by hand' });
  });

  it('GET /health, GET /, GET /providers/{capability} with Core\'s aliases', async () => {
    expect((await core('GET', '/health')).body).toEqual({ status: 'ok' });
    expect((await core('GET', '/')).body).toEqual({ status: 'ok' });
    for (const alias of ['incident', 'incidents', 'messages', 'messaging', 'orchestrations']) {
      const answer = await core('GET', `/providers/${alias}`);
      expect(answer).toMatchObject({ status: 200, body: { providers: ['demo'] } });
    }
    expect(await core('GET', '/providers/secret')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await core('POST', '/providers/incident', { provider: 'pagerduty', config: {} })).toMatchObject({ status: 501, body: { code: 'not_supported' } });
  });
});

describe('Core request decoding and errors', () => {
  it.each([
    ['POST', '/incidents/query'],
    ['POST', '/incidents'],
    ['PATCH', '/incidents/demo:Q3VW8TR'],
    ['POST', '/incidents/demo:Q3VW8TR/timeline'],
    ['POST', '/alerts/query'],
    ['POST', '/logs/query'],
    ['POST', '/metrics/query'],
    ['POST', '/metrics/describe'],
    ['POST', '/tickets/query'],
    ['POST', '/tickets'],
    ['PATCH', '/tickets/demo:OPS-318'],
    ['POST', '/messages/send'],
    ['POST', '/services/query'],
    ['POST', '/teams/query'],
    ['POST', '/deployments/query'],
    ['POST', '/orchestration/plans/query'],
    ['POST', '/orchestration/runs/query'],
    ['POST', '/orchestration/runs'],
    ['POST', '/orchestration/runs/demo:4749/steps/approve-rollback/complete'],
  ])('%s %s refuses an unknown member as Core does', async (method, path) => {
    const answer = await core(method, path, { unexpected: true });
    expect(answer).toEqual(expect.objectContaining({ status: 400, body: { code: 'bad_request', message: 'json: unknown field "unexpected"' } }));
  });

  it('refuses bodies that are not JSON or missing, and nested unknown members', async () => {
    expect(await core('POST', '/incidents/query', '{"statuses": [')).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect(await core('POST', '/incidents/query')).toMatchObject({ status: 400, body: { code: 'bad_request', message: 'EOF' } });
    expect(await core('POST', '/incidents/query', { scope: { region: 'eu' } })).toMatchObject({ status: 400, body: { message: 'json: unknown field "region"' } });
    expect(await core('POST', '/incidents/query', { limit: 'ten' })).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    // Core decodes JSON whatever the Content-Type says.
    expect(await core('POST', '/incidents/query', '{"limit": 1}', { 'content-type': 'text/plain' })).toMatchObject({ status: 200 });
  });

  it('maps not found to 404 not_found, a refused write to 400 bad_request, and an unknown route to Go\'s 404', async () => {
    expect(await core('GET', '/incidents/demo:NOPE')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await core('GET', '/tickets/demo:NOPE')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await core('POST', '/incidents', { title: 'x', severity: 'sev3' })).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect(await core('POST', '/orchestration/runs/demo:4749/steps/rollback/complete', {})).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    const unknown = await core('GET', '/nowhere');
    expect(unknown).toMatchObject({ status: 404, body: '404 page not found\n' });
  });

  it('answers X-Request-ID, taking Core\'s fallbacks when it is absent', async () => {
    expect((await core('GET', '/health', undefined, { 'x-request-id': 'core-req-1' })).headers.get('x-request-id')).toBe('core-req-1');
    expect((await core('GET', '/health', undefined, { 'x-correlation-id': 'corr-7' })).headers.get('x-request-id')).toBe('corr-7');
    expect((await core('GET', '/health', undefined, { 'x-trace-id': 'trace-9' })).headers.get('x-request-id')).toBe('trace-9');
    expect((await core('GET', '/health')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes X-Actor-Type and X-User-Id into the audit log', async () => {
    await core('POST', '/incidents/demo:Q3VW8TR/timeline', { kind: 'note', body: 'from the copilot' }, { 'x-actor-type': 'copilot', 'x-user-id': 'ops-copilot', 'x-request-id': 'core-audit-1' });
    await core('POST', '/incidents/demo:Q3VW8TR/timeline', { kind: 'note', body: 'from alice' }, { 'x-user-id': 'alice@acme-shop.example', 'x-request-id': 'core-audit-2' });
    let lines: Json[] = [];
    await waitFor(() => {
      lines = readFileSync(auditFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      return lines.some((l) => l.requestId === 'core-audit-2');
    });
    expect(lines.find((l) => l.requestId === 'core-audit-1')).toMatchObject({ actor: { kind: 'agent', id: 'ops-copilot' }, operation: { name: 'CoreAppendTimeline' }, outcome: 'success' });
    expect(lines.find((l) => l.requestId === 'core-audit-2')).toMatchObject({ actor: { kind: 'user', id: 'alice@acme-shop.example' } });
  });

  it('answers CORS as Core does', async () => {
    const answer = await fetch(new URL('/core/incidents/query', gateway.url), { method: 'OPTIONS', headers: { origin: 'https://console.example.com' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET,POST,PATCH,OPTIONS');
  });
});

describe('Core clients with bearer tokens, scopes and failing providers', () => {
  let secured: RunningGateway;
  const token = apiKey('core-client', ['incidents:read', 'teams:read']);

  beforeAll(async () => {
    secured = await startTestGateway({
      env: { OPSORCH_CONFIG: writeGatewayConfig({ auth: { apiKeys: [token.entry] } }), OPSORCH_ALERTS_PROVIDER: 'failing', OPSORCH_PROVIDER_READ_ATTEMPTS: '1' },
      extraProviders: { failing },
    });
  });
  afterAll(async () => {
    await secured?.close();
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(new URL(`/core${path}`, secured.url), {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
  };

  it('takes the bearer token (an OpsOrch API key) and answers 401 unauthorized without it', async () => {
    const missing = await call('POST', '/incidents/query', {});
    expect(missing).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(Object.keys(missing.body).sort()).toEqual(['code', 'message']);
    expect(await call('POST', '/incidents/query', { limit: 1 }, bearer(token.key))).toMatchObject({ status: 200 });
  });

  it('answers 403 forbidden for a capability the token may not use, and 502 provider_error for a failing provider', async () => {
    expect(await call('POST', '/tickets/query', {}, bearer(token.key))).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const everything = apiKey('everything', ['*']);
    const gateway2 = await startTestGateway({
      env: { OPSORCH_CONFIG: writeGatewayConfig({ auth: { apiKeys: [everything.entry] } }), OPSORCH_ALERTS_PROVIDER: 'failing', OPSORCH_PROVIDER_READ_ATTEMPTS: '1' },
      extraProviders: { failing },
    });
    try {
      const response = await fetch(new URL('/core/alerts/query', gateway2.url), { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(everything.key) }, body: '{}' });
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({ code: 'provider_error' });
    } finally {
      await gateway2.close();
    }
  });
});

describe('Core routes at the root', () => {
  it('serves Core\'s paths at / when OPSORCH_CORE_PATH=/, leaving browser pages to the rest of the gateway', async () => {
    const root = await startTestGateway({ env: { OPSORCH_CORE_PATH: '/' } });
    try {
      const origin = new URL(root.url).origin;
      const query = await fetch(`${origin}/incidents/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ limit: 2 }) });
      expect(query.status).toBe(200);
      expect(await query.json()).toHaveLength(2);
      expect(await (await fetch(`${origin}/health`)).json()).toEqual({ status: 'ok' });
      const page = await fetch(`${origin}/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(page.status).toBe(302);
      expect((await fetch(`${origin}/api/v1/incidents/demo:Q3VW8TR`)).status).toBe(200);
      expect((await fetch(`${origin}/core/health`)).status).toBe(404);
    } finally {
      await root.close();
    }
  });
});
