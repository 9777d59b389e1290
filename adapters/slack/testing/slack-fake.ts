// Test code: a Slack Web API contract fake's workspace and handlers, shared by the adapter's tests and its benchmark.
// Errors travel as Slack sends them: HTTP 200 with `{ ok: false, error }` (checked against the spec's `default`).
import type { ContractFake, FakeReply, FakeRequest } from '../../kit/contract-fake.ts';

export const WORKSPACE = 'https://acme-shop.slack.com';

export type FakeMessage = Record<string, unknown> & { ts: string; text: string; thread_ts?: string };

/** A channel as conversations.list answers it (every field the spec requires). */
export const conversation = (id: string, name: string, topic = '') => ({
  id,
  name,
  name_normalized: name,
  created: 1764000000,
  creator: 'U0MAYA0001',
  is_archived: false,
  is_channel: true,
  is_general: false,
  is_group: false,
  is_im: false,
  is_mpim: false,
  is_org_shared: false,
  is_private: false,
  is_shared: false,
  topic: { value: topic, creator: 'U0MAYA0001', last_set: 1764000000 },
  purpose: { value: '', creator: '', last_set: 0 },
});

/** The n-th minute's Slack ts (`1764600060.000101`). */
export const ts = (n: number) => `${1764600000 + n * 60}.${String(100 + n).padStart(6, '0')}`;

const PEOPLE: Record<string, [string, string]> = { U0MAYA0001: ['maya', 'Maya Patel'], U0JONAS001: ['jonas', 'Jonas Weber'], U0OPSORCH1: ['opsorch', 'OpsOrch'] };

export interface SlackFakeState {
  channels: ReturnType<typeof conversation>[];
  /** Per channel id, its messages oldest first (as Slack stores them); a channel absent here is channel_not_found. */
  history: Record<string, FakeMessage[]>;
  /** A failure to answer history reads with instead, or null. */
  failure?: () => FakeReply | Promise<FakeReply> | null;
  /** A failure to answer chat.postMessage with instead, or null. */
  writeFailure?: () => FakeReply | null;
  /** Slack answers at most this many items per page, whatever `limit` asks, as it may (default 2 channels, 3 messages: tests walk pages). */
  pageSize?: { channels: number; messages: number };
}

const slackError = (error: string): FakeReply => ({ body: { ok: false, error }, documentedAs: 'default' });

/** Serves every Slack method the adapter uses from the state's workspace. */
export function serveSlack(fake: ContractFake, state: SlackFakeState): ContractFake {
  const user = (request: FakeRequest): FakeReply => {
    const id = request.query.get('user')!;
    const person = PEOPLE[id];
    if (!person) return slackError('user_not_found');
    const example = fake.example<{ ok: true; user: Record<string, any> }>('GET /users.info');
    example.user.id = id;
    example.user.name = person[0];
    example.user.real_name = person[1];
    example.user.is_bot = id === 'U0OPSORCH1';
    example.user.profile = { ...example.user.profile, display_name: person[1], display_name_normalized: person[1], real_name: person[1], real_name_normalized: person[1], email: `${person[0]}@Acme-Shop.example` };
    return { body: example };
  };
  return fake
    .on('GET /auth.test', () => ({ body: { ok: true, url: `${WORKSPACE}/`, team: 'Acme Shop', team_id: 'T0ACME0001', user: 'opsorch', user_id: 'U0OPSORCH1' } }))
    .on('GET /conversations.list', (r) => {
      const cursor = r.query.get('cursor');
      const start = cursor ? Number(Buffer.from(cursor, 'base64').toString().replace('next:', '')) : 0;
      const page = state.channels.slice(start, start + Math.min(Number(r.query.get('limit')), state.pageSize?.channels ?? 2));
      const end = start + page.length;
      return { body: { ok: true, channels: page, response_metadata: { next_cursor: end < state.channels.length ? Buffer.from(`next:${end}`).toString('base64') : '' } } };
    })
    .on('GET /conversations.history', (r) => {
      const failed = state.failure?.();
      if (failed) return failed;
      const messages = state.history[r.query.get('channel')!];
      if (!messages) return slackError('channel_not_found');
      // The 2020 document has no response_metadata here, so pages continue by `latest` (exclusive), as Slack allows.
      const latest = r.query.get('latest');
      const newestFirst = [...messages].reverse().filter((m) => !latest || Number(m.ts) < Number(latest));
      const page = newestFirst.slice(0, Math.min(Number(r.query.get('limit')), state.pageSize?.messages ?? 3));
      return { body: { ok: true, messages: page, has_more: newestFirst.length > page.length, pin_count: 0, channel_actions_ts: null, channel_actions_count: 0 } };
    })
    .on('GET /conversations.replies', (r) => {
      const messages = state.history[r.query.get('channel')!] ?? [];
      const message = messages.find((m) => m.ts === r.query.get('ts'));
      if (!message) return slackError('thread_not_found');
      const root = messages.find((m) => m.ts === (message.thread_ts ?? message.ts))!;
      return { body: { ok: true, messages: [root], has_more: Boolean(message.thread_ts) } };
    })
    .on('POST /chat.postMessage', (r) => {
      const failed = state.writeFailure?.();
      if (failed) return failed;
      const form = r.body as Record<string, string>;
      const messages = state.history[form.channel!];
      if (!messages) return slackError('channel_not_found');
      const posted: FakeMessage = { type: 'message', ts: ts(messages.length + 1), user: 'U0OPSORCH1', bot_id: 'B0OPSORCH1', text: form.text!, ...(form.thread_ts ? { thread_ts: form.thread_ts } : {}) };
      messages.push(posted);
      return { body: { ok: true, channel: form.channel, ts: posted.ts, message: posted } };
    })
    .on('GET /chat.getPermalink', (r) => ({
      body: { ok: true, channel: r.query.get('channel'), permalink: `${WORKSPACE}/archives/${r.query.get('channel')}/p${r.query.get('message_ts')!.replace('.', '')}` },
    }))
    .on('GET /users.info', user);
}
