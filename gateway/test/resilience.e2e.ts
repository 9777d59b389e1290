import { afterEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { controlled, type Control } from './controlled-provider.ts';
import { gql, startTestGateway } from './harness.ts';

const SERVICES_WITH_HEALTH = `query ServicesWithHealth { services(first: 5) { nodes { id name health { status } } } }`;

let gateway: RunningGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

function control(): Control {
  return { mode: { kind: 'ok' }, calls: {} };
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
}

describe('a provider outage gives partial data and PROVIDER_UNAVAILABLE, never a hung request', () => {
  it('a hanging provider is cut at its timeout (retries included), then its open circuit answers at once, then it closes again', async () => {
    const alerts = control();
    gateway = await startTestGateway({
      env: {
        OPSORCH_ALERTS_PROVIDER: 'ctl',
        OPSORCH_PROVIDER_TIMEOUT_MS: '600',
        OPSORCH_BREAKER_FAILURES: '2',
        OPSORCH_BREAKER_COOLDOWN_MS: '800',
      },
      extraProviders: { ctl: controlled(alerts) },
    });
    alerts.mode = { kind: 'hang' };
    for (let i = 0; i < 2; i++) {
      const { value: body, ms } = await timed(gql(gateway.url, SERVICES_WITH_HEALTH));
      expect(ms).toBeGreaterThanOrEqual(550);
      expect(ms).toBeLessThan(3_000);
      expect(body.data.services.nodes).toHaveLength(5);
      expect(body.data.services.nodes[0].health).toBeNull();
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_TIMEOUT', capability: 'alerts', provider: 'ctl' });
    }
    expect(gateway.registry.breakerStates()).toContainEqual({ capability: 'alerts', instance: 'ctl', state: 'open' });

    // Open: the failing provider is not even asked; the answer comes well before its timeout.
    const callsBefore = alerts.calls.healthOfServices;
    const { value: refused, ms } = await timed(gql(gateway.url, SERVICES_WITH_HEALTH));
    expect(ms).toBeLessThan(400);
    expect(alerts.calls.healthOfServices).toBe(callsBefore);
    expect(refused.data.services.nodes.map((s: { name: string }) => s.name)).toHaveLength(5);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', capability: 'alerts', provider: 'ctl' });
    expect(refused.errors![0]!.extensions!.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.errors![0]!.message).toMatch(/circuit is open after 2 consecutive failures/);

    // The tool recovers; after the cool-down one probe goes through and closes the circuit.
    alerts.mode = { kind: 'ok' };
    await new Promise((resolve) => setTimeout(resolve, 850));
    const healed = await gql(gateway.url, SERVICES_WITH_HEALTH);
    expect(healed.errors).toBeUndefined();
    expect(healed.data.services.nodes[0].health.status).toEqual(expect.any(String));
    expect(gateway.registry.breakerStates()).toContainEqual({ capability: 'alerts', instance: 'ctl', state: 'closed' });
  });

  it('a provider that keeps failing is retried within its budget and reported PROVIDER_UNAVAILABLE with the rest of the answer', async () => {
    const alerts = control();
    alerts.mode = { kind: 'fail' };
    gateway = await startTestGateway({
      env: { OPSORCH_ALERTS_PROVIDER: 'ctl', OPSORCH_PROVIDER_READ_ATTEMPTS: '3', OPSORCH_BREAKER_FAILURES: '50' },
      extraProviders: { ctl: controlled(alerts) },
    });
    const body = await gql(gateway.url, SERVICES_WITH_HEALTH);
    expect(body.data.services.nodes).toHaveLength(5);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', capability: 'alerts', provider: 'ctl' });
    expect(alerts.calls.healthOfServices).toBe(3);
  });

  it('a mutation is never retried: one failed write is one call', async () => {
    const incidents = control();
    incidents.mode = { kind: 'fail' };
    gateway = await startTestGateway({ env: { OPSORCH_INCIDENTS_PROVIDER: 'ctl' }, extraProviders: { ctl: controlled(incidents) } });
    const body = await gql(
      gateway.url,
      `mutation { acknowledgeIncident(id: "ctl:Q3VW8TR", idempotencyKey: "resilience-ack-1") { id status } }`,
    );
    expect(body.errors![0]!.extensions!.code).toBe('PROVIDER_UNAVAILABLE');
    expect(body.errors![0]!.extensions).toMatchObject({ capability: 'incidents', provider: 'ctl' });
    expect(incidents.calls.acknowledgeIncident).toBe(1);
  });

  it('identical concurrent reads of one auth scope make one upstream call', async () => {
    const alerts = control();
    alerts.mode = { kind: 'slow', delayMs: 300 };
    gateway = await startTestGateway({ env: { OPSORCH_ALERTS_PROVIDER: 'ctl' }, extraProviders: { ctl: controlled(alerts) } });
    const bodies = await Promise.all(Array.from({ length: 5 }, () => gql(gateway!.url, SERVICES_WITH_HEALTH)));
    for (const body of bodies) {
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual(bodies[0]!.data);
    }
    expect(alerts.calls.healthOfServices).toBe(1);
  });
});
