// Filters live in the URL (shareable, back-button friendly); unknown values are dropped, not sent to the API.
// People type these URLs too: values match whatever their case (`?status=triggered`, `?level=error`).
import type { Severity } from '../graphql/generated.ts';

/** Every severity, most severe first (the order lists and counts use). */
export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5', 'UNKNOWN'] as const satisfies readonly Severity[];

/** The allowed value `value` spells, ignoring case and surrounding spaces. */
function spelled<T extends string>(value: string, allowed: readonly T[]): T | undefined {
  const wanted = value.trim().toLowerCase();
  return allowed.find((a) => a.toLowerCase() === wanted);
}

export function listOf<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[]): T[] {
  const values = params.getAll(name).flatMap((v) => v.split(','));
  return [...new Set(values.flatMap((v) => spelled(v, allowed) ?? []))];
}

export function oneOf<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const value = params.get(name);
  return value ? spelled(value, allowed) : undefined;
}

/** Page size from `?first=`, clamped to what the API accepts. */
export function pageSize(params: URLSearchParams, fallback = 50): number {
  const n = Number(params.get('first'));
  return Number.isInteger(n) && n > 0 ? Math.min(n, 200) : fallback;
}

/** The `?service=` / `?team=` scope of a list query; undefined when neither is set. */
export function scopeOf(params: URLSearchParams): { service?: string; team?: string } | undefined {
  return params.get('service') || params.get('team') ? { service: params.get('service') || undefined, team: params.get('team') || undefined } : undefined;
}

/** The page of a list query: `?first=` (clamped) and the `?after=` cursor. */
export function pageOf(params: URLSearchParams): { first: number; after?: string } {
  return { first: pageSize(params), after: params.get('after') || undefined };
}
