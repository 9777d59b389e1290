import { defineProvider } from '../src/provider.ts';
import { BackstageServiceProvider } from './services.ts';
import { backstageSettingsSchema } from './settings.ts';
import { BackstageTeamProvider } from './teams.ts';

export { BackstageServiceProvider } from './services.ts';
export { BackstageTeamProvider } from './teams.ts';

/** The Backstage software catalog: components as services (the identity source of truth), groups and users as teams and people. */
export const backstage = defineProvider({
  label: 'Backstage',
  settings: backstageSettingsSchema,
  factories: {
    services: (settings, deps) => new BackstageServiceProvider(settings, deps),
    teams: (settings, deps) => new BackstageTeamProvider(settings, deps),
  },
});
