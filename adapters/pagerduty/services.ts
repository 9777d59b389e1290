// The services capability over PagerDuty: its technical services as a catalog, with their technical dependencies.
// PagerDuty services become canonical ids by `serviceAliases` (PagerDuty id → id) or the slug of their name, and
// carry their PagerDuty id as an externalRef, so other tools' references join through them.
import type { ServiceFilter } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { ExternalRefInput, ServiceProvider, ServiceRecord } from '../src/spi/services.ts';
import { allFromVendor } from '../kit/paging.ts';
import { PagerDutyAccount, type PagerDutyApi, PD_MAX_PAGE, type PdReference } from './api.ts';
import type { PagerDutySettings } from './settings.ts';
import { slugOf } from './teams.ts';

interface PdService { id: string; name: string; description?: string | null; html_url?: string; status?: string; teams?: (PdReference & { name?: string })[] }
interface PdDependency { supporting_service?: { id?: string }; dependent_service?: { id?: string } }

const TTL_MS = 60_000;

interface Catalog {
  byId: Map<string, { service: PdService; canonical: string }>;
  byPdId: Map<string, string>;
}

/**
 * PagerDuty as the catalog: every service is UNKNOWN tier and kind SERVICE (PagerDuty has neither; the raw fields
 * stay null), owned by its first team (`teamAliases` or the slug of the team's name). Dependencies are PagerDuty's
 * technical service dependencies, read per service (the API has no bulk read) and remembered for a minute.
 */
export class PagerDutyServiceProvider implements ServiceProvider {
  readonly kind = 'pagerduty';
  readonly instance: string;
  private readonly api: PagerDutyApi;
  private readonly web: string;
  private catalogMemo: { at: number; value: Promise<Catalog> } | null = null;
  private readonly dependencies = new Map<string, { at: number; value: Promise<PdDependency[]> }>();

  constructor(
    private readonly settings: PagerDutySettings,
    deps: ProviderDeps,
  ) {
    this.instance = deps.instance;
    const account = new PagerDutyAccount(settings, deps);
    this.api = account.api;
    this.web = account.webUrl ?? 'https://app.pagerduty.com';
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.get('/services', { limit: 1 }, ctx);
  }

  private catalog(ctx: ProviderContext): Promise<Catalog> {
    if (this.catalogMemo && Date.now() - this.catalogMemo.at < TTL_MS) return this.catalogMemo.value;
    const value = allFromVendor(this.api.pages<PdService>('/services', 'services', { 'include[]': ['teams'], sort_by: 'name' }, ctx), {
      pageSize: PD_MAX_PAGE,
      maxItems: this.settings.maxDirectoryEntries,
    }).then((services) => {
      const catalog: Catalog = { byId: new Map(), byPdId: new Map() };
      for (const service of services) {
        const canonical = this.settings.serviceAliases[service.id] ?? slugOf(service.name);
        catalog.byId.set(canonical, { service, canonical });
        catalog.byPdId.set(service.id, canonical);
      }
      return catalog;
    });
    this.catalogMemo = { at: Date.now(), value };
    value.catch(() => {
      if (this.catalogMemo?.value === value) this.catalogMemo = null;
    });
    return value;
  }

  /** The technical dependencies PagerDuty records for one service, both ways. */
  private dependenciesOf(pdId: string, ctx: ProviderContext): Promise<PdDependency[]> {
    const cached = this.dependencies.get(pdId);
    if (cached && Date.now() - cached.at < TTL_MS) return cached.value;
    const value = this.api.get<{ relationships?: PdDependency[] }>(`/service_dependencies/technical_services/${encodeURIComponent(pdId)}`, {}, ctx).then((a) => a.relationships ?? []);
    this.dependencies.set(pdId, { at: Date.now(), value });
    value.catch(() => this.dependencies.delete(pdId));
    return value;
  }

  private ownerOf(service: PdService): string | null {
    const team = service.teams?.[0];
    if (!team) return null;
    return this.settings.teamAliases[team.id] ?? (team.name ?? team.summary ? slugOf((team.name ?? team.summary)!) : null);
  }

