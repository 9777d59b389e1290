import { badInput, OpsOrchError, toOpsOrchError } from './errors.ts';

/** Page size when a client passes no `first`. */
export const DEFAULT_PAGE_SIZE = 25;
/** Largest `first` any list accepts; larger requests are refused rather than silently cut. */
export const MAX_PAGE_SIZE = 200;

/** What a provider is asked for: up to `first` items after its own cursor (null = from the start). */
export interface PageRequest {
  first: number;
  after: string | null;
}

/** One page from a provider, in the provider's order, plus the cursor of the next page (null = last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  /** Total number of matching items when the provider knows it cheaply. */
  totalCount?: number;
}

export function pageRequest(first: number | null | undefined, after: string | null | undefined): PageRequest {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw badInput(`first must be an integer between 0 and ${MAX_PAGE_SIZE}, got ${first}; page with "after" for more`);
  }
  return { first: size, after: after ?? null };
}

/** Pages through an in-memory list with an offset cursor: for providers that hold their data (the demo world). */
export function pageOfArray<T>(items: readonly T[], page: PageRequest): Page<T> {
  const offset = page.after === null ? 0 : Number.parseInt(page.after, 10);
  if (!Number.isInteger(offset) || offset < 0) throw badInput(`cursor "${page.after}" is not valid for this list`);
  const slice = items.slice(offset, offset + page.first);
  const next = offset + slice.length;
  return { items: slice, nextCursor: next < items.length ? String(next) : null, totalCount: items.length };
}

function encodeCursor(state: FanOutCursor): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeCursor(cursor: string): FanOutCursor {
  try {
    const state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (state && typeof state === 'object' && !Array.isArray(state)) return state as FanOutCursor;
  } catch {
    // fall through to the error below
  }
  throw badInput(`cursor "${cursor}" is not valid: pass the endCursor of a previous page unchanged`);
}

/** Per instance: its cursor before the page being consumed and how many of that page were consumed; null = done. */
type FanOutCursor = Record<string, { c: string | null; k: number } | null>;

/**
 * One item of a merged page. Its cursor is encoded when first read: most queries select `nodes` only, and encoding
 * one per item (JSON, then base64url) was about 1 % of the war-room request's CPU (decision 030).
 */
export class MergedItem<T> {
  private encoded: string | null = null;
  /**
   * `state`: every instance's position right after this item, never modified after the item is made; or, for a
   * page from a single instance, that page, which works the position out from `taken` when the cursor is read.
   */
  constructor(
    readonly item: T,
    private readonly state: FanOutCursor | SingleSourcePage,
    private readonly taken = 0,
  ) {}

  /** The item as a GraphQL edge's `node`. */
  get node(): T {
    return this.item;
  }

  get cursor(): string {
    return (this.encoded ??= encodeCursor(this.state instanceof SingleSourcePage ? this.state.after(this.taken) : this.state));
  }
}

/** A position before any item: where a list starts. */
const START = Object.freeze({ c: null, k: 0 });

/** A page of one instance, read from `position` on (its own cursor, then `k` items of that page to skip). */
class SingleSourcePage {
  constructor(
    readonly instance: string,
    readonly position: { c: string | null; k: number },
    /** Items of the instance's page after the skipped ones. */
    readonly remaining: number,
    readonly nextCursor: string | null,
  ) {}

  /** The cursor state after `taken` items of this page, as the k-way merge would have written it. */
  after(taken: number): FanOutCursor {
    if (taken === this.remaining) return { [this.instance]: this.nextCursor === null ? null : { c: this.nextCursor, k: 0 } };
    return { [this.instance]: { c: this.position.c, k: this.position.k + taken } };
  }
}

/**
 * `fanOutPage` for one instance (most lists: one tool per capability), with the same pages and cursors: no merge,
 * no per-item copy of the positions. The war-room asks this for a hundred nested lists per request.
 */
async function singleSourcePage<T>(source: FanOutSource<T>, request: PageRequest, capability: string): Promise<MergedPage<T>> {
  let position: { c: string | null; k: number } | null = START;
  if (request.after) {
    const state = decodeCursor(request.after);
    if (!(source.instance in state)) throw badInput('cursor was issued for a different set of providers; start again without "after"');
    position = state[source.instance] ?? null;
  }
  // This instance was done: an empty last page, with no total (it was not asked).
  if (position === null) return new LazyMergedPage([], false, null, null, []);
  let page: Page<T>;
  try {
    page = await source.fetch({ first: request.first + position.k, after: position.c });
  } catch (error) {
    throw toOpsOrchError(error, capability, source.instance);
  }
  const remaining = Math.max(0, page.items.length - position.k);
  const single = new SingleSourcePage(source.instance, position, remaining, page.nextCursor);
  const count = Math.min(request.first, remaining);
  const items = new Array<MergedItem<T>>(count);
  for (let i = 0; i < count; i++) items[i] = new MergedItem(page.items[position.k + i]!, single, i + 1);
  const next = single.after(count);
  const hasNextPage = next[source.instance] !== null;
  const totalCount = typeof page.totalCount === 'number' ? page.totalCount : null;
  return new LazyMergedPage(items, hasNextPage, count > 0 || hasNextPage ? next : null, totalCount, []);
}

