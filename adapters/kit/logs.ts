// What every log-tool adapter (Loki, Elasticsearch, Datadog Logs...) shares: level spellings, structured fields
// from JSON, user regular expressions run by a linear-time engine, field summaries from a sample, and paging by
// time that loses no line when many share a millisecond.
import type { LogFieldFilter, LogLevel, LogOrder } from '@opsorch/schema';
import { z } from 'zod';
import { badInput, OpsOrchError } from '../src/errors.ts';
import type { Page, PageRequest } from '../src/paging.ts';
import { compileUserPattern } from '../src/patterns.ts';
import type { LogFieldSummaryRecord, LogVolumeRecord } from '../src/spi/logs.ts';

/** How common loggers spell each level (lower-cased): syslog, log4j, Python, pino's numbers, Go, Postgres. */
export const DEFAULT_LEVEL_SPELLINGS: Record<Exclude<LogLevel, 'UNKNOWN'>, string[]> = {
  DEBUG: ['debug', 'trace', 'dbug', 'verbose', 'fine', 'finer', 'finest', '10', '20', 'debug1', 'debug2', 'd', '7'],
  INFO: ['info', 'information', 'informational', 'notice', 'log', 'i', '30', '6', '5'],
  WARN: ['warn', 'warning', 'w', '40', '4'],
  ERROR: ['error', 'err', 'e', '50', '3'],
  FATAL: ['fatal', 'critical', 'crit', 'emerg', 'emergency', 'alert', 'panic', 'severe', 'f', '60', '0', '1', '2'],
};

/** Settings of a log provider's level mapping: raw spelling → level, merged over the defaults. */
export const levelMapSettingsShape = {
  /** Raw level value → normalized level, merged over the common spellings (for example `{ "notice": "WARN" }`). */
  levelMap: z.record(z.string(), z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'])).default({}),
};

/** Normalizes raw level values one way and lists the raw spellings of a level the other way (for queries). */
export class LevelMapping {
  private readonly toLevel = new Map<string, LogLevel>();

  constructor(overrides: Readonly<Record<string, Exclude<LogLevel, 'UNKNOWN'>>> = {}) {
    for (const [level, spellings] of Object.entries(DEFAULT_LEVEL_SPELLINGS)) for (const s of spellings) this.toLevel.set(s, level as LogLevel);
    for (const [raw, level] of Object.entries(overrides)) this.toLevel.set(raw.toLowerCase(), level);
  }

  normalize(raw: string | null | undefined): LogLevel {
    return raw ? (this.toLevel.get(raw.trim().toLowerCase()) ?? 'UNKNOWN') : 'UNKNOWN';
  }

  /** Lower-case raw spellings meaning `level`; for UNKNOWN, every known spelling (to exclude). */
  spellings(level: LogLevel): string[] {
    return [...this.toLevel].filter(([, l]) => level === 'UNKNOWN' || l === level).map(([raw]) => raw);
  }
}

/** A JSON object's leaves as dotted fields (`{http: {status: 500}}` → `http.status` = `500`); arrays joined by commas. */
export function flattenFields(value: unknown, prefix = '', out: { key: string; value: string }[] = []): { key: string; value: string }[] {
  if (value === null || value === undefined) return out;
  if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) flattenFields(inner, prefix ? `${prefix}.${key}` : key, out);
    return out;
  }
  const text = Array.isArray(value) ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',') : String(value);
  if (prefix) out.push({ key: prefix, value: text });
  return out;
}

/** A field filter as a predicate over a line's fields, with the schema's semantics (used where the tool cannot run it). */
export function fieldFilterTest(filter: LogFieldFilter, where: string): (fields: ReadonlyMap<string, string>) => boolean {
  const op = filter.op ?? 'EQUALS';
  if (op === 'REGEX') {
    // Anywhere in the value, as the schema's REGEX and Loki's label filters (wrapped in `.*`) match.
    const pattern = compileUserPattern(filter.value, where, 'search');
    return (fields) => {
      const value = fields.get(filter.field);
      return value !== undefined && pattern.test(value);
    };
  }
  if (op === 'CONTAINS') {
    const needle = filter.value.toLowerCase();
    return (fields) => fields.get(filter.field)?.toLowerCase().includes(needle) ?? false;
  }
  if (op === 'NOT_EQUALS') return (fields) => fields.get(filter.field) !== filter.value;
  return (fields) => fields.get(filter.field) === filter.value;
}

