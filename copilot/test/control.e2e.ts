// Cancellation, abandoned streams, and scopes: the copilot is limited by exactly what the asking person may do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlled, type Control } from '../../gateway/test/controlled-provider.ts';
import { remoteTools } from '../src/tools.ts';
import { answerOf, api, apiKey, readEvents, startCopilotGateway, type CopilotTestServer } from './harness.ts';

describe('cancellation', () => {
  let server: CopilotTestServer;
  let release: () => void = () => {};
  const control: Control = { mode: { kind: 'ok' }, calls: {} };

  beforeAll(async () => {
    // Logs answer only when released, so an investigation stays running as long as a test needs.
    server = await startCopilotGateway({ env: { OPSORCH_LOGS_PROVIDER: 'held' }, extraProviders: { held: controlled(control) }, limits: { abandonedAfterMs: 300 } });
  });

  afterAll(async () => {
    release();
    await server?.close();
  });

  const hold = () => {
    control.mode = { kind: 'held', released: new Promise<void>((resolve) => (release = resolve)) };
  };

  it('cancels a running investigation on request; the stream ends with the reason', async () => {
    hold();
    const streaming = readEvents(`${server.url}/conversations`, { body: { question: 'why is checkout failing?' } }, (e) => e.type === 'done');
    // Wait until it is blocked on the logs tool, then cancel through the API.
    let id: string | undefined;
    for (let i = 0; i < 100 && !id; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const list = await api(server.url, '/conversations');
      id = list.body.conversations.find((c: { status: string }) => c.status === 'running')?.id;
    }
    expect(id).toBeDefined();
    for (let i = 0; i < 100 && !control.calls.query; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await api(server.url, `/conversations/${id}/cancel`, { body: {} })).body).toEqual({ cancelled: true });
    const { events } = await streaming;
    expect(events.at(-1)).toMatchObject({ type: 'done', status: 'cancelled' });
    expect(events.find((e) => e.type === 'error')).toMatchObject({ message: expect.stringContaining('cancelled by the person who asked') });
    expect(events.some((e) => e.type === 'answer')).toBe(false);
    expect((await api(server.url, `/conversations/${id}/cancel`, { body: {} })).body).toEqual({ cancelled: false });
    release();
  });

  it('cancels a turn whose every watcher disconnected, once they stayed away', async () => {
    hold();
    const started = await api(server.url, '/conversations', { body: { question: 'what is wrong with orders-db?' } });
    expect(started.status).toBe(202);
    const id = started.body.conversation.id as string;
    // Watch until the first tool call, then drop the connection like a closed laptop.
    const watched = await readEvents(`${server.url}/conversations/${id}/events`, {}, (e) => e.type === 'tool_call');
    expect(watched.events[0]).toMatchObject({ type: 'turn' });
    let conversation: any;
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 50));
      conversation = (await api(server.url, `/conversations/${id}`)).body.conversation;
      if (conversation.turns[0].status !== 'running') break;
    }
    expect(conversation.turns[0].status).toBe('cancelled');
    expect(conversation.events.find((e: { type: string }) => e.type === 'error').message).toContain('nobody is watching');
    release();
  });

  it('a watcher who comes back in time keeps the turn alive, and sees what it missed', async () => {
    control.mode = { kind: 'slow', delayMs: 150 };
    const started = await api(server.url, '/conversations', { body: { question: 'why is checkout failing?' } });
    const id = started.body.conversation.id as string;
    const first = await readEvents(`${server.url}/conversations/${id}/events`, {}, (e) => e.type === 'tool_call');
    const lastSeen = first.events.at(-1)!.seq;
    const rest = await readEvents(`${server.url}/conversations/${id}/events`, { headers: { 'last-event-id': String(lastSeen) } });
    expect(rest.events[0]!.seq).toBe(lastSeen + 1);
    expect(rest.events.at(-1)).toMatchObject({ type: 'done', status: 'completed' });
    expect(answerOf(rest.events).mostLikelyCause?.kind).toBe('deploy');
  });
});