  private async records(entries: readonly { service: PdService; canonical: string }[], catalog: Catalog, ctx: ProviderContext): Promise<ServiceRecord[]> {
    const relationships = await Promise.all(entries.map((e) => this.dependenciesOf(e.service.id, ctx)));
    return entries.map(({ service, canonical }, i) => ({
      id: canonical,
      name: service.name,
      description: service.description ?? null,
      tier: 'UNKNOWN',
      rawTier: null,
      kind: 'SERVICE',
      rawKind: null,
      tags: [],
      language: null,
      repositoryUrl: null,
      links: [],
      externalRefs: [{ system: this.settings.catalogSystem, id: service.id }],
      environments: [],
      url: service.html_url ?? `${this.web}/service-directory/${encodeURIComponent(service.id)}`,
      source: { provider: this.kind, instance: this.instance, id: service.id },
      ownerTeamId: this.ownerOf(service),
      dependencyIds: relationships[i]!
        .filter((r) => r.dependent_service?.id === service.id && r.supporting_service?.id)
        .map((r) => catalog.byPdId.get(r.supporting_service!.id!))
        .filter((id): id is string => id !== undefined),
    }));
  }

  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(ServiceRecord | null)[]> {
    const catalog = await this.catalog(ctx);
    const known = ids.map((id) => catalog.byId.get(id)).filter((e) => e !== undefined);
    const records = new Map((await this.records(known, catalog, ctx)).map((r) => [r.id, r]));
    return ids.map((id) => records.get(id) ?? null);
  }

  async query(filter: ServiceFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<ServiceRecord>> {
    const catalog = await this.catalog(ctx);
    const text = filter.text?.toLowerCase();
    const matching = [...catalog.byId.values()]
      .filter(({ service, canonical }) =>
        (!text || service.name.toLowerCase().includes(text) || canonical.includes(text)) &&
        (!filter.tiers || filter.tiers.includes('UNKNOWN')) &&
        (!filter.kinds || filter.kinds.includes('SERVICE')) &&
        (!filter.tags || filter.tags.length === 0) &&
        (!filter.team || this.ownerOf(service) === filter.team),
      )
      .sort((a, b) => a.service.name.localeCompare(b.service.name) || a.canonical.localeCompare(b.canonical));
    // Dependencies are read only for the page returned.
    const slice = pageOfArray(matching, page);
    return { ...slice, items: await this.records(slice.items, catalog, ctx) };
  }

  async dependentsOf(serviceIds: readonly string[], ctx: ProviderContext): Promise<string[][]> {
    const catalog = await this.catalog(ctx);
    return Promise.all(
      serviceIds.map(async (id) => {
        const entry = catalog.byId.get(id);
        if (!entry) return [];
        const relationships = await this.dependenciesOf(entry.service.id, ctx);
        return relationships
          .filter((r) => r.supporting_service?.id === entry.service.id && r.dependent_service?.id)
          .map((r) => catalog.byPdId.get(r.dependent_service!.id!))
          .filter((d): d is string => d !== undefined);
      }),
    );
  }

  async servicesOwnedBy(teamIds: readonly string[], ctx: ProviderContext): Promise<ServiceRecord[][]> {
    const catalog = await this.catalog(ctx);
    const entries = [...catalog.byId.values()].sort((a, b) => a.service.name.localeCompare(b.service.name));
    return Promise.all(teamIds.map((team) => this.records(entries.filter((e) => this.ownerOf(e.service) === team), catalog, ctx)));
  }

  async resolveExternalRefs(refs: readonly ExternalRefInput[], ctx: ProviderContext): Promise<(string | null)[]> {
    const system = this.settings.catalogSystem.toLowerCase();
    if (!refs.some((r) => r.system.toLowerCase() === system)) return refs.map(() => null);
    const catalog = await this.catalog(ctx);
    const byLowerPdId = new Map([...catalog.byPdId.entries()].map(([pd, id]) => [pd.toLowerCase(), id]));
    return refs.map((r) => (r.system.toLowerCase() === system ? (byLowerPdId.get(r.id.toLowerCase()) ?? null) : null));
  }
}
