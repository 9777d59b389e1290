import type { Channel, Message } from '@opsorch/schema';
import type { ProviderContext } from '../context.ts';
import type { Page, PageRequest } from '../paging.ts';
import type { ProviderBase } from './base.ts';

/** A channel as a provider returns it; its messages are fetched with `messagesForChannels`. */
export type ChannelRecord = Omit<Channel, '__typename' | 'messages'>;

/** A message as a provider returns it: its channel and author are ids. */
export type MessageRecord = Omit<Message, '__typename' | 'channel' | 'author'> & {
  /** OpsOrch id of the channel it was posted in. */
  channelId: string;
  /** Author's lower-case email; null for bots and integrations. */
  authorId: string | null;
};

/** What `query` narrows by. */
export interface ChannelQuery {
  text?: string;
  incidentOnly?: boolean;
}

/** A message to post, validated by the subgraph; the channel is an OpsOrch id of this instance. */
export interface OutgoingMessage {
  channelId: string;
  text: string;
  /** OpsOrch id of a message in the same channel to reply to in its thread. */
  threadId: string | null;
}

/** The messaging capability's provider contract (Slack-like chat tools). */
export interface MessagingProvider extends ProviderBase {
  /** One slot per id, in key order: the channel or null. */
  getMany(ids: readonly string[], ctx: ProviderContext): Promise<(ChannelRecord | null)[]>;
  /** One slot per name (with or without `#`), in key order: the channel or null. */
  channelsByName(names: readonly string[], ctx: ProviderContext): Promise<(ChannelRecord | null)[]>;
  /** Channels matching `filter`, most recently active first. */
  query(filter: ChannelQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<ChannelRecord>>;
  /** Per channel id, in key order: a page of its messages, newest first. */
  messagesForChannels(channelIds: readonly string[], page: PageRequest, ctx: ProviderContext): Promise<Page<MessageRecord>[]>;

  /** Posts as `ctx.actor`; NOT_FOUND for an unknown channel or thread. */
  sendMessage?(message: OutgoingMessage, ctx: ProviderContext): Promise<MessageRecord>;
}
