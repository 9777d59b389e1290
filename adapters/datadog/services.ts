// Datadog's service definitions (Software Catalog, schema v2.2) as the services capability: `dd-service` is the
// canonical id, the team the owner, the PagerDuty/Opsgenie integrations and repositories become externalRefs so
// other providers join through them. Datadog's definitions carry no dependencies (those come from APM traces),
// so dependencyIds are empty.
import type { ExternalRef, Link, ServiceFilter, ServiceKind, ServiceTier } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { ExternalRefInput, ServiceProvider, ServiceRecord } from '../src/spi/services.ts';
import { allFromVendor } from '../kit/paging.ts';
import { DatadogApi, datadogUrls, type ServiceDefinitionItem } from './api.ts';
import { serviceUrl } from './links.ts';
import { tagMap } from './scope.ts';
import type { DatadogSettings } from './settings.ts';

const PAGE_SIZE = 100;
const MAX_SERVICES = 10_000;
const TTL_MS = 60_000;
const TIERS: Record<string, ServiceTier> = { '1': 'TIER_1', tier1: 'TIER_1', 'tier-1': 'TIER_1', high: 'TIER_1', critical: 'TIER_1', '2': 'TIER_2', tier2: 'TIER_2', 'tier-2': 'TIER_2', medium: 'TIER_2', '3': 'TIER_3', tier3: 'TIER_3', 'tier-3': 'TIER_3', low: 'TIER_3' };
const KINDS: Record<string, ServiceKind> = { web: 'SERVICE', grpc: 'SERVICE', rest: 'SERVICE', function: 'SERVICE', db: 'DATABASE', cache: 'DATABASE', storage: 'DATABASE', queue: 'QUEUE', browser: 'FRONTEND', mobile: 'FRONTEND', external: 'THIRD_PARTY', custom: 'OTHER' };
const TIER_ORDER: ServiceTier[] = ['TIER_1', 'TIER_2', 'TIER_3', 'UNKNOWN'];

/** The last path segment of a PagerDuty service URL (`https://acme.pagerduty.com/service-directory/P7XK2QD`). */
function lastSegment(url: string): string {
  return url.replace(/\/+$/, '').split('/').pop() ?? url;
}

/** Services from Datadog's Software Catalog. */
export class DatadogServiceProvider implements ServiceProvider {
  readonly kind = 'datadog';
  readonly instance: string;
  readonly api: DatadogApi;
  private readonly app: string;
  private cache: { until: number; services: Promise<ServiceRecord[]> } | null = null;

  constructor(
    private readonly settings: DatadogSettings,
    deps: ProviderDeps,
  ) {
    this.instance = deps.instance;
    this.api = new DatadogApi(settings, deps.logger);
    this.app = datadogUrls(settings).app;
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.serviceDefinitions(0, 1, ctx.signal);
  }

