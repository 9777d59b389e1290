import { defineProvider } from '../src/provider.ts';
import { DatadogAlertProvider } from './alerts.ts';
import { DatadogIncidentProvider } from './incidents.ts';
import { DatadogLogProvider } from './logs.ts';
import { DatadogMetricProvider } from './metrics.ts';
import { DatadogServiceProvider } from './services.ts';
import { datadogSettingsSchema } from './settings.ts';

/** Datadog: metrics, logs, monitors as alerts, incidents and service definitions, on any site, with API + application keys. */
export const datadog = defineProvider({
  label: 'Datadog',
  settings: datadogSettingsSchema,
  factories: {
    metrics: (settings, deps) => new DatadogMetricProvider(settings, deps),
    logs: (settings, deps) => new DatadogLogProvider(settings, deps),
    alerts: (settings, deps) => new DatadogAlertProvider(settings, deps),
    incidents: (settings, deps) => new DatadogIncidentProvider(settings, deps),
    services: (settings, deps) => new DatadogServiceProvider(settings, deps),
  },
});
