import { defineProvider } from '../src/provider.ts';
import { OpsgenieAlertProvider } from './alerts.ts';
import { OpsgenieIncidentProvider } from './incidents.ts';
import { opsgenieSettingsSchema } from './settings.ts';

export { OpsgenieAlertProvider } from './alerts.ts';
export { OpsgenieIncidentProvider } from './incidents.ts';

/** Opsgenie (US or EU): alerts with acknowledgement, and incidents. */
export const opsgenie = defineProvider({
  label: 'Opsgenie',
  settings: opsgenieSettingsSchema,
  factories: {
    alerts: (settings, deps) => new OpsgenieAlertProvider(settings, deps),
    incidents: (settings, deps) => new OpsgenieIncidentProvider(settings, deps),
  },
});
