import { defineProvider } from '../src/provider.ts';
import { LokiLogProvider } from './logs.ts';
import { lokiSettingsSchema } from './settings.ts';

export { LokiLogProvider } from './logs.ts';
export { buildLogQL, logqlString } from './logql.ts';

/** Grafana Loki: log lines through LogQL, counts by level, labels as fields. */
export const loki = defineProvider({
  label: 'Loki',
  settings: lokiSettingsSchema,
  factories: {
    logs: (settings, deps) => new LokiLogProvider(settings, deps),
  },
});
