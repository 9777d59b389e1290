// The copilot's HTTP API against the real gateway and the demo world: streaming, conversations, approvals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOf, api, readEvents, startCopilotGateway, type CopilotTestServer } from './harness.ts';

const MAYA = { 'x-opsorch-actor': 'user:maya.patel@acme-shop.example' };
const JONAS = { 'x-opsorch-actor': 'user:jonas.weber@acme-shop.example' };

let server: CopilotTestServer;

beforeAll(async () => {
  server = await startCopilotGateway();
});

afterAll(async () => {
  await server?.close();
});

describe('an investigation with the built-in investigator', () => {
  let stream: Awaited<ReturnType<typeof readEvents>>;

  beforeAll(async () => {
    stream = await readEvents(`${server.url}/conversations`, { body: { question: 'why is checkout failing?' }, headers: MAYA });
  });

  it('streams the turn, its plan, every tool call and result, findings, the answer, then done', () => {
    const types = stream.events.map((e) => e.type);
    expect(types[0]).toBe('turn');
    expect(types).toContain('plan');
    expect(types.at(-1)).toBe('done');
    expect(types.at(-2)).not.toBe('error');
    expect(stream.events.map((e) => e.seq)).toEqual(stream.events.map((_, i) => i + 1));
    const calls = stream.events.filter((e) => e.type === 'tool_call');
    const results = stream.events.filter((e) => e.type === 'tool_result');
    expect(calls.length).toBeGreaterThan(5);
    expect(results.map((r) => (r.type === 'tool_result' ? r.callId : '')).sort()).toEqual(calls.map((c) => (c.type === 'tool_call' ? c.call.id : '')).sort());
    const lastPlan = stream.events.filter((e) => e.type === 'plan').at(-1);
    expect(lastPlan?.type === 'plan' && lastPlan.items.every((i) => i.status === 'done')).toBe(true);
  });

  it('names the bad deploy as the most likely cause, with evidence that links to the console and the tool call behind it', () => {
    const answer = answerOf(stream.events);
    expect(answer.mostLikelyCause).toMatchObject({ kind: 'deploy', service: 'checkout' });
    expect(answer.mostLikelyCause!.title).toContain('2.14.0');
    expect(answer.confidence).toBe('high');
    expect(answer.conclusion).toContain('#1042');
    const callIds = new Set(stream.events.flatMap((e) => (e.type === 'tool_call' ? [e.call.id] : [])));
    const evidence = answer.findings.flatMap((f) => f.evidence);
    expect(evidence.length).toBeGreaterThan(2);
    for (const e of evidence) expect(callIds.has(e.toolCall.id), `${e.title} cites ${e.toolCall.id}`).toBe(true);
    const deploy = evidence.find((e) => e.kind === 'deploy')!;
    expect(deploy.sourceUrl).toMatch(/^https:\/\/github\.com\/acme-shop\/checkout\/pull\/1287/);
    const log = evidence.find((e) => e.kind === 'log')!;
    expect(log.consoleUrl).toMatch(/^\/explore\/logs\?service=checkout&q=.+&level=warn&level=error&level=fatal&from=\d{4}-.+Z&to=.+Z$/);
    expect(log.detail).toContain('lineItems');
    const metric = evidence.find((e) => e.kind === 'metric')!;
    expect(metric.consoleUrl).toMatch(/^\/explore\/metrics\?metric=[a-z_]+.*&service=checkout&from=.+&to=.+/);
    // Later trouble in orders-db is not blamed for errors that started 20 minutes before it.
    expect(answer.ruledOut.some((r) => r.title.startsWith('orders-db') && r.reason.includes('after'))).toBe(true);
    expect(answer.checks.map((c) => c.name)).toEqual(['changes', 'error-logs', 'golden-signals', 'dependencies', 'alerts', 'similar-incidents', 'runbooks']);
    // The error-log summary names a kind of line and how often it came, not one line's trace id and numbers.
    const errorLogs = answer.checks.find((c) => c.name === 'error-logs')!;
    expect(errorLogs.summary).toMatch(/most frequent: .+ \(\d+× since \d\d:\d\d UTC, (none|\d+×) in the hour before\)$/);
    expect(errorLogs.summary).not.toMatch(/[0-9a-f]{16}/);
    expect(answer.actions[0]).toMatchObject({ kind: 'runbook', runbook: { id: 'demo:rb-rollback-deploy' } });
    expect(answer.toolCalls).toBe(stream.events.filter((e) => e.type === 'tool_call').length);
  });

  it('keeps the conversation for its person: list, search and read; someone else gets 404', async () => {
    const mine = await api(server.url, '/conversations', { headers: MAYA });
    expect(mine.status).toBe(200);
    const conversation = mine.body.conversations.find((c: { title: string }) => c.title === 'why is checkout failing?');
    expect(conversation).toMatchObject({ status: 'completed', turns: 1 });
    expect((await api(server.url, '/conversations?q=CHECKOUT', { headers: MAYA })).body.conversations.map((c: { id: string }) => c.id)).toContain(conversation.id);
    expect((await api(server.url, '/conversations?q=stripe', { headers: MAYA })).body.conversations).toEqual([]);
    const read = await api(server.url, `/conversations/${conversation.id}`, { headers: MAYA });
    expect(read.body.conversation.events).toHaveLength(stream.events.length);
    expect((await api(server.url, `/conversations/${conversation.id}`, { headers: JONAS })).status).toBe(404);
    expect((await api(server.url, '/conversations', { headers: JONAS })).body.conversations).toEqual([]);
    // A finished conversation's stream replays from Last-Event-ID and ends.
    const replay = await readEvents(`${server.url}/conversations/${conversation.id}/events`, { headers: { ...MAYA, 'last-event-id': String(stream.events.length - 2) } });
    expect(replay.events.map((e) => e.seq)).toEqual([stream.events.length - 1, stream.events.length]);
  });

  it('answers a follow-up question as a second turn of the same conversation', async () => {
    const id = (await api(server.url, '/conversations?q=checkout', { headers: MAYA })).body.conversations[0].id;
    const follow = await readEvents(`${server.url}/conversations/${id}/messages`, { body: { question: 'and what is wrong with orders-db?' }, headers: MAYA });
    expect(follow.events[0]).toMatchObject({ type: 'turn', turnId: 't2' });
    expect(answerOf(follow.events).mostLikelyCause).toMatchObject({ kind: 'saturation', service: 'orders-db' });
    const read = await api(server.url, `/conversations/${id}`, { headers: MAYA });
    expect(read.body.conversation.turns.map((t: { status: string }) => t.status)).toEqual(['completed', 'completed']);
  });
});

