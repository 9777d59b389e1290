import { defineProvider } from '../src/provider.ts';
import { PrometheusAlertProvider } from './alerts.ts';
import { PrometheusMetricProvider } from './metrics.ts';
import { prometheusSettingsSchema } from './settings.ts';

export { PrometheusMetricProvider, graphUrl, toPromQL } from './metrics.ts';
export { PrometheusAlertProvider } from './alerts.ts';

/** Prometheus: metrics through PromQL, and optionally alerts from its own alerting rules. */
export const prometheus = defineProvider({
  label: 'Prometheus',
  settings: prometheusSettingsSchema,
  factories: {
    metrics: (settings, deps) => new PrometheusMetricProvider(settings, deps),
    alerts: (settings, deps) => new PrometheusAlertProvider(settings, deps),
  },
});
