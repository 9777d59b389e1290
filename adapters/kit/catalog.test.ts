import { describe, expect, it } from 'vitest';
import type { ServiceRecord } from '../src/spi/services.ts';
import { compareServices, matchesServiceFilter } from './catalog.ts';

const record = (id: string, tier: ServiceRecord['tier'], extra: Partial<ServiceRecord> = {}): ServiceRecord => ({
  id, name: id, description: null, tier, rawTier: null, kind: 'SERVICE', rawKind: null, tags: [], language: null, repositoryUrl: null,
  links: [], externalRefs: [], environments: [], url: `https://catalog.example/${id}`, source: { provider: 'x', instance: 'x', id }, ownerTeamId: null, dependencyIds: [], ...extra,
});

describe('catalog helpers', () => {
  it('order services by tier, UNKNOWN last, then name, then id', () => {
    const list = [record('b', 'UNKNOWN'), record('c', 'TIER_2'), record('a', 'TIER_2'), record('z', 'TIER_1')];
    expect(list.sort(compareServices).map((r) => r.id)).toEqual(['z', 'a', 'c', 'b']);
  });

  it('match every field of a ServiceFilter, combined with AND', () => {
    const checkout = record('checkout', 'TIER_1', { description: 'Takes Orders', tags: ['pci', 'web'], ownerTeamId: 'payments' });
    expect(matchesServiceFilter(checkout, { text: 'orders' })).toBe(true);
    expect(matchesServiceFilter(checkout, { text: 'PCI', tiers: ['TIER_1'], kinds: ['SERVICE'], team: 'payments', tags: ['pci', 'web'] })).toBe(true);
    expect(matchesServiceFilter(checkout, { tags: ['pci', 'mobile'] })).toBe(false);
    expect(matchesServiceFilter(checkout, { team: 'web' })).toBe(false);
    expect(matchesServiceFilter(checkout, { tiers: ['TIER_2'] })).toBe(false);
    expect(matchesServiceFilter(checkout, { kinds: ['DATABASE'] })).toBe(false);
  });
});