describe('approvals', () => {
  it('lists the proposed writes as approval requests, records a rejection, and runs an approved write as the approver', async () => {
    const stream = await readEvents(`${server.url}/conversations`, { body: { question: 'what is happening?', context: { incidentId: 'demo:Q8MZ4KD' } }, headers: MAYA });
    const approvals = stream.events.flatMap((e) => (e.type === 'approval_required' ? [e.approval] : []));
    expect(approvals.map((a) => a.tool)).toEqual(['acknowledge_incident', 'add_incident_note', 'start_runbook_run']);
    expect(approvals[0]).toMatchObject({ arguments: { id: 'demo:Q8MZ4KD' }, requiredScope: 'incidents:write', status: 'pending' });
    const id = approvals[0]!.conversationId;
    // Nothing ran: the incident is still triggered.
    const before = await fetch(server.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ incident(id: "demo:Q8MZ4KD") { status } }' }) }).then((r) => r.json());
    expect(before.data.incident.status).toBe('TRIGGERED');

    const rejected = await api(server.url, `/conversations/${id}/approvals/${approvals[2]!.id}/reject`, { body: { reason: 'the job is already paused by hand' }, headers: MAYA });
    expect(rejected.body.approval).toMatchObject({ status: 'rejected', decidedBy: 'user:maya.patel@acme-shop.example', note: 'the job is already paused by hand' });
    expect((await api(server.url, `/conversations/${id}/approvals/${approvals[2]!.id}/approve`, { body: {}, headers: MAYA })).status).toBe(409);

    const approved = await api(server.url, `/conversations/${id}/approvals/${approvals[0]!.id}/approve`, { body: {}, headers: MAYA });
    expect(approved.status).toBe(200);
    expect(approved.body.approval).toMatchObject({ status: 'executed', decidedBy: 'user:maya.patel@acme-shop.example', result: { acknowledgeIncident: { status: 'ACKNOWLEDGED' } } });
    const after = await fetch(server.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ incident(id: "demo:Q8MZ4KD") { status timeline(first: 1) { nodes { kind message } } } }' }) }).then((r) => r.json());
    expect(after.data.incident.status).toBe('ACKNOWLEDGED');
    expect(after.data.incident.timeline.nodes[0].message).toContain('copilot');

    const read = await api(server.url, `/conversations/${id}`, { headers: MAYA });
    const resolved = read.body.conversation.events.filter((e: { type: string }) => e.type === 'approval_resolved').map((e: { approval: { tool: string; status: string } }) => `${e.approval.tool}:${e.approval.status}`);
    expect(resolved).toEqual(['start_runbook_run:rejected', 'acknowledge_incident:executed']);
    // Someone else can neither see nor approve it.
    expect((await api(server.url, `/conversations/${id}/approvals/${approvals[1]!.id}/approve`, { body: {}, headers: JONAS })).status).toBe(404);
  });
});

describe('bad requests get a clear error', () => {
  it.each([
    ['no question', { context: {} }, /question.*required/],
    ['an unknown planner', { question: 'x', planner: 'gpt' }, /planner.*builtin.*llm/],
    ['the LLM planner with no LLM configured', { question: 'x', planner: 'llm' }, /No LLM is configured/],
    ['a bad mocked time', { question: 'x', now: 'yesterday' }, /now.*RFC 3339/],
  ])('%s', async (_name, body, message) => {
    const answer = await api(server.url, '/conversations', { body, headers: MAYA });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('BAD_USER_INPUT');
    expect(answer.body.error.message).toMatch(message);
  });

  it('a body that is not JSON', async () => {
    const answer = await api(server.url, '/conversations', { body: '{"question":', headers: MAYA });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/JSON/);
  });

  it('unknown endpoints and conversations', async () => {
    expect((await api(server.url, '/nope')).status).toBe(404);
    expect((await api(server.url, '/conversations/00000000-0000-0000-0000-000000000000', { headers: MAYA })).body.error.code).toBe('NOT_FOUND');
  });
});
