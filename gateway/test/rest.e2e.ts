// The REST API under /api/v1 end to end against the demo world: every generated endpoint, answers equal to the
// GraphQL answers of the same operation, paging by Link headers, writes with idempotency keys, request errors,
// the generated files' freshness, the OpenAPI document's validity and the reference page in a real browser.
// Every answer is checked against the OpenAPI document by the client (rest-client.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST_ROUTES } from '../src/rest/generated/routes.ts';
import type { RunningGateway } from '../src/index.ts';
import { ROOT, gql, regenerate, startTestGateway } from './harness.ts';
import { checkedResponses, OPENAPI, restClient } from './rest-client.ts';

let gateway: RunningGateway;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  gateway = await startTestGateway();
  rest = restClient(gateway.url);
});
afterAll(async () => {
  await gateway?.close();
});

/** Absolute windows, so an answer read twice (REST and GraphQL) covers the same lines and points. */
const until = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
const since = new Date(Date.parse(until) - 3_600_000).toISOString();

/** One read per GET endpoint: its path and query parameters, and what its answer must hold. */
const READS: Record<string, { path: string; query?: Record<string, string | number | boolean | string[]>; check(data: any): void }> = {
  ListAlerts: { path: '/alerts', query: { states: ['FIRING'], first: 5 }, check: (d) => expect(d.nodes.every((a: any) => a.state === 'FIRING')).toBe(true) },
  GetAlert: { path: '/alerts/{alert}', check: (d) => expect(d.id).toMatch(/^demo:/) },
  ListChannels: { path: '/channels', query: { incidentOnly: true }, check: (d) => expect(d.nodes.every((c: any) => c.isIncidentChannel)).toBe(true) },
  ListDeployments: { path: '/deployments', query: { service: 'checkout', since: 'now-30d' }, check: (d) => expect(d.nodes.every((x: any) => x.service.id === 'checkout')).toBe(true) },
  GetDeployment: { path: '/deployments/demo:dep-checkout-production-2.14.0-47', check: (d) => expect(d).toMatchObject({ version: '2.14.0', environment: 'production' }) },
  ListIncidents: {
    path: '/incidents',
    query: { statuses: ['TRIGGERED', 'ACKNOWLEDGED'], first: 10 },
    check: (d) => expect(d.nodes.every((i: any) => ['TRIGGERED', 'ACKNOWLEDGED'].includes(i.status))).toBe(true),
  },
  GetIncident: { path: '/incidents/demo:Q3VW8TR', check: (d) => expect(d).toMatchObject({ number: 1042, service: { id: 'checkout' } }) },
  GetIncidentTimeline: { path: '/incidents/demo:Q3VW8TR/timeline', query: { order: 'OLDEST_FIRST', first: 3 }, check: (d) => expect(d.timeline.nodes).toHaveLength(3) },
  GetIncidentWarRoom: { path: '/incidents/demo:Q3VW8TR/war-room', check: (d) => expect(d.service.owner.onCall.length).toBeGreaterThan(0) },
  SearchLogs: {
    path: '/logs',
    query: { service: 'checkout', levels: ['ERROR'], since, until, limit: 5, filters: JSON.stringify([{ field: 'http.status', value: '500' }]) },
    check: (d) => expect(d.nodes.every((l: any) => l.level === 'ERROR' && l.fields.some((f: any) => f.key === 'http.status' && f.value === '500'))).toBe(true),
  },
  LogVolume: { path: '/logs/volume', query: { service: 'checkout', since, until, buckets: 6 }, check: (d) => expect(d.buckets).toHaveLength(6) },
  ListMetricNames: { path: '/metrics', query: { text: 'latency' }, check: (d) => expect(d.nodes.length).toBeGreaterThan(0) },
  QueryMetrics: {
    path: '/metrics/series',
    query: { name: 'http_request_duration_seconds', service: 'checkout', aggregation: 'P99', since, until, step: '5m', groupBy: '' },
    check: (d) => expect(d.series).toHaveLength(1),
  },
  WhoIsOnCall: { path: '/on-call', query: { team: 'payments' }, check: (d) => expect(d[0]).toMatchObject({ team: { id: 'payments' }, level: 'PRIMARY' }) },
  ListProviders: { path: '/providers', query: { capability: 'incidents' }, check: (d) => expect(d[0]).toMatchObject({ capability: 'incidents', instance: 'demo' }) },
  ListRunbookRuns: { path: '/runbook-runs', query: { statuses: ['WAITING_FOR_INPUT'] }, check: (d) => expect(d.nodes.every((r: any) => r.status === 'WAITING_FOR_INPUT')).toBe(true) },
  GetRunbookRun: { path: '/runbook-runs/demo:4752', check: (d) => expect(d.id).toBe('demo:4752') },
  ListRunbooks: { path: '/runbooks', query: { text: 'rollback' }, check: (d) => expect(d.nodes.length).toBeGreaterThan(0) },
  GetRunbook: { path: '/runbooks/demo:rb-db-connection-saturation', check: (d) => expect(d.steps.map((s: any) => s.id)).toContain('pause-batch-jobs') },
  ListServices: { path: '/services', query: { tiers: ['TIER_1'] }, check: (d) => expect(d.nodes.every((s: any) => s.tier === 'TIER_1')).toBe(true) },
  GetService: { path: '/services/checkout', query: { direction: 'DEPENDENCIES', depth: 2 }, check: (d) => expect(d.dependencyGraph.direction).toBe('DEPENDENCIES') },
  // An absolute window: the REST and GraphQL answers compared below are asked a moment apart.
  GetGoldenSignals: { path: '/services/checkout/golden-signals', query: { since: new Date(Date.now() - 7_200_000).toISOString(), until: new Date(Date.now() - 60_000).toISOString(), step: '10m' }, check: (d) => expect(d.goldenSignals.errorRate.points.at(-1).value).toBeGreaterThan(0.1) },
  ListTeams: { path: '/teams', check: (d) => expect(d.nodes.map((t: any) => t.id)).toContain('payments') },
  GetTeam: { path: '/teams/payments', check: (d) => expect(d.members.length).toBeGreaterThan(0) },
  ListTickets: { path: '/tickets', query: { service: 'checkout' }, check: (d) => expect(d.nodes.every((t: any) => t.service?.id === 'checkout')).toBe(true) },
  GetTicket: { path: '/tickets/demo:OPS-318', check: (d) => expect(d.key).toBe('OPS-318') },
};

