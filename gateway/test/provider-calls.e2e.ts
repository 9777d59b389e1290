import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services } from '../../adapters/demo/world.ts';
import type { RunningGateway } from '../src/index.ts';
import { gql, startTestGateway } from './harness.ts';
import { WAR_ROOM } from './queries.ts';

/** Creates `count` incidents spread over every catalog service, 50 aliased mutations per request. */
async function createIncidents(url: string, count: number) {
  for (let start = 0; start < count; start += 50) {
    const fields = [];
    for (let i = start; i < Math.min(count, start + 50); i++) {
      const service = services[i % services.length]!.id;
      fields.push(
        `i${i}: createIncident(input: { title: "Load test incident ${i}", serviceId: "${service}", severity: SEV4 }, idempotencyKey: "calls-${i}") { id }`,
      );
    }
    const body = await gql(url, `mutation { ${fields.join('\n')} }`);
    expect(body.errors).toBeUndefined();
  }
}

describe('provider calls do not grow with the number of incidents (DataLoader batching)', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
    await createIncidents(gateway.url, 110);
  });
  afterAll(async () => {
    await gateway.close();
  });

  async function callsFor(first: number) {
    gateway.registry.resetCallCounts();
    const body = await gql(gateway.url, WAR_ROOM, { first });
    expect(body.errors).toBeUndefined();
    expect(body.data.incidents.nodes).toHaveLength(first);
    return gateway.registry.callCounts();
  }

  it('the war-room query costs the same provider calls for N=10 and N=100 incidents', async () => {
    const ten = await callsFor(10);
    const hundred = await callsFor(100);
    // The same batch methods are called, each at most twice (a loader may batch once per query-plan
    // step; whether it needs the second batch depends on which keys the first one already cached).
    // Unbatched, N=100 would cost hundreds of calls.
    expect(Object.keys(hundred).sort()).toEqual(Object.keys(ten).sort());
    for (const counts of [ten, hundred]) {
      for (const [method, count] of Object.entries(counts)) expect(count, method).toBeLessThanOrEqual(2);
    }
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total(hundred)).toBeLessThanOrEqual(2 * Object.keys(hundred).length);
  });
});
