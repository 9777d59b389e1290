// What every service-catalog adapter (Backstage, Datadog service definitions, OpsLevel...) needs to answer the
// services SPI from a list it read: the SPI's order and the ServiceFilter's meaning, in one place.
import type { ServiceFilter, ServiceTier } from '@opsorch/schema';
import type { ServiceRecord } from '../src/spi/services.ts';

const TIER_ORDER: readonly ServiceTier[] = ['TIER_1', 'TIER_2', 'TIER_3', 'UNKNOWN'];

/** The services SPI's order: most critical tier first, then name, then id (the gateway merges instances by it). */
export function compareServices(a: Pick<ServiceRecord, 'tier' | 'name' | 'id'>, b: Pick<ServiceRecord, 'tier' | 'name' | 'id'>): number {
  return TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

/** Whether a record matches a ServiceFilter: text (id, name, description, tags; case-insensitive), tiers, kinds, owning team, every tag. */
export function matchesServiceFilter(record: ServiceRecord, filter: ServiceFilter): boolean {
  const text = filter.text?.trim().toLowerCase();
  if (text && ![record.id, record.name, record.description ?? '', ...record.tags].join('\n').toLowerCase().includes(text)) return false;
  if (filter.tiers && !filter.tiers.includes(record.tier)) return false;
  if (filter.kinds && !filter.kinds.includes(record.kind)) return false;
  if (filter.team && record.ownerTeamId !== filter.team) return false;
  if (filter.tags && !filter.tags.every((tag) => record.tags.includes(tag))) return false;
  return true;
}
