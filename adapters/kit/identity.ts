// Cross-tool identity (DESIGN.md, decision 002): a tool's own reference to a service (a Prometheus label value,
// a PagerDuty service id, a GitHub repo, a Jira project) and the catalog's canonical service id (`checkout`) are
// joined through configured aliases first, then the catalog's externalRefs of the tool's system.
import type { ScopeInput } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { OpsOrchError } from '../src/errors.ts';
import type { ServiceCatalog } from '../src/provider.ts';

export interface ServiceIdentityOptions {
  /** The `externalRefs` system naming this tool in the catalog, for example `prometheus`, `pagerduty`, `github`. */
  system: string;
  /** The tool's reference → canonical service id; wins over the catalog. */
  aliases: Readonly<Record<string, string>>;
  catalog?: ServiceCatalog;
  /** How long a mapping learned from the catalog is reused (default 60 s). */
  ttlMs?: number;
  /**
   * Also accept a reference that is itself a catalog id (a tag `service:checkout` in a tool whose references are
   * free text, like Opsgenie's tags). Default false: Prometheus-style labels map only through refs and aliases.
   */
  acceptCanonicalIds?: boolean;
}

interface Cached<T> {
  value: T;
  until: number;
}

/**
 * Maps label values to canonical service ids and back, in batches, caching what the catalog said for a while.
 * A value neither aliased nor known to the catalog maps to null (the series or alert has no catalog service);
 * a canonical id the catalog has no reference for is looked up under its own name.
 */
export class ServiceIdentity {
  private readonly toCanonicalCache = new Map<string, Cached<string | null>>();
  private readonly toNativeCache = new Map<string, Cached<string[]>>();
  private readonly reverseAliases = new Map<string, string[]>();

  constructor(private readonly options: ServiceIdentityOptions) {
    for (const [native, canonical] of Object.entries(options.aliases)) {
      this.reverseAliases.set(canonical, [...(this.reverseAliases.get(canonical) ?? []), native]);
    }
  }

  private get ttl(): number {
    return this.options.ttlMs ?? 60_000;
  }

  /** One slot per label value: the canonical id or null. */
  async toCanonical(values: readonly string[], ctx: ProviderContext): Promise<Map<string, string | null>> {
    const now = Date.now();
    const result = new Map<string, string | null>();
    const unknown: string[] = [];
    for (const value of new Set(values)) {
      const alias = this.options.aliases[value];
      if (alias !== undefined) result.set(value, alias);
      else {
        const cached = this.toCanonicalCache.get(value);
        if (cached && cached.until > now) result.set(value, cached.value);
        else if (value) unknown.push(value);
        else result.set(value, null);
      }
    }
    if (unknown.length > 0 && this.options.catalog) {
      const catalog = this.options.catalog;
      const [found, entries] = await Promise.all([
        catalog.resolveExternalRefs(unknown.map((id) => ({ system: this.options.system, id })), ctx),
        this.options.acceptCanonicalIds ? catalog.getMany(unknown, ctx) : Promise.resolve([]),
      ]);
      unknown.forEach((value, i) => {
        const canonical = found[i] ?? entries[i]?.id ?? null;
        this.toCanonicalCache.set(value, { value: canonical, until: now + this.ttl });
        result.set(value, canonical);
      });
    } else {
      for (const value of unknown) result.set(value, null);
    }
    return result;
  }

  /** One slot per canonical id: the label values that mean it (aliases, catalog references, else the id itself). */
  async toNative(serviceIds: readonly string[], ctx: ProviderContext): Promise<Map<string, string[]>> {
    const now = Date.now();
    const result = new Map<string, string[]>();
    const unknown: string[] = [];
    for (const id of new Set(serviceIds)) {
      const cached = this.toNativeCache.get(id);
      if (cached && cached.until > now) result.set(id, cached.value);
      else unknown.push(id);
    }
    const records = unknown.length > 0 && this.options.catalog ? await this.options.catalog.getMany(unknown, ctx) : [];
    unknown.forEach((id, i) => {
      const fromCatalog = (records[i]?.externalRefs ?? [])
        .filter((ref) => ref.system.toLowerCase() === this.options.system.toLowerCase())
        .map((ref) => ref.id);
      const natives = [...new Set([...(this.reverseAliases.get(id) ?? []), ...(fromCatalog.length > 0 ? fromCatalog : [id])])];
      this.toNativeCache.set(id, { value: natives, until: now + this.ttl });
      result.set(id, natives);
    });
    return result;
  }

  /**
   * The tool's references of the services a scope names (`service`, the services `team` owns, both: their
   * intersection): null when the scope names no service (every service), an empty list when it names none the
   * catalog knows.
   */
  async scopeNatives(scope: ScopeInput | null | undefined, ctx: ProviderContext): Promise<string[] | null> {
    let serviceIds: string[] | null = scope?.service ? [scope.service] : null;
    if (scope?.team) {
      if (!this.options.catalog) throw new OpsOrchError('NOT_SUPPORTED', 'scope.team needs the service catalog, which this provider was built without');
      const owned = (await this.options.catalog.servicesOwnedBy([scope.team], ctx))[0] ?? [];
      serviceIds = serviceIds ? serviceIds.filter((id) => owned.includes(id)) : owned;
    }
    if (!serviceIds) return null;
    if (serviceIds.length === 0) return [];
    return [...new Set([...(await this.toNative(serviceIds, ctx)).values()].flat())];
  }
}
