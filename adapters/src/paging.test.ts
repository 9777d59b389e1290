// Merged pages from one instance and from several: every cursor handed out resumes exactly after its item, the end
// cursor after the page, and nothing is skipped or repeated, whatever page sizes the provider itself uses.
import { describe, expect, it } from 'vitest';
import { OpsOrchError } from './errors.ts';
import { fanOutPage, pageOfArray, type FanOutSource, type MergedPage, type PageRequest } from './paging.ts';

const compare = (a: number, b: number) => a - b;

/** A provider over `items` that answers at most `limit` items per call, with its own offset cursors. */
function source(instance: string, items: number[], limit: number): FanOutSource<number> & { calls: PageRequest[] } {
  const calls: PageRequest[] = [];
  return {
    instance,
    calls,
    async fetch(page) {
      calls.push(page);
      return pageOfArray(items, { first: Math.min(page.first, limit), after: page.after });
    },
  };
}

async function walk(sources: FanOutSource<number>[], first: number): Promise<{ pages: MergedPage<number>[]; seen: number[] }> {
  const pages: MergedPage<number>[] = [];
  let after: string | null = null;
  for (let i = 0; i < 20; i++) {
    const page: MergedPage<number> = await fanOutPage(sources, { first, after }, compare, 'incidents');
    pages.push(page);
    if (!page.hasNextPage) break;
    after = page.endCursor;
  }
  return { pages, seen: pages.flatMap((page) => page.items.map((item) => item.item)) };
}

/** Every item after `after`, two at a time. */
async function rest(sources: FanOutSource<number>[], after: string | null): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < 20 && after !== null; i++) {
    const page: MergedPage<number> = await fanOutPage(sources, { first: 2, after }, compare, 'incidents');
    seen.push(...page.items.map((item) => item.item));
    after = page.hasNextPage ? page.endCursor : null;
  }
  return seen;
}

describe.each([
  ['one instance', () => [source('a', [1, 2, 3, 4, 5, 6, 7], 3)], [1, 2, 3, 4, 5, 6, 7]],
  ['two instances', () => [source('a', [1, 3, 5, 7], 3), source('b', [2, 4, 6], 2)], [1, 2, 3, 4, 5, 6, 7]],
] as const)('fanOutPage over %s', (_, sources, all) => {
  it.each([1, 2, 3, 5, 10])('pages of %i: every item once, in order, and the last page says so', async (first) => {
    const { pages, seen } = await walk([...sources()], first);
    expect(seen).toEqual(all);
    expect(pages.at(-1)!.hasNextPage).toBe(false);
    expect(pages.at(-1)!.endCursor === null).toBe(pages.at(-1)!.items.length === 0);
  });

  it('each item’s cursor resumes right after it', async () => {
    const list = [...sources()];
    const page = await fanOutPage(list, { first: 5, after: null }, compare, 'incidents');
    for (const [index, item] of page.items.entries()) {
      expect(await rest(list, item.cursor)).toEqual(all.slice(index + 1));
      expect(item.node).toBe(item.item);
    }
  });

  it('counts every item when every instance knows its total', async () => {
    const page = await fanOutPage([...sources()], { first: 2, after: null }, compare, 'incidents');
    expect(page.totalCount).toBe(all.length);
  });
});

describe('fanOutPage over one instance', () => {
  it('keeps a cursor for an empty page that still has more after it', async () => {
    const budgeted: FanOutSource<number> = { instance: 'a', fetch: async () => ({ items: [], nextCursor: 'later' }) };
    const page = await fanOutPage([budgeted], { first: 3, after: null }, compare, 'incidents');
    expect(page.items).toEqual([]);
    expect(page.hasNextPage).toBe(true);
    expect(page.endCursor).not.toBeNull();
    expect(page.totalCount).toBeNull();
  });

  it('asks the provider for the items it skips on resumption, and for no more', async () => {
    const provider = source('a', [1, 2, 3, 4, 5, 6, 7], 10);
    const first = await fanOutPage([provider], { first: 2, after: null }, compare, 'incidents');
    await fanOutPage([provider], { first: 2, after: first.endCursor }, compare, 'incidents');
    expect(provider.calls).toEqual([
      { first: 2, after: null },
      { first: 2, after: '2' },
    ]);
  });

  it('reports a failing provider as its own error, attributed', async () => {
    const failing: FanOutSource<number> = {
      instance: 'pd',
      fetch: async () => {
        throw new Error('connection reset');
      },
    };
    const error = await fanOutPage([failing], { first: 3, after: null }, compare, 'incidents').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpsOrchError);
    expect(error).toMatchObject({ provider: 'pd', capability: 'incidents' });
  });

  it('refuses a cursor issued for other providers, and one that is not a cursor', async () => {
    const other = await fanOutPage([source('b', [1, 2, 3], 3)], { first: 1, after: null }, compare, 'incidents');
    await expect(fanOutPage([source('a', [1, 2, 3], 3)], { first: 1, after: other.endCursor }, compare, 'incidents')).rejects.toThrow(
      /different set of providers/,
    );
    await expect(fanOutPage([source('a', [1, 2, 3], 3)], { first: 1, after: 'nonsense' }, compare, 'incidents')).rejects.toThrow(/not valid/);
  });

  it('writes its cursors as the merge of several instances does', async () => {
    const one = await fanOutPage([source('a', [1, 2, 3], 3)], { first: 3, after: null }, compare, 'incidents');
    const two = await fanOutPage([source('a', [1, 2, 3], 3), source('b', [], 3)], { first: 3, after: null }, compare, 'incidents');
    const decode = (cursor: string | null) => JSON.parse(Buffer.from(cursor!, 'base64url').toString('utf8'));
    expect(decode(one.items[0]!.cursor)).toEqual({ a: { c: null, k: 1 } });
    expect(decode(one.endCursor)).toEqual({ a: null });
    for (const i of [0, 1, 2]) expect(decode(two.items[i]!.cursor).a).toEqual(decode(one.items[i]!.cursor).a);
    expect(decode(two.endCursor)).toEqual({ a: null, b: null });
  });
});
