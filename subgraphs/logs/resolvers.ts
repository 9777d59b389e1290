import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import {
  badInput,
  compileUserPattern,
  resolveTimeRange,
  type LogFieldSummaryRecord,
  type LogRecord,
  type LogVolumeRecord,
  type ResolvedTimeRange,
} from '@opsorch/adapters';
import type {
  LogFieldFilter,
  LogOrder,
  LogQueryInput,
  QueryLogFieldValuesArgs,
  QueryLogFieldsArgs,
  QueryLogVolumeArgs,
  QueryLogsArgs,
  ServiceLogQueryInput,
  ServiceLogsArgs,
  TimeRangeInput,
} from '@opsorch/schema';
import { everyInstance, listConnection, loadersFor, providerErrorsOf, type RequestContext } from '../shared/index.ts';
import { compareLogs, createLogLoaders } from './loaders.ts';

/** Log searches look at the last 15 minutes unless told otherwise: the window an on-call engineer starts with. */
const DEFAULT_FROM = 'now-15m';

const loaders = (ctx: RequestContext) => loadersFor(ctx, 'logs', createLogLoaders);

/** Counts are GraphQL `Int`s: 32-bit signed. */
const MAX_COUNT = 2 ** 31 - 1;

/** The window asked for, with its end capped at now: there are no lines from the future. */
function logRange(range: TimeRangeInput | null | undefined, ctx: RequestContext): ResolvedTimeRange {
  const { from, to } = resolveTimeRange(range, ctx.provider.now, DEFAULT_FROM);
  const now = ctx.provider.now.getTime();
  if (from.getTime() >= now) throw badInput(`range.from (${from.toISOString()}) is in the future; logs end now`);
  return { from, to: new Date(Math.min(to.getTime(), now)) };
}

const echo = (range: ResolvedTimeRange) => ({ from: range.from.toISOString(), to: range.to.toISOString() });

/** Rejects filters no provider could run, naming the filter, before any provider is asked. */
function checkFilters(filters: readonly LogFieldFilter[] | null | undefined, where: string): void {
  (filters ?? []).forEach((filter, i) => {
    const name = `${where}[${i}] (field "${filter.field}")`;
    if (!filter.field.trim()) throw badInput(`${name}: field must not be empty; logFields lists the field names`);
    if (filter.op === 'REGEX') compileUserPattern(filter.value, name, 'search');
  });
}

/** The query with blank text dropped and the filters checked. */
function normalized<Q extends LogQueryInput | ServiceLogQueryInput>(query: Q, where: string): Q {
  checkFilters(query.filters, `${where}.filters`);
  return { ...query, text: query.text?.trim() ? query.text : null };
}


function mergeVolumes(volumes: LogVolumeRecord[]): LogVolumeRecord {
  if (volumes.length === 1) return volumes[0]!;
  const [first, ...rest] = volumes;
  const buckets = first!.buckets.map((bucket, b) => {
    const counts = new Map(bucket.counts.map((c) => [c.level, c.count]));
    for (const other of rest) for (const c of other.buckets[b]?.counts ?? []) counts.set(c.level, (counts.get(c.level) ?? 0) + c.count);
    const merged = [...counts].map(([level, count]) => ({ level, count }));
    return { ...bucket, counts: merged, total: merged.reduce((sum, c) => sum + c.count, 0) };
  });
  return { buckets, total: buckets.reduce((sum, b) => sum + b.total, 0), estimated: volumes.some((v) => v.estimated) };
}

