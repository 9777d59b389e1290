import { afterEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { failing, hanging, leaky } from './doubles.ts';
import { captureLogs, gql, startTestGateway } from './harness.ts';

const SERVICES_WITH_HEALTH = `{ services(first: 5) { nodes { id name health { status } } } }`;

let gateway: RunningGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

function noStackTraces(body: unknown) {
  expect(JSON.stringify(body)).not.toMatch(/stacktrace|    at /);
}

describe('one provider failing never takes the rest of the answer down', () => {
  it('a failing alerts provider nulls only the health field, with PROVIDER_UNAVAILABLE', async () => {
    gateway = await startTestGateway({ env: { OPSORCH_ALERTS_PROVIDER: 'failing' }, extraProviders: { failing } });
    const body = await gql(gateway.url, SERVICES_WITH_HEALTH);
    expect(body.status).toBe(200);
    expect(body.data.services.nodes).toHaveLength(5);
    for (const service of body.data.services.nodes) {
      expect(service.name).toEqual(expect.any(String));
      expect(service.health).toBeNull();
    }
    expect(body.errors!.length).toBeGreaterThan(0);
    for (const error of body.errors!) {
      expect(error.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', capability: 'alerts', provider: 'failing' });
    }
    noStackTraces(body);
  });

  it('a hanging provider is cut at its timeout and the rest of the answer arrives', async () => {
    gateway = await startTestGateway({
      env: { OPSORCH_ALERTS_PROVIDER: 'hanging', OPSORCH_PROVIDER_TIMEOUT_MS: '300' },
      extraProviders: { hanging },
    });
    const started = Date.now();
    const body = await gql(gateway.url, SERVICES_WITH_HEALTH);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(body.data.services.nodes).toHaveLength(5);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_TIMEOUT', capability: 'alerts', provider: 'hanging' });
  });

  it('a merged list keeps the healthy instance and reports the failed one in providerErrors', async () => {
    gateway = await startTestGateway({ env: { OPSORCH_INCIDENTS_PROVIDER: 'demo,pd-eu=failing' }, extraProviders: { failing } });
    const body = await gql(gateway.url, `{ incidents(first: 3) { nodes { id title } providerErrors { capability provider code message } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.incidents.nodes.length).toBeGreaterThan(0);
    for (const incident of body.data.incidents.nodes) expect(incident.id).toMatch(/^demo:/);
    expect(body.data.incidents.providerErrors).toEqual([
      expect.objectContaining({ capability: 'incidents', provider: 'pd-eu', code: 'PROVIDER_UNAVAILABLE' }),
    ]);
  });

  it('when every instance of a list fails the field errors, and sibling fields still answer', async () => {
    gateway = await startTestGateway({ env: { OPSORCH_INCIDENTS_PROVIDER: 'failing' }, extraProviders: { failing } });
    const body = await gql(gateway.url, `{ incidents(first: 3) { nodes { id } } services(first: 2) { nodes { id } } }`);
    expect(body.data.incidents).toBeNull();
    expect(body.data.services.nodes).toHaveLength(2);
    expect(body.errors![0]).toMatchObject({ path: ['incidents'], extensions: { code: 'PROVIDER_UNAVAILABLE', capability: 'incidents' } });
  });
});

describe('secrets', () => {
  it('a secret resolved from config never appears in a response or a log line, even when the upstream echoes it', async () => {
    const secret = 'planted-secret-7f3a9c2e41';
    const logs = captureLogs();
    gateway = await startTestGateway({
      env: {
        OPSORCH_ALERTS_PROVIDER: 'leaky',
        OPSORCH_ALERTS_CONFIG: JSON.stringify({ apiToken: 'secret://env/LEAKY_TOKEN' }),
        LEAKY_TOKEN: secret,
      },
      extraProviders: { leaky },
      logger: logs.logger,
    });
    const body = await gql(gateway.url, `{ alerts(first: 5) { nodes { id } } ${SERVICES_WITH_HEALTH.slice(1, -1)} }`);
    expect(body.errors!.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toContain(secret);
    expect(JSON.stringify(body)).toContain('[REDACTED]');
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const line of logs.lines) expect(line).not.toContain(secret);
  });
});

describe('bad input', () => {
  it('a malformed query answers BAD_USER_INPUT with the reason', async () => {
    gateway = await startTestGateway();
    const body = await gql(gateway.url, `{ services(first: 2) { nodes { nope } } }`);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' });
    expect(body.errors![0]!.message).toContain('nope');
  });

  it('first above the maximum is refused with a message saying the limit', async () => {
    gateway = await startTestGateway();
    const body = await gql(gateway.url, `{ services(first: 5000) { nodes { id } } }`);
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toMatch(/between 0 and 200/);
  });
});
