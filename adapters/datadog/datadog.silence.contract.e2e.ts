// Silencing a Datadog alert through the real gateway: the mutation schedules a downtime of the monitor, checked
// against Datadog's published downtime operations (__fixtures__/datadog-downtimes.openapi.json), and the alert
// reads as SILENCED from Datadog's downtime list afterwards.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { captureLogs, gql, startTestGateway } from '../../gateway/test/harness.ts';
import { apiKey, bearer, writeGatewayConfig } from '../../gateway/test/security-fixtures.ts';
import { CONTRACT_TEST_ENV } from '../kit/contract-fake.ts';
import { sampleWorld, startFakeDatadog, type RunningFakeDatadog } from './fake-datadog.ts';

const NOW = Date.now();
const API_KEY = 'dd-api-5555aaaa6666bbbb7777cccc8888dddd';
const APP_KEY = 'dd-app-1111eeee2222ffff3333aaaa4444bbbb5555cccc';
const SILENCE = `mutation($id: ID!, $duration: String!, $comment: String, $key: String) {
  silenceAlert(id: $id, duration: $duration, comment: $comment, idempotencyKey: $key) { id state rawState silencedUntil silenceComment }
}`;
const READ = `query($id: ID!) { alert(id: $id) { state rawState silencedUntil silenceComment } }`;

const ops = apiKey('ops', ['*:read', 'alerts:write']);
const stagingOnCall = apiKey('staging-oncall', ['*:read', 'alerts:write'], { environments: ['staging'] });
const asOps = bearer(ops.key);
const asStaging = bearer(stagingOnCall.key);

let fake: RunningFakeDatadog;
let gateway: RunningGateway;
const logs = captureLogs();

/** A gateway serving the fake Datadog as the alerts provider `dd`, with the two credentials above. */
function gatewayEnv(extra: Record<string, string> = {}): Record<string, string> {
  const config = JSON.stringify({ url: fake.url, apiKey: 'secret://env/DD_API_KEY', applicationKey: 'secret://env/DD_APP_KEY' });
  return {
    OPSORCH_ALERTS_PROVIDER: 'dd=datadog',
    OPSORCH_ALERTS_CONFIG: config,
    OPSORCH_CONFIG: writeGatewayConfig({ auth: { apiKeys: [ops.entry, stagingOnCall.entry] } }),
    DD_API_KEY: API_KEY,
    DD_APP_KEY: APP_KEY,
    ...extra,
  };
}

/** The downtimes OpsOrch asked Datadog to schedule for one monitor. */
const created = (monitorId: number) =>
  fake.requests().filter((r) => r.route === 'POST /api/v2/downtime' && (r.body as any)?.data?.attributes?.monitor_identifier?.monitor_id === monitorId);

beforeAll(async () => {
  const world = sampleWorld(NOW);
  const monitor = (id: number, name: string, tags: string[]) => ({
    ...structuredClone(world.monitors[0]!),
    id,
    name,
    tags,
  });
  world.monitors.push(
    monitor(2001, 'Checkout p99 latency', ['service:checkout', 'env:production']),
    monitor(2002, 'Cart errors (staging)', ['service:cart', 'env:staging']),
    monitor(2003, 'Checkout queue depth', ['service:checkout', 'env:production']),
  );
  fake = await startFakeDatadog(world);
  gateway = await startTestGateway({ env: gatewayEnv(CONTRACT_TEST_ENV), logger: logs.logger });
}, 60_000);

