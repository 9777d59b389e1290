import { defineProvider } from '../src/provider.ts';
import { SlackMessagingProvider } from './messaging.ts';
import { slackSettingsSchema } from './settings.ts';

export { SlackMessagingProvider } from './messaging.ts';

/** Slack: channels, their history and posting messages through the Web API. */
export const slack = defineProvider({
  label: 'Slack',
  settings: slackSettingsSchema,
  factories: {
    messaging: (settings, deps) => new SlackMessagingProvider(settings, deps),
  },
});
