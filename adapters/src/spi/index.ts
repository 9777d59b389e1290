import type { Capability } from '../capabilities.ts';
import type { AlertProvider } from './alerts.ts';
import type { DeploymentProvider } from './deployments.ts';
import type { IncidentProvider } from './incidents.ts';
import type { LogProvider } from './logs.ts';
import type { MessagingProvider } from './messaging.ts';
import type { MetricProvider } from './metrics.ts';
import type { OrchestrationProvider } from './orchestration.ts';
import type { ServiceProvider } from './services.ts';
import type { TeamProvider } from './teams.ts';
import type { TicketProvider } from './tickets.ts';

export type * from './alerts.ts';
export type * from './base.ts';
export type * from './deployments.ts';
export type * from './incidents.ts';
export type * from './logs.ts';
export type * from './messaging.ts';
export type * from './metrics.ts';
export type * from './orchestration.ts';
export type * from './services.ts';
export type * from './teams.ts';
export type * from './tickets.ts';

/** The provider contract of each capability. */
export interface ProviderMap {
  incidents: IncidentProvider;
  alerts: AlertProvider;
  logs: LogProvider;
  metrics: MetricProvider;
  tickets: TicketProvider;
  messaging: MessagingProvider;
  services: ServiceProvider;
  teams: TeamProvider;
  deployments: DeploymentProvider;
  orchestration: OrchestrationProvider;
}

// The manifest (schema/src/capabilities.ts) and the SPIs name the same capabilities: a capability without an
// SPI here, or an SPI without a capability, is a compile error naming it.
type MissingSpi = Exclude<Capability, keyof ProviderMap>;
type SpiWithoutCapability = Exclude<keyof ProviderMap, Capability>;
const everyCapabilityHasAnSpi: [MissingSpi | SpiWithoutCapability] extends [never] ? true : MissingSpi | SpiWithoutCapability = true;
void everyCapabilityHasAnSpi;
