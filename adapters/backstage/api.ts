// The Backstage software catalog's REST API (plugins/catalog-backend/src/schema/openapi.yaml): entities read
// through `/entities/by-query` with the catalog's own cursor, and in bulk through `/entities/by-refs`.
// Nothing here knows OpsOrch's schema.
import type { Logger, ProviderContext } from '../src/context.ts';
import { HttpClient } from '../kit/http.ts';
import { allFromVendor } from '../kit/paging.ts';

export interface EntityLink {
  url: string;
  title?: string;
  type?: string;
  icon?: string;
}

export interface EntityRelation {
  type: string;
  targetRef: string;
}

/** A catalog entity as the API answers it (`Entity` in the document). */
export interface Entity {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    title?: string;
    description?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    tags?: string[];
    links?: EntityLink[];
  };
  spec?: Record<string, unknown>;
  relations?: EntityRelation[];
}

interface QueryAnswer {
  items: Entity[];
  totalItems: number;
  pageInfo: { nextCursor?: string; prevCursor?: string };
}

/** A parsed entity reference (`[kind:][namespace/]name`), kind and namespace lower-cased as the catalog compares them. */
export interface EntityRef {
  kind: string;
  namespace: string;
  name: string;
}

/** Reads `[kind:][namespace/]name`, filling what the reference leaves out (the catalog's own rules). */
export function parseEntityRef(ref: string, defaults: { kind: string; namespace: string }): EntityRef {
  const colon = ref.indexOf(':');
  const kind = colon > 0 ? ref.slice(0, colon) : defaults.kind;
  const rest = colon > 0 ? ref.slice(colon + 1) : ref;
  const slash = rest.indexOf('/');
  const namespace = slash > 0 ? rest.slice(0, slash) : defaults.namespace;
  const name = slash > 0 ? rest.slice(slash + 1) : rest;
  return { kind: kind.toLowerCase(), namespace: namespace.toLowerCase(), name };
}

export function stringifyEntityRef(ref: EntityRef): string {
  return `${ref.kind.toLowerCase()}:${ref.namespace.toLowerCase()}/${ref.name}`;
}

export function refOfEntity(entity: Entity): EntityRef {
  return { kind: entity.kind.toLowerCase(), namespace: (entity.metadata.namespace ?? 'default').toLowerCase(), name: entity.metadata.name };
}

/** The strings of an entity field that should be a list of strings (`spec.dependsOn`, `spec.members`...), whatever it holds. */
export const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

export interface CatalogApiOptions {
  url: string;
  token?: string;
  logger: Logger;
}

export class BackstageCatalogApi {
  private readonly http: HttpClient;

  constructor(options: CatalogApiOptions) {
    this.http = new HttpClient({
      baseUrl: options.url,
      tool: 'Backstage',
      logger: options.logger,
      ...(options.token ? { auth: { bearerToken: options.token } } : {}),
    });
  }

  /**
   * Every entity matching any of the filter sets (each `key=value,key=value`, OR between sets), page by page
   * with the catalog's cursor: the first call carries the filter, the following ones only the cursor (the API
   * ignores the filter next to a cursor). Stops at `maxItems`; `truncated` says when more were there.
   */
  async queryAll(filter: readonly string[], options: { pageSize: number; maxItems: number }, ctx: ProviderContext): Promise<{ items: Entity[]; truncated: boolean; calls: number }> {
    let total = 0;
    let calls = 0;
    const items = await allFromVendor<Entity, string>(async (cursor, limit) => {
      calls++;
      const answer = await this.http.json<QueryAnswer>({
        path: '/entities/by-query',
        query: cursor === null ? { filter, limit } : { cursor, limit },
        signal: ctx.signal,
        logger: ctx.logger,
      });
      total = answer.totalItems;
      return { items: answer.items, next: answer.pageInfo.nextCursor ?? null };
    }, { pageSize: options.pageSize, maxItems: options.maxItems });
    return { items, truncated: total > items.length, calls };
  }

  /** Entities by reference in one call: one slot per reference, null where the catalog has none. */
  async byRefs(refs: readonly string[], ctx: ProviderContext): Promise<(Entity | null)[]> {
    if (refs.length === 0) return [];
    const answer = await this.http.json<{ items: (Entity | null)[] }>({
      method: 'POST',
      path: '/entities/by-refs',
      json: { entityRefs: refs },
      signal: ctx.signal,
      logger: ctx.logger,
    });
    return refs.map((_, i) => answer.items[i] ?? null);
  }

  /** The cheapest question the catalog answers: one entity of any kind (the health check). */
  async ping(ctx: ProviderContext): Promise<void> {
    await this.http.json<QueryAnswer>({ path: '/entities/by-query', query: { limit: 1, fields: 'metadata.name' }, signal: ctx.signal, logger: ctx.logger });
  }
}
