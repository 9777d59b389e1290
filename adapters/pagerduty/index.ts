import { defineProvider } from '../src/provider.ts';
import { PagerDutyAlertProvider } from './alerts.ts';
import { PagerDutyDeploymentProvider } from './deployments.ts';
import { PagerDutyIncidentProvider } from './incidents.ts';
import { PagerDutyServiceProvider } from './services.ts';
import { pagerdutySettingsSchema } from './settings.ts';
import { PagerDutyTeamProvider } from './teams.ts';

export { PagerDutyAlertProvider } from './alerts.ts';
export { PagerDutyDeploymentProvider } from './deployments.ts';
export { PagerDutyIncidentProvider } from './incidents.ts';
export { PagerDutyServiceProvider } from './services.ts';
export { PagerDutyTeamProvider } from './teams.ts';

/** PagerDuty (REST API v2): incidents with timelines and writes; the alerts of incidents; change events as deployments; services and their technical dependencies; teams, people, on-call. */
export const pagerduty = defineProvider({
  label: 'PagerDuty',
  settings: pagerdutySettingsSchema,
  factories: {
    incidents: (settings, deps) => new PagerDutyIncidentProvider(settings, deps),
    alerts: (settings, deps) => new PagerDutyAlertProvider(settings, deps),
    deployments: (settings, deps) => new PagerDutyDeploymentProvider(settings, deps),
    services: (settings, deps) => new PagerDutyServiceProvider(settings, deps),
    teams: (settings, deps) => new PagerDutyTeamProvider(settings, deps),
  },
});
