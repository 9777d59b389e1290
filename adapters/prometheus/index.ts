import type { ProviderModule } from '../src/registry.ts';
import { createPrometheusAlertProvider } from './alerts.ts';
import { createPrometheusMetricProvider } from './metrics.ts';

export { PrometheusMetricProvider, graphUrl, toPromQL } from './metrics.ts';
export { PrometheusAlertProvider } from './alerts.ts';
export { ServiceIdentity } from './identity.ts';

/** Prometheus: metrics through PromQL, and optionally alerts from its own alerting rules. */
export const prometheusProviders: ProviderModule = {
  label: 'Prometheus',
  factories: {
    metrics: createPrometheusMetricProvider,
    alerts: createPrometheusAlertProvider,
  },
};
