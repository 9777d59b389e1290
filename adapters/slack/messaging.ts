// The messaging capability over Slack's Web API. Channels come from conversations.list (walked by cursor and reused
// for `cacheTtlMs`, since Slack has no lookup by name), messages from conversations.history, people from users.info
// (cached), and a sent message's `url` from chat.getPermalink. Listed messages get the permalink's documented form
// (`<workspace>/archives/<channel>/p<ts>`) instead of one getPermalink call per message.
import type { ProviderContext } from '../src/context.ts';
import { badInput, notFound } from '../src/errors.ts';
import { composeId, parseId } from '../src/ids.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { ChannelQuery, ChannelRecord, MessageRecord, MessagingProvider, OutgoingMessage } from '../src/spi/messaging.ts';
import { allFromVendor, pageFromVendor } from '../kit/paging.ts';
import { SlackApi, type SlackConversation, type SlackMessage, type SlackUser } from './api.ts';
import { flattenMrkdwn, mentionedUsers, messageBlocks } from './mrkdwn.ts';
import type { SlackSettings } from './settings.ts';

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const TS = /^\d{1,12}\.\d{1,9}$/;
/** Slack's page size for conversations.list and conversations.history (it advises at most 200). */
const PAGE_SIZE = 200;

/** A Slack ts (`1503435956.000247`) as an RFC 3339 instant, to the millisecond. */
export function tsToIso(ts: string): string {
  const [seconds, fraction = '0'] = ts.split('.');
  return new Date(Number(seconds) * 1000 + Math.floor(Number(fraction.padEnd(6, '0').slice(0, 6)) / 1000)).toISOString();
}

/** Where to continue a channel's history: Slack's cursor, or the oldest ts already read (`latest`, exclusive). */
type HistoryCursor = { cursor: string } | { latest: string };

interface Cached<T> {
  value: Promise<T>;
  until: number;
}

export class SlackMessagingProvider implements MessagingProvider {
  readonly kind = 'slack';
  readonly instance: string;
  readonly api: SlackApi;
  private channels: Cached<SlackConversation[]> | null = null;
  private readonly users = new Map<string, Cached<SlackUser | null>>();
  private workspace: Promise<string> | null = null;

  constructor(
    private readonly settings: SlackSettings,
    deps: ProviderDeps,
  ) {
    this.instance = deps.instance;
    this.api = new SlackApi({ baseUrl: settings.url, token: settings.token, logger: deps.logger });
    if (settings.workspaceUrl) this.workspace = Promise.resolve(settings.workspaceUrl.replace(/\/+$/, ''));
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.authTest(ctx.signal);
  }

  /** The workspace's URL for deep links: configured, or auth.test's answer (asked once; a failure is asked again). */
  private workspaceUrl(ctx: ProviderContext): Promise<string> {
    if (!this.workspace) {
      const asked = this.api.authTest(ctx.signal).then((answer) => {
        if (!answer.url) throw badInput('Slack did not say the workspace URL; set workspaceUrl in the settings');
        return answer.url.replace(/\/+$/, '');
      });
      asked.catch(() => {
        if (this.workspace === asked) this.workspace = null;
      });
      this.workspace = asked;
    }
    return this.workspace;
  }

  // ---- channels ------------------------------------------------------------------------------------------------

  /** Every channel, walked by `response_metadata.next_cursor`, shared by the calls of `cacheTtlMs`. */
  private allChannels(ctx: ProviderContext): Promise<SlackConversation[]> {
    const now = Date.now();
    if (this.channels && this.channels.until > now) return this.channels.value;
    const value = allFromVendor<SlackConversation, string>(
      async (cursor, limit) => {
        const page = await this.api.conversations(cursor, limit, this.settings.channelTypes, ctx.signal, ctx.logger);
        return { items: page.channels, next: page.response_metadata?.next_cursor || null };
      },
      { pageSize: PAGE_SIZE, maxItems: this.settings.maxChannels },
    );
    const entry = { value, until: now + this.settings.cacheTtlMs };
    this.channels = entry;
    value.catch(() => {
      if (this.channels === entry) this.channels = null;
    });
    return value;
  }