const key = (name: string) => `${name}-${Math.random().toString(36).slice(2)}`;

describe('the generated files', () => {
  it('are what codegen writes from the operations now (run `npm run codegen` when this fails)', async () => {
    const outputs = await regenerate('gateway/codegen.rest.yml');
    expect(outputs.length).toBe(3);
    for (const output of outputs) expect(readFileSync(join(ROOT, output.filename), 'utf8'), `${output.filename} is stale`).toBe(output.content);
  }, 120_000);

  it('put every REST operation in the trusted-documents manifest', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'gateway', 'generated', 'trusted-documents.json'), 'utf8')) as { operations: { body: string }[] };
    const bodies = new Set(manifest.operations.map((o) => o.body));
    for (const route of REST_ROUTES) expect(bodies.has(route.document), `${route.operationName} is missing from the manifest`).toBe(true);
  });

  it('describe a valid OpenAPI 3.1 document, served at /api/v1/openapi.json', async () => {
    const result = await new Validator().validate(structuredClone(OPENAPI) as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const served = await fetch(new URL('/api/v1/openapi.json', gateway.url));
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(OPENAPI);
    const operations = Object.values(OPENAPI.paths).flatMap((item) => Object.values(item).map((o) => o.operationId));
    expect(operations.sort()).toEqual(REST_ROUTES.map((r) => r.operationName).sort());
  });
});

