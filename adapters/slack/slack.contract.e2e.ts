// The Slack adapter through the real gateway against a contract fake of Slack's Web API
// (../shared/vendor-api/slack.openapi.json): every request must be one Slack accepts and every answer served here
// matches the spec. Slack answers most failures with HTTP 200 and `ok: false`; both kinds are exercised.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { runCheck } from '../../gateway/src/check.ts';
import { captureLogs, gql, startTestGateway } from '../../gateway/test/harness.ts';
import { CONTRACT_TEST_ENV, startContractFake, type ContractFake, type FakeReply } from '../kit/contract-fake.ts';
import { conversation, serveSlack, ts, WORKSPACE, type FakeMessage } from './testing/slack-fake.ts';

const TOKEN = 'xoxb-1234567890-slack-bot-token-secret';
const CHANNELS = [
  conversation('C0INC10420', 'inc-1042-checkout-5xx', 'SEV2: checkout 5xx after v2.14.0'),
  conversation('C0PAYMENTS1', 'team-payments', 'Payments team'),
  conversation('C0GENERAL01', 'general'),
  conversation('C0INCIDENT2', 'incident-db-saturation'),
  conversation('C0RANDOM001', 'random'),
];

/** The war room's history, oldest first as Slack stores it. */
const history: FakeMessage[] = [
  { type: 'message', ts: ts(1), user: 'U0MAYA0001', text: 'Rolling back <https://deploy.acme-shop.example/2.14.0|v2.14.0> &amp; watching' },
  { type: 'message', ts: ts(2), user: 'U0JONAS001', text: 'Ack, <@U0MAYA0001> on it' },
  { type: 'message', ts: ts(3), subtype: 'bot_message', bot_id: 'B0PAGERDTY', username: 'PagerDuty', text: 'Incident #1042 acknowledged' },
  { type: 'message', ts: ts(4), user: 'U0MAYA0001', text: 'Thread root', thread_ts: ts(4) },
  { type: 'message', ts: ts(5), user: 'U0JONAS001', text: 'Reply in thread', thread_ts: ts(4) },
  { type: 'message', ts: ts(6), user: 'U0JONAS001', text: '<!here> error rate back under 1%' },
  { type: 'message', ts: ts(7), user: 'U0MAYA0001', text: 'Closing <#C0PAYMENTS1|team-payments> loop' },
];

let fake: ContractFake;
let gateway: RunningGateway;
const logs = captureLogs();
let mode: 'ok' | 'invalid_auth' | 'account_inactive' | 'http-429' | 'rate_limited' | 'down' | 'slow' = 'ok';

function failure(): FakeReply | Promise<FakeReply> | null {
  if (mode === 'invalid_auth') return { body: { ok: false, error: 'invalid_auth' }, documentedAs: 'default' };
  if (mode === 'account_inactive') return { body: { ok: false, error: 'account_inactive' }, documentedAs: 'default' };
  if (mode === 'http-429') return { status: 429, raw: `{"ok":false,"error":"ratelimited","token":"${TOKEN}"}`, headers: { 'retry-after': '1' } };
  if (mode === 'down') return { status: 503, raw: '<html>upstream connect error</html>' };
  if (mode === 'slow') return new Promise((resolve) => setTimeout(() => resolve({ status: 503, raw: 'late' }), 2_500));
  return null;
}

beforeAll(async () => {
  fake = await startContractFake({
    spec: 'slack.openapi.json',
    vendor: 'Slack',
    fixtures: join(import.meta.dirname, '__fixtures__'),
    // Slack's document lists `token` as a required parameter; the API takes `Authorization: Bearer` instead.
    ignoreParameters: ['token'],
  });
  serveSlack(fake, { channels: CHANNELS, history: { C0INC10420: history }, failure, writeFailure: () => (mode === 'rate_limited' ? { body: { ok: false, error: 'rate_limited' }, headers: { 'retry-after': '4' }, documentedAs: 'default' } : null) });
  gateway = await startTestGateway({ logger: logs.logger, env: gatewayEnv() });
}, 60_000);

function gatewayEnv(): Record<string, string> {
  return {
    OPSORCH_MESSAGING_PROVIDER: 'slack=slack',
    OPSORCH_MESSAGING_CONFIG: JSON.stringify({ url: fake.url, token: 'secret://env/SLACK_TOKEN' }),
    SLACK_TOKEN: TOKEN,
    ...CONTRACT_TEST_ENV,
  };
}

