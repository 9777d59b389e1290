// What every capability of the Core plugin provider shares: the plugin process pool, ids, the service identity
// mapping, answers memoized per request, and paging over Core's lists (which have a `limit` and no cursor).
import type { ProviderContext } from '../src/context.ts';
import { OpsOrchError } from '../src/errors.ts';
import { composeId, parseId } from '../src/ids.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/registry.ts';
import { parseSettings } from '../src/settings.ts';
import { ServiceIdentity } from '../kit/identity.ts';
import { CorePluginClient, corePluginSettingsSchema, type CorePluginSettings } from './client.ts';

/** Most items asked of a Core plugin's list to serve a filter Core does not know, or a batch of links. */
export const SNAPSHOT_LIMIT = 1000;

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function lowerEmail(value: unknown): string | null {
  const text = str(value);
  return text ? text.toLowerCase() : null;
}

/** Core's zero time (`0001-01-01T00:00:00Z`, a Go `time.Time` never set) is no time. */
export function time(value: unknown): string | null {
  const text = str(value);
  if (!text || text.startsWith('0001-01-01')) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** `{key: value}` maps (Core's `labels`, `tags`) as OpsOrch's sorted name/value lists. */
export function pairs(map: unknown): { name: string; value: string }[] {
  if (!map || typeof map !== 'object') return [];
  return Object.entries(map as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([name, v]) => ({ name, value: typeof v === 'string' ? v : JSON.stringify(v) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One configured Core plugin: the capability providers of adapters/core-plugin/*.ts are built on it. */
export class CorePlugin {
  readonly settings: CorePluginSettings;
  readonly client: CorePluginClient;
  readonly instance: string;
  private readonly identity: ServiceIdentity;
  private readonly memos = new Map<string, { requestId: string; at: number; value: Promise<unknown> }>();

  constructor(
    settings: Record<string, unknown> | CorePluginSettings,
    readonly deps: ProviderDeps,
  ) {
    this.settings = parseSettings(corePluginSettingsSchema, settings, `core-plugin provider "${deps.instance}"`);
    this.instance = deps.instance;
    this.client = new CorePluginClient(this.settings, deps.instance, deps.logger, this.settings.callTimeoutMs ?? deps.timeoutMs ?? 10_000);
    this.identity = new ServiceIdentity({ system: this.settings.tool, aliases: this.settings.serviceAliases, catalog: deps.catalog });
  }

  /** Calls a Core method; its `result`. */
  call<T = unknown>(method: string, payload: unknown, ctx: ProviderContext): Promise<T> {
    return this.client.call<T>(method, payload, ctx.signal);
  }

  /** The same answer for the same key within one request (a list and the links of its items cost one call). */
  memo<T>(key: string, ctx: ProviderContext, fetch: () => Promise<T>): Promise<T> {
    const hit = this.memos.get(key);
    if (hit && hit.requestId === ctx.requestId && Date.now() - hit.at < 5_000) return hit.value as Promise<T>;
    const value = fetch();
    this.memos.set(key, { requestId: ctx.requestId, at: Date.now(), value });
    value.catch(() => {
      if (this.memos.get(key)?.value === value) this.memos.delete(key);
    });
    return value;
  }

  id(native: unknown): string {
    return composeId(this.instance, String(native));
  }

  /** The plugin's own id of an OpsOrch id, or null when another instance owns it. */
  native(id: string, what: string): string | null {
    const parsed = parseId(id, what);
    return parsed.instance === this.instance ? parsed.nativeId : null;
  }

  source(native: unknown) {
    return { provider: this.settings.tool, instance: this.instance, id: String(native) };
  }

  /** The plugin's service names as canonical ids: aliases and catalog references, else the name when the catalog knows it as an id. */
  async canonical(names: readonly (string | null | undefined)[], ctx: ProviderContext): Promise<Map<string, string | null>> {
    const wanted = [...new Set(names.filter((n): n is string => Boolean(n)))];
    const mapped = await this.identity.toCanonical(wanted, ctx);
    const unmapped = wanted.filter((n) => mapped.get(n) === null);
    if (unmapped.length > 0) {
      const known = this.deps.catalog ? await this.deps.catalog.getMany(unmapped, ctx) : unmapped.map(() => ({}));
      unmapped.forEach((name, i) => mapped.set(name, known[i] ? name : null));
    }
    return mapped;
  }

  /** The plugin's name of a canonical service id (its first native reference). */
  async nativeService(serviceId: string | null | undefined, ctx: ProviderContext): Promise<string | undefined> {
    if (!serviceId) return undefined;
    return (await this.identity.toNative([serviceId], ctx)).get(serviceId)?.[0] ?? serviceId;
  }

  /** Canonical ids of the services a team owns (through the catalog). */
  async servicesOfTeam(teamId: string | undefined, ctx: ProviderContext): Promise<Set<string> | null> {
    if (!teamId) return null;
    return new Set(this.deps.catalog ? ((await this.deps.catalog.servicesOwnedBy([teamId], ctx))[0] ?? []) : []);
  }

  /** One slot per id, in key order: `get` for each id this instance owns; NOT_FOUND is an empty slot. */
  async getEach<T>(ids: readonly string[], what: string, get: (native: string) => Promise<T | null>): Promise<(T | null)[]> {
    return Promise.all(
      ids.map(async (id) => {
        const native = this.native(id, what);
        if (native === null) return null;
        try {
          return await get(native);
        } catch (error) {
          if (error instanceof OpsOrchError && error.code === 'NOT_FOUND') return null;
          throw error;
        }
      }),
    );
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** A page of a Core list (no cursor): the plugin is asked for one item more than the page ends at, the page is cut out. */
export async function pageOfCoreList<T>(page: PageRequest, fetch: (limit: number) => Promise<T[]>): Promise<Page<T>> {
  const offset = page.after === null ? 0 : Number.parseInt(page.after, 10);
  const limit = Math.min((Number.isInteger(offset) && offset > 0 ? offset : 0) + page.first + 1, SNAPSHOT_LIMIT);
  const items = await fetch(limit);
  const cut = pageOfArray(items, page);
  // The plugin was asked for a window only: its count is not a total.
  return items.length < limit ? cut : { items: cut.items, nextCursor: cut.nextCursor };
}

export function asArray(value: unknown, what: string): Json[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new OpsOrchError('PROVIDER_UNAVAILABLE', `the Core plugin answered ${what} with ${typeof value}, not a list`);
  return value as Json[];
}
