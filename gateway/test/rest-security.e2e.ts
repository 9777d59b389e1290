// The REST API keeps every rule of /graphql, because it runs through the same pipeline: authentication,
// scopes per capability and environment, the audit log, body and cost limits, rate limits, trusted documents,
// and provider failures with the status each one means. Every answer is checked against the OpenAPI document.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { controlled, type Control } from './controlled-provider.ts';
import { failingWith } from './doubles.ts';
import { ROOT, gql, startTestGateway, waitFor } from './harness.ts';
import { restClient } from './rest-client.ts';
import { apiKey, auditLinesOf, bearer, tempDir, writeGatewayConfig } from './security-fixtures.ts';

describe('credentials, scopes, audit and limits', () => {
  let gateway: RunningGateway;
  let rest: ReturnType<typeof restClient>;
  let auditFile: string;
  const reader = apiKey('reader', ['incidents:read', 'alerts:read', 'services:read', 'teams:read', 'deployments:read']);
  const writer = apiKey('writer', ['*']);
  const staging = apiKey('staging-ci', ['*:read'], { environments: ['staging'] });
  const limited = apiKey('limited', ['*:read'], { rateLimit: { requestsPerMinute: 6, burst: 2 } });

  beforeAll(async () => {
    const dir = tempDir();
    auditFile = join(dir, 'audit.jsonl');
    const config = writeGatewayConfig({
      auth: { apiKeys: [reader.entry, writer.entry, staging.entry, limited.entry] },
      audit: { sinks: [{ type: 'file', path: auditFile }] },
      limits: { maxBodyBytes: 4000, maxCost: 180 },
    });
    gateway = await startTestGateway({ env: { OPSORCH_CONFIG: config } });
    rest = restClient(gateway.url);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const audit = () => auditLinesOf(auditFile);

  it('answers 401 without a credential or with an unknown one, with WWW-Authenticate', async () => {
    const missing = await rest('GET', '/incidents');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(missing.body).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CREDENTIALS_MISSING', type: 'urn:opsorch:problem:unauthenticated' });
    const unknown = await rest('GET', '/incidents', { headers: bearer('opsorch_not-a-key') });
    expect(unknown.body).toMatchObject({ status: 401, reason: 'API_KEY_UNKNOWN' });
    const viaHeader = await rest('GET', '/incidents', { headers: { 'x-api-key': reader.key }, query: { first: 1 } });
    expect(viaHeader.status).toBe(200);
  });

  it('answers 403 naming the missing scope when a credential may read but not write', async () => {
    const read = await rest('GET', '/incidents/demo:Q3VW8TR', { headers: bearer(reader.key) });
    expect(read.status).toBe(200);
    const write = await rest('POST', '/incidents/demo:Q3VW8TR/acknowledge', { headers: bearer(reader.key) });
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['incidents:write'] });
    const otherCapability = await rest('GET', '/tickets', { headers: bearer(reader.key) });
    expect(otherCapability.body).toMatchObject({ status: 403, missingScopes: ['tickets:read'] });
  });

  it('checks environments: a staging credential reads staging, never production or every environment', async () => {
    const ok = await rest('GET', '/alerts', { headers: bearer(staging.key), query: { environment: 'staging' } });
    expect(ok.status).toBe(200);
    const production = await rest('GET', '/alerts', { headers: bearer(staging.key), query: { environment: 'production' } });
    expect(production.body).toMatchObject({ status: 403, missingScopes: ['env:production'] });
    const header = await rest('GET', '/alerts', { headers: { ...bearer(staging.key), 'x-opsorch-environment': 'production' } });
    expect(header.body).toMatchObject({ status: 403, missingScopes: ['env:production'] });
  });

  it('audits writes and denials with the operation and the actor', async () => {
    const created = await rest('POST', '/incidents', {
      body: { title: 'REST audit', serviceId: 'checkout', severity: 'SEV4' },
      headers: { ...bearer(writer.key), 'idempotency-key': 'rest-audit-1', 'x-request-id': 'rest-audit-req' },
    });
    expect(created.status).toBe(201);
    await rest('POST', '/incidents/demo:Q3VW8TR/acknowledge', { headers: bearer(reader.key) });
    await waitFor(() => audit().some((l) => l.requestId === 'rest-audit-req') && audit().some((l) => l.actor.id === 'reader' && l.outcome === 'denied'));
    const write = audit().find((l) => l.requestId === 'rest-audit-req')!;
    expect(write).toMatchObject({
      actor: { kind: 'service', id: 'writer' },
      credential: { type: 'api-key', id: 'writer' },
      operation: { name: 'CreateIncident', type: 'mutation' },
      variables: { idempotencyKey: 'rest-audit-1' },
      outcome: 'success',
    });
    expect(write.capabilities).toContain('incidents');
    const denied = audit().find((l) => l.actor.id === 'reader' && l.outcome === 'denied')!;
    expect(denied).toMatchObject({ operation: { name: 'AcknowledgeIncident' }, status: 403 });
  });

  it('refuses a body over gateway.limits.maxBodyBytes with 413, and an operation over the cost limit with 400', async () => {
    const big = await rest('POST', '/incidents/demo:Q3VW8TR/notes', { body: { body: 'x'.repeat(5000) }, headers: bearer(writer.key) });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'BODY_TOO_LARGE', limit: 4000 });
    const costly = await rest('GET', '/incidents/demo:Q3VW8TR/timeline', { headers: bearer(writer.key), query: { first: 50 } });
    expect(costly.status).toBe(400);
    expect(costly.body).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MAX_COST', limit: 180 });
    expect((await rest('GET', '/incidents/demo:Q3VW8TR/timeline', { headers: bearer(writer.key), query: { first: 5 } })).status).toBe(200);
  });

  it('rate-limits per actor with 429 and Retry-After', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await rest('GET', '/incidents', { headers: bearer(limited.key), query: { first: 1 } }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(Number(answers[2]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answers[2]!.body).toMatchObject({ code: 'RATE_LIMITED', retryAfter: Number(answers[2]!.headers.get('retry-after')) });
  });
});

