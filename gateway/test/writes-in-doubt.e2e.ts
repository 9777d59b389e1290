// A write whose tool answers after the deadline may have happened: the client is told PROVIDER_TIMEOUT and
// retries with the same idempotency key, which must not write a second time (found by `npm run soak`: 27 of
// 2,248 notes were applied twice when their tool answered late).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { controlled, type Control } from './controlled-provider.ts';
import { gql, startTestGateway } from './harness.ts';

const NOTE = 'mutation Note($body: String!, $key: String) { addIncidentNote(incidentId: "ctl:Q3VW8TR", body: $body, idempotencyKey: $key) { id } }';
const TIMELINE = '{ incident(id: "ctl:Q3VW8TR") { timeline(first: 200) { nodes { message } } } }';

let gateway: RunningGateway;
const incidents: Control = { mode: { kind: 'ok' }, calls: {} };

beforeAll(async () => {
  gateway = await startTestGateway({ env: { OPSORCH_INCIDENTS_PROVIDER: 'ctl', OPSORCH_PROVIDER_TIMEOUT_MS: '300' }, extraProviders: { ctl: controlled(incidents) } });
});
afterAll(() => gateway?.close());

const notesSaying = async (body: string) =>
  ((await gql(gateway.url, TIMELINE)).data.incident.timeline.nodes as { message: string }[]).filter((n) => n.message === body).length;

it('a retry while the tool has not answered is told to wait, and after it answered gets that answer: the note is written once', async () => {
  incidents.mode = { kind: 'late', delayMs: 900 };
  const variables = { body: `late note ${Date.now()}`, key: `late-${Date.now()}` };
  const first = await gql(gateway.url, NOTE, variables);
  expect(first.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_TIMEOUT' });

  incidents.mode = { kind: 'ok' };
  const meanwhile = await gql(gateway.url, NOTE, variables);
  expect(meanwhile.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_TIMEOUT', retryAfter: 1 });
  expect(meanwhile.errors![0]!.message).toMatch(/has not answered yet; retry later with the same key/);

  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = await gql(gateway.url, NOTE, variables);
  expect(after.errors).toBeUndefined();
  expect(after.data.addIncidentNote.id).toBe('ctl:Q3VW8TR');
  expect(await notesSaying(variables.body)).toBe(1);
  expect(incidents.calls.addIncidentNote).toBe(1);
});

it('a write that failed outright is forgotten, so its retry writes', async () => {
  incidents.mode = { kind: 'fail' };
  const variables = { body: `failed note ${Date.now()}`, key: `failed-${Date.now()}` };
  expect((await gql(gateway.url, NOTE, variables)).errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
  incidents.mode = { kind: 'ok' };
  expect((await gql(gateway.url, NOTE, variables)).errors).toBeUndefined();
  expect(await notesSaying(variables.body)).toBe(1);
});