  private toRecord(item: ServiceDefinitionItem): ServiceRecord | null {
    const s = item.attributes?.schema ?? {};
    const id = typeof s['dd-service'] === 'string' ? (s['dd-service'] as string) : null;
    if (!id) return null;
    const tags: string[] = Array.isArray(s.tags) ? s.tags.map(String) : [];
    const links: Link[] = (Array.isArray(s.links) ? s.links : []).filter((l: any) => l?.url).map((l: any) => ({ title: String(l.name ?? l.type ?? l.url), url: String(l.url) }));
    for (const repo of Array.isArray(s.repos) ? s.repos : []) if (repo?.url) links.push({ title: String(repo.name ?? 'repository'), url: String(repo.url) });
    const repository = (Array.isArray(s.links) ? s.links : []).find((l: any) => l?.type === 'repo')?.url ?? (Array.isArray(s.repos) ? s.repos[0]?.url : undefined) ?? item.attributes?.meta?.['github-html-url'] ?? null;
    const refs: ExternalRef[] = [{ system: this.settings.catalogSystem, id }];
    const pagerduty = s.integrations?.pagerduty?.['service-url'] ?? s.integrations?.pagerduty;
    if (typeof pagerduty === 'string' && pagerduty) refs.push({ system: 'pagerduty', id: lastSegment(pagerduty) });
    const opsgenie = s.integrations?.opsgenie?.['service-url'];
    if (typeof opsgenie === 'string' && opsgenie) refs.push({ system: 'opsgenie', id: lastSegment(opsgenie) });
    if (typeof repository === 'string') {
      const github = /github\.com\/([^/]+\/[^/#?]+)/.exec(repository)?.[1];
      if (github) refs.push({ system: 'github', id: github.replace(/\.git$/, '') });
    }
    const rawTier = s.tier == null ? null : String(s.tier);
    const rawKind = s.type == null ? null : String(s.type);
    const environments = [...new Set(tags.filter((t) => t.startsWith(`${this.settings.environmentTag}:`)).map((t) => tagMap([t]).get(this.settings.environmentTag)!))];
    return {
      id,
      name: id,
      description: typeof s.description === 'string' ? s.description : null,
      tier: rawTier ? (TIERS[rawTier.toLowerCase()] ?? 'UNKNOWN') : 'UNKNOWN',
      rawTier,
      kind: rawKind ? (KINDS[rawKind.toLowerCase()] ?? 'OTHER') : 'SERVICE',
      rawKind,
      tags,
      language: Array.isArray(s.languages) && s.languages[0] ? String(s.languages[0]) : null,
      repositoryUrl: typeof repository === 'string' ? repository : null,
      links,
      externalRefs: refs,
      environments,
      url: serviceUrl(this.app, id),
      source: { provider: this.kind, instance: this.instance, id: item.id ?? id },
      ownerTeamId: typeof s.team === 'string' ? s.team : typeof s['dd-team'] === 'string' ? s['dd-team'] : null,
      dependencyIds: [],
    };
  }

  /** Every definition, ordered like `query`, cached a minute (the catalog changes rarely and every provider asks it). */
  private all(ctx: ProviderContext): Promise<ServiceRecord[]> {
    if (this.cache && this.cache.until > Date.now()) return this.cache.services;
    const services = (async () => {
      const items = await allFromVendor<ServiceDefinitionItem, number>(
        async (page, size) => {
          const data = (await this.api.serviceDefinitions(page ?? 0, size, ctx.signal))?.data ?? [];
          return { items: data, next: data.length >= size ? (page ?? 0) + 1 : null };
        },
        { pageSize: PAGE_SIZE, maxItems: MAX_SERVICES },
      );
      return items
        .map((i) => this.toRecord(i))
        .filter((r): r is ServiceRecord => r !== null)
        .sort((a, b) => TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    })();
    this.cache = { until: Date.now() + TTL_MS, services };
    services.catch(() => {
      if (this.cache?.services === services) this.cache = null;
    });
    return services;
  }

  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(ServiceRecord | null)[]> {
    const byId = new Map((await this.all(ctx)).map((s) => [s.id, s]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async query(filter: ServiceFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<ServiceRecord>> {
    const text = filter.text?.toLowerCase();
    const matching = (await this.all(ctx)).filter(
      (s) =>
        (!text || s.name.toLowerCase().includes(text) || (s.description ?? '').toLowerCase().includes(text)) &&
        (!filter.team || s.ownerTeamId === filter.team) &&
        (!filter.tiers || filter.tiers.includes(s.tier)) &&
        (!filter.kinds || filter.kinds.includes(s.kind)) &&
        (!filter.tags || filter.tags.every((t) => s.tags.includes(t))),
    );
    return pageOfArray(matching, page);
  }

  async dependentsOf(serviceIds: readonly string[]): Promise<string[][]> {
    return serviceIds.map(() => []);
  }

  async servicesOwnedBy(teamIds: readonly string[], ctx: ProviderContext): Promise<ServiceRecord[][]> {
    const all = await this.all(ctx);
    return teamIds.map((team) => all.filter((s) => s.ownerTeamId === team));
  }

  async resolveExternalRefs(refs: readonly ExternalRefInput[], ctx: ProviderContext): Promise<(string | null)[]> {
    const all = await this.all(ctx);
    const index = new Map<string, string>();
    for (const s of all) for (const r of s.externalRefs) index.set(`${r.system.toLowerCase()}\u0000${r.id.toLowerCase()}`, s.id);
    return refs.map((r) => index.get(`${r.system.toLowerCase()}\u0000${r.id.toLowerCase()}`) ?? null);
  }
}
