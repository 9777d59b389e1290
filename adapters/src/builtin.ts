import { demoProviders } from '../demo/index.ts';
import type { ProviderModule } from './registry.ts';

/** Provider kinds that ship with OpsOrch. A kind missing here is a type error in every `Record<ProviderKind, ...>`. */
export const PROVIDER_KINDS = ['demo'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export const BUILTIN_PROVIDERS: Record<ProviderKind, ProviderModule> = {
  demo: demoProviders,
};
