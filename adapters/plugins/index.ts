import { CAPABILITIES, type Capability } from '../src/capabilities.ts';
import { defineProvider, type ProviderFactory } from '../src/provider.ts';
import { createPluginProvider, pluginSettingsSchema, type PluginSettings } from './plugin.ts';

export { createPluginProvider, PluginProcess, PLUGIN_PROTOCOL_VERSION, pluginSettingsSchema } from './plugin.ts';
export { PLUGIN_METHODS } from './methods.ts';

/** Out-of-process plugins over JSON-RPC 2.0 on stdio: any capability, any language. */
export const plugin = defineProvider({
  label: 'Plugin (JSON-RPC over stdio)',
  settings: pluginSettingsSchema,
  factories: Object.fromEntries(
    CAPABILITIES.map((capability) => [capability, ((settings, deps) => createPluginProvider(capability, settings, deps)) as ProviderFactory<Capability, PluginSettings>]),
  ),
});
