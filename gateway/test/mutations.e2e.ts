import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { gql, startTestGateway } from './harness.ts';

// Every mutation through the real gateway: it writes, the same idempotency key twice writes once, the same
// key with other arguments is refused, and bad input is refused with a message that says what to fix.

let gateway: RunningGateway;
const agent = { 'x-opsorch-actor': 'user:maya.patel@acme-shop.example' };
const run = (query: string, variables?: Record<string, unknown>) => gql(gateway.url, query, variables, agent);

async function data(query: string, variables?: Record<string, unknown>) {
  const body = await run(query, variables);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data;
}

async function refused(query: string, variables: Record<string, unknown>, code = 'BAD_USER_INPUT', message?: RegExp) {
  const body = await run(query, variables);
  expect(body.errors?.[0]?.extensions?.code, JSON.stringify(body)).toBe(code);
  if (message) expect(body.errors![0]!.message).toMatch(message);
  return body.errors![0]!;
}

/** Runs a write twice with one key and checks the count it changes moved by exactly one. */
async function exactlyOnce(mutation: string, variables: Record<string, unknown>, count: () => Promise<number>) {
  const before = await count();
  const first = await data(mutation, variables);
  const second = await data(mutation, variables);
  expect(second).toEqual(first);
  expect(await count()).toBe(before + 1);
  return first;
}

const timelineCount = (id: string) => async () =>
  (await data(`query($id: ID!) { incident(id: $id) { timeline(first: 1) { totalCount } } }`, { id })).incident.timeline.totalCount as number;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway.close();
});

describe('incident mutations', () => {
  const CREATE = `mutation($input: CreateIncidentInput!, $key: String) { createIncident(input: $input, idempotencyKey: $key) { id status severity service { id } } }`;
  let created: string;

  it('createIncident creates once per key', async () => {
    const count = async () => (await data(`{ incidents(first: 1) { totalCount } }`)).incidents.totalCount as number;
    const input = { title: 'Search results empty for some locales', serviceId: 'search', severity: 'SEV3' };
    const result = await exactlyOnce(CREATE, { input, key: 'create-1' }, count);
    expect(result.createIncident).toMatchObject({ status: 'TRIGGERED', severity: 'SEV3', service: { id: 'search' } });
    created = result.createIncident.id;
    await refused(CREATE, { input: { ...input, title: 'Another title' }, key: 'create-1' }, 'BAD_USER_INPUT', /idempotencyKey/);
  });

  it('scopes idempotency keys to the caller: two actors reusing one key write twice', async () => {
    const variables = { input: { title: 'Key reuse across callers', serviceId: 'search', severity: 'SEV4' }, key: 'shared-key' };
    const asMaya = await gql(gateway.url, CREATE, variables, { 'x-opsorch-actor': 'user:maya.patel@acme-shop.example' });
    const asAgent = await gql(gateway.url, CREATE, variables, { 'x-opsorch-actor': 'agent:triage-bot' });
    expect(asMaya.data.createIncident.id).not.toBe(asAgent.data.createIncident.id);
  });

  it('createIncident refuses bad input, naming the field', async () => {
    await refused(CREATE, { input: { title: '', serviceId: 'search', severity: 'SEV3' } }, 'BAD_USER_INPUT', /title/);
    await refused(CREATE, { input: { title: 'x', serviceId: 'search', severity: 'SEV9' } }, 'BAD_USER_INPUT', /SEV9/);
  });

  it('acknowledgeIncident, addIncidentNote, updateIncident and resolveIncident write once per key', async () => {
    await exactlyOnce(`mutation($id: ID!, $key: String) { acknowledgeIncident(id: $id, idempotencyKey: $key) { status } }`, { id: created, key: 'ack-1' }, timelineCount(created));
    await exactlyOnce(
      `mutation($id: ID!, $body: String!, $key: String) { addIncidentNote(incidentId: $id, body: $body, idempotencyKey: $key) { id } }`,
      { id: created, body: 'Only de-DE and fr-FR are affected.', key: 'note-1' },
      timelineCount(created),
    );
    await exactlyOnce(
      `mutation($id: ID!, $key: String) { updateIncident(id: $id, input: { severity: SEV2 }, idempotencyKey: $key) { severity } }`,
      { id: created, key: 'sev-1' },
      timelineCount(created),
    );
    const resolved = await exactlyOnce(
      `mutation($id: ID!, $key: String) { resolveIncident(id: $id, resolution: "Reindexed the locale shards.", idempotencyKey: $key) { status resolvedAt } }`,
      { id: created, key: 'resolve-1' },
      timelineCount(created),
    );
    expect(resolved.resolveIncident.status).toBe('RESOLVED');
    const timeline = await data(`query($id: ID!) { incident(id: $id) { timeline(first: 10) { nodes { kind message actor { id } } } } }`, { id: created });
    expect(timeline.incident.timeline.nodes.map((e: any) => e.kind)).toEqual(
      expect.arrayContaining(['RESOLVED', 'SEVERITY_CHANGED', 'NOTE', 'ACKNOWLEDGED', 'TRIGGERED']),
    );
  });

  it('refuses impossible or malformed incident writes', async () => {
    await refused(`mutation { acknowledgeIncident(id: "${created}") { id } }`, {}, 'BAD_USER_INPUT', /resolved/i);
    await refused(`mutation { updateIncident(id: "${created}", input: {}) { id } }`, {}, 'BAD_USER_INPUT');
    await refused(`mutation { addIncidentNote(incidentId: "not-an-id", body: "x") { id } }`, {}, 'BAD_USER_INPUT', /not-an-id/);
    await refused(`mutation { acknowledgeIncident(id: "demo:NOPE404") { id } }`, {}, 'NOT_FOUND');
  });
});

