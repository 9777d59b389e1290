import type { ProviderModule } from '../src/registry.ts';
import { createDemoAlertProvider } from './alerts.ts';
import { createDemoDeploymentProvider } from './deployments.ts';
import { createDemoIncidentProvider } from './incidents.ts';
import { createDemoLogProvider } from './logs.ts';
import { createDemoMessagingProvider } from './messaging.ts';
import { createDemoMetricProvider } from './metrics.ts';
import { createDemoOrchestrationProvider } from './orchestration.ts';
import { createDemoServiceProvider } from './services.ts';
import { createDemoTeamProvider } from './teams.ts';
import { createDemoTicketProvider } from './tickets.ts';

/** The built-in demo world: the default provider of every capability. */
export const demoProviders: ProviderModule = {
  label: 'Demo world (built in)',
  factories: {
    incidents: createDemoIncidentProvider,
    alerts: createDemoAlertProvider,
    logs: createDemoLogProvider,
    metrics: createDemoMetricProvider,
    tickets: createDemoTicketProvider,
    messaging: createDemoMessagingProvider,
    services: createDemoServiceProvider,
    teams: createDemoTeamProvider,
    deployments: createDemoDeploymentProvider,
    orchestration: createDemoOrchestrationProvider,
  },
};