describe('scopes: the copilot sees and does what the asking person may', () => {
  let server: CopilotTestServer;
  const reader = apiKey('reader', ['*:read']);
  const writer = apiKey('writer', ['*:read', 'incidents:write']);
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    server = await startCopilotGateway({ env: { OPSORCH_API_KEYS: JSON.stringify([reader.entry, writer.entry]), OPSORCH_AUDIT_SINKS: 'stdout' } });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('refuses a request without a credential, as /graphql does', async () => {
    const answer = await fetch(`${server.url}/conversations`);
    expect(answer.status).toBe(401);
    expect((await answer.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses an approval by a person without the scope; the proposal stays open and the refusal is recorded', async () => {
    const stream = await readEvents(`${server.url}/conversations`, { body: { question: 'investigate #1043' }, headers: as(reader.key) });
    expect(answerOf(stream.events).mostLikelyCause?.service).toBe('orders-db');
    const approval = stream.events.flatMap((e) => (e.type === 'approval_required' ? [e.approval] : [])).find((a) => a.tool === 'acknowledge_incident')!;
    const refused = await api(server.url, `/conversations/${approval.conversationId}/approvals/${approval.id}/approve`, { body: {}, headers: as(reader.key) });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['incidents:write'] });
    const read = (await api(server.url, `/conversations/${approval.conversationId}`, { headers: as(reader.key) })).body.conversation;
    expect(read.approvals.find((a: { id: string }) => a.id === approval.id).status).toBe('pending');
    expect(read.events.at(-1)).toMatchObject({ type: 'message', text: expect.stringContaining('needs the scope incidents:write') });
    // Nothing was written.
    expect(server.logs.some((l) => l.includes('"operation":"AcknowledgeIncident"'))).toBe(false);
  });

  it('runs an approved write as the approving person, recorded as the copilot on their behalf', async () => {
    const stream = await readEvents(`${server.url}/conversations`, { body: { question: 'what is going on?', context: { incidentId: 'demo:Q8MZ4KD' } }, headers: as(writer.key) });
    const approval = stream.events.flatMap((e) => (e.type === 'approval_required' ? [e.approval] : [])).find((a) => a.tool === 'acknowledge_incident')!;
    const approved = await api(server.url, `/conversations/${approval.conversationId}/approvals/${approval.id}/approve`, { body: {}, headers: as(writer.key) });
    expect(approved.body.approval).toMatchObject({ status: 'executed', decidedBy: 'user:writer' });
    const audit = server.logs.map((l) => JSON.parse(l)).find((l) => l.operation?.name === 'AcknowledgeIncident');
    expect(audit.actor).toEqual({ kind: 'agent', id: 'copilot', onBehalfOf: 'user:writer' });
    expect(audit.outcome).toBe('success');
    // The reader cannot see the writer's conversation.
    expect((await api(server.url, `/conversations/${approval.conversationId}`, { headers: as(reader.key) })).status).toBe(404);
  });
});

describe('through a remote OpsOrch /mcp endpoint', () => {
  let server: CopilotTestServer;
  const reader = apiKey('remote-reader', ['*:read']);
  const writer = apiKey('remote-writer', ['*:read', 'incidents:write']);

  beforeAll(async () => {
    server = await startCopilotGateway({
      mcp: true,
      tools: (_graphqlUrl, mcpUrl) => remoteTools({ url: mcpUrl }),
      env: { OPSORCH_API_KEYS: JSON.stringify([reader.entry, writer.entry]), OPSORCH_AUDIT_SINKS: 'stdout' },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('investigates with the person’s own credential, and runs an approved write as them', async () => {
    const stream = await readEvents(`${server.url}/conversations`, { body: { question: 'investigate #1043' }, headers: { authorization: `Bearer ${reader.key}` } });
    expect(answerOf(stream.events).mostLikelyCause?.service).toBe('orders-db');
    const approval = stream.events.flatMap((e) => (e.type === 'approval_required' ? [e.approval] : [])).find((a) => a.tool === 'acknowledge_incident')!;
    expect((await api(server.url, `/conversations/${approval.conversationId}/approvals/${approval.id}/approve`, { body: {}, headers: { authorization: `Bearer ${reader.key}` } })).status).toBe(403);

    const mine = await readEvents(`${server.url}/conversations`, { body: { question: 'investigate #1043' }, headers: { authorization: `Bearer ${writer.key}` } });
    const ack = mine.events.flatMap((e) => (e.type === 'approval_required' ? [e.approval] : [])).find((a) => a.tool === 'acknowledge_incident')!;
    const approved = await api(server.url, `/conversations/${ack.conversationId}/approvals/${ack.id}/approve`, { body: {}, headers: { authorization: `Bearer ${writer.key}` } });
    expect(approved.body.approval).toMatchObject({ status: 'executed', result: { acknowledgeIncident: { status: 'ACKNOWLEDGED' } } });
    const audit = server.logs.map((l) => JSON.parse(l)).filter((l) => l.operation?.name);
    expect(audit.find((l) => l.operation.name === 'AcknowledgeIncident').actor).toEqual({ kind: 'agent', id: 'copilot', onBehalfOf: 'user:remote-writer' });
    // Without the reader's key on every tool call the gateway would have answered 401 and found nothing.
  });
});
