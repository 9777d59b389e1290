import { defineProvider } from '../src/provider.ts';
import { PagerDutyIncidentProvider } from './incidents.ts';
import { pagerdutySettingsSchema } from './settings.ts';

export { PagerDutyIncidentProvider } from './incidents.ts';

/** PagerDuty (REST API v2): incidents with timelines and writes. */
export const pagerduty = defineProvider({
  label: 'PagerDuty',
  settings: pagerdutySettingsSchema,
  factories: {
    incidents: (settings, deps) => new PagerDutyIncidentProvider(settings, deps),
  },
});
