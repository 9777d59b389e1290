import { defineProvider } from '../src/provider.ts';
import { AlertmanagerAlertProvider, alertmanagerSettingsSchema } from './alerts.ts';

export { AlertmanagerAlertProvider, type GettableSilence } from './alerts.ts';

/** Prometheus Alertmanager: alerts, their silences and inhibitions. */
export const alertmanager = defineProvider({
  label: 'Alertmanager',
  settings: alertmanagerSettingsSchema,
  factories: {
    alerts: (settings, deps) => new AlertmanagerAlertProvider(settings, deps),
  },
});
