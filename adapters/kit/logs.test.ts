import { describe, expect, it } from 'vitest';
import type { Page } from '../src/paging.ts';
import { fieldFilterTest, flattenFields, LevelMapping, pageByTime, type FetchTimeSlice } from './logs.ts';

interface Line {
  ms: number;
  id: string;
}

/** A tool holding `lines` that answers time-bounded requests, cutting at the limit in its own (shuffled) order. */
function tool(lines: Line[], order: 'NEWEST_FIRST' | 'OLDEST_FIRST'): FetchTimeSlice<Line> & { calls: number } {
  const fetch = (async (bound: number | null, inclusive: boolean, limit: number) => {
    fetch.calls++;
    const inRange = lines.filter((l) => bound === null || (order === 'NEWEST_FIRST' ? l.ms < bound || (inclusive && l.ms === bound) : l.ms > bound || (inclusive && l.ms === bound)));
    // Sorted by time only: lines of one millisecond come in an arbitrary order, as a real tool's shards answer.
    const sorted = inRange.sort((a, b) => (order === 'NEWEST_FIRST' ? b.ms - a.ms : a.ms - b.ms) || (a.id.charCodeAt(3) % 3) - (b.id.charCodeAt(3) % 3));
    return { items: sorted.slice(0, limit), full: sorted.length >= limit };
  }) as FetchTimeSlice<Line> & { calls: number };
  fetch.calls = 0;
  return fetch;
}

const options = { timeOf: (l: Line) => l.ms, compareWithinMs: (a: Line, b: Line) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0), maxLimit: 40 };

async function walk(lines: Line[], order: 'NEWEST_FIRST' | 'OLDEST_FIRST', first: number, keep?: (l: Line) => boolean) {
  const fetch = tool(lines, order);
  const seen: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const page: Page<Line> = await pageByTime({ first, after }, order, fetch, { ...options, keep });
    seen.push(...page.items.map((l) => l.id));
    if (page.nextCursor === null) return seen;
    after = page.nextCursor;
  }
  throw new Error('paging did not end');
}

describe('pageByTime', () => {
  // 120 lines over 9 milliseconds: up to 30 share one millisecond (as lines sharing a nanosecond do in Loki).
  const lines: Line[] = Array.from({ length: 120 }, (_, i) => ({ ms: 1_000 + (i % 9 === 0 ? 0 : i % 9) * (i % 4 === 0 ? 1 : 2), id: `id-${String(i).padStart(3, '0')}` }));

  for (const order of ['NEWEST_FIRST', 'OLDEST_FIRST'] as const) {
    for (const first of [1, 7, 25, 200]) {
      it(`walks every line once, ${order}, first=${first}`, async () => {
        const seen = await walk(lines, order, first);
        expect(seen).toHaveLength(lines.length);
        expect(new Set(seen).size).toBe(lines.length);
        const sign = order === 'NEWEST_FIRST' ? -1 : 1;
        const expected = [...lines].sort((a, b) => sign * (a.ms - b.ms || options.compareWithinMs(a, b))).map((l) => l.id);
        expect(seen).toEqual(expected);
      });
    }
  }

  it('applies a filter the tool cannot run without losing or repeating lines', async () => {
    const keep = (l: Line) => Number(l.id.slice(3)) % 7 === 0;
    const seen = await walk(lines, 'NEWEST_FIRST', 3, keep);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(lines.filter(keep).map((l) => l.id).sort());
  });

  it('refuses a cursor it did not make', async () => {
    await expect(pageByTime({ first: 5, after: 'nonsense' }, 'NEWEST_FIRST', tool(lines, 'NEWEST_FIRST'), options)).rejects.toThrow(/not valid/);
  });
});

describe('log line helpers', () => {
  it('normalizes level spellings and lists them back', () => {
    const levels = new LevelMapping({ notice: 'WARN' });
    expect(['ERROR', 'warning', '50', 'CRITICAL', 'notice', 'bogus'].map((l) => levels.normalize(l))).toEqual(['ERROR', 'WARN', 'ERROR', 'FATAL', 'WARN', 'UNKNOWN']);
    expect(levels.spellings('WARN')).toEqual(expect.arrayContaining(['warn', 'warning', 'notice']));
  });

  it('flattens JSON into dotted fields', () => {
    expect(flattenFields({ http: { status: 500, method: 'GET' }, tags: ['a', 'b'], none: null })).toEqual([
      { key: 'http.status', value: '500' },
      { key: 'http.method', value: 'GET' },
      { key: 'tags', value: 'a,b' },
    ]);
  });

  it('runs REGEX filters in linear time with RE2 syntax and refuses what RE2 does not accept', () => {
    const test = fieldFilterTest({ field: 'msg', op: 'REGEX', value: '(a+)+$' }, 'filters[0]');
    // A backtracking engine would not finish this within the test's timeout.
    expect(test(new Map([['msg', `${'a'.repeat(5_000)}!`]]))).toBe(false);
    expect(() => fieldFilterTest({ field: 'msg', op: 'REGEX', value: '(?<=a)b' }, 'filters[0]')).toThrow(/not a valid RE2/);
  });
});

describe('pageByTime cost', () => {
  it('answers a page of lines a millisecond apart with one request', async () => {
    const lines: Line[] = Array.from({ length: 100 }, (_, i) => ({ ms: 1_000 + i, id: `id-${String(i).padStart(3, '0')}` }));
    const fetch = tool(lines, 'NEWEST_FIRST');
    const page = await pageByTime({ first: 20, after: null }, 'NEWEST_FIRST', fetch, options);
    expect(page.items).toHaveLength(20);
    expect(page.nextCursor).not.toBeNull();
    expect(fetch.calls).toBe(1);
  });
});
