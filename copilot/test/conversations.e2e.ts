// Where conversations live: limits on count, size and age in memory and in Redis, and two replicas sharing one
// Redis (a turn started on one is streamed, read and decided on the other).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis } from '../../gateway/test/security-fixtures.ts';
import { RedisConversationStore } from '../src/conversations/redis.ts';
import { MemoryConversationStore, type ConversationLimits, type ConversationStore } from '../src/conversations/store.ts';
import type { Conversation, CopilotEvent } from '../src/types.ts';
import { answerOf, api, readEvents, startCopilotGateway, type CopilotTestServer } from './harness.ts';

function make_(id: string, owner: string, title: string, updatedAt = new Date().toISOString(), turns = 1): Conversation {
  const events: CopilotEvent[] = [];
  for (let t = 1; t <= turns; t++) {
    events.push({ type: 'turn', turnId: `t${t}`, question: `${title} ${t}`, planner: 'builtin', seq: events.length + 1, at: updatedAt });
    for (let i = 0; i < 20; i++) events.push({ type: 'message', text: 'x'.repeat(200), turnId: `t${t}`, seq: events.length + 1, at: updatedAt });
  }
  return {
    id,
    owner,
    title,
    context: {},
    createdAt: updatedAt,
    updatedAt,
    turns: Array.from({ length: turns }, (_, i) => ({ id: `t${i + 1}`, question: `${title} ${i + 1}`, planner: 'builtin' as const, status: 'completed' as const, startedAt: updatedAt })),
    events,
    approvals: [],
  };
}

function limitTests(name: string, make: (limits: ConversationLimits) => Promise<ConversationStore>) {
  describe(`${name} store limits`, () => {
    // Ids and owners of their own, so a store shared with other tests (Redis) does not mix them up.
    const run = Math.random().toString(36).slice(2, 8);
    const conversation = (id: string, owner: string, title: string, updatedAt?: string, turns?: number) => make_(`${run}-${id}`, `${owner}-${run}`, title, updatedAt, turns);
    const ids = (list: { id: string }[]) => list.map((c) => c.id.slice(run.length + 1));
    it('keeps at most maxConversations, dropping the least recently updated', async () => {
      const store = await make({ maxConversations: 2, maxBytes: 1_000_000, maxAgeMs: 3_600_000 });
      await store.save(conversation('a', 'user:x', 'checkout errors', new Date(Date.now() - 3000).toISOString()));
      await store.save(conversation('b', 'user:x', 'orders-db pool', new Date(Date.now() - 2000).toISOString()));
      await store.save(conversation('c', 'user:x', 'stripe latency', new Date(Date.now() - 1000).toISOString()));
      expect(await store.get(`${run}-a`)).toBeNull();
      expect(ids(await store.list(`user:x-${run}`, { limit: 10 }))).toEqual(['c', 'b']);
      expect(ids(await store.list(`user:x-${run}`, { text: 'ORDERS pool', limit: 10 }))).toEqual(['b']);
      expect(await store.list(`user:y-${run}`, { limit: 10 })).toEqual([]);
      await store.close();
    });

    it('fits a conversation into maxBytes by dropping older turns’ events, and forgets what is too old', async () => {
      const store = await make({ maxConversations: 10, maxBytes: 6_000, maxAgeMs: 1000 });
      await store.save(conversation('big', 'user:x', 'three turns', new Date().toISOString(), 3));
      const kept = (await store.get(`${run}-big`))!;
      expect(kept.turns).toHaveLength(3);
      expect(new Set(kept.events.map((e) => e.turnId))).toEqual(new Set(['t3']));
      await store.save(conversation('old', 'user:x', 'stale', new Date(Date.now() - 5000).toISOString()));
      expect(await store.get(`${run}-old`)).toBeNull();
      expect(ids(await store.list(`user:x-${run}`, { limit: 10 }))).toEqual(['big']);
      await store.close();
    });
  });
}

limitTests('memory', async (limits) => new MemoryConversationStore(limits));

describe('with Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  const replicas: CopilotTestServer[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const limits = { maxConversations: 100, maxBytes: 2_000_000, maxAgeMs: 3_600_000 };
    for (let i = 0; i < 2; i++) replicas.push(await startCopilotGateway({ store: new RedisConversationStore(redis.url, limits) }));
  }, 120_000);

  afterAll(async () => {
    for (const r of replicas) await r.close();
    await redis?.stop();
  });

  limitTests('redis', async (limits) => new RedisConversationStore(redis.url, limits));

  it('shares conversations between replicas: started on one, streamed live, read and decided on the other', async () => {
    const [a, b] = replicas as [CopilotTestServer, CopilotTestServer];
    const headers = { 'x-opsorch-actor': 'user:olivia.brooks@acme-shop.example' };
    const started = await api(a.url, '/conversations', { body: { question: 'what is happening?', context: { incidentId: 'demo:Q8MZ4KD' } }, headers });
    expect(started.status).toBe(202);
    const id = started.body.conversation.id as string;
    // Watch on the other replica while the first one runs the turn.
    const stream = await readEvents(`${b.url}/conversations/${id}/events`, { headers });
    expect(stream.events.map((e) => e.seq)).toEqual(stream.events.map((_, i) => i + 1));
    expect(stream.events.at(-1)).toMatchObject({ type: 'done', status: 'completed' });
    expect(answerOf(stream.events).mostLikelyCause?.service).toBe('orders-db');
    const listed = await api(b.url, '/conversations', { headers });
    expect(listed.body.conversations.map((c: { id: string }) => c.id)).toContain(id);
    const approval = stream.events.flatMap((e) => (e.type === 'approval_required' ? [e.approval] : [])).find((x) => x.tool === 'add_incident_note')!;
    const approved = await api(b.url, `/conversations/${id}/approvals/${approval.id}/approve`, { body: {}, headers });
    expect(approved.body.approval.status).toBe('executed');
    const onA = await api(a.url, `/conversations/${id}`, { headers });
    expect(onA.body.conversation.approvals.find((x: { id: string }) => x.id === approval.id).status).toBe('executed');
  });
});
