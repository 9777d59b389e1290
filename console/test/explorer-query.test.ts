// The explorers' pure parts: the log query language and the time range rules.
import { describe, expect, it } from 'vitest';
import { formatLogQuery, parseLogQuery, tokenAt, withFilter, withoutFilter } from '../app/components/explorer/log-query.ts';
import { parseInstant, pinned, rangeError, relativeFrom, zoomedOut } from '../app/components/explorer/range.ts';

describe('the log query bar', () => {
  it('splits free text from field filters with =, !=, ~ and =~, quotes included', () => {
    expect(parseLogQuery('timeout http.status=500 pod!=checkout-0 http.route~cart trace_id=~"^4b f" "two words"')).toEqual({
      text: 'timeout two words',
      filters: [
        { field: 'http.status', op: 'EQUALS', value: '500' },
        { field: 'pod', op: 'NOT_EQUALS', value: 'checkout-0' },
        { field: 'http.route', op: 'CONTAINS', value: 'cart' },
        { field: 'trace_id', op: 'REGEX', value: '^4b f' },
      ],
    });
    // A bare operator with no value is text, not an empty filter.
    expect(parseLogQuery('status=')).toEqual({ text: 'status=', filters: [] });
  });

  it('adds a filter from a line, replacing its opposite, and removes one by position', () => {
    expect(withFilter('timeout', { field: 'pod', op: 'EQUALS', value: 'a b' })).toBe('pod="a b" timeout');
    expect(withFilter('pod=x timeout', { field: 'pod', op: 'NOT_EQUALS', value: 'x' })).toBe('pod!=x timeout');
    expect(withFilter('pod=x', { field: 'pod', op: 'EQUALS', value: 'x' })).toBe('pod=x');
    expect(withoutFilter('a=1 b=2 text', 0)).toBe('b=2 text');
    const round = 'http.status=500 msg="say \\"hi\\"" error';
    expect(parseLogQuery(formatLogQuery(parseLogQuery(round)))).toEqual(parseLogQuery(round));
  });

  it('knows whether the caret is in a field name or a value', () => {
    expect(tokenAt('error http.sta', 14)).toMatchObject({ field: null, partial: 'http.sta', start: 6 });
    expect(tokenAt('error http.status=5', 19)).toMatchObject({ field: 'http.status', op: '=', partial: '5' });
  });
});

describe('time ranges', () => {
  const now = Date.parse('2026-11-26T08:00:00Z');
  it('reads now-1h and RFC 3339 like the API, and says what is wrong', () => {
    expect(parseInstant('now-90m', now)).toBe(now - 90 * 60_000);
    expect(parseInstant('2026-11-26T06:00:00Z', now)).toBe(Date.parse('2026-11-26T06:00:00Z'));
    expect(parseInstant('yesterday', now)).toBeNull();
    expect(rangeError({ from: 'now', to: 'now-1h' }, now)).toBe('From must be before To.');
    expect(rangeError({ from: 'soon', to: 'now' }, now)).toContain('"soon" is not a time');
  });

  it('zooms out around the middle, staying live when the range ends now, and pins a range for links', () => {
    expect(zoomedOut({ from: 'now-1h', to: 'now' }, now)).toEqual({ from: 'now-2h', to: 'now' });
    expect(zoomedOut({ from: '2026-11-26T06:00:00Z', to: '2026-11-26T07:00:00Z' }, now)).toEqual({ from: '2026-11-26T05:30:00Z', to: '2026-11-26T07:30:00Z' });
    // Never past now.
    expect(zoomedOut({ from: '2026-11-26T07:00:00Z', to: '2026-11-26T07:50:00Z' }, now)).toEqual({ from: '2026-11-26T06:20:00Z', to: '2026-11-26T08:00:00Z' });
    expect(pinned({ from: 'now-15m', to: 'now' }, now)).toEqual({ from: '2026-11-26T07:45:00Z', to: '2026-11-26T08:00:00Z' });
    expect(relativeFrom(3 * 86_400_000)).toBe('now-3d');
  });
});
