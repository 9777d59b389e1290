import { z } from 'zod';
import type { Capability } from '../src/capabilities.ts';
import { defineProvider, type ProviderFactory } from '../src/provider.ts';
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

/** The demo world takes no settings: a key given to it is a mistake worth naming. */
const demoSettingsSchema = z.strictObject({});

/** Every capability has a demo provider: a capability added to the manifest without one is a type error here. */
const factories = {
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
} satisfies { readonly [C in Capability]: ProviderFactory<C, z.output<typeof demoSettingsSchema>> };

/** The built-in demo world: what serves a capability nothing configures. */
export const demo = defineProvider({ label: 'Demo world (built in)', settings: demoSettingsSchema, factories });
