import { badInput } from './errors.ts';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const RELATIVE = /^now(?:\s*([+-])\s*(\d+)\s*([smhdw]))?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an instant: RFC 3339, or relative to `now` (`now`, `now-15m`, `now-1d`, `now+1h`).
 * `field` names the argument in the error so the caller knows what to fix.
 */
export function parseInstant(value: string, now: Date, field = 'time'): Date {
  const trimmed = value.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative) {
    const [, sign, amount, unit] = relative;
    if (!sign) return new Date(now.getTime());
    const delta = Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
    const instant = new Date(now.getTime() + (sign === '-' ? -delta : delta));
    // Past what a date can hold (about 270,000 years either way) is not a time either.
    if (Number.isNaN(instant.getTime())) throw badInput(`${field} "${value}" is too far from now to be a time: use a smaller offset such as now-30d`);
    return withinEpoch(instant, value, field);
  }
  if (RFC3339.test(trimmed)) {
    const parsed = new Date(trimmed);
    if (!Number.isNaN(parsed.getTime())) return withinEpoch(parsed, value, field);
  }
  throw badInput(
    `${field} "${value}" is not a time: use RFC 3339 (2026-11-26T06:00:00Z) or a relative expression (now, now-15m, now-6h, now-1d, now-2w)`,
  );
}

/** Operational data lives after 1970 (tools count time from the Unix epoch) and RFC 3339 ends at year 9999. */
const EARLIEST_MS = 0;
const LATEST_MS = Date.parse('9999-12-31T23:59:59.999Z');

function withinEpoch(instant: Date, value: string, field: string): Date {
  const ms = instant.getTime();
  if (Number.isNaN(ms) || ms < EARLIEST_MS || ms > LATEST_MS) {
    throw badInput(`${field} "${value}" is outside the times OpsOrch reads: use an instant between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z`);
  }
  return instant;
}

export interface ResolvedTimeRange {
  from: Date;
  to: Date;
}

/** Resolves a `TimeRangeInput`; `to` defaults to now and must come after `from`. */
export function resolveTimeRange(
  range: { from: string; to?: string | null } | null | undefined,
  now: Date,
  defaultFrom = 'now-1h',
): ResolvedTimeRange {
  const from = parseInstant(range?.from ?? defaultFrom, now, 'range.from');
  const to = range?.to ? parseInstant(range.to, now, 'range.to') : new Date(now.getTime());
  if (from.getTime() >= to.getTime()) {
    throw badInput(`range.from (${from.toISOString()}) must be before range.to (${to.toISOString()})`);
  }
  return { from, to };
}

/** Parses a duration such as `90s`, `15m`, `1h`, `2d` into milliseconds. */
export function parseDuration(value: string, field = 'duration'): number {
  const match = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (!match || Number(match[1]) <= 0) {
    throw badInput(`${field} "${value}" is not a duration: use a positive number and a unit, for example 30s, 15m, 2h, 1d`);
  }
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

// Steps of metric series. The metrics subgraph chooses the step (decision 010); providers check and format it.

/** Prometheus refuses range queries above 11,000 points per series; so does every provider. */
export const MAX_POINTS_PER_SERIES = 11_000;
/** Points the default step aims for. */
const TARGET_POINTS = 300;
/** Steps the default choice picks from, in seconds. */
const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** `90` → `90s`, `300` → `5m`: the largest unit that divides the step. */
export function formatStep(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/**
 * The step in ms: the client's (refused when it gives more than 11,000 points per series, naming the
 * smallest acceptable step), or the nice step closest to about 300 points.
 */
export function resolveStep(range: ResolvedTimeRange, step: string | null | undefined): number {
  const spanMs = range.to.getTime() - range.from.getTime();
  if (step) {
    const ms = parseDuration(step, 'step');
    if (ms % 1000 !== 0) throw badInput(`step "${step}" must be a whole number of seconds`);
    const points = Math.ceil(spanMs / ms);
    if (points > MAX_POINTS_PER_SERIES) {
      const minimum = Math.ceil(spanMs / MAX_POINTS_PER_SERIES / 1000);
      throw badInput(
        `step "${step}" gives ${points} points per series over this range; the maximum is ${MAX_POINTS_PER_SERIES}: use a step of at least ${formatStep(minimum)} or a shorter range`,
      );
    }
    return ms;
  }
  const ideal = spanMs / TARGET_POINTS / 1000;
  let best = NICE_STEPS[0]!;
  for (const candidate of NICE_STEPS) {
    if (Math.abs(Math.log(candidate / ideal)) < Math.abs(Math.log(best / ideal))) best = candidate;
  }
  // A range longer than the nice steps cover still needs to fit the point limit.
  return Math.max(best, Math.ceil(spanMs / MAX_POINTS_PER_SERIES / 1000)) * 1000;
}
