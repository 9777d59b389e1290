// Paging through a vendor's API the way the SPI pages (`first` items after an opaque cursor): whatever the
// vendor's style (Link header, cursor or token, offset, search_after), OpsOrch's cursor holds the vendor's own
// cursor of the page being read and how many of its items were already returned, so a list walked to its end
// has no gap and no duplicate, even when `first` and the vendor's page size differ.
import LinkHeader from 'http-link-header';
import { badInput } from '../src/errors.ts';
import type { Page, PageRequest } from '../src/paging.ts';

/** One page as the vendor answered it, and its cursor of the next page (null: this was the last). */
export interface VendorPage<T, C> {
  items: T[];
  next: C | null;
  /** Matching items in all, when the vendor says. */
  total?: number;
}

/**
 * Asks the vendor for the page at `cursor` (null: the first page), at most `limit` items. It must answer the
 * items that follow `cursor` in a stable order, the same first ones whatever `limit` (a cursor that fixes its own
 * page size, like a `Link` URL, may ignore `limit`).
 */
export type FetchVendorPage<T, C> = (cursor: C | null, limit: number) => Promise<VendorPage<T, C>>;

export interface VendorPagingOptions {
  /** The most the vendor returns per page (PagerDuty 100, GitHub 100, Jira 5000, Slack 1000). */
  maxPageSize: number;
  /** Vendor calls one SPI page may make before it returns what it has with a cursor (default 10). */
  maxCalls?: number;
}

/** The position in a vendor's list: its cursor of the page being read (`c`) and how many of its items were returned (`k`). */
interface Position<C> {
  c: C | null;
  k: number;
}

function encode<C>(position: Position<C>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decode<C>(cursor: string): Position<C> {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Position<C>;
    if (value && typeof value === 'object' && 'c' in value && Number.isInteger(value.k) && value.k >= 0) return value;
  } catch {
    // fall through
  }
  throw badInput(`cursor "${cursor}" is not valid for this list: pass the endCursor of a previous page unchanged`);
}

/**
 * Answers one SPI page from a vendor's pages: fills `first` items from one or more vendor pages and returns the
 * cursor that resumes exactly after the last item returned.
 */
export async function pageFromVendor<T, C>(request: PageRequest, fetchPage: FetchVendorPage<T, C>, options: VendorPagingOptions): Promise<Page<T>> {
  let position: Position<C> = request.after === null ? { c: null, k: 0 } : decode<C>(request.after);
  const items: T[] = [];
  let total: number | undefined;
  for (let calls = 0; ; calls++) {
    const needed = request.first - items.length;
    if (needed <= 0 || calls >= (options.maxCalls ?? 10)) return { items, nextCursor: encode(position), ...(total === undefined ? {} : { totalCount: total }) };
    const page = await fetchPage(position.c, Math.min(options.maxPageSize, position.k + needed));
    total = page.total;
    const fresh = page.items.slice(position.k);
    const taken = fresh.slice(0, needed);
    items.push(...taken);
    if (taken.length < fresh.length) {
      // Stopped inside this vendor page: the next SPI page starts at its next item.
      return { items, nextCursor: encode({ c: position.c, k: position.k + taken.length }), ...(total === undefined ? {} : { totalCount: total }) };
    }
    if (page.next === null) return { items, nextCursor: null, ...(total === undefined ? {} : { totalCount: total }) };
    position = { c: page.next, k: 0 };
  }
}

/** Every item of a vendor's list, page by page, up to `maxItems` (a snapshot, a `getMany` over a list endpoint). */
export async function allFromVendor<T, C>(fetchPage: FetchVendorPage<T, C>, options: { pageSize: number; maxItems: number }): Promise<T[]> {
  const items: T[] = [];
  let cursor: C | null = null;
  do {
    const page: VendorPage<T, C> = await fetchPage(cursor, options.pageSize);
    items.push(...page.items);
    cursor = page.next;
  } while (cursor !== null && items.length < options.maxItems);
  return items.slice(0, options.maxItems);
}

/** The `rel="next"` URL of an RFC 8288 `Link` header (GitHub, Backstage, many REST APIs), or null on the last page. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  try {
    return LinkHeader.parse(header).rel('next')[0]?.uri ?? null;
  } catch {
    return null;
  }
}

/**
 * Offset paging (`offset` + `limit`, PagerDuty's `more`, Opsgenie's `offset`): the cursor is the offset of the
 * next item. `more` says whether items follow; without it, a short page is the last.
 */
export function offsetPages<T>(
  fetch: (offset: number, limit: number) => Promise<{ items: T[]; more?: boolean; total?: number }>,
): FetchVendorPage<T, number> {
  return async (cursor, limit) => {
    const offset = cursor ?? 0;
    const answer = await fetch(offset, limit);
    const more = answer.more ?? answer.items.length >= limit;
    return { items: answer.items, next: more && answer.items.length > 0 ? offset + answer.items.length : null, ...(answer.total === undefined ? {} : { total: answer.total }) };
  };
}
