import type { Capability } from '../src/capabilities.ts';
import { defineProvider, type ProviderDeps, type ProviderFactory } from '../src/provider.ts';
import type { ProviderMap } from '../src/spi/index.ts';
import { CoreAlertProvider } from './alerts.ts';
import { CoreDeploymentProvider } from './deployments.ts';
import { CoreIncidentProvider } from './incidents.ts';
import { CoreLogProvider } from './logs.ts';
import { CoreMessagingProvider } from './messaging.ts';
import { CoreMetricProvider } from './metrics.ts';
import { CoreOrchestrationProvider } from './orchestration.ts';
import { corePluginSettingsSchema, type CorePluginSettings } from './client.ts';
import { CorePlugin } from './plugin.ts';
import { CoreServiceProvider } from './services.ts';
import { CoreTeamProvider } from './teams.ts';
import { CoreTicketProvider } from './tickets.ts';

export { CorePluginClient, corePluginSettingsSchema, type CorePluginSettings } from './client.ts';
export { CorePlugin } from './plugin.ts';
export * from './vocabulary.ts';

const BUILD: { [C in Capability]: (plugin: CorePlugin, deps: ProviderDeps) => ProviderMap[C] } = {
  incidents: (plugin) => new CoreIncidentProvider(plugin),
  alerts: (plugin, deps) => new CoreAlertProvider(plugin, deps),
  logs: (plugin) => new CoreLogProvider(plugin),
  metrics: (plugin) => new CoreMetricProvider(plugin),
  tickets: (plugin) => new CoreTicketProvider(plugin),
  messaging: (plugin) => new CoreMessagingProvider(plugin),
  services: (plugin) => new CoreServiceProvider(plugin),
  teams: (plugin) => new CoreTeamProvider(plugin),
  deployments: (plugin) => new CoreDeploymentProvider(plugin),
  orchestration: (plugin) => new CoreOrchestrationProvider(plugin),
};

/** OpsOrch Core plugin binaries, run unchanged (docs/core-compatibility.md): any capability Core has. */
export const corePlugin = defineProvider({
  label: 'OpsOrch Core plugin (newline-delimited JSON over stdio)',
  settings: corePluginSettingsSchema,
  factories: Object.fromEntries(
    (Object.keys(BUILD) as Capability[]).map((capability) => [
      capability,
      ((settings, deps) => (BUILD[capability] as (p: CorePlugin, d: ProviderDeps) => unknown)(new CorePlugin(settings, deps), deps)) as ProviderFactory<Capability, CorePluginSettings>,
    ]),
  ),
});