describe('every read endpoint', () => {
  it('is covered here, and every write endpoint below', () => {
    const reads = REST_ROUTES.filter((r) => r.method === 'GET').map((r) => r.operationName);
    expect(Object.keys(READS).sort()).toEqual(reads.sort());
  });

  it.each(REST_ROUTES.filter((r) => r.method === 'GET').map((r) => [r.operationName, r] as const))(
    '%s answers the GraphQL answer of its operation',
    async (name, route) => {
      const read = READS[name]!;
      let path = read.path;
      if (path.includes('{alert}')) {
        const alerts = await rest('GET', '/alerts', { query: { first: 1 } });
        path = path.replace('{alert}', encodeURIComponent(alerts.body.data.nodes[0].id));
      }
      const answer = await rest('GET', path, { query: read.query });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body.providerErrors).toEqual([]);
      read.check(answer.body.data);

      // The same operation over /graphql, with the variables the endpoint derived from the URL.
      const variables: Record<string, unknown> = {};
      const values = path.split('/');
      route.path.split('/').forEach((segment, i) => {
        const name = /^\{(\w+)\}$/.exec(segment)?.[1];
        if (name) variables[name] = decodeURIComponent(values[i]!);
      });
      for (const [name, value] of Object.entries(read.query ?? {})) {
        const parameter = route.parameters.find((p) => p.name === name)!;
        variables[parameter.variable] =
          parameter.list && value === ''
            ? []
            : parameter.parse === 'json' ? JSON.parse(String(value)) : parameter.parse === 'integer' ? Number(value) : parameter.parse === 'boolean' ? value === true : value;
      }
      const graphql = await gql(gateway.url, route.document, variables);
      expect(graphql.errors).toBeUndefined();
      const expected = structuredClone(graphql.data[route.root]);
      for (const path of route.providerErrorPaths) {
        const parent = path.slice(0, -1).reduce((v: any, k) => v[k], expected);
        delete parent[path[path.length - 1]!];
      }
      // Live, derived fields move between the two reads; everything else must be equal.
      const scrub = (value: any): any =>
        JSON.parse(JSON.stringify(value), (k, v) => (['checkedAt', 'latencyMs', 'calls', 'lastSuccessAt', 'lastMessageAt'].includes(k) ? null : v));
      expect(scrub(answer.body.data)).toEqual(scrub(expected));
    },
  );
});

describe('paging', () => {
  it('follows Link: rel="next" through every page, with no item twice, to the GraphQL list', async () => {
    const seen: string[] = [];
    let next: string | null = '/incidents?first=2';
    let pages = 0;
    while (next) {
      const [path, search] = next.replace(/^\/api\/v1/, '').split('?') as [string, string];
      const query = Object.fromEntries([...new URLSearchParams(search)].map(([k, v]) => [k, v]));
      const answer: any = await rest('GET', path, { query });
      expect(answer.status).toBe(200);
      seen.push(...answer.body.data.nodes.map((n: any) => n.id));
      const link = answer.headers.get('link');
      expect(Boolean(link)).toBe(answer.body.data.pageInfo.hasNextPage);
      next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
      pages++;
    }
    const all = await gql(gateway.url, '{ incidents(first: 200) { nodes { id } } }');
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(all.data.incidents.nodes.map((n: any) => n.id));
  });
});