function mergeFieldSummaries(lists: LogFieldSummaryRecord[][], top: number): LogFieldSummaryRecord[] {
  if (lists.length === 1) return lists[0]!;
  const byName = new Map<string, LogFieldSummaryRecord>();
  for (const summary of lists.flat()) {
    const known = byName.get(summary.name);
    if (!known) {
      byName.set(summary.name, { ...summary, topValues: [...summary.topValues] });
      continue;
    }
    const counts = new Map(known.topValues.map((v) => [v.value, v.count]));
    for (const v of summary.topValues) counts.set(v.value, (counts.get(v.value) ?? 0) + v.count);
    known.topValues = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)).slice(0, top);
    known.distinctValues = Math.max(known.distinctValues, summary.distinctValues);
    known.occurrences += summary.occurrences;
    known.sampledLines += summary.sampledLines;
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export const resolvers: GraphQLResolverMap<RequestContext> = {
  Query: {
    async logs(_: unknown, args: QueryLogsArgs, ctx: RequestContext) {
      const query = normalized(args.query, 'query');
      const range = logRange(args.range, ctx);
      const order: LogOrder = args.order ?? 'NEWEST_FIRST';
      const connection = await listConnection(ctx, 'logs', args, (provider, page) => provider.query(query, range, page, order, ctx.provider), compareLogs(order));
      return { ...connection, range: echo(range) };
    },

    async logVolume(_: unknown, args: QueryLogVolumeArgs, ctx: RequestContext) {
      const query = normalized(args.query, 'query');
      const range = logRange(args.range, ctx);
      const buckets = args.buckets ?? 60;
      if (!Number.isInteger(buckets) || buckets < 1 || buckets > 1000) throw badInput(`buckets must be an integer from 1 to 1000, got ${buckets}`);
      const { answers, failures } = await everyInstance(ctx, 'logs', (p) => p.volume(query, range, buckets, ctx.provider));
      const volume = mergeVolumes(answers);
      if (volume.total > MAX_COUNT) {
        throw badInput(`about ${volume.total} lines match in this range, more than a count can carry (${MAX_COUNT}): narrow the range, the scope or the levels`);
      }
      return { ...volume, range: echo(range), providerErrors: providerErrorsOf(failures) };
    },

    async logFields(_: unknown, args: QueryLogFieldsArgs, ctx: RequestContext) {
      const range = logRange(args.range, ctx);
      const top = args.top ?? 10;
      if (!Number.isInteger(top) || top < 1 || top > 50) throw badInput(`top must be an integer from 1 to 50, got ${top}`);
      const { answers, failures } = await everyInstance(ctx, 'logs', (p) => p.fieldSummaries(args.scope ?? null, range, top, ctx.provider));
      // A plain list has no place for partial failures: say so in the server log rather than drop them silently.
      for (const failure of failures) ctx.provider.logger.warn({ provider: failure.provider, code: failure.code }, `logFields: ${failure.message}`);
      return mergeFieldSummaries(answers, top);
    },

    async logFieldValues(_: unknown, args: QueryLogFieldValuesArgs, ctx: RequestContext) {
      const field = args.field.trim();
      if (!field) throw badInput('field must not be empty; logFields lists the field names');
      const range = logRange(args.range, ctx);
      const first = args.first ?? 20;
      if (!Number.isInteger(first) || first < 1 || first > 50) throw badInput(`first must be an integer from 1 to 50, got ${first}`);
      const text = args.text?.trim() ? args.text.trim() : null;
      const scope = args.scope ?? null;
      // Through the SPI every provider has: the field's top values in each provider's sample, filtered here.
      const needle = text?.toLowerCase();
      const { answers, failures } = await everyInstance(ctx, 'logs', async (p) => {
        const summaries = await p.fieldSummaries(scope, range, 50, ctx.provider);
        return (summaries.find((s) => s.name === field)?.topValues ?? []).filter((v) => !needle || v.value.toLowerCase().includes(needle));
      });
      for (const failure of failures) ctx.provider.logger.warn({ provider: failure.provider, code: failure.code }, `logFieldValues: ${failure.message}`);
      const counts = new Map<string, number>();
      for (const v of answers.flat()) counts.set(v.value, (counts.get(v.value) ?? 0) + v.count);
      return [...counts]
        .map(([value, count]) => ({ value, count }))
        .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
        .slice(0, first);
    },
  },

  LogEntry: {
    service: (entry: LogRecord) => (entry.serviceId ? { id: entry.serviceId } : null),
  },

  Service: {
    __resolveReference: (reference: { id: string }) => reference,

    async logs(service: { id: string }, args: ServiceLogsArgs, ctx: RequestContext) {
      const query = normalized(args.query ?? {}, 'query');
      const range = logRange(args.range, ctx);
      const order: LogOrder = args.order ?? 'NEWEST_FIRST';
      const connection = await listConnection(
        ctx,
        'logs',
        args,
        (provider, page) => loaders(ctx).servicePages.load({ instance: provider.instance, serviceId: service.id, query, range, page, order }),
        compareLogs(order),
      );
      return { ...connection, range: echo(range) };
    },
  },
};
