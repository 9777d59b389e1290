// Backstage components as OpsOrch's service catalog: `kind: Component` entities of the configured types in one
// namespace. The component's name is the canonical service id; its owner group is the owning team; the
// annotations that name it in other tools become `externalRefs`, so every other provider joins through it.
import type { ServiceFilter, ServiceKind, ServiceTier } from '@opsorch/schema';
import { compareServices, matchesServiceFilter } from '../kit/catalog.ts';
import type { ProviderContext } from '../src/context.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { ExternalRefInput, ServiceProvider, ServiceRecord } from '../src/spi/services.ts';
import { BackstageCatalogApi, parseEntityRef, refOfEntity, stringifyEntityRef, strings, type Entity } from './api.ts';
import { DEFAULT_REF_ANNOTATIONS, type BackstageSettings } from './settings.ts';
import { Snapshot } from './snapshot.ts';

const DEFAULT_TIERS: Readonly<Record<string, ServiceTier>> = {
  '1': 'TIER_1', 'tier-1': 'TIER_1', tier1: 'TIER_1', critical: 'TIER_1',
  '2': 'TIER_2', 'tier-2': 'TIER_2', tier2: 'TIER_2', high: 'TIER_2',
  '3': 'TIER_3', 'tier-3': 'TIER_3', tier3: 'TIER_3', low: 'TIER_3',
};

/** Component `spec.type` → kind; anything else is OTHER with the raw type kept. */
const KINDS: Readonly<Record<string, ServiceKind>> = {
  service: 'SERVICE',
  website: 'FRONTEND',
  frontend: 'FRONTEND',
  database: 'DATABASE',
  queue: 'QUEUE',
  'third-party': 'THIRD_PARTY',
};

const str = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

const refKey = (system: string, id: string) => `${system.trim().toLowerCase()}\n${id.trim().toLowerCase()}`;

interface Catalog {
  ordered: ServiceRecord[];
  byId: Map<string, ServiceRecord>;
  dependents: Map<string, string[]>;
  /** `system\nid`, lower case → canonical id: the identity index other providers resolve through. */
  refs: Map<string, string>;
}

export class BackstageServiceProvider implements ServiceProvider {
  readonly kind = 'backstage';
  readonly instance: string;
  private readonly api: BackstageCatalogApi;
  private readonly snapshot: Snapshot<Catalog>;
  private readonly tiers: Record<string, ServiceTier>;
  private readonly refAnnotations: Record<string, string>;
  private readonly namespace: string;

  constructor(private readonly settings: BackstageSettings, deps: ProviderDeps) {
    this.instance = deps.instance;
    this.namespace = settings.namespace.toLowerCase();
    this.api = new BackstageCatalogApi({ url: settings.url, token: settings.token, logger: deps.logger });
    this.tiers = { ...DEFAULT_TIERS, ...Object.fromEntries(Object.entries(settings.tierMap).map(([raw, tier]) => [raw.toLowerCase(), tier])) };
    this.refAnnotations = { ...DEFAULT_REF_ANNOTATIONS, ...settings.externalRefAnnotations };
    this.snapshot = new Snapshot((ctx) => this.readCatalog(ctx), settings.snapshotTtlMs);
  }

  /** The component's canonical id when it is one of this catalog's services, else null. */
  private idOfRef(ref: string): string | null {
    const parsed = parseEntityRef(ref, { kind: 'component', namespace: this.namespace });
    return parsed.kind === 'component' && parsed.namespace === this.namespace ? parsed.name : null;
  }

  private teamOfRef(ref: string | null): string | null {
    if (!ref) return null;
    const parsed = parseEntityRef(ref, { kind: 'group', namespace: this.namespace });
    return parsed.kind === 'group' && parsed.namespace === this.namespace ? parsed.name : null;
  }

  private isService(entity: Entity | null): entity is Entity {
    if (!entity || entity.kind.toLowerCase() !== 'component') return false;
    if ((entity.metadata.namespace ?? 'default').toLowerCase() !== this.namespace) return false;
    const type = str(entity.spec?.type)?.toLowerCase();
    return !!type && this.settings.componentTypes.some((t) => t.toLowerCase() === type);
  }

