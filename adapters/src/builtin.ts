import { alertmanagerProviders } from '../alertmanager/index.ts';
import { corePluginProviders } from '../core-plugin/index.ts';
import { demoProviders } from '../demo/index.ts';
import { pluginProviders } from '../plugins/index.ts';
import { prometheusProviders } from '../prometheus/index.ts';
import type { ProviderModule } from './registry.ts';

/** Provider kinds that ship with OpsOrch. A kind missing here is a type error in every `Record<ProviderKind, ...>`. */
export const PROVIDER_KINDS = ['demo', 'prometheus', 'alertmanager', 'plugin', 'core-plugin'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export const BUILTIN_PROVIDERS: Record<ProviderKind, ProviderModule> = {
  demo: demoProviders,
  prometheus: prometheusProviders,
  alertmanager: alertmanagerProviders,
  plugin: pluginProviders,
  'core-plugin': corePluginProviders,
};
