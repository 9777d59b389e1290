// What a provider kind is: a label, the zod schema of its settings, and a factory per capability it serves.
// Kinds are registered in adapters/providers.ts (one line each); the SPI layer never imports a vendor folder.
import type { z } from 'zod';
import type { Capability } from './capabilities.ts';
import type { Logger, ProviderContext } from './context.ts';
import type { ExternalRefInput, ProviderMap, ServiceRecord } from './spi/index.ts';

/**
 * The service catalog as other providers see it (cross-tool identity, DESIGN.md): every configured services
 * instance is asked and the first that knows an answer wins. Calls go through the registry, so they are
 * counted and timed like any other.
 */
export interface ServiceCatalog {
  /** One slot per reference: the canonical service id carrying it, or null. */
  resolveExternalRefs(refs: readonly ExternalRefInput[], ctx: ProviderContext): Promise<(string | null)[]>;
  /** One slot per canonical id: the catalog entry, or null. */
  getMany(ids: readonly string[], ctx: ProviderContext): Promise<(ServiceRecord | null)[]>;
  /** One slot per team id: canonical ids of the services the team owns. */
  servicesOwnedBy(teamIds: readonly string[], ctx: ProviderContext): Promise<string[][]>;
}

/** What a factory gets besides its settings. */
export interface ProviderDeps {
  instance: string;
  kind: string;
  /** A child logger named after the instance. */
  logger: Logger;
  /** The catalog, to map the tool's native service references to canonical ids (absent in bare unit tests). */
  catalog?: ServiceCatalog;
  /** Default per-call timeout of this instance, in ms (absent in bare unit tests). */
  timeoutMs?: number;
}

/** Builds one instance of a capability's provider from its validated settings. */
export type ProviderFactory<C extends Capability, S = unknown> = (settings: S, deps: ProviderDeps) => ProviderMap[C];

/** One provider kind: a label, its settings and a factory for each capability it serves. */
export interface ProviderModule<S = any> {
  /** Shown in `opsorch check`, the `providers` query and start-up lines, for example `Prometheus`. */
  readonly label: string;
  /**
   * The kind's settings (`OPSORCH_<CAPABILITY>_CONFIG`, `capabilities.<capability>[i].config`), checked once at
   * start-up: use strict objects, so a misspelled key is an error naming it. Absent (test doubles): any object.
   */
  readonly settings?: z.ZodType<S>;
  readonly factories: { readonly [C in Capability]?: ProviderFactory<C, S> };
}

/** A provider kind, typed from its settings schema: factories receive the parsed settings. */
export function defineProvider<Schema extends z.ZodType>(module: {
  label: string;
  settings: Schema;
  factories: { readonly [C in Capability]?: ProviderFactory<C, z.output<Schema>> };
}): ProviderModule<z.output<Schema>> {
  return module as ProviderModule<z.output<Schema>>;
}