  private channelRecord(c: SlackConversation, workspace: string): ChannelRecord {
    const name = c.name ?? c.id;
    return {
      id: composeId(this.instance, c.id),
      name: `#${name}`,
      topic: c.topic?.value ? c.topic.value : null,
      isIncidentChannel: this.settings.incidentChannelPrefixes.some((p) => name.toLowerCase().startsWith(p.toLowerCase())),
      lastMessageAt: c.latest?.ts ? tsToIso(c.latest.ts) : null,
      url: `${workspace}/archives/${c.id}`,
      source: { provider: 'slack', instance: this.instance, id: c.id },
    };
  }

  private async channelRecords(ctx: ProviderContext): Promise<ChannelRecord[]> {
    const [channels, workspace] = await Promise.all([this.allChannels(ctx), this.workspaceUrl(ctx)]);
    return channels.map((c) => this.channelRecord(c, workspace));
  }

  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(ChannelRecord | null)[]> {
    const byId = new Map((await this.channelRecords(ctx)).map((c) => [c.id, c]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async channelsByName(names: readonly string[], ctx: ProviderContext): Promise<(ChannelRecord | null)[]> {
    const byName = new Map((await this.channelRecords(ctx)).map((c) => [c.name.toLowerCase(), c]));
    return names.map((name) => byName.get(`#${name.trim().replace(/^#/, '').toLowerCase()}`) ?? null);
  }

  async query(filter: ChannelQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<ChannelRecord>> {
    const text = filter.text?.toLowerCase();
    const channels = (await this.channelRecords(ctx))
      .filter((c) => !filter.incidentOnly || c.isIncidentChannel)
      .filter((c) => !text || c.name.toLowerCase().includes(text) || (c.topic ?? '').toLowerCase().includes(text))
      .sort((a, b) => (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? '') || a.name.localeCompare(b.name));
    return pageOfArray(channels, page);
  }

  // ---- people and messages -------------------------------------------------------------------------------------

  /** People by Slack user id, each asked once per `cacheTtlMs` (users.info has no batch form). */
  private async people(ids: readonly string[], ctx: ProviderContext): Promise<Map<string, SlackUser | null>> {
    const now = Date.now();
    const unique = [...new Set(ids)];
    for (const id of unique) {
      const cached = this.users.get(id);
      if (cached && cached.until > now) continue;
      const value = this.api.user(id, ctx.signal, ctx.logger).catch((error: unknown) => {
        if ((error as { code?: string }).code === 'NOT_FOUND') return null;
        this.users.delete(id);
        throw error;
      });
      this.users.set(id, { value, until: now + this.settings.cacheTtlMs });
    }
    const answers = await Promise.all(unique.map((id) => this.users.get(id)!.value));
    return new Map(unique.map((id, i) => [id, answers[i]!]));
  }

  private messageRecord(channel: string, m: SlackMessage, people: Map<string, SlackUser | null>, workspace: string): MessageRecord {
    const person = m.user ? people.get(m.user) : undefined;
    const human = person && !person.is_bot ? person : null;
    const nameOf = (id: string) => {
      const p = people.get(id);
      return p ? p.profile?.display_name || p.profile?.real_name || p.real_name || p.name : undefined;
    };
    const inThread = m.thread_ts && m.thread_ts !== m.ts ? `?thread_ts=${m.thread_ts}&cid=${channel}` : '';
    return {
      id: composeId(this.instance, `${channel}/${m.ts}`),
      channelId: composeId(this.instance, channel),
      authorId: human?.profile?.email?.toLowerCase() ?? null,
      authorName: (m.user ? nameOf(m.user) : undefined) ?? m.bot_profile?.name ?? m.username ?? m.user ?? 'Slack',
      text: flattenMrkdwn(m.text ?? '', nameOf),
      postedAt: tsToIso(m.ts),
      threadId: m.thread_ts ? composeId(this.instance, `${channel}/${m.thread_ts}`) : null,
      url: `${workspace}/archives/${channel}/p${m.ts.replace('.', '')}${inThread}`,
      source: { provider: 'slack', instance: this.instance, id: `${channel}/${m.ts}` },
    };
  }

  private async messageRecords(channel: string, messages: readonly SlackMessage[], ctx: ProviderContext): Promise<MessageRecord[]> {
    const userIds = messages.flatMap((m) => [...(m.user ? [m.user] : []), ...mentionedUsers(m.text ?? '')]);
    const [people, workspace] = await Promise.all([this.people(userIds, ctx), this.workspaceUrl(ctx)]);
    return messages.map((m) => this.messageRecord(channel, m, people, workspace));
  }

  /** This instance's native channel id of an OpsOrch channel id, or null. */
  private nativeChannel(id: string): string | null {
    const { instance, nativeId } = parseId(id, 'channel id');
    return instance === this.instance && CHANNEL_ID.test(nativeId) ? nativeId : null;
  }

  async messagesForChannels(channelIds: readonly string[], page: PageRequest, ctx: ProviderContext): Promise<Page<MessageRecord>[]> {
    return Promise.all(
      channelIds.map(async (id) => {
        const channel = this.nativeChannel(id);
        if (!channel) return { items: [], nextCursor: null };
        return pageFromVendor<MessageRecord, HistoryCursor>(
          page,
          async (cursor, limit) => {
            const answer = await this.api.history(channel, cursor ?? {}, limit, ctx.signal, ctx.logger);
            const messages = answer.messages ?? [];
            const nextCursor = answer.response_metadata?.next_cursor;
            const oldest = messages.at(-1)?.ts;
            const next: HistoryCursor | null = nextCursor ? { cursor: nextCursor } : answer.has_more && oldest ? { latest: oldest } : null;
            return { items: await this.messageRecords(channel, messages, ctx), next };
          },
          { maxPageSize: PAGE_SIZE },
        );
      }),
    );
  }

  // ---- writes --------------------------------------------------------------------------------------------------

  /**
   * Posts with the bot token: the text in Block Kit sections (escaped, so it cannot ping `@channel`) and a context
   * line naming the caller. A reply goes to the thread's parent, found with conversations.replies (Slack wants the
   * parent's ts, and this also makes an unknown thread NOT_FOUND before anything is posted).
   */
  async sendMessage(message: OutgoingMessage, ctx: ProviderContext): Promise<MessageRecord> {
    const channel = this.nativeChannel(message.channelId);
    if (!channel) throw notFound(`channel "${message.channelId}" is not a channel of Slack ${this.instance}`);
    let threadTs: string | undefined;
    if (message.threadId) {
      const { instance, nativeId } = parseId(message.threadId, 'input.threadId');
      const [threadChannel, ts] = nativeId.split('/');
      if (instance !== this.instance || threadChannel !== channel || !ts || !TS.test(ts)) {
        throw badInput(`input.threadId "${message.threadId}" is not a message of channel ${message.channelId}; pass the id of a message listed in that channel`);
      }
      const thread = await this.api.replies(channel, ts, ctx.signal, ctx.logger);
      const first = thread.messages[0];
      if (!first) throw notFound(`message "${message.threadId}" does not exist`);
      threadTs = first.thread_ts ?? first.ts;
    }
    const sentBy = ctx.actor.name ?? ctx.actor.id;
    const posted = await this.api.postMessage(
      { channel, text: message.text, blocks: JSON.stringify(messageBlocks(message.text, sentBy)), ...(threadTs ? { thread_ts: threadTs } : {}) },
      ctx.signal,
      ctx.logger,
    );
    const [url, records] = await Promise.all([
      this.api.permalink(posted.channel, posted.ts, ctx.signal, ctx.logger),
      this.messageRecords(posted.channel, [{ ...posted.message, ts: posted.ts, ...(threadTs ? { thread_ts: threadTs } : {}) }], ctx),
    ]);
    return { ...records[0]!, url };
  }
}