afterEach(() => {
  mode = 'ok';
  fake.verify();
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

const calls = (route: string, since = 0) => fake.requests.slice(since).filter((r) => r.route === route);

describe('Slack adapter against the contract fake', () => {
  it('lists every channel across conversations.list cursor pages, with names, topics, war rooms and deep links', async () => {
    const names: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const body: any = await gql(gateway.url, 'query($after: String) { channels(first: 2, after: $after) { nodes { id name topic isIncidentChannel url source { provider instance id } } pageInfo { hasNextPage endCursor } } }', { after });
      expect(body.errors).toBeUndefined();
      if (guard === 0) {
        expect(body.data.channels.nodes[0]).toEqual({
          id: 'slack:C0GENERAL01',
          name: '#general',
          topic: null,
          isIncidentChannel: false,
          url: `${WORKSPACE}/archives/C0GENERAL01`,
          source: { provider: 'slack', instance: 'slack', id: 'C0GENERAL01' },
        });
      }
      names.push(...body.data.channels.nodes.map((n: { name: string }) => n.name));
      if (!body.data.channels.pageInfo.hasNextPage) break;
      after = body.data.channels.pageInfo.endCursor;
    }
    expect(names).toEqual(['#general', '#inc-1042-checkout-5xx', '#incident-db-saturation', '#random', '#team-payments']);
    const listed = calls('GET /conversations.list');
    expect(listed.length).toBe(3);
    expect(listed.slice(1).every((r) => r.query.get('cursor'))).toBe(true);
    const war = await gql(gateway.url, '{ channels(filter: { incidentOnly: true }) { nodes { name } } byName: channelByName(name: "#INC-1042-checkout-5xx") { id topic } }');
    expect(war.data.channels.nodes).toEqual([{ name: '#inc-1042-checkout-5xx' }, { name: '#incident-db-saturation' }]);
    expect(war.data.byName).toEqual({ id: 'slack:C0INC10420', topic: 'SEV2: checkout 5xx after v2.14.0' });
  });

  it('walks a channel\'s history newest first across Slack pages, with people, bots, threads, flattened markup and permalinks', async () => {
    const nodes: any[] = [];
    let after: string | null = null;
    const before = fake.requests.length;
    for (let guard = 0; guard < 10; guard++) {
      const body: any = await gql(gateway.url, 'query($after: String) { channel(id: "slack:C0INC10420") { messages(first: 2, after: $after) { nodes { id text authorName author { id } postedAt threadId url source { id } } pageInfo { hasNextPage endCursor } } } }', { after });
      expect(body.errors).toBeUndefined();
      nodes.push(...body.data.channel.messages.nodes);
      if (!body.data.channel.messages.pageInfo.hasNextPage) break;
      after = body.data.channel.messages.pageInfo.endCursor;
    }
    expect(nodes.map((n) => n.text)).toEqual([
      'Closing #team-payments loop',
      '@here error rate back under 1%',
      'Reply in thread',
      'Thread root',
      'Incident #1042 acknowledged',
      'Ack, @Maya Patel on it',
      'Rolling back v2.14.0 (https://deploy.acme-shop.example/2.14.0) & watching',
    ]);
    expect(nodes[6]).toMatchObject({ authorName: 'Maya Patel', author: { id: 'maya@acme-shop.example' }, postedAt: '2025-12-01T14:41:00.000Z', url: `${WORKSPACE}/archives/C0INC10420/p1764600060000101` });
    expect(nodes[4]).toMatchObject({ authorName: 'PagerDuty', author: null, threadId: null });
    expect(nodes[2]).toMatchObject({ threadId: `slack:C0INC10420/${ts(4)}`, url: `${WORKSPACE}/archives/C0INC10420/p${ts(5).replace('.', '')}?thread_ts=${ts(4)}&cid=C0INC10420` });
    expect(calls('GET /conversations.history', before).some((r) => r.query.get('latest'))).toBe(true);
    // People are asked once each, then reused.
    expect(calls('GET /users.info').map((r) => r.query.get('user')).sort()).toEqual(['U0JONAS001', 'U0MAYA0001']);
  });

  it('sends Block Kit built from the input once per idempotency key, by channel name or id, and answers the permalink', async () => {
    const send = 'mutation($input: SendMessageInput!, $key: String) { sendMessage(input: $input, idempotencyKey: $key) { id text threadId url channel { id } } }';
    const input = { channel: '#inc-1042-checkout-5xx', text: 'Rollback done <!channel> & verified' };
    const first = await gql(gateway.url, send, { input, key: 'send-1' }, { 'x-opsorch-actor': 'user:maya@acme-shop.example' });
    const again = await gql(gateway.url, send, { input, key: 'send-1' }, { 'x-opsorch-actor': 'user:maya@acme-shop.example' });
    expect(first.errors).toBeUndefined();
    expect(again.data.sendMessage).toEqual(first.data.sendMessage);
    const posts = calls('POST /chat.postMessage');
    expect(posts).toHaveLength(1);
    const form = posts[0]!.body as Record<string, string>;
    expect(form.channel).toBe('C0INC10420');
    expect(JSON.parse(form.blocks)).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'Rollback done &lt;!channel&gt; &amp; verified' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: expect.stringMatching(/^Sent by .+ via OpsOrch$/) }] },
    ]);
    const sent = first.data.sendMessage;
    expect(sent.channel).toEqual({ id: 'slack:C0INC10420' });
    expect(sent.url).toBe(`${WORKSPACE}/archives/C0INC10420/p${sent.id.split('/')[1].replace('.', '')}`);
    expect(calls('GET /chat.getPermalink')).toHaveLength(1);
  });

  it('replies in a thread at its parent, even when given a reply, and answers NOT_FOUND for an unknown thread', async () => {
    const send = 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { threadId } }';
    const reply = await gql(gateway.url, send, { input: { channelId: 'slack:C0INC10420', text: 'Following up', threadId: `slack:C0INC10420/${ts(5)}` } });
    expect(reply.errors).toBeUndefined();
    expect(reply.data.sendMessage.threadId).toBe(`slack:C0INC10420/${ts(4)}`);
    expect((calls('POST /chat.postMessage').at(-1)!.body as Record<string, string>).thread_ts).toBe(ts(4));
    const missing = await gql(gateway.url, send, { input: { channelId: 'slack:C0INC10420', text: 'x', threadId: 'slack:C0INC10420/1700000000.000001' } });
    expect(missing.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', provider: 'slack' });
    const otherChannel = await gql(gateway.url, send, { input: { channelId: 'slack:C0INC10420', text: 'x', threadId: `slack:C0PAYMENTS1/${ts(4)}` } });
    expect(otherChannel.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('is reported by the providers query and by `opsorch check`', async () => {
    const body = await gql(gateway.url, '{ providers { capability provider instance health } }');
    expect(body.data.providers).toContainEqual(expect.objectContaining({ capability: 'messaging', provider: 'slack', instance: 'slack', health: 'UP' }));
    let out = '';
    expect(await runCheck({ env: gatewayEnv(), json: true, write: (text) => (out += text) })).toBe(0);
    expect(JSON.parse(out).providers).toContainEqual(expect.objectContaining({ capability: 'messaging', instance: 'slack', provider: 'slack', health: 'UP', checked: true }));
    expect(out).not.toContain(TOKEN);
  });

  it('maps ok:false codes, HTTP 429, 5xx and the deadline to OpsOrch codes, and the token appears in no answer, log line or URL', async () => {
    const ask = () => gql(gateway.url, '{ channel(id: "slack:C0INC10420") { messages { nodes { id } providerErrors { code } } } }');
    const seen: Record<string, unknown> = {};
    for (const m of ['invalid_auth', 'account_inactive', 'down', 'slow', 'http-429'] as const) {
      mode = m;
      const body = await ask();
      seen[m] = body.errors?.[0]?.extensions;
      expect(JSON.stringify(body)).not.toContain(TOKEN);
    }
    expect(seen.invalid_auth).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', provider: 'slack', capability: 'messaging' });
    expect(seen.account_inactive).toMatchObject({ code: 'PROVIDER_AUTH_FAILED' });
    expect(seen.down).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(seen.slow).toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    expect(seen['http-429']).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfter: 1 });
    mode = 'ok';
    const gone = await gql(gateway.url, '{ channel(id: "slack:C0RANDOM001") { messages { nodes { id } } } }');
    expect(gone.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND' });
    // Slack's own rate-limit envelope (HTTP 200, ok:false) on a write, once the registry's hold-off has passed.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    mode = 'rate_limited';
    const posts = calls('POST /chat.postMessage').length;
    const limited = await gql(gateway.url, 'mutation { sendMessage(input: { channelId: "slack:C0INC10420", text: "hi" }) { id } }');
    expect(limited.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfter: 4 });
    expect(calls('POST /chat.postMessage').length).toBe(posts + 1);
    for (const line of logs.lines) expect(line).not.toContain(TOKEN);
    for (const request of fake.requests) {
      expect(request.path + request.query.toString()).not.toContain(TOKEN);
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    }
  });
});
