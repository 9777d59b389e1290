import type { ServiceFilter, ServiceKind, ServiceTier } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { ExternalRefInput, ServiceProvider, ServiceRecord } from '../src/spi/services.ts';
import { dependentsOf, serviceById, services, type DemoService } from './world.ts';

const CATALOG_URL = 'https://backstage.acme-shop.example/catalog/default/component';

const TIERS: Record<number, ServiceTier> = { 1: 'TIER_1', 2: 'TIER_2', 3: 'TIER_3' };
const KINDS: Record<DemoService['kind'], ServiceKind> = {
  service: 'SERVICE',
  database: 'DATABASE',
  queue: 'QUEUE',
  'third-party': 'THIRD_PARTY',
  frontend: 'FRONTEND',
};
const TIER_ORDER: readonly ServiceTier[] = ['TIER_1', 'TIER_2', 'TIER_3', 'UNKNOWN'];

/** Catalog order: most critical tier first, then name, then id (the subgraph merges instances in the same order). */
function compareServices(a: Pick<ServiceRecord, 'tier' | 'name' | 'id'>, b: Pick<ServiceRecord, 'tier' | 'name' | 'id'>): number {
  return TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

function matches(record: ServiceRecord, filter: ServiceFilter): boolean {
  const text = filter.text?.trim().toLowerCase();
  if (text) {
    const haystack = [record.id, record.name, record.description ?? '', ...record.tags].join('\n').toLowerCase();
    if (!haystack.includes(text)) return false;
  }
  if (filter.tiers && !filter.tiers.includes(record.tier)) return false;
  if (filter.kinds && !filter.kinds.includes(record.kind)) return false;
  if (filter.team && record.ownerTeamId !== filter.team) return false;
  if (filter.tags && !filter.tags.every((tag) => record.tags.includes(tag))) return false;
  return true;
}

/** The demo world's service catalog, shaped like a Backstage catalog. */
export class DemoServiceProvider implements ServiceProvider {
  readonly kind = 'demo';
  private readonly records: ReadonlyMap<string, ServiceRecord>;
  private readonly ordered: readonly ServiceRecord[];

  constructor(readonly instance: string) {
    this.records = new Map(services.map((s) => [s.id, this.toRecord(s)]));
    this.ordered = [...this.records.values()].sort(compareServices);
  }

  private toRecord(s: DemoService): ServiceRecord {
    return {
      id: s.id,
      name: s.name,
      description: s.description,
      tier: TIERS[s.tier] ?? 'UNKNOWN',
      rawTier: String(s.tier),
      kind: KINDS[s.kind] ?? 'OTHER',
      rawKind: s.kind,
      tags: [...s.tags],
      language: s.language,
      repositoryUrl: s.repoUrl,
      links: s.links.map((l) => ({ ...l })),
      externalRefs: Object.entries(s.externalRefs).map(([system, id]) => ({ system, id })),
      environments: [...s.environments],
      url: `${CATALOG_URL}/${s.id}`,
      source: { provider: 'demo', instance: this.instance, id: s.id },
      ownerTeamId: s.ownerTeamId,
      dependencyIds: [...s.dependencies],
    };
  }

  async getMany(ids: readonly string[], _ctx: ProviderContext): Promise<(ServiceRecord | null)[]> {
    return ids.map((id) => this.records.get(id) ?? null);
  }

  async query(filter: ServiceFilter, page: PageRequest, _ctx: ProviderContext): Promise<Page<ServiceRecord>> {
    return pageOfArray(this.ordered.filter((r) => matches(r, filter)), page);
  }

  async dependentsOf(serviceIds: readonly string[], _ctx: ProviderContext): Promise<string[][]> {
    return serviceIds.map((id) => (serviceById.has(id) ? dependentsOf(id).map((s) => s.id) : []));
  }

  async servicesOwnedBy(teamIds: readonly string[], _ctx: ProviderContext): Promise<ServiceRecord[][]> {
    return teamIds.map((teamId) => this.ordered.filter((r) => r.ownerTeamId === teamId));
  }

  async resolveExternalRefs(refs: readonly ExternalRefInput[], _ctx: ProviderContext): Promise<(string | null)[]> {
    return refs.map((ref) => {
      const system = ref.system.trim().toLowerCase();
      const id = ref.id.trim().toLowerCase();
      const hit = this.ordered.find((r) => r.externalRefs.some((x) => x.system === system && x.id.toLowerCase() === id));
      return hit?.id ?? null;
    });
  }
}

export function createDemoServiceProvider(_settings: unknown, deps: ProviderDeps): ServiceProvider {
  return new DemoServiceProvider(deps.instance);
}
