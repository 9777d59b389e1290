import { defineProvider } from '../src/provider.ts';
import { OpsgenieAlertProvider } from './alerts.ts';
import { OpsgenieIncidentProvider } from './incidents.ts';
import { opsgenieSettingsSchema } from './settings.ts';
import { OpsgenieTeamProvider } from './teams.ts';

export { OpsgenieAlertProvider } from './alerts.ts';
export { OpsgenieIncidentProvider } from './incidents.ts';
export { OpsgenieTeamProvider } from './teams.ts';

/** Opsgenie (US or EU): alerts with acknowledgement, incidents, and on-call from schedules. */
export const opsgenie = defineProvider({
  label: 'Opsgenie',
  settings: opsgenieSettingsSchema,
  factories: {
    alerts: (settings, deps) => new OpsgenieAlertProvider(settings, deps),
    incidents: (settings, deps) => new OpsgenieIncidentProvider(settings, deps),
    teams: (settings, deps) => new OpsgenieTeamProvider(settings, deps),
  },
});
