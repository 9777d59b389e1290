// The logs capability over Datadog's v2 log search: OpsOrch's filters become one search query (query.ts), pages
// follow Datadog's cursor, attributes and tags become fields. Counting (volume, field summaries) reads a bounded
// sample of lines: the spec's search is the only read, so counts beyond `logSampleLines` are marked estimated.
import type { LogLevel, LogOrder, LogQueryInput, ServiceLogQueryInput } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { composeId } from '../src/ids.ts';
import type { Page, PageRequest } from '../src/paging.ts';
import type { LogFieldSummaryRecord, LogProvider, LogRecord, LogVolumeRecord } from '../src/spi/logs.ts';
import type { ResolvedTimeRange } from '../src/time.ts';
import { pageFromVendor } from '../kit/paging.ts';
import { type DatadogLog } from './api.ts';
import { logExplorerUrl } from './links.ts';
import { levelOfStatus, toLogQuery, type LogSearch } from './query.ts';
import { DatadogProvider } from './base.ts';
import { scopeServices, tagMap } from './scope.ts';

/** Datadog returns at most this many lines per search call. */
const MAX_PAGE = 1000;
/** Nested attributes are flattened to this depth (`http.request.headers.x` and no deeper). */
const MAX_DEPTH = 4;

/** `{ http: { status_code: 500 } }` → `http.status_code` = `500`. */
function flatten(value: unknown, prefix: string, out: { key: string; value: string }[], depth = 0): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object' && !Array.isArray(value) && depth < MAX_DEPTH) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out, depth + 1);
    return;
  }
  out.push({ key: prefix, value: typeof value === 'string' ? value : JSON.stringify(value) });
}

/** Logs from Datadog. */
export class DatadogLogProvider extends DatadogProvider implements LogProvider {

  async checkHealth(ctx: ProviderContext): Promise<void> {
    const to = ctx.now;
    await this.api.searchLogs({ query: '*', from: new Date(to.getTime() - 60_000).toISOString(), to: to.toISOString(), sort: '-timestamp', limit: 1, cursor: null }, ctx.signal);
  }

  /** The search text of a query, or null when its scope matches no service (nothing to ask). */
  private async searchOf(query: LogQueryInput, ctx: ProviderContext): Promise<string | null> {
    const services = await scopeServices(query.scope, this.identity, this.catalog, ctx);
    if (services?.length === 0) return null;
    const search: LogSearch = { services, environment: query.scope?.environment ?? ctx.environment, text: query.text, levels: query.levels, filters: query.filters };
    return toLogQuery(search, this.tags);
  }

  private capped(range: ResolvedTimeRange, ctx: ProviderContext): ResolvedTimeRange {
    return { from: range.from, to: new Date(Math.min(range.to.getTime(), ctx.now.getTime())) };
  }

  private async records(logs: readonly DatadogLog[], search: string, range: ResolvedTimeRange, startSequence: number, ctx: ProviderContext): Promise<LogRecord[]> {
    const canonical = await this.identity.toCanonical(logs.map((l) => l.attributes?.service ?? '').filter(Boolean), ctx);
    return logs.map((log, i) => {
      const a = log.attributes ?? {};
      const tags = tagMap(a.tags);
      const fields: { key: string; value: string }[] = [];
      flatten(a.attributes ?? {}, '', fields);
      const own = new Set(fields.map((f) => f.key));
      for (const [key, value] of tags) if (!own.has(key)) fields.push({ key, value });
      if (a.host && !own.has('host')) fields.push({ key: 'host', value: a.host });
      const attrs = (a.attributes ?? {}) as Record<string, any>;
      const trace = attrs.trace_id ?? attrs.dd?.trace_id ?? attrs.otel?.trace_id;
      return {
        id: composeId(this.instance, log.id),
        timestamp: new Date(a.timestamp ?? 0).toISOString(),
        level: levelOfStatus(a.status),
        rawLevel: a.status ?? '',
        message: a.message ?? '',
        serviceId: a.service ? (canonical.get(a.service) ?? null) : null,
        environment: tags.get(this.settings.environmentTag) ?? null,
        fields: fields.sort((x, y) => x.key.localeCompare(y.key)),
        traceId: trace === undefined ? null : String(trace),
        url: logExplorerUrl(this.app, search, range, log.id),
        source: { provider: this.kind, instance: this.instance, id: log.id },
        // Datadog's order within a millisecond is its own; the position keeps it.
        sequence: startSequence + i,
      };
    });
  }

