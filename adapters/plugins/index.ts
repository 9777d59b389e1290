import { CAPABILITIES, type Capability } from '../src/capabilities.ts';
import type { ProviderFactory, ProviderModule } from '../src/registry.ts';
import { createPluginProvider } from './plugin.ts';

export { createPluginProvider, PluginProcess, PLUGIN_PROTOCOL_VERSION, pluginSettingsSchema } from './plugin.ts';
export { PLUGIN_METHODS } from './methods.ts';

/** Out-of-process plugins over JSON-RPC 2.0 on stdio: any capability, any language. */
export const pluginProviders: ProviderModule = {
  label: 'Plugin (JSON-RPC over stdio)',
  factories: Object.fromEntries(
    CAPABILITIES.map((capability) => [capability, ((settings, deps) => createPluginProvider(capability, settings, deps)) as ProviderFactory<Capability>]),
  ),
};