export interface MergedPage<T> {
  /** In merged order; each is also the item's GraphQL edge (`node`, `cursor`). */
  items: MergedItem<T>[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number | null;
  failures: OpsOrchError[];
}

export interface FanOutSource<T> {
  instance: string;
  fetch(page: PageRequest): Promise<Page<T>>;
}

/**
 * Merges pages from several provider instances into one ordered page (k-way merge by `compare`),
 * with one opaque cursor that holds every instance's own cursor. A failing instance is reported in
 * `failures` and the others still answer; only when every instance fails does the whole list fail.
 * Each item gets its own cursor, so `edges.cursor` can resume right after any item.
 */
export function fanOutPage<T>(
  sources: readonly FanOutSource<T>[],
  request: PageRequest,
  compare: (a: T, b: T) => number,
  capability: string,
): Promise<MergedPage<T>> {
  return sources.length === 1 ? singleSourcePage(sources[0]!, request, capability) : mergedPage(sources, request, compare, capability);
}

async function mergedPage<T>(
  sources: readonly FanOutSource<T>[],
  request: PageRequest,
  compare: (a: T, b: T) => number,
  capability: string,
): Promise<MergedPage<T>> {
  const state: FanOutCursor = request.after
    ? decodeCursor(request.after)
    : Object.fromEntries(sources.map((s) => [s.instance, { c: null, k: 0 }]));

  const active = sources.filter((s) => state[s.instance] !== null && state[s.instance] !== undefined);
  if (request.after && sources.some((s) => !(s.instance in state))) {
    throw badInput('cursor was issued for a different set of providers; start again without "after"');
  }

  const fetched = await Promise.all(
    active.map(async (source) => {
      const position = state[source.instance]!;
      try {
        const page = await source.fetch({ first: request.first + position.k, after: position.c });
        return { source, position, page, remaining: page.items.slice(position.k), error: null };
      } catch (error) {
        return { source, position, page: null, remaining: [] as T[], error: toOpsOrchError(error, capability, source.instance) };
      }
    }),
  );

  const failures = fetched.flatMap((f) => (f.error ? [f.error] : []));
  if (active.length > 0 && failures.length === active.length) throw failures[0];

  const taken = new Map<string, number>(fetched.map((f) => [f.source.instance, 0]));
  const next: FanOutCursor = { ...state };
  const items: MergedItem<T>[] = [];
  const advance = (instance: string) => {
    const f = fetched.find((x) => x.source.instance === instance)!;
    const consumed = taken.get(instance)!;
    if (!f.page) return; // failed: keep its position so the next page retries it
    if (consumed === f.remaining.length) {
      next[instance] = f.page.nextCursor === null ? null : { c: f.page.nextCursor, k: 0 };
    } else {
      next[instance] = { c: f.position.c, k: f.position.k + consumed };
    }
  };

  while (items.length < request.first) {
    let best: (typeof fetched)[number] | null = null;
    for (const f of fetched) {
      const candidate = f.remaining[taken.get(f.source.instance)!];
      if (candidate === undefined) continue;
      if (!best || compare(candidate, best.remaining[taken.get(best.source.instance)!]!) < 0) best = f;
    }
    if (!best) break;
    const index = taken.get(best.source.instance)!;
    taken.set(best.source.instance, index + 1);
    advance(best.source.instance);
    // `advance` replaces an instance's position rather than changing it, so a shallow copy is this item's state.
    items.push(new MergedItem(best.remaining[index]!, { ...next }));
  }
  for (const f of fetched) advance(f.source.instance);

  const hasNextPage = Object.values(next).some((position) => position !== null);
  // A total is only honest when every instance answered this request with its own total.
  const totals = fetched.map((f) => f.page?.totalCount);
  const totalCount =
    active.length === sources.length && totals.every((t) => typeof t === 'number')
      ? (totals as number[]).reduce((sum, t) => sum + t, 0)
      : null;
  // An empty page can still have more after it (a provider that stopped at its scan budget): keep a cursor then.
  // Encoded when read, like the items' cursors: a nested list's `pageInfo` is rarely selected.
  return new LazyMergedPage(items, hasNextPage, items.length > 0 || hasNextPage ? next : null, totalCount, failures);
}

/** A merged page whose end cursor is encoded when read (a class: object literals with getters are slow to make). */
class LazyMergedPage<T> implements MergedPage<T> {
  private encoded: string | undefined;
  constructor(
    readonly items: MergedItem<T>[],
    readonly hasNextPage: boolean,
    private readonly end: FanOutCursor | null,
    readonly totalCount: number | null,
    readonly failures: OpsOrchError[],
  ) {}

  get endCursor(): string | null {
    return this.end === null ? null : (this.encoded ??= encodeCursor(this.end));
  }
}