/** Field summaries of a sample of lines: each field's most frequent values, by field name. */
export function summarizeFields(lines: readonly { fields: readonly { key: string; value: string }[] }[], top: number): LogFieldSummaryRecord[] {
  const values = new Map<string, Map<string, number>>();
  for (const line of lines) {
    for (const field of line.fields) {
      let byValue = values.get(field.key);
      if (!byValue) values.set(field.key, (byValue = new Map()));
      byValue.set(field.value, (byValue.get(field.value) ?? 0) + 1);
    }
  }
  return [...values.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, byValue]) => ({
      name,
      topValues: [...byValue.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .slice(0, top)
        .map(([value, count]) => ({ value, count })),
      distinctValues: byValue.size,
      occurrences: [...byValue.values()].reduce((sum, n) => sum + n, 0),
      sampledLines: lines.length,
    }));
}

/** Lines one time-bounded fetch answered, and whether the tool cut them at the limit asked. */
export interface TimeSlice<T> {
  items: T[];
  /** True when the tool returned `limit` lines: more may follow, and the last millisecond may be cut. */
  full: boolean;
}

/**
 * Asks the tool for lines beyond `boundMs` in the page's order (newest first: before it; oldest first: after it),
 * the bound's own millisecond included when `inclusive`; null: from the range's end (or start). At most `limit`.
 */
export type FetchTimeSlice<T> = (boundMs: number | null, inclusive: boolean, limit: number) => Promise<TimeSlice<T>>;

export interface TimePagingOptions<T> {
  /** The line's time in epoch milliseconds. */
  timeOf(item: T): number;
  /** Orders lines of the same millisecond, oldest first (stable: service id, then the tool's own tie-breakers). */
  compareWithinMs(a: T, b: T): number;
  /** The most lines the tool answers per request (Loki 5000, Elasticsearch 10000). */
  maxLimit: number;
  /** Lines that pass the filters the tool cannot run (CONTAINS and REGEX on some tools); every line when absent. */
  keep?(item: T): boolean;
  /** Tool requests one page may make when `keep` drops lines, before it answers a short page with a cursor (default 5). */
  maxCalls?: number;
}

interface TimePosition {
  /** Millisecond of the last line passed (null: the start of the walk). */
  t: number | null;
  /** Lines of that millisecond already passed, in the within-millisecond order. */
  k: number;
  /** True when every line of that millisecond was passed: the next request starts after it. */
  done: boolean;
}

function encodePosition(position: TimePosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodePosition(cursor: string): TimePosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as TimePosition;
    if (value && (value.t === null || Number.isInteger(value.t)) && Number.isInteger(value.k) && value.k >= 0 && typeof value.done === 'boolean') return value;
  } catch {
    // fall through
  }
  throw badInput(`cursor "${cursor}" is not valid for logs: pass the endCursor of a previous page unchanged`);
}

/**
 * One page of lines from a tool that can only bound a query by time (Loki's `start`/`end`, Elasticsearch's
 * `search_after` on the timestamp). A millisecond's lines are always read whole: when the tool cut its answer at
 * `limit`, the last (possibly cut) millisecond is dropped and read again by the next request; a page that ends
 * inside a millisecond resumes by reading that millisecond again and passing the lines already returned. So
 * lines sharing a millisecond (or a nanosecond) are neither lost nor repeated, whatever `first` is.
 */
