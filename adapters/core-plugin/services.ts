// The service catalog from a Core plugin: `service.query`. Core has no owner, tier or dependency fields; its
// adapters put ownership in `tags.owner`, the tier in `tags.tier` and dependencies in `metadata.dependencies`,
// and those are read here.
import type { ServiceFilter } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { pageOfArray, type PageRequest } from '../src/paging.ts';
import type { ExternalRefInput, ServiceProvider, ServiceRecord } from '../src/spi/services.ts';
import { asArray, str, SNAPSHOT_LIMIT, type CorePlugin, type Json } from './plugin.ts';
import { normalized, serviceKind, serviceTier } from './vocabulary.ts';

const TIER_ORDER = { TIER_1: 0, TIER_2: 1, TIER_3: 2, UNKNOWN: 3 } as const;
const RESERVED_TAGS = new Set(['owner', 'tier', 'kind', 'language', 'repository']);

export class CoreServiceProvider implements ServiceProvider {
  readonly kind = 'core-plugin';
  readonly instance: string;

  constructor(private readonly plugin: CorePlugin) {
    this.instance = plugin.instance;
  }

  private record(s: Json): ServiceRecord {
    const tags = (s.tags ?? {}) as Record<string, string>;
    const metadata = (s.metadata ?? {}) as Json;
    return {
      id: String(s.id),
      name: String(s.name ?? s.id),
      description: str(metadata.description),
      tier: normalized(str(tags.tier), serviceTier, 'UNKNOWN'),
      rawTier: str(tags.tier),
      kind: normalized(str(tags.kind), serviceKind, 'SERVICE'),
      rawKind: str(tags.kind),
      tags: Object.entries(tags)
        .filter(([k]) => !RESERVED_TAGS.has(k))
        .map(([k, v]) => (v === 'true' || v === '' ? k : `${k}:${v}`))
        .sort(),
      language: str(tags.language),
      repositoryUrl: str(metadata.repositoryUrl) ?? str(tags.repository),
      links: [],
      externalRefs: [{ system: this.plugin.settings.tool, id: String(s.id) }],
      environments: Array.isArray(metadata.environments) ? metadata.environments.map(String) : [],
      url: str(s.url) ?? '',
      source: this.plugin.source(s.id),
      ownerTeamId: str(tags.owner),
      dependencyIds: Array.isArray(metadata.dependencies) ? metadata.dependencies.map(String) : [],
    };
  }

  private all(ctx: ProviderContext): Promise<ServiceRecord[]> {
    return this.plugin.memo('services', ctx, async () =>
      asArray(await this.plugin.call('service.query', { limit: SNAPSHOT_LIMIT }, ctx), 'service.query')
        .map((s) => this.record(s))
        .sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier] || a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
    );
  }

  async getMany(ids: readonly string[], ctx: ProviderContext) {
    const byId = new Map((await this.all(ctx)).map((s) => [s.id, s]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async query(filter: ServiceFilter, page: PageRequest, ctx: ProviderContext) {
    const text = filter.text?.toLowerCase();
    const matching = (await this.all(ctx)).filter(
      (s) =>
        (!text || [s.id, s.name, s.description ?? '', ...s.tags].some((v) => v.toLowerCase().includes(text))) &&
        (!filter.tiers?.length || filter.tiers.includes(s.tier)) &&
        (!filter.kinds?.length || filter.kinds.includes(s.kind)) &&
        (!filter.team || s.ownerTeamId === filter.team) &&
        (!filter.tags?.length || filter.tags.every((t) => s.tags.includes(t))),
    );
    return pageOfArray(matching, page);
  }

  async dependentsOf(serviceIds: readonly string[], ctx: ProviderContext) {
    const all = await this.all(ctx);
    return serviceIds.map((id) => all.filter((s) => s.dependencyIds.includes(id)).map((s) => s.id));
  }

  async servicesOwnedBy(teamIds: readonly string[], ctx: ProviderContext) {
    const all = await this.all(ctx);
    return teamIds.map((team) => all.filter((s) => s.ownerTeamId === team));
  }

  /** A Core service's own id is its reference in the tool (system `settings.tool`). */
  async resolveExternalRefs(refs: readonly ExternalRefInput[], ctx: ProviderContext) {
    const ids = new Set((await this.all(ctx)).map((s) => s.id));
    const tool = this.plugin.settings.tool.toLowerCase();
    return refs.map((ref) => (ref.system.toLowerCase() === tool && ids.has(ref.id) ? ref.id : null));
  }

  close() {
    return this.plugin.close();
  }
}