afterEach(() => {
  fake.failure = null;
  fake.createFailure = null;
  fake.listFailure = null;
  fake.verify();
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

describe('silencing a Datadog alert schedules a downtime of its monitor', () => {
  it('sends a downtime of the whole monitor for the duration, naming who and why, and the alert reads as SILENCED', async () => {
    const before = await gql(gateway.url, READ, { id: 'dd:1001' }, asOps);
    expect(before.data.alert).toMatchObject({ state: 'FIRING', silencedUntil: null });

    const body = await gql(gateway.url, SILENCE, { id: 'dd:1001', duration: '2h', comment: 'rollout of 4.2, OPS-7', key: 'dd-silence-1' }, asOps);
    expect(body.errors).toBeUndefined();
    const answer = body.data.silenceAlert;
    expect(answer).toMatchObject({ id: 'dd:1001', state: 'SILENCED', rawState: 'Alert' });
    expect(Math.abs(Date.parse(answer.silencedUntil) - (Date.now() + 2 * 3_600_000))).toBeLessThan(60_000);
    expect(answer.silenceComment).toMatch(/^Silenced through OpsOrch by .*ops.*: rollout of 4\.2, OPS-7$/);

    const [sent, ...more] = created(1001);
    expect(more).toEqual([]);
    const attributes = (sent!.body as any).data.attributes;
    expect((sent!.body as any).data.type).toBe('downtime');
    expect(attributes).toMatchObject({ monitor_identifier: { monitor_id: 1001 }, scope: '*', message: answer.silenceComment });
    expect(Date.parse(attributes.schedule.end) - Date.parse(attributes.schedule.start)).toBe(2 * 3_600_000);
    expect(attributes.schedule.end).toMatch(/\+00:00$/);
    expect(sent!.headers['dd-api-key']).toBe(API_KEY);
    expect(sent!.headers['dd-application-key']).toBe(APP_KEY);
    // Datadog holds the downtime, and a later request reads the alert from Datadog's list of downtimes.
    expect(fake.world.downtimes.filter((d) => 'monitor_id' in d.attributes.monitor_identifier && d.attributes.monitor_identifier.monitor_id === 1001)).toHaveLength(1);
    const after = await gql(gateway.url, READ, { id: 'dd:1001' }, asOps);
    expect(after.data.alert).toEqual({ state: 'SILENCED', rawState: 'Alert', silencedUntil: answer.silencedUntil, silenceComment: answer.silenceComment });
    const listed = fake.requests().filter((r) => r.route === 'GET /api/v2/downtime').at(-1)!;
    expect(listed.query.get('current_only')).toBe('true');
  });

  it('keeps an alert FIRING under a downtime of some of its groups, and silences it with one downtime for the same key twice', async () => {
    const before = await gql(gateway.url, READ, { id: 'dd:1004' }, asOps);
    expect(before.data.alert).toMatchObject({ state: 'FIRING', rawState: 'No Data', silencedUntil: null });

    const variables = { id: 'dd:1004', duration: '30m', comment: 'host is being replaced', key: 'dd-silence-2' };
    const first = await gql(gateway.url, SILENCE, variables, asOps);
    const second = await gql(gateway.url, SILENCE, variables, asOps);
    expect(first.errors).toBeUndefined();
    expect(first.data.silenceAlert.state).toBe('SILENCED');
    expect(second.data).toEqual(first.data);
    expect(created(1004)).toHaveLength(1);
    // The same key with other arguments is a client bug, not a retry.
    const reused = await gql(gateway.url, SILENCE, { ...variables, duration: '1h' }, asOps);
    expect(reused.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'IDEMPOTENCY_KEY_REUSED' });
    expect(created(1004)).toHaveLength(1);
  });

  it('refuses what Datadog would turn into something else, before anything is sent', async () => {
    const mention = await gql(gateway.url, SILENCE, { id: 'dd:2003', duration: '1h', comment: 'ask @oncall-checkout first' }, asOps);
    expect(mention.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(mention.errors![0]!.message).toContain('@-mention');
    const resolved = await gql(gateway.url, SILENCE, { id: 'dd:1003', duration: '1h' }, asOps);
    expect(resolved.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(resolved.errors![0]!.message).toContain('OK in Datadog');
    const unknown = await gql(gateway.url, SILENCE, { id: 'dd:999999', duration: '1h' }, asOps);
    expect(unknown.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const tooLong = await gql(gateway.url, SILENCE, { id: 'dd:2003', duration: '8d' }, asOps);
    expect(tooLong.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(created(2003)).toEqual([]);
    expect(created(1003)).toEqual([]);
  });

  it('still reads monitors when the application key may not list downtimes, with their v1 downtimes only, and says why in the log', async () => {
    fake.listFailure = { status: 403, body: { errors: ['Forbidden'] } };
    const body = await gql(gateway.url, `{ alerts(first: 20) { nodes { id state } providerErrors { code } } }`, undefined, asOps);
    expect(body.errors).toBeUndefined();
    expect(body.data.alerts.providerErrors).toEqual([]);
    const state = Object.fromEntries(body.data.alerts.nodes.map((a: { id: string; state: string }) => [a.id, a.state]));
    // 1002's v1 downtime still counts; 1001's v2 downtime cannot be read.
    expect(state).toMatchObject({ 'dd:1002': 'SILENCED', 'dd:1001': 'FIRING' });
    expect(logs.lines.some((l) => l.includes('monitors_downtime'))).toBe(true);
    const listed = await gql(gateway.url, READ, { id: 'dd:1001' }, asOps);
    expect(listed.data.alert.state).toBe('FIRING');
    fake.listFailure = null;
    const again = await gql(gateway.url, READ, { id: 'dd:1001' }, asOps);
    expect(again.data.alert.state).toBe('SILENCED');
  });

  it('maps Datadog\'s refusals to the schema\'s codes, writes once per attempt, and never shows the keys', async () => {
    const answers: unknown[] = [];
    const attempt = async (failure: NonNullable<RunningFakeDatadog['createFailure']>, code: string) => {
      const sentBefore = created(2003).length;
      fake.createFailure = failure;
      const body = await gql(gateway.url, SILENCE, { id: 'dd:2003', duration: '1h', comment: 'noisy' }, asOps);
      answers.push(body);
      expect(body.errors![0]!.extensions).toMatchObject({ code, capability: 'alerts', provider: 'dd' });
      // Writes are never retried by the gateway: one request per attempt.
      expect(created(2003)).toHaveLength(sentBefore + 1);
    };
    await attempt({ status: 403, body: { errors: [`Forbidden: application key ${APP_KEY} lacks monitors_downtime`] } }, 'PROVIDER_AUTH_FAILED');
    await attempt({ status: 400, body: { errors: [`Invalid scope for key ${API_KEY}`] } }, 'BAD_USER_INPUT');
    // Last: a 429's Retry-After closes the instance's gate for that long.
    await attempt({ status: 429, body: { errors: ['Rate limit exceeded'] }, headers: { 'retry-after': '20' } }, 'PROVIDER_RATE_LIMITED');
    expect((answers.at(-1) as any).errors[0].extensions.retryAfter).toBe(20);
    expect(fake.world.downtimes.some((d) => 'monitor_id' in d.attributes.monitor_identifier && d.attributes.monitor_identifier.monitor_id === 2003)).toBe(false);
    for (const text of [...logs.lines, JSON.stringify(answers)]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(APP_KEY);
    }
  });
});

describe('environment isolation of silences (decision 014)', () => {
  let isolated: RunningGateway;

  beforeAll(async () => {
    isolated = await startTestGateway({ env: gatewayEnv() });
  }, 60_000);
  afterAll(async () => {
    await isolated?.close();
  });

  it('lets a staging-only credential silence a staging monitor, and answers a production one as if it did not exist', async () => {
    const production = await gql(isolated.url, SILENCE, { id: 'dd:2001', duration: '1h', comment: 'not mine' }, asStaging);
    expect(production.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect(production.data).toBeNull();
    expect(created(2001)).toEqual([]);
    const unscoped = await gql(isolated.url, SILENCE, { id: 'dd:1003', duration: '1h' }, asStaging);
    expect(unscoped.errors![0]!.extensions!.code).toBe('NOT_FOUND');

    const own = await gql(isolated.url, SILENCE, { id: 'dd:2002', duration: '45m', comment: 'staging deploy' }, asStaging);
    expect(own.errors).toBeUndefined();
    expect(own.data.silenceAlert).toMatchObject({ id: 'dd:2002', state: 'SILENCED' });
    expect(created(2002)).toHaveLength(1);
    const still = await gql(isolated.url, READ, { id: 'dd:2001' }, asOps);
    expect(still.data.alert.state).toBe('FIRING');
    // This gateway scheduled nothing for 1001: it reads the silence from Datadog's downtimes alone.
    const fromDatadog = await gql(isolated.url, READ, { id: 'dd:1001' }, asOps);
    expect(fromDatadog.data.alert).toMatchObject({ state: 'SILENCED', silenceComment: expect.stringContaining('rollout of 4.2, OPS-7') });
  });
});
