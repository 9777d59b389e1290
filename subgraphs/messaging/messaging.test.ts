import { describe, it, expect } from 'vitest';
import { createSubgraphRunner } from '../shared/testing.ts';
import { messagingSubgraph } from './index.ts';

function codeOf(result: { errors?: readonly { extensions?: Record<string, unknown> }[] }): unknown {
  return result.errors?.[0]?.extensions?.code;
}

const CHANNEL = 'id name topic isIncidentChannel lastMessageAt url source { provider instance id }';

describe('messaging subgraph: reads', () => {
  it('finds an incident channel by name with or without # and lists its messages newest first', async () => {
    const runner = createSubgraphRunner(messagingSubgraph);
    const result: any = await runner.run(`{
      a: channelByName(name: "#inc-1042-checkout-5xx") { ${CHANNEL} messages(first: 50) { nodes { id text authorName author { id } postedAt url channel { id } } } }
      b: channelByName(name: "INC-1042-checkout-5xx") { id }
      none: channelByName(name: "#does-not-exist") { id }
    }`);
    expect(result.errors).toBeUndefined();
    const channel = result.data.a;
    expect(channel).toMatchObject({ name: '#inc-1042-checkout-5xx', isIncidentChannel: true, source: { provider: 'demo', instance: 'demo' } });
    expect(channel.url).toBe(`https://acme-shop.slack.com/archives/${channel.source.id}`);
    expect(result.data.b.id).toBe(channel.id);
    expect(result.data.none).toBeNull();
    const messages = channel.messages.nodes;
    expect(messages.map((m: any) => m.postedAt)).toEqual([...messages.map((m: any) => m.postedAt)].sort().reverse());
    expect(messages[0].postedAt).toBe(channel.lastMessageAt);
    expect(messages.some((m: any) => m.author?.id === 'jonas.weber@acme-shop.example' && m.text.includes('Rollback to v2.13.4'))).toBe(true);
    expect(messages.some((m: any) => m.author === null && m.authorName === 'PagerDuty')).toBe(true);
    for (const m of messages) {
      expect(m.channel.id).toBe(channel.id);
      expect(m.url).toMatch(/^https:\/\/acme-shop\.slack\.com\/archives\/C[0-9A-F]+\/p\d{16}$/);
    }
  });

  it('lists team and incident channels, filters them, and pages without gaps or duplicates', async () => {
    const runner = createSubgraphRunner(messagingSubgraph);
    const all: any = await runner.run('{ channels(first: 200) { totalCount nodes { id name lastMessageAt } } }');
    const expected = all.data.channels.nodes;
    expect(expected.map((c: any) => c.name)).toEqual(expect.arrayContaining(['#team-payments', '#inc-1043-orders-db-pool']));
    expect(expected.map((c: any) => c.lastMessageAt)).toEqual([...expected.map((c: any) => c.lastMessageAt)].sort().reverse());
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const page: any = await runner.run('query($after: String) { channels(first: 3, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }', { after });
      seen.push(...page.data.channels.nodes.map((n: any) => n.id));
      if (!page.data.channels.pageInfo.hasNextPage) break;
      after = page.data.channels.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected.map((c: any) => c.id));

    const incidents: any = await runner.run('{ channels(filter: { incidentOnly: true }, first: 200) { nodes { name isIncidentChannel } } }');
    expect(incidents.data.channels.nodes.length).toBe(5);
    expect(incidents.data.channels.nodes.every((c: any) => c.isIncidentChannel && c.name.startsWith('#inc-'))).toBe(true);
    const text: any = await runner.run('{ channels(filter: { text: "#TEAM-pay" }) { nodes { name } } }');
    expect(text.data.channels.nodes.map((c: any) => c.name)).toEqual(['#team-payments']);
  });

  it('pages through a channel\'s messages', async () => {
    const runner = createSubgraphRunner(messagingSubgraph);
    const q = 'query($after: String) { channelByName(name: "inc-1040-stripe-latency") { messages(first: 2, after: $after) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } } }';
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (let guard = 0; guard < 20; guard++) {
      const page: any = await runner.run(q, { after });
      const messages = page.data.channelByName.messages;
      total = messages.totalCount;
      seen.push(...messages.nodes.map((n: any) => n.id));
      if (!messages.pageInfo.hasNextPage) break;
      after = messages.pageInfo.endCursor;
    }
    expect(total).toBeGreaterThan(4);
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('resolves Channel entities and costs a constant number of provider calls for many channels', async () => {
    const runner = createSubgraphRunner(messagingSubgraph);
    const list: any = await runner.run('{ channels(first: 200) { nodes { id } } }');
    const ids: string[] = list.data.channels.nodes.map((c: any) => c.id);
    expect(ids.length).toBeGreaterThanOrEqual(8);
    runner.registry.resetCallCounts();
    const result: any = await runner.run(
      'query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Channel { id name messages(first: 3) { nodes { text channel { name } } } } } }',
      { reps: [...ids, ...ids].map((id) => ({ __typename: 'Channel', id })) },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities.map((c: any) => c.id)).toEqual([...ids, ...ids]);
    expect(runner.registry.callCounts()).toEqual({ 'messaging/demo.getMany': 1, 'messaging/demo.messagesForChannels': 1 });
  });
});

describe('messaging subgraph: sendMessage', () => {
  const send = 'mutation($input: SendMessageInput!, $key: String) { sendMessage(input: $input, idempotencyKey: $key) { id text author { id } authorName threadId url channel { id name lastMessageAt } } }';

  it('posts as the caller once per idempotency key and shows up first in the channel', async () => {
    const runner = createSubgraphRunner(messagingSubgraph);
    const input = { channel: '#inc-1043-orders-db-pool', text: '  Pausing the inventory reconciliation job now.  ' };
    const first: any = await runner.run(send, { input, key: 'm-1' });
    expect(first.errors).toBeUndefined();
    const message = first.data.sendMessage;
    expect(message).toMatchObject({ text: 'Pausing the inventory reconciliation job now.', author: null, authorName: 'OpsOrch', threadId: null });
    expect(message.channel.lastMessageAt).not.toBeNull();
    const again: any = await runner.run(send, { input, key: 'm-1' });
    expect(again.data.sendMessage.id).toBe(message.id);
    const listed: any = await runner.run('{ channelByName(name: "#inc-1043-orders-db-pool") { messages(first: 200) { nodes { id text } } } }');
    const nodes = listed.data.channelByName.messages.nodes;
    expect(nodes[0].id).toBe(message.id);
    expect(nodes.filter((n: any) => n.text === 'Pausing the inventory reconciliation job now.')).toHaveLength(1);
    expect(codeOf(await runner.run(send, { input: { ...input, text: 'other' }, key: 'm-1' }))).toBe('BAD_USER_INPUT');
  });

  it('replies in a thread: the reply and the thread root carry the root id', async () => {
    const runner = createSubgraphRunner(messagingSubgraph);
    const root: any = await runner.run(send, { input: { channel: 'team-platform', text: 'Who owns the JWKS cache TTL?' } });
    const rootId = root.data.sendMessage.id;
    const channelId = root.data.sendMessage.channel.id;
    const reply: any = await runner.run(send, { input: { channelId, text: 'Platform, see OPS-294.', threadId: rootId } });
    expect(reply.errors).toBeUndefined();
    expect(reply.data.sendMessage.threadId).toBe(rootId);
    expect(reply.data.sendMessage.url).toContain('?thread_ts=');
    const replyToReply: any = await runner.run(send, { input: { channelId, text: 'Thanks!', threadId: reply.data.sendMessage.id } });
    expect(replyToReply.data.sendMessage.threadId).toBe(rootId);
    const listed: any = await runner.run('query($id: ID!) { channel(id: $id) { messages(first: 3) { nodes { id threadId } } } }', { id: channelId });
    expect(listed.data.channel.messages.nodes.find((m: any) => m.id === rootId).threadId).toBe(rootId);
  });

  it('refuses bad input and names an unknown channel', async () => {
    const runner = createSubgraphRunner(messagingSubgraph);
    expect(codeOf(await runner.run(send, { input: { text: 'hi' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await runner.run(send, { input: { channel: '#team-growth', channelId: 'demo:C1', text: 'hi' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await runner.run(send, { input: { channel: '#team-growth', text: '   ' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await runner.run(send, { input: { channel: '#team-growth', text: 'x'.repeat(4001) } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await runner.run(send, { input: { channel: 'not a name!', text: 'hi' } }))).toBe('BAD_USER_INPUT');
    const unknown: any = await runner.run(send, { input: { channel: '#war-room-9', text: 'hi' } });
    expect(codeOf(unknown)).toBe('NOT_FOUND');
    expect(unknown.errors[0].message).toContain('#war-room-9');
    const unknownId: any = await runner.run(send, { input: { channelId: 'demo:CNOPE', text: 'hi' } });
    expect(codeOf(unknownId)).toBe('NOT_FOUND');
    expect(unknownId.errors[0].message).toContain('demo:CNOPE');
    const badThread: any = await runner.run(send, { input: { channel: '#team-growth', text: 'hi', threadId: 'demo:CNOPE/1.000100' } });
    expect(codeOf(badThread)).toBe('BAD_USER_INPUT');
  });
});
