import type { ExternalRef, Service, ServiceFilter } from '@opsorch/schema';
import type { ProviderContext } from '../context.ts';
import type { Page, PageRequest } from '../paging.ts';
import type { ProviderBase } from './base.ts';

/** A catalog entry as a provider returns it: the Service's own fields, with links to other entities as ids. */
export type ServiceRecord = Pick<
  Service,
  | 'id'
  | 'name'
  | 'description'
  | 'tier'
  | 'rawTier'
  | 'kind'
  | 'rawKind'
  | 'tags'
  | 'language'
  | 'repositoryUrl'
  | 'links'
  | 'externalRefs'
  | 'environments'
  | 'url'
  | 'source'
> & {
  /** Canonical id of the owning team, or null when the catalog names none. */
  ownerTeamId: string | null;
  /** Canonical ids of the services this one calls directly. */
  dependencyIds: string[];
};

/** A native reference to resolve to a canonical service id. */
export type ExternalRefInput = Pick<ExternalRef, 'system' | 'id'>;

/**
 * The services capability's provider contract: the catalog of canonical service ids (slugs). Service ids are
 * not instance-prefixed, so with several catalogs every instance is asked and the first that knows an id wins.
 */
export interface ServiceProvider extends ProviderBase {
  /** One slot per id, in key order: the service, or null when this catalog does not know it. */
  getMany(ids: readonly string[], ctx: ProviderContext): Promise<(ServiceRecord | null)[]>;
  /** Catalog services matching `filter`, ordered by tier (TIER_1 first, UNKNOWN last), then name, then id. */
  query(filter: ServiceFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<ServiceRecord>>;
  /** One slot per id: canonical ids of the services that call it directly (empty when none or unknown). */
  dependentsOf(serviceIds: readonly string[], ctx: ProviderContext): Promise<string[][]>;
  /** One slot per team id: the services that team owns directly, in `query` order. */
  servicesOwnedBy(teamIds: readonly string[], ctx: ProviderContext): Promise<ServiceRecord[][]>;
  /**
   * Cross-tool identity: one slot per reference, the canonical service id carrying it (system and id compared
   * case-insensitively), or null. Other providers call this to map their native service references.
   */
  resolveExternalRefs(refs: readonly ExternalRefInput[], ctx: ProviderContext): Promise<(string | null)[]>;
}
