import { badInput, notFound, parseId, type ChannelQuery, type ChannelRecord, type MessageRecord } from '@opsorch/adapters';
import type { ChannelMessagesArgs, MutationSendMessageArgs, QueryChannelArgs, QueryChannelByNameArgs, QueryChannelsArgs } from '@opsorch/schema';
import { listConnection, loadersFor, newestFirst, writerFor, type RequestContext } from '../shared/index.ts';
import { instanceConnection } from '../shared/index.ts';
import { createMessagingLoaders } from './loaders.ts';

const loaders = (ctx: RequestContext) => loadersFor(ctx, 'messaging', createMessagingLoaders);

const MAX_MESSAGE = 4000;

const mostRecentlyActive = (a: ChannelRecord, b: ChannelRecord): number =>
  (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? '') || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

function checkChannelName(name: string, field: string): string {
  const bare = name.trim().replace(/^#/, '');
  if (!/^[a-z0-9][a-z0-9._-]{0,79}$/i.test(bare)) {
    throw badInput(`${field} "${name}" is not a channel name: use letters, digits, dots, dashes or underscores, for example "#inc-1042-checkout-5xx"`);
  }
  return `#${bare.toLowerCase()}`;
}

async function channelOf(input: MutationSendMessageArgs['input'], ctx: RequestContext): Promise<ChannelRecord> {
  if (input.channelId) {
    const channel = await loaders(ctx).channel.load(input.channelId);
    if (!channel) throw notFound(`channel "${input.channelId}" does not exist; find channels with the channels query`);
    return channel;
  }
  const channel = await loaders(ctx).channelByName.load(input.channel!);
  if (!channel) throw notFound(`channel "${checkChannelName(input.channel!, 'input.channel')}" does not exist in any workspace; find channels with the channels query`);
  return channel;
}

export const messagingResolvers = {
  Query: {
    channels: (_: unknown, args: QueryChannelsArgs, ctx: RequestContext) => {
      const filter: ChannelQuery = {};
      if (args.filter?.text?.trim()) filter.text = args.filter.text.trim();
      if (args.filter?.incidentOnly) filter.incidentOnly = true;
      return listConnection(ctx, 'messaging', args, (provider, page) => provider.query(filter, page, ctx.provider), mostRecentlyActive);
    },
    channel: (_: unknown, args: QueryChannelArgs, ctx: RequestContext) => {
      parseId(args.id, 'id');
      return loaders(ctx).channel.load(args.id);
    },
    channelByName: (_: unknown, args: QueryChannelByNameArgs, ctx: RequestContext) =>
      loaders(ctx).channelByName.load(checkChannelName(args.name, 'name')),
  },
  Mutation: {
    sendMessage: (_: unknown, args: MutationSendMessageArgs, ctx: RequestContext) => {
      const { input } = args;
      if ((input.channelId == null) === (input.channel == null)) {
        throw badInput('input must name the channel with exactly one of channelId (for example "demo:C06INC1042") and channel (for example "#inc-1042-checkout-5xx")');
      }
      if (input.channelId != null) parseId(input.channelId, 'input.channelId');
      if (input.channel != null) checkChannelName(input.channel, 'input.channel');
      const text = input.text.trim();
      if (text.length < 1 || text.length > MAX_MESSAGE) throw badInput(`input.text must be 1 to ${MAX_MESSAGE} characters, got ${text.length}`);
      if (input.threadId != null) parseId(input.threadId, 'input.threadId');
      return ctx.idempotency.run('messaging\u0000sendMessage', args.idempotencyKey, args, async () => {
        const channel = await channelOf(input, ctx);
        const provider = writerFor(ctx, 'messaging', channel.id, 'sendMessage');
        return provider.sendMessage({ channelId: channel.id, text, threadId: input.threadId ?? null }, ctx.provider);
      });
    },
  },
  Channel: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext) => loaders(ctx).channel.load(ref.id),
    messages: (c: ChannelRecord, args: ChannelMessagesArgs, ctx: RequestContext) => {
      const { instance } = parseId(c.id);
      return instanceConnection(
        'messaging',
        instance,
        args,
        (page) => loaders(ctx).messages.load({ instance, parentId: c.id, filter: null, page }),
        newestFirst<MessageRecord>((m) => m.postedAt),
      );
    },
  },
  Message: {
    channel: async (m: MessageRecord, _: unknown, ctx: RequestContext) => {
      const channel = await loaders(ctx).channel.load(m.channelId);
      if (!channel) throw notFound(`channel "${m.channelId}" of message "${m.id}" no longer exists`);
      return channel;
    },
    author: (m: MessageRecord) => (m.authorId ? { id: m.authorId } : null),
  },
};
