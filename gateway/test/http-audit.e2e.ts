import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { startTestGateway } from './harness.ts';

describe('GraphQL over HTTP conformance (graphql-http audit)', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('has no audit result of status "error"', async () => {
    const results = await auditServer({ url: gateway.url });
    const errors = results.filter((result) => result.status === 'error');
    const described = await Promise.all(errors.map(async (e) => `${e.id} ${e.name}: ${'reason' in e ? e.reason : ''}`));
    expect(described).toEqual([]);
    expect(results.filter((r) => r.status === 'ok').length).toBeGreaterThan(10);
  });
});