describe('alert mutations', () => {
  let alertId: string;
  beforeAll(async () => {
    alertId = (await data(`{ alerts(filter: { states: [FIRING] }, first: 1) { nodes { id } } }`)).alerts.nodes[0].id;
  });

  it('acknowledgeAlert and silenceAlert are idempotent and validate the duration', async () => {
    const ACK = `mutation($id: ID!, $key: String) { acknowledgeAlert(id: $id, idempotencyKey: $key) { state } }`;
    const first = await data(ACK, { id: alertId, key: 'alert-ack' });
    expect(await data(ACK, { id: alertId, key: 'alert-ack' })).toEqual(first);
    const SILENCE = `mutation($id: ID!, $duration: String!, $key: String) { silenceAlert(id: $id, duration: $duration, comment: "maintenance", idempotencyKey: $key) { state silencedUntil } }`;
    const silenced = await data(SILENCE, { id: alertId, duration: '2h', key: 'silence-1' });
    expect(silenced.silenceAlert.state).toBe('SILENCED');
    expect(Date.parse(silenced.silenceAlert.silencedUntil) - Date.now()).toBeGreaterThan(7_000_000);
    expect(await data(SILENCE, { id: alertId, duration: '2h', key: 'silence-1' })).toEqual(silenced);
    await refused(SILENCE, { id: alertId, duration: '3h', key: 'silence-1' }, 'BAD_USER_INPUT', /idempotencyKey/);
    await refused(SILENCE, { id: alertId, duration: 'forever' }, 'BAD_USER_INPUT', /duration/);
    await refused(SILENCE, { id: alertId, duration: '30d' }, 'BAD_USER_INPUT');
  });

  it('a retried write is the same write whatever order or form its arguments take', async () => {
    // Sent three times each so that the compiled fetch (used from the second time on) answers too.
    const AS_VARIABLES = `mutation($id: ID!, $duration: String!, $key: String) { silenceAlert(id: $id, duration: $duration, comment: "retry", idempotencyKey: $key) { state silencedUntil } }`;
    const AS_LITERALS = `mutation { silenceAlert(idempotencyKey: "retry-order", comment: "retry", duration: "1h", id: "${alertId}") { state silencedUntil } }`;
    const first = await data(AS_VARIABLES, { id: alertId, duration: '1h', key: 'retry-order' });
    for (let i = 0; i < 3; i++) {
      expect(await data(AS_LITERALS)).toEqual(first);
      expect(await data(AS_VARIABLES, { id: alertId, duration: '1h', key: 'retry-order' })).toEqual(first);
    }
  });
});

describe('ticket mutations', () => {
  let ticketId: string;
  const comments = () => async () =>
    (await data(`query($id: ID!) { ticket(id: $id) { comments(first: 1) { totalCount } } }`, { id: ticketId })).ticket.comments.totalCount as number;

  it('createTicket creates once per key, linked to the incident', async () => {
    const incidentId = (await data(`{ incidents(first: 1) { nodes { id } } }`)).incidents.nodes[0].id;
    const count = async () => (await data(`{ tickets(first: 1) { totalCount } }`)).tickets.totalCount as number;
    const result = await exactlyOnce(
      `mutation($input: CreateTicketInput!, $key: String) { createTicket(input: $input, idempotencyKey: $key) { id key status incident { id } } }`,
      { input: { title: 'Follow-up: add a canary for gift-card carts', priority: 'HIGH', serviceId: 'checkout', incidentId }, key: 'ticket-1' },
      count,
    );
    ticketId = result.createTicket.id;
    expect(result.createTicket.incident.id).toBe(incidentId);
    await refused(`mutation { createTicket(input: { title: "" }) { id } }`, {}, 'BAD_USER_INPUT', /title/);
  });

  it('commentOnTicket, updateTicket and transitionTicket write once per key', async () => {
    await exactlyOnce(
      `mutation($id: ID!, $key: String) { commentOnTicket(id: $id, body: "Canary added in PR #1302.", idempotencyKey: $key) { id } }`,
      { id: ticketId, key: 'comment-1' },
      comments(),
    );
    const updated = await data(`mutation($id: ID!) { updateTicket(id: $id, input: { priority: HIGHEST }, idempotencyKey: "upd-1") { priority } }`, { id: ticketId });
    expect(updated.updateTicket.priority).toBe('HIGHEST');
    const { ticket } = await data(`query($id: ID!) { ticket(id: $id) { status availableTransitions { name to } } }`, { id: ticketId });
    const target = ticket.availableTransitions.find((t: any) => t.to !== ticket.status);
    const TRANSITION = `mutation($id: ID!, $t: String!, $key: String) { transitionTicket(id: $id, transition: $t, idempotencyKey: $key) { status } }`;
    const moved = await data(TRANSITION, { id: ticketId, t: target.name, key: 'move-1' });
    expect(moved.transitionTicket.status).toBe(target.to);
    expect(await data(TRANSITION, { id: ticketId, t: target.name, key: 'move-1' })).toEqual(moved);
    await refused(TRANSITION, { id: ticketId, t: 'Teleport' }, 'BAD_USER_INPUT', /Teleport/);
  });
});