export async function pageByTime<T>(request: PageRequest, order: LogOrder, fetch: FetchTimeSlice<T>, options: TimePagingOptions<T>): Promise<Page<T>> {
  let position: TimePosition = request.after === null ? { t: null, k: 0, done: false } : decodePosition(request.after);
  if (request.first === 0) return { items: [], nextCursor: encodePosition(position) };
  const sign = order === 'OLDEST_FIRST' ? 1 : -1;
  // Newest first reverses the order within a millisecond too, as the gateway merges pages (subgraphs/logs/loaders.ts).
  const compare = (a: T, b: T) => sign * (options.timeOf(a) - options.timeOf(b) || options.compareWithinMs(a, b));
  const items: T[] = [];
  for (let calls = 0; calls < (options.maxCalls ?? 5); calls++) {
    const inclusive = position.t !== null && !position.done;
    let limit = Math.min(options.maxLimit, (inclusive ? position.k : 0) + request.first - items.length + 1);
    let slice: TimeSlice<T>;
    let lines: T[];
    for (;;) {
      slice = await fetch(position.t, inclusive, limit);
      lines = [...slice.items].sort(compare);
      if (!slice.full || lines.length === 0) break;
      const lastMs = options.timeOf(lines[lines.length - 1]!);
      if (options.timeOf(lines[0]!) !== lastMs) {
        lines = lines.filter((line) => options.timeOf(line) !== lastMs);
        break;
      }
      // The whole answer is one millisecond: read it whole with a larger limit.
      if (limit >= options.maxLimit) {
        throw new OpsOrchError('PROVIDER_UNAVAILABLE', `more than ${options.maxLimit} log lines share the millisecond ${new Date(lastMs).toISOString()}; narrow the query`);
      }
      limit = options.maxLimit;
    }
    let skip = inclusive ? position.k : 0;
    for (const line of lines) {
      const ms = options.timeOf(line);
      if (skip > 0 && ms === position.t) {
        skip--;
        continue;
      }
      if (items.length === request.first) return { items, nextCursor: encodePosition({ ...position, done: ms !== position.t }) };
      position = { t: ms, k: position.t === ms ? position.k + 1 : 1, done: false };
      if (!options.keep || options.keep(line)) items.push(line);
    }
    if (!slice.full) return { items, nextCursor: null };
    // The cut millisecond was dropped: every line of the last one read was passed.
    position = { ...position, done: true };
    if (items.length === request.first) return { items, nextCursor: encodePosition(position) };
  }
  // Out of calls (filters the tool cannot run dropped most lines): a short page, resuming where the scan stopped.
  return { items, nextCursor: encodePosition(position) };
}

/** Per-level counts of equal-width buckets from `fromMs`, as `LogVolume` holds them (the last bucket ends at `toMs`). */
export function volumeBuckets(counts: readonly ReadonlyMap<LogLevel, number>[], fromMs: number, toMs: number, width: number): Pick<LogVolumeRecord, 'buckets' | 'total'> {
  const levelOrder: LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'UNKNOWN'];
  let total = 0;
  const buckets = counts.map((byLevel, b) => {
    const bucketCounts = levelOrder.filter((l) => (byLevel.get(l) ?? 0) > 0).map((level) => ({ level, count: byLevel.get(level)! }));
    const bucketTotal = bucketCounts.reduce((sum, c) => sum + c.count, 0);
    total += bucketTotal;
    return { start: new Date(fromMs + b * width).toISOString(), end: new Date(Math.min(toMs, fromMs + (b + 1) * width)).toISOString(), counts: bucketCounts, total: bucketTotal };
  });
  return { buckets, total };
}

/**
 * Sorts lines by millisecond then `compareWithinMs`, and numbers each within its millisecond and service
 * (`sequence`, the last part of a line's id: `<instance>:<service>:<epochMs>:<seq>`).
 */
export function numberWithinMs<T extends { ms: number; serviceId: string | null; sequence: number }>(lines: T[], compareWithinMs: (a: T, b: T) => number): T[] {
  lines.sort((a, b) => a.ms - b.ms || compareWithinMs(a, b));
  for (let i = 0; i < lines.length; i++) {
    const previous = lines[i - 1];
    const line = lines[i]!;
    line.sequence = previous && previous.ms === line.ms && previous.serviceId === line.serviceId ? previous.sequence + 1 : 0;
  }
  return lines;
}