describe('trusted documents mode', () => {
  it('runs every REST endpoint, whose operations are in the manifest, and refuses ad hoc GraphQL', async () => {
    const config = writeGatewayConfig({ persistedOperations: { mode: 'trusted', manifest: join(ROOT, 'gateway', 'generated', 'trusted-documents.json') } });
    const gateway = await startTestGateway({ env: { OPSORCH_CONFIG: config } });
    try {
      const rest = restClient(gateway.url);
      expect((await rest('GET', '/incidents/demo:Q3VW8TR/war-room')).status).toBe(200);
      expect((await rest('POST', '/incidents/demo:Q3VW8TR/notes', { body: { body: 'trusted' } })).status).toBe(200);
      const adHoc = await gql(gateway.url, '{ incidents { nodes { id } } }');
      expect(adHoc.errors?.[0]?.extensions?.reason).toBe('OPERATION_NOT_TRUSTED');
    } finally {
      await gateway.close();
    }
  });
});

describe('provider failures', () => {
  let gateway: RunningGateway;
  let rest: ReturnType<typeof restClient>;
  const control: Control = { mode: { kind: 'ok' }, calls: {} };

  beforeAll(async () => {
    gateway = await startTestGateway({
      env: {
        OPSORCH_ALERTS_PROVIDER: 'flaky=controlled',
        OPSORCH_INCIDENTS_PROVIDER: 'demo,pd-eu=controlled',
        OPSORCH_TICKETS_PROVIDER: 'jira=auth',
        OPSORCH_MESSAGING_PROVIDER: 'chat=unsupported',
        OPSORCH_PROVIDER_TIMEOUT_MS: '400',
        OPSORCH_PROVIDER_READ_ATTEMPTS: '1',
        OPSORCH_BREAKER_FAILURES: '1000',
      },
      extraProviders: { controlled: controlled(control), auth: failingWith('PROVIDER_AUTH_FAILED'), unsupported: failingWith('NOT_SUPPORTED') },
    });
    rest = restClient(gateway.url);
  });
  afterAll(async () => {
    control.mode = { kind: 'ok' };
    await gateway?.close();
  });

  it('answers 200 with the failed provider in providerErrors when the others answered', async () => {
    control.mode = { kind: 'fail' };
    const list = await rest('GET', '/incidents', { query: { first: 5 } });
    expect(list.status).toBe(200);
    expect(list.body.data.nodes.length).toBeGreaterThan(0);
    expect(list.body.providerErrors).toEqual([expect.objectContaining({ capability: 'incidents', provider: 'pd-eu', code: 'PROVIDER_UNAVAILABLE' })]);
    expect(list.body.data.providerErrors).toBeUndefined();

    // A part of one resource read from a failing capability: the rest of it still arrives.
    const incident = await rest('GET', '/incidents/demo:Q3VW8TR');
    expect(incident.status).toBe(200);
    expect(incident.body.data.alerts).toBeNull();
    expect(incident.body.providerErrors).toContainEqual(expect.objectContaining({ capability: 'alerts', provider: 'flaky', code: 'PROVIDER_UNAVAILABLE', path: 'alerts' }));
    control.mode = { kind: 'ok' };
  });

  it('maps an unavailable tool to 503, a timeout to 504, a rate-limited tool to 429 with Retry-After, refused credentials to 502', async () => {
    control.mode = { kind: 'fail' };
    const down = await rest('GET', '/alerts');
    expect(down.body).toMatchObject({ status: 503, code: 'PROVIDER_UNAVAILABLE', capability: 'alerts', provider: 'flaky' });
    control.mode = { kind: 'hang' };
    const slow = await rest('GET', '/alerts');
    expect(slow.body).toMatchObject({ status: 504, code: 'PROVIDER_TIMEOUT', provider: 'flaky' });
    // Last: the registry honours the tool's Retry-After for the instance from here on.
    control.mode = { kind: 'rate-limited', retryAfter: 7 };
    const limited = await rest('GET', '/alerts');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfter: 7 });
    const auth = await rest('GET', '/tickets');
    expect(auth.body).toMatchObject({ status: 502, code: 'PROVIDER_AUTH_FAILED', provider: 'jira' });
    const unsupported = await rest('POST', '/messages', { body: { channel: '#general', text: 'hello' } });
    expect(unsupported.body).toMatchObject({ status: 501, code: 'NOT_SUPPORTED' });
    control.mode = { kind: 'ok' };
  });
});
