// Messaging through a Core plugin: `messaging.send` only. Core has no channel list or history, so channels are
// known by name alone (a name is a channel), lists are empty, and posting is what works.
import type { ProviderContext } from '../src/context.ts';
import { parseId } from '../src/ids.ts';
import type { PageRequest } from '../src/paging.ts';
import type { ChannelRecord, MessageRecord, MessagingProvider, OutgoingMessage } from '../src/spi/messaging.ts';
import { str, time, type CorePlugin, type Json } from './plugin.ts';

export class CoreMessagingProvider implements MessagingProvider {
  readonly kind = 'core-plugin';
  readonly instance: string;

  constructor(private readonly plugin: CorePlugin) {
    this.instance = plugin.instance;
  }

  private channel(name: string): ChannelRecord {
    const label = name.startsWith('#') ? name : `#${name}`;
    return {
      id: this.plugin.id(label),
      name: label,
      topic: null,
      isIncidentChannel: /^#inc[-_]/i.test(label),
      lastMessageAt: null,
      url: '',
      source: this.plugin.source(label),
    };
  }

  async getMany(ids: readonly string[]) {
    return ids.map((id) => {
      const { instance, nativeId } = parseId(id, 'channel id');
      return instance === this.instance ? this.channel(nativeId) : null;
    });
  }

  async channelsByName(names: readonly string[]) {
    return names.map((name) => this.channel(name));
  }

  async query(_filter: unknown, _page: PageRequest) {
    return { items: [], nextCursor: null, totalCount: 0 };
  }

  async messagesForChannels(channelIds: readonly string[]) {
    return channelIds.map(() => ({ items: [], nextCursor: null, totalCount: 0 }));
  }

  async sendMessage(message: OutgoingMessage, ctx: ProviderContext): Promise<MessageRecord> {
    const channel = parseId(message.channelId, 'channel id').nativeId;
    const threadRef = message.threadId ? parseId(message.threadId, 'thread id').nativeId : undefined;
    const sent = (await this.plugin.call<Json>('messaging.send', { channel, body: message.text, threadRef }, ctx)) ?? {};
    const id = str(sent.id) ?? `${channel}/${ctx.now.getTime()}`;
    return {
      id: this.plugin.id(id),
      channelId: message.channelId,
      authorId: ctx.actor.id.includes('@') ? ctx.actor.id.toLowerCase() : null,
      authorName: ctx.actor.name ?? ctx.actor.id,
      text: message.text,
      postedAt: time(sent.sentAt) ?? ctx.now.toISOString(),
      threadId: message.threadId,
      url: str(sent.url) ?? '',
      source: this.plugin.source(id),
    };
  }

  close() {
    return this.plugin.close();
  }
}