  private pageOf(search: string, range: ResolvedTimeRange, page: PageRequest, order: LogOrder, ctx: ProviderContext): Promise<Page<LogRecord>> {
    let read = 0;
    return pageFromVendor(
      page,
      async (cursor: string | null, limit) => {
        const answer = await this.api.searchLogs(
          {
            query: search,
            from: range.from.toISOString(),
            to: range.to.toISOString(),
            indexes: this.settings.logIndexes,
            sort: order === 'OLDEST_FIRST' ? 'timestamp' : '-timestamp',
            limit,
            cursor,
          },
          ctx.signal,
        );
        const items = await this.records(answer.logs, search, range, read, ctx);
        read += items.length;
        return { items, next: answer.logs.length > 0 ? answer.next : null };
      },
      { maxPageSize: MAX_PAGE },
    );
  }

  async query(query: LogQueryInput, range: ResolvedTimeRange, page: PageRequest, order: LogOrder, ctx: ProviderContext): Promise<Page<LogRecord>> {
    const search = await this.searchOf(query, ctx);
    if (search === null) return { items: [], nextCursor: null };
    return this.pageOf(search, this.capped(range, ctx), page, order, ctx);
  }

  /** One search per service (Datadog pages one query at a time), in parallel. */
  async forServices(
    serviceIds: readonly string[],
    query: ServiceLogQueryInput,
    range: ResolvedTimeRange,
    page: PageRequest,
    order: LogOrder,
    ctx: ProviderContext,
  ): Promise<Page<LogRecord>[]> {
    return Promise.all(
      serviceIds.map((service) =>
        this.query({ scope: { service, environment: query.environment }, text: query.text, levels: query.levels, filters: query.filters }, range, page, order, ctx),
      ),
    );
  }

  /** Up to `logSampleLines` newest matching lines, and whether that was all of them. */
  private async sample(search: string, range: ResolvedTimeRange, ctx: ProviderContext): Promise<{ logs: DatadogLog[]; complete: boolean }> {
    const logs: DatadogLog[] = [];
    let cursor: string | null = null;
    do {
      const answer = await this.api.searchLogs(
        { query: search, from: range.from.toISOString(), to: range.to.toISOString(), indexes: this.settings.logIndexes, sort: '-timestamp', limit: Math.min(MAX_PAGE, this.settings.logSampleLines - logs.length), cursor },
        ctx.signal,
      );
      logs.push(...answer.logs);
      cursor = answer.logs.length > 0 ? answer.next : null;
    } while (cursor !== null && logs.length < this.settings.logSampleLines);
    return { logs, complete: cursor === null };
  }

  async volume(query: LogQueryInput, range: ResolvedTimeRange, buckets: number, ctx: ProviderContext): Promise<LogVolumeRecord> {
    const capped = this.capped(range, ctx);
    const span = Math.max(1, capped.to.getTime() - capped.from.getTime());
    const width = span / buckets;
    const counts = Array.from({ length: buckets }, () => new Map<LogLevel, number>());
    const search = await this.searchOf(query, ctx);
    const { logs, complete } = search === null ? { logs: [], complete: true } : await this.sample(search, capped, ctx);
    for (const log of logs) {
      const at = Date.parse(log.attributes?.timestamp ?? '');
      const index = Math.min(buckets - 1, Math.floor((at - capped.from.getTime()) / width));
      if (index < 0 || Number.isNaN(index)) continue;
      const level = levelOfStatus(log.attributes?.status);
      counts[index]!.set(level, (counts[index]!.get(level) ?? 0) + 1);
    }
    const list = counts.map((map, i) => {
      const levelCounts = [...map].map(([level, count]) => ({ level, count }));
      return {
        start: new Date(capped.from.getTime() + i * width).toISOString(),
        end: new Date(capped.from.getTime() + (i + 1) * width).toISOString(),
        counts: levelCounts,
        total: levelCounts.reduce((sum, c) => sum + c.count, 0),
      };
    });
    return { buckets: list, total: list.reduce((sum, b) => sum + b.total, 0), estimated: !complete };
  }

  async fieldSummaries(scope: LogQueryInput['scope'], range: ResolvedTimeRange, top: number, ctx: ProviderContext): Promise<LogFieldSummaryRecord[]> {
    const search = await this.searchOf({ scope }, ctx);
    if (search === null) return [];
    const capped = this.capped(range, ctx);
    const { logs } = await this.sample(search, capped, ctx);
    const records = await this.records(logs, search, capped, 0, ctx);
    const byField = new Map<string, Map<string, number>>();
    for (const record of records) {
      for (const field of record.fields) {
        const values = byField.get(field.key) ?? new Map<string, number>();
        values.set(field.value, (values.get(field.value) ?? 0) + 1);
        byField.set(field.key, values);
      }
    }
    return [...byField]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, values]) => ({
        name,
        topValues: [...values].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top).map(([value, count]) => ({ value, count })),
        distinctValues: values.size,
        occurrences: [...values.values()].reduce((s, c) => s + c, 0),
        sampledLines: records.length,
      }));
  }
}
