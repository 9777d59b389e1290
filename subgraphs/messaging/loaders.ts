import DataLoader from 'dataloader';
import type { ChannelRecord } from '@opsorch/adapters';
import type { RequestContext } from '../shared/index.ts';
import { parentListLoader, perParentLoader } from '../shared/index.ts';

/** `#Team-Payments`, `team-payments` and `#team-payments` name the same channel. */
export const channelNameKey = (name: string): string => `#${name.trim().replace(/^#/, '').toLowerCase()}`;

/** The messaging subgraph's DataLoaders for one request; each batch costs one provider call per instance. */
export function createMessagingLoaders(ctx: RequestContext) {
  const byName = parentListLoader(
    ctx,
    'messaging',
    async (provider, names: string[]) => (await provider.channelsByName(names, ctx.provider)).map((c) => (c ? [c] : [])),
    null,
    channelNameKey,
  );
  return {
    channel: new DataLoader<string, ChannelRecord | null>((ids) =>
      ctx.registry.getMany('messaging', ids, (provider, own) => provider.getMany(own, ctx.provider)),
    ),
    /** First match in configuration order when several workspaces have the name. */
    channelByName: {
      load: async (name: string): Promise<ChannelRecord | null> => (await byName.load(name))[0] ?? null,
    },
    messages: perParentLoader(ctx, 'messaging', (provider, channelIds, _filter: null, page) =>
      provider.messagesForChannels(channelIds, page, ctx.provider),
    ),
  };
}
