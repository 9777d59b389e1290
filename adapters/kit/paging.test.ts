import { describe, expect, it } from 'vitest';
import type { Page, PageRequest } from '../src/paging.ts';
import { allFromVendor, nextLink, offsetPages, pageFromVendor, type FetchVendorPage } from './paging.ts';

const ITEMS = Array.from({ length: 103 }, (_, i) => `item-${i}`);

/** Every SPI page until the end, as a client walks a connection. */
async function walk(first: number, page: (request: PageRequest) => Promise<Page<string>>): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 200; i++) {
    const answer: Page<string> = await page({ first, after });
    seen.push(...answer.items);
    if (answer.nextCursor === null) return seen;
    after = answer.nextCursor;
  }
  throw new Error('did not reach the end');
}

// Three vendor styles over the same list, each with its own page size limit.
const tokenStyle: FetchVendorPage<string, string> = async (cursor, limit) => {
  const start = cursor === null ? 0 : Number(cursor.replace('tok-', ''));
  const items = ITEMS.slice(start, start + Math.min(limit, 20));
  return { items, next: start + items.length < ITEMS.length ? `tok-${start + items.length}` : null };
};
const offsetStyle = offsetPages(async (offset, limit) => ({ items: ITEMS.slice(offset, offset + limit), more: offset + limit < ITEMS.length, total: ITEMS.length }));
/** A Link-header API fixes its page size in the URL: `limit` is ignored once a cursor exists. */
const linkStyle: FetchVendorPage<string, string> = async (cursor, limit) => {
  const url = new URL(cursor ?? `https://api.example/items?page=1&per_page=${Math.min(limit, 30)}`);
  const size = Number(url.searchParams.get('per_page'));
  const page = Number(url.searchParams.get('page'));
  const items = ITEMS.slice((page - 1) * size, page * size);
  const header = page * size < ITEMS.length ? `<https://api.example/items?page=${page + 1}&per_page=${size}>; rel="next", <https://api.example/items?page=1&per_page=${size}>; rel="first"` : null;
  return { items, next: nextLink(header) };
};

describe('vendor paging', () => {
  for (const [style, fetch, max] of [['cursor', tokenStyle, 20], ['offset', offsetStyle, 50], ['Link header', linkStyle, 30]] as const) {
    it(`walks a ${style} API to its end with no gap and no duplicate, for page sizes below, at and above the vendor's`, async () => {
      for (const first of [1, 7, max, max + 13, 200]) {
        const seen = await walk(first, (request) => pageFromVendor(request, fetch as FetchVendorPage<string, unknown>, { maxPageSize: max }));
        expect(seen, `first=${first}`).toEqual(ITEMS);
      }
    });
  }

  it('keeps the vendor total, stops at its call budget with a cursor, and refuses a forged cursor', async () => {
    expect((await pageFromVendor({ first: 5, after: null }, offsetStyle, { maxPageSize: 50 })).totalCount).toBe(103);
    const capped = await pageFromVendor({ first: 100, after: null }, tokenStyle, { maxPageSize: 20, maxCalls: 2 });
    expect(capped.items).toEqual(ITEMS.slice(0, 40));
    expect((await pageFromVendor({ first: 10, after: capped.nextCursor }, tokenStyle, { maxPageSize: 20 })).items).toEqual(ITEMS.slice(40, 50));
    await expect(pageFromVendor({ first: 5, after: 'not-ours' }, tokenStyle, { maxPageSize: 20 })).rejects.toThrow('is not valid for this list');
  });

  it('reads every item for a snapshot, up to a bound', async () => {
    expect(await allFromVendor(tokenStyle, { pageSize: 20, maxItems: 1000 })).toEqual(ITEMS);
    expect(await allFromVendor(tokenStyle, { pageSize: 20, maxItems: 30 })).toEqual(ITEMS.slice(0, 30));
    expect(nextLink('<https://x/a?page=2>; rel="next"')).toBe('https://x/a?page=2');
    expect(nextLink(null)).toBeNull();
  });
});
