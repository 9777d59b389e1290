import { z } from 'zod';
import { secret } from '../kit/settings.ts';

/** Settings of the `slack` provider (OPSORCH_MESSAGING_CONFIG): Slack's Web API with a bot token. */
export const slackSettingsSchema = z.strictObject({
  /** Base URL of the Web API (default `https://slack.com/api`). */
  url: z.url().default('https://slack.com/api'),
  /**
   * Bot token (`xoxb-…`) with channels:read, groups:read, channels:history, groups:history, chat:write and
   * users:read, users:read.email (required; use a `secret://` reference).
   */
  token: secret('Slack bot token'),
  /** The workspace's URL for deep links, for example `https://acme-shop.slack.com` (default: asked once from auth.test). */
  workspaceUrl: z.url().optional(),
  /** Conversation types listed (default `public_channel,private_channel`). */
  channelTypes: z.string().regex(/^(public_channel|private_channel|mpim|im)(,(public_channel|private_channel|mpim|im))*$/).default('public_channel,private_channel'),
  /** Channel name prefixes that mark incident war rooms (default `inc-`, `incident-`). */
  incidentChannelPrefixes: z.array(z.string().min(1)).default(['inc-', 'incident-']),
  /** How long the channel list and people are reused before Slack is asked again, in ms (default 60000). */
  cacheTtlMs: z.number().int().min(0).default(60_000),
  /** Most channels read from conversations.list (default 10000). */
  maxChannels: z.number().int().min(1).default(10_000),
});
export type SlackSettings = z.infer<typeof slackSettingsSchema>;
