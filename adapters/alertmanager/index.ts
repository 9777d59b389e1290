import type { ProviderModule } from '../src/registry.ts';
import { createAlertmanagerAlertProvider } from './alerts.ts';

export { AlertmanagerAlertProvider, type GettableSilence } from './alerts.ts';

/** Prometheus Alertmanager: alerts, their silences and inhibitions. */
export const alertmanagerProviders: ProviderModule = {
  label: 'Alertmanager',
  factories: {
    alerts: createAlertmanagerAlertProvider,
  },
};
