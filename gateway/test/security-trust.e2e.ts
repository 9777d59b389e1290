// Trust boundaries of the gateway (decision 014): what only the gateway may say (time, actor) is never taken from
// a client's header, an agent acting for a person leaves the person in the tool's record, and rate limits hold
// across replicas through Redis.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSubgraphServer, type RunningGateway } from '../src/index.ts';
import { captureLogs, gql, startTestGateway } from './harness.ts';
import { apiKey, auditLinesOf, bearer, startRedis, tempDir, writeGatewayConfig } from './security-fixtures.ts';

const NOTE = 'mutation Note($body: String!) { addIncidentNote(incidentId: "demo:Q3VW8TR", body: $body) { id } }';
const LATEST = '{ incident(id: "demo:Q3VW8TR") { timeline(first: 1) { nodes { at message actor { id } } } } }';

describe('forged internal headers', () => {
  let gateway: RunningGateway;
  let auditFile: string;
  const maya = apiKey('maya.patel@acme-shop.example', ['*'], { actor: 'user' });

  beforeAll(async () => {
    const dir = tempDir();
    auditFile = join(dir, 'audit.jsonl');
    const config = writeGatewayConfig(
      { auth: { apiKeys: [maya.entry], anonymous: { enabled: true, scopes: ['incidents:*'] } }, audit: { sinks: [{ type: 'file', path: auditFile }] } },
      dir,
    );
    gateway = await startTestGateway({ env: { OPSORCH_CONFIG: config } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  async function latest(): Promise<{ at: string; message: string; actor: { id: string } | null }> {
    const answer = await gql(gateway.url, LATEST, undefined, bearer(maya.key));
    return answer.data.incident.timeline.nodes[0];
  }

  it('ignores X-OpsOrch-Now from a client: a write cannot be backdated', async () => {
    const before = Date.now();
    const note = await gql(gateway.url, NOTE, { body: 'backdated?' }, { ...bearer(maya.key), 'x-opsorch-now': '2001-09-09T01:46:40Z' });
    expect(note.errors).toBeUndefined();
    const entry = await latest();
    expect(entry.message).toBe('backdated?');
    expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('keeps the person in the timeline when an agent acts with their credential, and names the agent in the audit log', async () => {
    const note = await gql(gateway.url, NOTE, { body: 'from the agent' }, { ...bearer(maya.key), 'x-opsorch-actor': 'agent:claude-desktop' });
    expect(note.errors).toBeUndefined();
    const entry = await latest();
    expect(entry.message).toBe('from the agent');
    expect(entry.actor).toEqual({ id: 'maya.patel@acme-shop.example' });
    await vi.waitFor(() => expect(auditLinesOf(auditFile).some((l) => l.actor.id === 'claude-desktop')).toBe(true));
    const line = auditLinesOf(auditFile).find((l) => l.actor.id === 'claude-desktop')!;
    expect(line.actor).toEqual({ kind: 'agent', id: 'claude-desktop', onBehalfOf: 'user:maya.patel@acme-shop.example' });
  });

  it('lets no anonymous caller claim a person once credentials exist', async () => {
    const note = await gql(gateway.url, NOTE, { body: 'claimed to be the CEO' }, { 'x-opsorch-actor': 'user:ceo@acme-shop.example' });
    expect(note.errors).toBeUndefined();
    const entry = await latest();
    expect(entry.message).toBe('claimed to be the CEO');
    expect(entry.actor).toBeNull();
  });
});

describe('subgraphs behind another router (gateway.subgraphs.trust: network)', () => {
  it('trust the forwarded headers only when told to, and say so at start-up', async () => {
    const logs = captureLogs();
    const subgraph = await startSubgraphServer({ name: 'incidents', port: 0, host: '127.0.0.1', env: { OPSORCH_SUBGRAPH_TRUST: 'network' }, logger: logs.logger });
    try {
      expect(logs.lines.some((l) => l.includes('trusts the actor, time and environment headers'))).toBe(true);
      const gateway = await startTestGateway({ subgraphUrls: { incidents: subgraph.url }, env: { OPSORCH_SUBGRAPH_TRUST: 'network' } });
      try {
        const answer = await gql(gateway.url, '{ incidents(first: 1) { nodes { id } } }');
        expect(answer.errors).toBeUndefined();
        expect(answer.data.incidents.nodes).toHaveLength(1);
      } finally {
        await gateway.close();
      }
    } finally {
      await subgraph.close();
    }
  });
});

describe('rate limits shared by replicas through Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  const replicas: RunningGateway[] = [];
  const ci = apiKey('ci', ['*:read']);
  const fresh = apiKey('fresh', ['*:read']);

  beforeAll(async () => {
    redis = await startRedis();
    const config = writeGatewayConfig({
      auth: { apiKeys: [ci.entry, fresh.entry] },
      audit: { sinks: [] },
      limits: { rateLimit: { requestsPerMinute: 6, burst: 4 } },
      caches: { redisUrl: 'secret://env/TEST_REDIS_URL' },
    });
    for (let i = 0; i < 2; i++) replicas.push(await startTestGateway({ env: { OPSORCH_CONFIG: config, TEST_REDIS_URL: redis.url } }));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await redis?.stop();
  });

  it('gives an actor its burst once across both replicas, not once per replica', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const answer = await gql(replicas[i % 2]!.url, '{ services(first: 1) { nodes { id } } }', undefined, bearer(ci.key));
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses.slice(4)).toEqual([429, 429, 429, 429]);
  });

  it('keeps answering (limited per replica) when Redis goes away', async () => {
    await redis.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await gql(replicas[0]!.url, '{ services(first: 1) { nodes { id } } }', undefined, bearer(fresh.key))).status);
    // The replica's own bucket: the burst, then refusals, and never an error for the missing Redis.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