describe('every write endpoint', () => {
  const writes = new Set<string>();
  afterAll(() => {
    const expected = REST_ROUTES.filter((r) => r.method !== 'GET').map((r) => r.operationName);
    expect([...writes].sort()).toEqual(expected.sort());
  });

  it('opens, changes, notes, acknowledges and resolves incidents (CreateIncident, UpdateIncident, AddIncidentNote, AcknowledgeIncident, ResolveIncident)', async () => {
    const idempotencyKey = key('open');
    const create = () => rest('POST', '/incidents', { body: { title: 'REST: card declines', serviceId: 'checkout', severity: 'SEV3' }, headers: { 'idempotency-key': idempotencyKey } });
    const created = await create();
    expect(created.status).toBe(201);
    const id = created.body.data.id as string;
    expect(created.headers.get('location')).toBe(`/api/v1/incidents/${encodeURIComponent(id)}`);
    const again = await create();
    expect(again.status).toBe(201);
    expect(again.body.data.id).toBe(id);
    const listed = await rest('GET', '/incidents', { query: { text: 'REST: card declines', first: 50 } });
    expect(listed.body.data.nodes).toHaveLength(1);
    writes.add('CreateIncident');

    const updated = await rest('PATCH', `/incidents/${id}`, { body: { severity: 'SEV2', summary: 'Declines on every Visa card' } });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({ severity: 'SEV2', summary: 'Declines on every Visa card' });
    writes.add('UpdateIncident');

    const noteKey = key('note');
    for (let i = 0; i < 2; i++) {
      const note = await rest('POST', `/incidents/${id}/notes`, { body: { body: 'Rolled back the fraud rules' }, headers: { 'idempotency-key': noteKey } });
      expect(note.status).toBe(200);
    }
    const timeline = await rest('GET', `/incidents/${id}/timeline`, { query: { first: 50 } });
    expect(timeline.body.data.timeline.nodes.filter((n: any) => n.message === 'Rolled back the fraud rules')).toHaveLength(1);
    const conflict = await rest('POST', `/incidents/${id}/notes`, { body: { body: 'Something else' }, headers: { 'idempotency-key': noteKey } });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'IDEMPOTENCY_KEY_REUSED', type: 'urn:opsorch:problem:bad-user-input' });
    writes.add('AddIncidentNote');

    const acknowledged = await rest('POST', `/incidents/${id}/acknowledge`);
    expect(acknowledged.body.data.status).toBe('ACKNOWLEDGED');
    writes.add('AcknowledgeIncident');
    const resolved = await rest('POST', `/incidents/${id}/resolve`, { body: { resolution: 'fraud rules rolled back' } });
    expect(resolved.body.data.status).toBe('RESOLVED');
    writes.add('ResolveIncident');
    const refused = await rest('POST', `/incidents/${id}/acknowledge`);
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/resolved/);
  });

  it('acknowledges and silences alerts (AcknowledgeAlert, SilenceAlert)', async () => {
    const firing = await rest('GET', '/alerts', { query: { states: ['FIRING'], first: 2 } });
    const [first, second] = firing.body.data.nodes as { id: string }[];
    const acknowledged = await rest('POST', `/alerts/${first!.id}/acknowledge`, { headers: { 'idempotency-key': key('ack') } });
    expect(acknowledged.body.data.state).toBe('ACKNOWLEDGED');
    writes.add('AcknowledgeAlert');
    const silenced = await rest('POST', `/alerts/${second!.id}/silence`, { body: { duration: '2h', comment: 'known, fix deploying' } });
    expect(silenced.body.data).toMatchObject({ state: 'SILENCED', silenceComment: 'known, fix deploying' });
    writes.add('SilenceAlert');
  });

  it('posts messages (SendMessage)', async () => {
    const sent = await rest('POST', '/messages', { body: { channel: '#inc-1042-checkout-5xx', text: 'Rollback to 2.13.4 started' } });
    expect(sent.status).toBe(201);
    expect(sent.body.data).toMatchObject({ channel: { name: '#inc-1042-checkout-5xx' }, text: 'Rollback to 2.13.4 started' });
    writes.add('SendMessage');
  });

  it('starts, completes steps of and cancels runbook runs (StartRunbookRun, CompleteManualStep, CancelRunbookRun)', async () => {
    const started = await rest('POST', '/runbooks/demo:rb-db-connection-saturation/runs', {
      body: { incidentId: 'demo:Q8MZ4KD', parameters: { pool: 'orders-db' } },
      headers: { 'idempotency-key': key('run') },
    });
    expect(started.status).toBe(201);
    writes.add('StartRunbookRun');
    const waiting = await rest('GET', '/runbook-runs', { query: { statuses: ['WAITING_FOR_INPUT'], first: 50 } });
    const run = (waiting.body.data.nodes as any[]).find((r) => r.steps.some((s: any) => s.status === 'WAITING_FOR_INPUT'));
    const step = run.steps.find((s: any) => s.status === 'WAITING_FOR_INPUT').step.id;
    const completed = await rest('POST', `/runbook-runs/${run.id}/steps/${step}/complete`, { body: { note: 'checked with the DBA' } });
    expect(completed.status).toBe(200);
    expect(completed.body.data.steps.find((s: any) => s.step.id === step)).toMatchObject({ status: 'SUCCEEDED', note: 'checked with the DBA' });
    writes.add('CompleteManualStep');
    const cancelled = await rest('POST', `/runbook-runs/${started.body.data.id}/cancel`, { body: { reason: 'not needed' } });
    expect(cancelled.body.data.status).toBe('CANCELLED');
    writes.add('CancelRunbookRun');
  });

  it('files, changes, comments on and moves tickets (CreateTicket, UpdateTicket, CommentOnTicket, TransitionTicket)', async () => {
    const created = await rest('POST', '/tickets', { body: { title: 'Add a gift-card test to checkout', serviceId: 'checkout', incidentId: 'demo:Q3VW8TR' } });
    expect(created.status).toBe(201);
    const id = created.body.data.id as string;
    expect(created.headers.get('location')).toBe(`/api/v1/tickets/${encodeURIComponent(id)}`);
    writes.add('CreateTicket');
    const updated = await rest('PATCH', `/tickets/${id}`, { body: { priority: 'HIGH', labels: ['postmortem'] } });
    expect(updated.body.data).toMatchObject({ priority: 'HIGH', labels: ['postmortem'] });
    writes.add('UpdateTicket');
    const commented = await rest('POST', `/tickets/${id}/comments`, { body: { body: 'Owner: checkout team' } });
    expect(commented.body.data.comments.totalCount).toBe(1);
    writes.add('CommentOnTicket');
    const moved = await rest('POST', `/tickets/${id}/transition`, { body: { transition: 'IN_PROGRESS' } });
    expect(moved.body.data.status).toBe('IN_PROGRESS');
    writes.add('TransitionTicket');
  });
});