describe('messaging', () => {
  it('sendMessage posts once per key and names an unknown channel', async () => {
    const channel = (await data(`{ channels(first: 1) { nodes { id name } } }`)).channels.nodes[0];
    const count = async () =>
      (await data(`query($id: ID!) { channel(id: $id) { messages(first: 1) { totalCount } } }`, { id: channel.id })).channel.messages.totalCount as number;
    const result = await exactlyOnce(
      `mutation($input: SendMessageInput!, $key: String) { sendMessage(input: $input, idempotencyKey: $key) { id text author { id } } }`,
      { input: { channelId: channel.id, text: 'Rollback to v2.13.4 is live; error rate back under 0.5%.' }, key: 'msg-1' },
      count,
    );
    expect(result.sendMessage.author.id).toBe('maya.patel@acme-shop.example');
    await refused(`mutation { sendMessage(input: { channel: "#does-not-exist", text: "hi" }) { id } }`, {}, 'NOT_FOUND', /does-not-exist/);
    await refused(`mutation { sendMessage(input: { channelId: "${channel.id}", text: "" }) { id } }`, {}, 'BAD_USER_INPUT');
  });
});

describe('runbook runs', () => {
  it('startRunbookRun starts once per key; completeManualStep and cancelRunbookRun follow the run state', async () => {
    const runbook = (await data(`{ runbooks(first: 1) { nodes { id } } }`)).runbooks.nodes[0];
    const count = async () =>
      (await data(`query($id: ID!) { runbookRuns(filter: { runbookId: $id }, first: 1) { totalCount } }`, { id: runbook.id })).runbookRuns.totalCount as number;
    const started = await exactlyOnce(
      `mutation($id: ID!, $key: String) { startRunbookRun(runbookId: $id, idempotencyKey: $key) { id status } }`,
      { id: runbook.id, key: 'run-1' },
      count,
    );
    const runId = started.startRunbookRun.id;

    const waiting = (await data(`{ runbookRuns(filter: { statuses: [WAITING_FOR_INPUT] }, first: 1) { nodes { id steps { step { id } status } } } }`)).runbookRuns.nodes[0];
    const step = waiting.steps.find((s: any) => s.status === 'WAITING_FOR_INPUT');
    const COMPLETE = `mutation($run: ID!, $step: ID!, $key: String) { completeManualStep(runId: $run, stepId: $step, note: "Paused the nightly export.", idempotencyKey: $key) { steps { step { id } status note } } }`;
    const completed = await data(COMPLETE, { run: waiting.id, step: step.step.id, key: 'complete-1' });
    expect(completed.completeManualStep.steps.find((s: any) => s.step.id === step.step.id)).toMatchObject({ status: 'SUCCEEDED', note: 'Paused the nightly export.' });
    expect(await data(COMPLETE, { run: waiting.id, step: step.step.id, key: 'complete-1' })).toEqual(completed);
    await refused(COMPLETE, { run: waiting.id, step: step.step.id, key: 'complete-2' }, 'BAD_USER_INPUT');

    const CANCEL = `mutation($id: ID!, $key: String) { cancelRunbookRun(runId: $id, reason: "Superseded", idempotencyKey: $key) { status } }`;
    expect((await data(CANCEL, { id: runId, key: 'cancel-1' })).cancelRunbookRun.status).toBe('CANCELLED');
    expect((await data(CANCEL, { id: runId, key: 'cancel-1' })).cancelRunbookRun.status).toBe('CANCELLED');
    await refused(CANCEL, { id: runId, key: 'cancel-2' }, 'BAD_USER_INPUT');
  });
});