  /** A component as a service record: nothing the catalog says is dropped (system and lifecycle ride in tags). */
  toRecord(entity: Entity): ServiceRecord {
    const { metadata } = entity;
    const spec = entity.spec ?? {};
    const annotations = metadata.annotations ?? {};
    const rawTier = metadata.labels?.[this.settings.tierLabel] ?? annotations[this.settings.tierLabel] ?? null;
    const rawKind = str(spec.type);
    const ref = stringifyEntityRef(refOfEntity(entity));
    const dependsOn = [
      ...strings(spec.dependsOn),
      ...(entity.relations ?? []).filter((r) => r.type.toLowerCase() === 'dependson').map((r) => r.targetRef),
    ];
    const externalRefs = [{ system: 'backstage', id: ref }];
    for (const [annotation, system] of Object.entries(this.refAnnotations)) {
      const value = annotations[annotation];
      if (value) externalRefs.push({ system, id: value });
    }
    const sourceLocation = annotations['backstage.io/source-location']?.replace(/^url:/, '');
    const slug = annotations['github.com/project-slug'];
    const system = str(spec.system);
    const lifecycle = str(spec.lifecycle);
    return {
      id: metadata.name,
      name: metadata.title ?? metadata.name,
      description: metadata.description ?? null,
      tier: (rawTier && this.tiers[rawTier.toLowerCase()]) || 'UNKNOWN',
      rawTier,
      kind: (rawKind && KINDS[rawKind.toLowerCase()]) || 'OTHER',
      rawKind,
      tags: [...(metadata.tags ?? []), ...(system ? [`system:${system}`] : []), ...(lifecycle ? [`lifecycle:${lifecycle}`] : [])],
      language: annotations['backstage.io/language'] ?? null,
      repositoryUrl: sourceLocation ?? (slug ? `https://github.com/${slug}` : null),
      links: (metadata.links ?? []).map((link) => ({ title: link.title ?? link.url, url: link.url })),
      externalRefs,
      environments: [],
      url: `${this.settings.appUrl.replace(/\/+$/, '')}/catalog/${encodeURIComponent(metadata.namespace ?? 'default')}/component/${encodeURIComponent(metadata.name)}`,
      source: { provider: 'backstage', instance: this.instance, id: ref },
      ownerTeamId: this.teamOfRef(str(spec.owner)),
      dependencyIds: [...new Set(dependsOn.map((r) => this.idOfRef(r)).filter((id): id is string => id !== null && id !== metadata.name))],
    };
  }

  private async readCatalog(ctx: ProviderContext): Promise<Catalog> {
    const filter = this.settings.componentTypes.map((type) => `kind=component,metadata.namespace=${this.namespace},spec.type=${type}`);
    const { items, truncated } = await this.api.queryAll(filter, { pageSize: this.settings.pageSize, maxItems: this.settings.maxEntities }, ctx);
    if (truncated) ctx.logger.warn({ maxEntities: this.settings.maxEntities }, 'Backstage has more components than maxEntities; the rest are left out');
    const byId = new Map<string, ServiceRecord>();
    for (const entity of items) if (this.isService(entity)) byId.set(entity.metadata.name, this.toRecord(entity));
    // Reverse edges from both sides: A's dependsOn B, and B's dependencyOf A (the catalog may carry either).
    const dependents = new Map<string, Set<string>>();
    const edge = (from: string, to: string) => {
      if (from !== to && byId.has(from) && byId.has(to)) dependents.set(to, (dependents.get(to) ?? new Set()).add(from));
    };
    for (const record of byId.values()) for (const to of record.dependencyIds) edge(record.id, to);
    for (const entity of items) {
      for (const relation of entity.relations ?? []) {
        const other = relation.type.toLowerCase() === 'dependencyof' ? this.idOfRef(relation.targetRef) : null;
        if (other) {
          edge(other, entity.metadata.name);
          const caller = byId.get(other);
          if (caller && !caller.dependencyIds.includes(entity.metadata.name) && byId.has(entity.metadata.name)) caller.dependencyIds.push(entity.metadata.name);
        }
      }
    }
    const ordered = [...byId.values()].sort(compareServices);
    const refs = new Map<string, string>();
    for (const record of ordered) {
      for (const ref of record.externalRefs) {
        const key = refKey(ref.system, ref.id);
        if (!refs.has(key)) refs.set(key, record.id);
      }
    }
    return { ordered, byId, refs, dependents: new Map([...dependents].map(([id, set]) => [id, [...set].sort()])) };
  }

  /** One `/entities/by-refs` call for every id: always fresh, whatever the snapshot holds. */
  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(ServiceRecord | null)[]> {
    const entities = await this.api.byRefs(ids.map((id) => stringifyEntityRef({ kind: 'component', namespace: this.namespace, name: id })), ctx);
    return entities.map((entity) => (this.isService(entity) ? this.toRecord(entity) : null));
  }

  async query(filter: ServiceFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<ServiceRecord>> {
    const { ordered } = await this.snapshot.get(ctx);
    return pageOfArray(ordered.filter((r) => matchesServiceFilter(r, filter)), page);
  }

  async dependentsOf(serviceIds: readonly string[], ctx: ProviderContext): Promise<string[][]> {
    const { dependents } = await this.snapshot.get(ctx);
    return serviceIds.map((id) => dependents.get(id) ?? []);
  }

  async servicesOwnedBy(teamIds: readonly string[], ctx: ProviderContext): Promise<ServiceRecord[][]> {
    const { ordered } = await this.snapshot.get(ctx);
    return teamIds.map((team) => ordered.filter((r) => r.ownerTeamId === team));
  }

  async resolveExternalRefs(refs: readonly ExternalRefInput[], ctx: ProviderContext): Promise<(string | null)[]> {
    const catalog = await this.snapshot.get(ctx);
    return refs.map((ref) => catalog.refs.get(refKey(ref.system, ref.id)) ?? null);
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.ping(ctx);
  }
}
