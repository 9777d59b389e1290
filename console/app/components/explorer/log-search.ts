// A log search as the explorer's URL spells it, shared by the page, its loader and its resource routes.
import type { ExplorerLogLineFragment, LogQueryInput } from '../../graphql/explorer/generated.ts';
import { listOf, oneOf } from '../../lib/params.ts';
import { LEVELS, type Level } from './colors.ts';
import { parseLogQuery } from './log-query.ts';
import { rangeFromParams, type RawRange } from './range.ts';

export type LogLine = ExplorerLogLineFragment;

/** Line budgets a page may load; 10,000 stays smooth thanks to the virtualized list. */
export const LIMITS = [200, 500, 1000, 2000, 5000, 10000] as const;
export const DEFAULT_LIMIT = 500;

export interface LogSearch {
  service: string | null;
  environment: string | null;
  /** The query bar as typed. */
  q: string;
  levels: Level[];
  order: 'NEWEST_FIRST' | 'OLDEST_FIRST';
  limit: number;
  range: RawRange;
}

export function logSearchFrom(url: URL): LogSearch {
  const params = url.searchParams;
  const limit = Number(params.get('limit'));
  return {
    // Service ids and environment names are lower-case slugs: `?service=Checkout` means checkout.
    service: params.get('service')?.trim().toLowerCase() || null,
    environment: params.get('env')?.trim().toLowerCase() || null,
    q: params.get('q') ?? '',
    levels: listOf(params, 'level', LEVELS),
    order: oneOf(params, 'order', ['newest', 'oldest']) === 'oldest' ? 'OLDEST_FIRST' : 'NEWEST_FIRST',
    limit: Number.isInteger(limit) && limit > 0 ? Math.min(limit, 10_000) : DEFAULT_LIMIT,
    range: rangeFromParams(params, { from: 'now-15m', to: 'now' }),
  };
}

export function logQueryInput(search: LogSearch): LogQueryInput {
  const parsed = parseLogQuery(search.q);
  return {
    scope: search.service || search.environment ? { service: search.service, environment: search.environment } : null,
    text: parsed.text || null,
    levels: search.levels.length ? search.levels : null,
    filters: parsed.filters.length ? parsed.filters : null,
  };
}

/** A line as one NDJSON record: flat, with fields as an object, the way log tools import them. */
export function ndjsonRecord(line: LogLine): string {
  return JSON.stringify({
    timestamp: line.timestamp,
    level: line.level,
    rawLevel: line.rawLevel,
    service: line.service?.id ?? null,
    environment: line.environment,
    message: line.message,
    traceId: line.traceId,
    fields: Object.fromEntries(line.fields.map((f) => [f.key, f.value])),
    id: line.id,
    url: line.url,
  });
}
