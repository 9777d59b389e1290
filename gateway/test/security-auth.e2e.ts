import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { gql, startTestGateway } from './harness.ts';
import { apiKey, bearer, startIdentityProvider, tempDir, writeGatewayConfig } from './security-fixtures.ts';

const INCIDENT_TITLES = '{ incidents(first: 2) { nodes { id title } } }';
const INCIDENT_OWNERS = '{ incidents(first: 1) { nodes { id service { id owner { name } } } } }';
const ACKNOWLEDGE = 'mutation Ack($id: ID!) { acknowledgeIncident(id: $id, idempotencyKey: "sec-ack") { id status } }';
const PRODUCTION_DEPLOYS = '{ deployments(first: 2, filter: { scope: { environment: "production" } }) { nodes { id environment } } }';
const STAGING_DEPLOYS = '{ deployments(first: 2, filter: { scope: { environment: "staging" } }) { nodes { id environment } } }';
const ALL_DEPLOYS = '{ deployments(first: 2) { nodes { id environment } } }';

describe('authentication and authorization', () => {
  let gateway: RunningGateway;
  let idp: Awaited<ReturnType<typeof startIdentityProvider>>;
  let auditFile: string;
  const reader = apiKey('incident-reader', ['incidents:read']);
  const responder = apiKey('responder', ['*:read', 'incidents:write'], { actor: 'user' });
  const staging = apiKey('staging-ci', ['*:read'], { environments: ['staging'] });
  const agent = apiKey('triage-agent', ['*:read'], { actor: 'agent' });
  const platform = apiKey('status-page', ['platform:read']);
  const auditLines = () => readFileSync(auditFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);

  beforeAll(async () => {
    idp = await startIdentityProvider();
    const dir = tempDir();
    auditFile = join(dir, 'audit.jsonl');
    const config = writeGatewayConfig(
      {
        auth: {
          apiKeys: [reader.entry, responder.entry, staging.entry, agent.entry, platform.entry],
          jwt: { jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience, jwksCooldownSeconds: 0 },
        },
        audit: { sinks: [{ type: 'file', path: auditFile }] },
      },
      dir,
    );
    gateway = await startTestGateway({ env: { OPSORCH_CONFIG: config } });
  });
  afterAll(async () => {
    await gateway?.close();
    await idp?.close();
  });

  it('answers 401 UNAUTHENTICATED without credentials, with a WWW-Authenticate challenge', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: INCIDENT_TITLES }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.errors[0].message).toMatch(/Authorization: Bearer/);
  });

  it('answers 401 for an unknown API key and a malformed Authorization header', async () => {
    const unknown = await gql(gateway.url, INCIDENT_TITLES, undefined, bearer('oo_not-a-real-key-at-all-0000000000'));
    expect(unknown.status).toBe(401);
    expect(unknown.errors![0]!.extensions!.reason).toBe('API_KEY_UNKNOWN');
    const basic = await gql(gateway.url, INCIDENT_TITLES, undefined, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(basic.status).toBe(401);
    expect(basic.errors![0]!.message).toMatch(/Bearer/);
  });

  it('runs a query the key has the scope for (Bearer or X-API-Key)', async () => {
    const viaBearer = await gql(gateway.url, INCIDENT_TITLES, undefined, bearer(reader.key));
    expect(viaBearer.errors).toBeUndefined();
    expect(viaBearer.data.incidents.nodes).toHaveLength(2);
    const viaHeader = await gql(gateway.url, INCIDENT_TITLES, undefined, { 'x-api-key': reader.key });
    expect(viaHeader.data.incidents.nodes).toHaveLength(2);
  });

  it('grants platform:read on its own: provider health, and nothing else', async () => {
    const providers = await gql(gateway.url, '{ providers(capability: "incidents") { instance health } }', undefined, bearer(platform.key));
    expect(providers.errors).toBeUndefined();
    expect(providers.data.providers[0]).toMatchObject({ instance: 'demo', health: 'UP' });
    const incidents = await gql(gateway.url, INCIDENT_TITLES, undefined, bearer(platform.key));
    expect(incidents.status).toBe(403);
    expect(incidents.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['incidents:read'] });
    const denied = await gql(gateway.url, '{ providers { instance } }', undefined, bearer(reader.key));
    expect(denied.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['platform:read'] });
  });

  it('refuses a field of another capability with FORBIDDEN naming the missing scopes and the fields', async () => {
    const body = await gql(gateway.url, INCIDENT_OWNERS, undefined, bearer(reader.key));
    expect(body.status).toBe(403);
    expect(body.data).toBeUndefined();
    const error = body.errors![0]!;
    expect(error.extensions!.code).toBe('FORBIDDEN');
    expect(error.extensions!.missingScopes).toEqual(['services:read', 'teams:read']);
    expect(error.extensions!.fields).toEqual({ 'services:read': ['Service.owner'], 'teams:read': ['Team.name'] });
    expect(error.message).toContain('services:read (for Service.owner)');
  });

  it('refuses a mutation without the write scope, naming it, and audits the denial', async () => {
    const incidents = await gql(gateway.url, INCIDENT_TITLES, undefined, bearer(reader.key));
    const id = incidents.data.incidents.nodes[0].id as string;
    const denied = await gql(gateway.url, ACKNOWLEDGE, { id }, bearer(reader.key));
    expect(denied.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(denied.errors![0]!.extensions!.missingScope).toBe('incidents:write');
    expect(denied.errors![0]!.message).toMatch(/incidents:write \(for Mutation\.acknowledgeIncident\)/);

    const allowed = await gql(gateway.url, ACKNOWLEDGE, { id }, bearer(responder.key));
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data.acknowledgeIncident.id).toBe(id);

    // Audit sinks write after the answer is sent: wait for the lines rather than race them.
    await vi.waitFor(() => expect(auditLines().filter((l) => l.operation.name === 'Ack')).toHaveLength(2));
    const lines = auditLines().filter((l) => l.operation.name === 'Ack');
    expect(lines.map((l) => [l.actor.id, l.outcome])).toEqual([
      ['incident-reader', 'denied'],
      ['responder', 'success'],
    ]);
    const success = lines[1]!;
    expect(success).toMatchObject({
      actor: { kind: 'user', id: 'responder' },
      credential: { type: 'api-key', id: 'responder' },
      operation: { type: 'mutation', fields: ['acknowledgeIncident'] },
      variables: { id },
      capabilities: ['incidents'],
      providers: ['incidents/demo'],
      status: 200,
    });
    expect(success.durationMs).toBeGreaterThan(0);
    expect(success.requestId).toMatch(/[0-9a-f-]{36}/);
  });

  it('keeps a staging key out of production: arguments, the environment header and production-only fields', async () => {
    const production = await gql(gateway.url, PRODUCTION_DEPLOYS, undefined, bearer(staging.key));
    expect(production.status).toBe(403);
    expect(production.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', missingScope: 'env:production' });

    const viaVariable = await gql(
      gateway.url,
      'query($env: String) { deployments(first: 1, filter: { scope: { environment: $env } }) { nodes { id } } }',
      { env: 'production' },
      bearer(staging.key),
    );
    expect(viaVariable.errors![0]!.extensions!.missingScope).toBe('env:production');

    const header = await gql(gateway.url, STAGING_DEPLOYS, undefined, { ...bearer(staging.key), 'x-opsorch-environment': 'production' });
    expect(header.status).toBe(403);
    expect(header.errors![0]!.extensions!.missingScope).toBe('env:production');

    const goldenSignals = await gql(gateway.url, '{ service(id: "checkout") { goldenSignals { step } } }', undefined, bearer(staging.key));
    expect(goldenSignals.errors?.[0]?.extensions?.missingScope).toBe('env:production');

    const everywhere = await gql(gateway.url, ALL_DEPLOYS, undefined, bearer(staging.key));
    expect(everywhere.errors![0]!.extensions!.missingScope).toBe('env:*');
    expect(everywhere.errors![0]!.message).toMatch(/limited to environment "staging"/);

    const own = await gql(gateway.url, STAGING_DEPLOYS, undefined, bearer(staging.key));
    expect(own.errors).toBeUndefined();
    expect(own.data.deployments.nodes.length).toBeGreaterThan(0);
    for (const node of own.data.deployments.nodes) expect(node.environment).toBe('staging');

    // A key for every environment reads production.
    const responderView = await gql(gateway.url, PRODUCTION_DEPLOYS, undefined, bearer(responder.key));
    expect(responderView.errors).toBeUndefined();
  });

  it('verifies JWTs against the JWKS: scopes from the token, and expiry, audience and issuer checked', async () => {
    const token = await idp.sign({ sub: 'maya', email: 'maya.patel@acme-shop.example', scope: 'openid incidents:read' });
    const ok = await gql(gateway.url, INCIDENT_TITLES, undefined, bearer(token));
    expect(ok.errors).toBeUndefined();
    const forbidden = await gql(gateway.url, INCIDENT_OWNERS, undefined, bearer(token));
    expect(forbidden.errors![0]!.extensions!.code).toBe('FORBIDDEN');

    const expired = await idp.sign({ sub: 'maya', scope: 'incidents:read' }, { expiresIn: Math.floor(Date.now() / 1000) - 3600 });
    const expiredAnswer = await gql(gateway.url, INCIDENT_TITLES, undefined, bearer(expired));
    expect(expiredAnswer.status).toBe(401);
    expect(expiredAnswer.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });

    const otherAudience = await idp.sign({ sub: 'maya', scope: 'incidents:read' }, { audience: 'someone-else' });
    const audienceAnswer = await gql(gateway.url, INCIDENT_TITLES, undefined, bearer(otherAudience));
    expect(audienceAnswer.errors![0]!.message).toMatch(/"aud" claim is not accepted \(expected audience opsorch\)/);

    const otherIssuer = await idp.sign({ sub: 'maya', scope: 'incidents:read' }, { issuer: 'https://evil.example/' });
    expect((await gql(gateway.url, INCIDENT_TITLES, undefined, bearer(otherIssuer))).status).toBe(401);

    const tampered = `${token.slice(0, -4)}AAAA`;
    expect((await gql(gateway.url, INCIDENT_TITLES, undefined, bearer(tampered))).errors![0]!.extensions!.reason).toBe('TOKEN_SIGNATURE_INVALID');
  });

  it('follows a key rotation of the identity provider without a restart', async () => {
    const before = await idp.sign({ sub: 'maya', scope: 'incidents:read' });
    expect((await gql(gateway.url, INCIDENT_TITLES, undefined, bearer(before))).errors).toBeUndefined();
    await idp.rotate('key-2');
    const after = await idp.sign({ sub: 'maya', scope: 'incidents:read' }, { kid: 'key-2' });
    const rotated = await gql(gateway.url, INCIDENT_TITLES, undefined, bearer(after));
    expect(rotated.errors).toBeUndefined();
    // The withdrawn key is no longer trusted once the new key set has been fetched.
    const stale = await gql(gateway.url, INCIDENT_TITLES, undefined, bearer(before));
    expect(stale.status).toBe(401);
    expect(stale.errors![0]!.extensions!.reason).toBe('TOKEN_KEY_UNKNOWN');
  });

  it('marks agents in the audit log: an agent key, and an agent forwarding a person’s token', async () => {
    const mutation = 'mutation Note($id: ID!) { addIncidentNote(incidentId: $id, body: "checked by the agent", idempotencyKey: "agent-note") { id } }';
    const id = (await gql(gateway.url, INCIDENT_TITLES, undefined, bearer(reader.key))).data.incidents.nodes[1].id as string;
    const byAgentKey = await gql(gateway.url, mutation, { id }, bearer(agent.key));
    expect(byAgentKey.errors![0]!.extensions!.missingScope).toBe('incidents:write');

    const token = await idp.sign({ sub: 'maya', email: 'maya.patel@acme-shop.example', scope: 'incidents:write' }, { kid: 'key-2' });
    const forwarded = await gql(gateway.url, mutation, { id }, { ...bearer(token), 'x-opsorch-actor': 'agent:claude-desktop' });
    expect(forwarded.errors).toBeUndefined();
    // A header cannot claim to be another person.
    await gql(gateway.url, mutation.replace('agent-note', 'spoof-note'), { id }, { ...bearer(token), 'x-opsorch-actor': 'user:ceo@acme-shop.example' });

    await vi.waitFor(() => expect(auditLines().filter((l) => l.operation.name === 'Note')).toHaveLength(3));
    const notes = auditLines().filter((l) => l.operation.name === 'Note');
    expect(notes.map((l) => l.actor)).toEqual([
      { kind: 'agent', id: 'triage-agent' },
      { kind: 'agent', id: 'claude-desktop', onBehalfOf: 'user:maya' },
      { kind: 'user', id: 'maya' },
    ]);
    expect(notes[0]!.outcome).toBe('denied');
  });
});