describe('request errors are problem details that say what to fix', () => {
  it('refuses unknown, repeated and out-of-range query parameters (400)', async () => {
    const unknown = await rest('GET', '/incidents', { query: { servcie: 'checkout' } });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(unknown.body).toMatchObject({ code: 'BAD_USER_INPUT', status: 400, errors: [{ parameter: 'servcie' }] });
    expect(unknown.body.detail).toContain('service');
    const tooMany = await rest('GET', '/incidents', { query: { first: 500 } });
    expect(tooMany.body).toMatchObject({ status: 400, errors: [{ parameter: 'first', detail: 'must be <= 50' }] });
    const badEnum = await rest('GET', '/incidents', { query: { statuses: ['OPEN'] } });
    expect(badEnum.body.errors[0]).toMatchObject({ parameter: 'statuses' });
    const twice = await rest('GET', '/incidents', { query: { text: ['a', 'b'] } });
    expect(twice.body.errors[0]).toMatchObject({ parameter: 'text', detail: 'must be given once' });
    const notJson = await rest('GET', '/logs', { query: { filters: '[{' } });
    expect(notJson.body.errors[0]).toMatchObject({ parameter: 'filters', detail: 'must be JSON text' });
  });

  it('refuses a parameter that a nested field rejects, rather than answering 200 without that field (400)', async () => {
    const notATime = await rest('GET', '/services/checkout/golden-signals', { query: { since: 'bogus' } });
    expect(notATime.status, JSON.stringify(notATime.body)).toBe(400);
    expect(notATime.body).toMatchObject({ code: 'BAD_USER_INPUT', status: 400, instance: '/api/v1/services/checkout/golden-signals' });
    expect(notATime.body.detail).toContain('"bogus" is not a time');
    const fine = await rest('GET', '/services/checkout/golden-signals', { query: { since: 'now-30m' } });
    expect(fine.status).toBe(200);
    expect(fine.body.data.goldenSignals.latencyP99.points.length).toBeGreaterThan(0);
  });

  it('refuses bodies with unknown or missing members, of the wrong type or not JSON (400, 415)', async () => {
    const unknown = await rest('POST', '/incidents', { body: { title: 'x', serviceId: 'checkout', severity: 'SEV3', priority: 'P1' } });
    expect(unknown.body).toMatchObject({ status: 400, errors: [{ pointer: '/priority' }] });
    const missing = await rest('POST', '/incidents', { body: { title: 'x', severity: 'SEV3' } });
    expect(missing.body.errors).toEqual([{ detail: 'is required', pointer: '/serviceId' }]);
    const wrongType = await rest('POST', '/incidents/demo:Q3VW8TR/notes', { body: { body: 42 } });
    expect(wrongType.body.errors).toEqual([{ detail: 'must be string', pointer: '/body' }]);
    const pathInBody = await rest('POST', '/incidents/demo:Q3VW8TR/notes', { body: { body: 'x', incidentId: 'demo:Q8MZ4KD' } });
    expect(pathInBody.body.errors[0]).toMatchObject({ pointer: '/incidentId' });
    const notJson = await rest('POST', '/incidents/demo:Q3VW8TR/notes', { rawBody: '{"body": ', headers: { 'content-type': 'application/json' } });
    expect(notJson.body).toMatchObject({ status: 400, reason: 'INVALID_JSON' });
    const text = await rest('POST', '/incidents/demo:Q3VW8TR/notes', { rawBody: 'body=hello', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(415);
    const validation = await rest('POST', '/alerts/demo:nope/silence', { body: { duration: '30y' } });
    expect(validation.status).toBe(400);
  });

  it('answers 404 for unknown resources and endpoints, and 405 naming the allowed methods', async () => {
    const incident = await rest('GET', '/incidents/demo:NOPE');
    expect(incident.body).toMatchObject({ status: 404, code: 'NOT_FOUND', instance: '/api/v1/incidents/demo:NOPE' });
    const write = await rest('POST', '/incidents/demo:NOPE/acknowledge');
    expect(write.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const endpoint = await rest('GET', '/incidentz');
    expect(endpoint.status).toBe(404);
    const method = await rest('DELETE', '/incidents/demo:Q3VW8TR');
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toBe('GET, PATCH');
  });

  it('keeps the caller\'s request id, in the header and the problem', async () => {
    const answer = await rest('GET', '/incidents/demo:NOPE', { headers: { 'x-request-id': 'rest-trace-1' } });
    expect(answer.headers.get('x-request-id')).toBe('rest-trace-1');
    expect(answer.body.requestId).toBe('rest-trace-1');
  });
});

describe('the API reference page', () => {
  it('renders every operation from installed files only, in Chromium', async () => {
    const { launchBrowser } = await import('../../console/test/browser.ts');
    const browser = await launchBrowser();
    const origin = new URL(gateway.url).origin;
    const requested: string[] = [];
    try {
      const page = await browser.newPage();
      page.on('request', (request) => requested.push(request.url()));
      await page.goto(`${origin}/api/docs`);
      await page.waitForSelector('.opblock-summary', { timeout: 30_000 });
      await page.waitForFunction((count) => document.querySelectorAll('.opblock-summary').length >= count, REST_ROUTES.length);
      const operations = await page.$$eval('.opblock-summary-path', (nodes) => nodes.map((n) => n.textContent?.replace(/\u200b/g, '')));
      expect(operations).toContain('/incidents/{id}/war-room');
      expect(requested.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'))).toEqual([]);
      expect(browser.consoleErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe('the test run', () => {
  it('checked answers of every endpoint against the OpenAPI document', () => {
    for (const route of REST_ROUTES) {
      const checked = [...checkedResponses.keys()].some((k) => k.startsWith(`${route.method} ${route.path} `));
      expect(checked, `${route.method} ${route.path}`).toBe(true);
    }
  });
});
