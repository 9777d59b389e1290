// The explorers' time range: kept in the URL as the user wrote it (`now-1h`, RFC 3339), shared by the logs
// and metrics pages, resolved on both sides with the same rules as the API (see adapters/src/time.ts).

export interface RawRange {
  from: string;
  to: string;
}

export interface Span {
  fromMs: number;
  toMs: number;
}

export const DEFAULT_RANGE: RawRange = { from: 'now-1h', to: 'now' };

/** Relative presets from 5 minutes to a week, as Grafana offers them. */
export const PRESETS: { label: string; from: string }[] = [
  { label: 'Last 5 minutes', from: 'now-5m' },
  { label: 'Last 15 minutes', from: 'now-15m' },
  { label: 'Last 30 minutes', from: 'now-30m' },
  { label: 'Last 1 hour', from: 'now-1h' },
  { label: 'Last 3 hours', from: 'now-3h' },
  { label: 'Last 6 hours', from: 'now-6h' },
  { label: 'Last 12 hours', from: 'now-12h' },
  { label: 'Last 24 hours', from: 'now-24h' },
  { label: 'Last 2 days', from: 'now-2d' },
  { label: 'Last 7 days', from: 'now-7d' },
];

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const RELATIVE = /^now(?:\s*([+-])\s*(\d+)\s*([smhdw]))?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** An instant in ms, or null when `value` is neither `now[-+]N<unit>` nor RFC 3339. */
export function parseInstant(value: string, nowMs: number): number | null {
  const trimmed = value.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative) {
    const [, sign, amount, unit] = relative;
    if (!sign) return nowMs;
    const delta = Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
    return sign === '-' ? nowMs - delta : nowMs + delta;
  }
  if (RFC3339.test(trimmed)) {
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/** What is wrong with a range the user typed, or null when it is valid. */
export function rangeError(raw: RawRange, nowMs: number): string | null {
  const from = parseInstant(raw.from, nowMs);
  const to = parseInstant(raw.to, nowMs);
  if (from === null) return `From "${raw.from}" is not a time: use now-1h, now-7d or 2026-11-26T06:00:00Z.`;
  if (to === null) return `To "${raw.to}" is not a time: use now or 2026-11-26T07:00:00Z.`;
  if (from >= to) return 'From must be before To.';
  return null;
}

/** The range of the URL, falling back to `fallback` for a missing or unreadable part. */
export function rangeFromParams(params: URLSearchParams, fallback: RawRange = DEFAULT_RANGE): RawRange {
  const from = params.get('from')?.trim() || fallback.from;
  const to = params.get('to')?.trim() || fallback.to;
  const now = Date.now();
  if (rangeError({ from, to }, now)) return fallback;
  return { from, to };
}

export function resolveSpan(raw: RawRange, nowMs: number): Span {
  return { fromMs: parseInstant(raw.from, nowMs) ?? nowMs - 3_600_000, toMs: parseInstant(raw.to, nowMs) ?? nowMs };
}

const iso = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** An absolute range for two instants (drag to zoom, links to an exact window). */
export function absolute(fromMs: number, toMs: number): RawRange {
  return { from: iso(fromMs), to: iso(toMs) };
}

/** The same range made absolute: a copied link shows exactly what the sender saw, whenever it is opened. */
export function pinned(raw: RawRange, nowMs: number): RawRange {
  const span = resolveSpan(raw, nowMs);
  return absolute(span.fromMs, span.toMs);
}

/**
 * Twice as wide around the same middle (Grafana's zoom out). A range ending now stays relative and live;
 * the end never passes now.
 */
export function zoomedOut(raw: RawRange, nowMs: number): RawRange {
  const { fromMs, toMs } = resolveSpan(raw, nowMs);
  const width = toMs - fromMs;
  if (raw.to.trim() === 'now') return { from: relativeFrom(width * 2), to: 'now' };
  const middle = (fromMs + toMs) / 2;
  const end = Math.min(nowMs, middle + width);
  return absolute(end - width * 2, end);
}

/** `now-2h` for a width of two hours: the largest unit that divides it, else minutes. */
export function relativeFrom(widthMs: number): string {
  for (const [unit, size] of [['w', UNIT_MS.w], ['d', UNIT_MS.d], ['h', UNIT_MS.h], ['m', UNIT_MS.m]] as const) {
    if (widthMs % size === 0) return `now-${widthMs / size}${unit}`;
  }
  return `now-${Math.max(1, Math.round(widthMs / UNIT_MS.m))}m`;
}

/** `Last 1 hour`, or `2026-11-26 06:00 → 07:00 UTC` for an absolute range. */
export function rangeLabel(raw: RawRange, nowMs: number): string {
  if (raw.to.trim() === 'now') {
    const preset = PRESETS.find((p) => p.from === raw.from.trim());
    if (preset) return preset.label;
    if (RELATIVE.test(raw.from.trim())) return `${raw.from} → now`;
  }
  const { fromMs, toMs } = resolveSpan(raw, nowMs);
  const f = new Date(fromMs).toISOString();
  const t = new Date(toMs).toISOString();
  const sameDay = f.slice(0, 10) === t.slice(0, 10);
  return `${f.slice(0, 10)} ${f.slice(11, 19)} → ${sameDay ? '' : `${t.slice(0, 10)} `}${t.slice(11, 19)} UTC`;
}

/** The URL's query string with some parameters replaced (null removes one; arrays repeat it). */
export function withParams(params: URLSearchParams, updates: Record<string, string | string[] | null | undefined>): string {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(updates)) {
    next.delete(key);
    if (value === null || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) if (v !== '') next.append(key, v);
  }
  const text = next.toString();
  return text ? `?${text}` : '';
}

/** The shared part of both explorers' URLs: the range and the scope, for the links between them. */
export function sharedParams(params: URLSearchParams): URLSearchParams {
  const shared = new URLSearchParams();
  for (const key of ['from', 'to', 'service', 'env']) {
    const value = params.get(key);
    if (value) shared.set(key, value);
  }
  return shared;
}
