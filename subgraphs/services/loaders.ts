import type { ServiceRecord } from '@opsorch/adapters';
import DataLoader from 'dataloader';
import type { RequestContext } from '../shared/index.ts';
import { firstFoundEverywhere, mergedEverywhere } from '../shared/index.ts';

const TIER_ORDER = ['TIER_1', 'TIER_2', 'TIER_3', 'UNKNOWN'];

/** Catalog order: most critical tier first, then name, then id (the order every provider's `query` uses). */
export function compareServices(a: ServiceRecord, b: ServiceRecord): number {
  return TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

export interface ServiceLoaders {
  /** Catalog entry by canonical id; null when no catalog knows it. */
  service: DataLoader<string, ServiceRecord | null>;
  /** Canonical ids of each service's direct callers. */
  dependents: DataLoader<string, string[]>;
  /** Services each team owns directly, in catalog order. */
  ownedServices: DataLoader<string, ServiceRecord[]>;
  /** Canonical service id carrying an external reference, keyed `system\u0000id`. */
  externalRef: DataLoader<string, string | null>;
}

/** Each batch asks every catalog instance once, whatever the number of keys. */
export function createServiceLoaders(ctx: RequestContext): ServiceLoaders {
  const services = 'services' as const;
  return {
    service: new DataLoader((ids) => firstFoundEverywhere(ctx, services, ids, (p) => p.getMany(ids, ctx.provider))),
    dependents: new DataLoader((ids) => mergedEverywhere(ctx, services, ids, (p) => p.dependentsOf(ids, ctx.provider), (id) => id)),
    ownedServices: new DataLoader(async (teamIds) => {
      const lists = await mergedEverywhere(ctx, services, teamIds, (p) => p.servicesOwnedBy(teamIds, ctx.provider), (s) => s.id);
      return lists.map((list) => (list instanceof Error ? list : list.sort(compareServices)));
    }),
    externalRef: new DataLoader((keys) => {
      const refs = keys.map((key) => {
        const [system = '', id = ''] = key.split('\u0000');
        return { system, id };
      });
      return firstFoundEverywhere(ctx, services, keys, (p) => p.resolveExternalRefs(refs, ctx.provider));
    }),
  };
}