describe('anonymous access', () => {
  it('is refused once credentials are configured, unless enabled on purpose with its own scopes', async () => {
    const key = apiKey('ops', ['*']);
    const readOnly = writeGatewayConfig({
      auth: { apiKeys: [key.entry], anonymous: { enabled: true, scopes: ['*:read'] } },
      audit: { sinks: [] },
    });
    const gateway = await startTestGateway({ env: { OPSORCH_CONFIG: readOnly } });
    try {
      expect((await gql(gateway.url, INCIDENT_TITLES)).errors).toBeUndefined();
      const mutation = await gql(gateway.url, 'mutation { createIncident(input: { title: "x", serviceId: "checkout", severity: SEV4 }) { id } }');
      expect(mutation.errors![0]!.extensions!.missingScope).toBe('incidents:write');
    } finally {
      await gateway.close();
    }
  });

  it('is on by default in the open demo, and the start-up log says so', async () => {
    const { captureLogs } = await import('./harness.ts');
    const logs = captureLogs();
    const gateway = await startTestGateway({ logger: logs.logger });
    try {
      expect((await gql(gateway.url, INCIDENT_TITLES)).errors).toBeUndefined();
      const line = logs.lines.map((l) => JSON.parse(l) as Record<string, any>).find((l) => String(l.msg).startsWith('security'));
      expect(line?.level).toBe(40);
      expect(line?.msg).toMatch(/anonymous access with every scope \(demo default/);
    } finally {
      await gateway.close();
    }
  });
});

describe('configuration errors', () => {
  it('stop start-up with a message naming the key or variable to fix', async () => {
    const badHash = writeGatewayConfig({ auth: { apiKeys: [{ name: 'ci', hash: 'plaintext-key', scopes: ['*'] }] } });
    await expect(startTestGateway({ env: { OPSORCH_CONFIG: badHash } })).rejects.toThrow(/gateway\.auth\.apiKeys\[0\]\.hash: expected `sha256:`/);
    const badScope = writeGatewayConfig({ auth: { apiKeys: [{ ...apiKey('ci', ['incidents:admin']).entry }] } });
    await expect(startTestGateway({ env: { OPSORCH_CONFIG: badScope } })).rejects.toThrow(/gateway\.auth\.apiKeys\[0\]\.scopes\[0\]: a scope is/);
    await expect(startTestGateway({ env: { OPSORCH_MAX_DEPTH: 'deep' } })).rejects.toThrow(/OPSORCH_MAX_DEPTH: expected a whole number/);
    await expect(startTestGateway({ env: { OPSORCH_JWT_JWKS_URL: 'not a url' } })).rejects.toThrow(/OPSORCH_JWT_JWKS_URL/);
  });
});
