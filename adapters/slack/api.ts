// Slack's Web API (../shared/vendor-api/slack.openapi.json), the methods OpsOrch calls. Slack answers most failures
// with HTTP 200 and `{ ok: false, error }`: the kit's client maps HTTP statuses (429 with Retry-After included), and
// this file maps the envelope's error codes, in one table.
import type { Logger } from '../src/context.ts';
import { OpsOrchError, type ErrorCode } from '../src/errors.ts';
import { HttpClient, parseRetryAfter } from '../kit/http.ts';

export interface SlackConversation {
  id: string;
  name?: string;
  is_archived?: boolean;
  is_private?: boolean;
  topic?: { value: string };
  purpose?: { value: string };
  latest?: { ts?: string };
}

export interface SlackMessage {
  type: string;
  ts: string;
  text: string;
  user?: string;
  username?: string;
  bot_id?: string;
  bot_profile?: { name?: string };
  thread_ts?: string;
  subtype?: string;
}

export interface SlackUser {
  id: string;
  name: string;
  is_bot?: boolean;
  deleted?: boolean;
  real_name?: string;
  profile?: { email?: string; real_name?: string; display_name?: string };
}

interface Envelope {
  ok: boolean;
  error?: string;
  response_metadata?: { next_cursor?: string; warnings?: string[] };
}

/** Slack's error codes by what they mean to OpsOrch; any other code is the tool's failure. */
const ERROR_CODES: Record<string, ErrorCode> = {
  invalid_auth: 'PROVIDER_AUTH_FAILED',
  not_authed: 'PROVIDER_AUTH_FAILED',
  account_inactive: 'PROVIDER_AUTH_FAILED',
  token_revoked: 'PROVIDER_AUTH_FAILED',
  token_expired: 'PROVIDER_AUTH_FAILED',
  no_permission: 'PROVIDER_AUTH_FAILED',
  missing_scope: 'PROVIDER_AUTH_FAILED',
  not_allowed_token_type: 'PROVIDER_AUTH_FAILED',
  ekm_access_denied: 'PROVIDER_AUTH_FAILED',
  not_in_channel: 'PROVIDER_AUTH_FAILED',
  channel_not_found: 'NOT_FOUND',
  message_not_found: 'NOT_FOUND',
  thread_not_found: 'NOT_FOUND',
  user_not_found: 'NOT_FOUND',
  user_not_visible: 'NOT_FOUND',
  ratelimited: 'PROVIDER_RATE_LIMITED',
  rate_limited: 'PROVIDER_RATE_LIMITED',
  is_archived: 'BAD_USER_INPUT',
  msg_too_long: 'BAD_USER_INPUT',
  no_text: 'BAD_USER_INPUT',
  invalid_blocks: 'BAD_USER_INPUT',
  too_many_attachments: 'BAD_USER_INPUT',
  invalid_cursor: 'BAD_USER_INPUT',
  invalid_ts_latest: 'BAD_USER_INPUT',
  invalid_ts_oldest: 'BAD_USER_INPUT',
  request_timeout: 'PROVIDER_TIMEOUT',
};

/** Why Slack refused, as the caller can act on it (the error code is Slack's own, safe to show). */
const HINTS: Record<string, string> = {
  not_in_channel: 'invite the OpsOrch app to the channel',
  missing_scope: 'add the missing scope to the Slack app and reinstall it',
  is_archived: 'the channel is archived',
};

export function slackError(method: string, error: string | undefined, headers?: Headers): OpsOrchError {
  const code = (error && ERROR_CODES[error]) || 'PROVIDER_UNAVAILABLE';
  const wait = code === 'PROVIDER_RATE_LIMITED' ? parseRetryAfter(headers?.get('retry-after') ?? null) : null;
  const hint = error && HINTS[error] ? `: ${HINTS[error]}` : '';
  return new OpsOrchError(code, `Slack answered ${method} with error "${error ?? 'unknown'}"${hint}`, wait === null ? {} : { retryAfter: Math.ceil(wait / 1000) });
}

export class SlackApi {
  readonly http: HttpClient;

  constructor(options: { baseUrl: string; token: string; logger?: Logger }) {
    this.http = new HttpClient({ baseUrl: options.baseUrl, tool: 'Slack', auth: { bearerToken: options.token }, logger: options.logger });
  }

  /** One Web API method: GET with query parameters for reads, POST with a form body for writes; `ok: false` throws. */
  async call<T>(httpMethod: 'GET' | 'POST', method: string, params: Record<string, string | undefined>, signal: AbortSignal, logger?: Logger): Promise<T & Envelope> {
    const { body, headers } = await this.http.jsonWithHeaders<T & Envelope>(
      httpMethod === 'GET' ? { path: `/${method}`, query: params, signal, logger } : { method: 'POST', path: `/${method}`, form: params, signal, logger },
    );
    if (!body?.ok) {
      logger?.warn({ tool: 'Slack', method, error: body?.error }, 'Slack refused the call');
      throw slackError(method, body?.error, headers);
    }
    if (body.response_metadata?.warnings?.length) logger?.debug({ tool: 'Slack', method, warnings: body.response_metadata.warnings }, 'Slack warned');
    return body;
  }

  conversations(cursor: string | null, limit: number, types: string, signal: AbortSignal, logger?: Logger) {
    return this.call<{ channels: SlackConversation[] }>('GET', 'conversations.list', { types, exclude_archived: 'true', limit: String(limit), cursor: cursor ?? undefined }, signal, logger);
  }

  /** Newest first. Paged by `cursor`, or by `latest` (exclusive) when a page is followed from its oldest message. */
  history(channel: string, page: { cursor?: string; latest?: string }, limit: number, signal: AbortSignal, logger?: Logger) {
    return this.call<{ messages: SlackMessage[]; has_more?: boolean }>(
      'GET',
      'conversations.history',
      { channel, limit: String(limit), cursor: page.cursor, latest: page.latest },
      signal,
      logger,
    );
  }

  /** The thread a message is in (its first message is the thread's parent), or the message alone. */
  replies(channel: string, ts: string, signal: AbortSignal, logger?: Logger) {
    return this.call<{ messages: SlackMessage[] }>('GET', 'conversations.replies', { channel, ts, limit: '1' }, signal, logger);
  }

  postMessage(params: { channel: string; text: string; blocks: string; thread_ts?: string }, signal: AbortSignal, logger?: Logger) {
    return this.call<{ channel: string; ts: string; message: SlackMessage }>('POST', 'chat.postMessage', { ...params, unfurl_links: 'false' }, signal, logger);
  }

  async permalink(channel: string, ts: string, signal: AbortSignal, logger?: Logger): Promise<string> {
    return (await this.call<{ permalink: string }>('GET', 'chat.getPermalink', { channel, message_ts: ts }, signal, logger)).permalink;
  }

  async user(id: string, signal: AbortSignal, logger?: Logger): Promise<SlackUser> {
    return (await this.call<{ user: SlackUser }>('GET', 'users.info', { user: id }, signal, logger)).user;
  }

  authTest(signal: AbortSignal) {
    return this.call<{ url?: string; team?: string; user_id?: string }>('GET', 'auth.test', {}, signal);
  }
}
