// Logs from a Core plugin: `log.query` (a window of entries, no cursor). Volumes and field summaries are counted
// over the entries the plugin returns (up to SNAPSHOT_LIMIT), and say so (`estimated`) when it had more.
import type { LogLevel, LogOrder, LogQueryInput, ServiceLogQueryInput } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { badInput } from '../src/errors.ts';
import type { Page, PageRequest } from '../src/paging.ts';
import type { LogFieldSummaryRecord, LogProvider, LogRecord, LogVolumeRecord } from '../src/spi/logs.ts';
import type { ResolvedTimeRange } from '../src/time.ts';
import { asArray, pageOfCoreList, str, time, SNAPSHOT_LIMIT, type CorePlugin, type Json } from './plugin.ts';
import { logLevel, normalized } from './vocabulary.ts';

const OPERATORS = { EQUALS: '=', NOT_EQUALS: '!=', CONTAINS: 'contains', REGEX: 'regex' } as const;
const LEVELS: LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'UNKNOWN'];

export class CoreLogProvider implements LogProvider {
  readonly kind = 'core-plugin';
  readonly instance: string;

  constructor(private readonly plugin: CorePlugin) {
    this.instance = plugin.instance;
  }

  private async fetch(query: ServiceLogQueryInput & { service?: string | null }, range: ResolvedTimeRange, limit: number, order: LogOrder, ctx: ProviderContext): Promise<LogRecord[]> {
    const entries = asArray(
      await this.plugin.call(
        'log.query',
        {
          expression: {
            search: query.text ?? '',
            filters: (query.filters ?? []).map((f) => ({ field: f.field, operator: OPERATORS[f.op ?? 'EQUALS'], value: f.value })),
            severityIn: (query.levels ?? []).map((l) => l.toLowerCase()),
          },
          start: range.from.toISOString(),
          end: new Date(Math.min(range.to.getTime(), ctx.now.getTime())).toISOString(),
          scope: { service: await this.plugin.nativeService(query.service, ctx), environment: query.environment ?? undefined },
          limit,
        },
        ctx,
      ).then((answer) => (answer as Json | null)?.entries),
      'log.query',
    );
    const services = await this.plugin.canonical(entries.map((e) => str(e.service)), ctx);
    const records = entries.map((e, i): LogRecord => {
      const timestamp = time(e.timestamp) ?? range.from.toISOString();
      const labels = { ...(e.labels ?? {}) } as Record<string, unknown>;
      return {
        id: this.plugin.id(str(e.fields?.id) ?? `${timestamp}/${i}`),
        timestamp,
        level: normalized(str(e.severity), logLevel, 'UNKNOWN'),
        rawLevel: String(e.severity ?? ''),
        message: String(e.message ?? ''),
        environment: str(labels.environment) ?? str(labels.env),
        fields: Object.entries(labels)
          .filter(([, v]) => v !== null && v !== undefined)
          .map(([key, v]) => ({ key, value: typeof v === 'string' ? v : JSON.stringify(v) })),
        traceId: str(e.fields?.traceId) ?? str(labels.trace_id),
        url: str(e.fields?.url) ?? str(e.url) ?? '',
        source: this.plugin.source(str(e.fields?.id) ?? `${timestamp}/${i}`),
        serviceId: str(e.service) ? (services.get(e.service) ?? null) : null,
        sequence: i,
      };
    });
    const newest = order !== 'OLDEST_FIRST';
    return records.sort((a, b) => (newest ? b.timestamp.localeCompare(a.timestamp) : a.timestamp.localeCompare(b.timestamp)) || a.sequence - b.sequence);
  }

  query(query: LogQueryInput, range: ResolvedTimeRange, page: PageRequest, order: LogOrder, ctx: ProviderContext): Promise<Page<LogRecord>> {
    const scoped = { ...query, service: query.scope?.service, environment: query.scope?.environment };
    return pageOfCoreList(page, (limit) => this.fetch(scoped, range, limit, order, ctx));
  }

  async volume(query: LogQueryInput, range: ResolvedTimeRange, buckets: number, ctx: ProviderContext): Promise<LogVolumeRecord> {
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > 1000) throw badInput(`buckets must be an integer from 1 to 1000, got ${buckets}`);
    const lines = await this.fetch({ ...query, service: query.scope?.service, environment: query.scope?.environment }, range, SNAPSHOT_LIMIT, 'OLDEST_FIRST', ctx);
    const from = range.from.getTime();
    const width = Math.max(1, (Math.min(range.to.getTime(), ctx.now.getTime()) - from) / buckets);
    const counts = Array.from({ length: buckets }, () => new Map<LogLevel, number>());
    for (const line of lines) {
      const bucket = Math.min(buckets - 1, Math.max(0, Math.floor((Date.parse(line.timestamp) - from) / width)));
      counts[bucket]!.set(line.level, (counts[bucket]!.get(line.level) ?? 0) + 1);
    }
    return {
      total: lines.length,
      estimated: lines.length >= SNAPSHOT_LIMIT,
      buckets: counts.map((levels, i) => ({
        start: new Date(from + i * width).toISOString(),
        end: new Date(from + (i + 1) * width).toISOString(),
        total: [...levels.values()].reduce((a, b) => a + b, 0),
        counts: LEVELS.filter((l) => levels.has(l)).map((level) => ({ level, count: levels.get(level)! })),
      })),
    };
  }

  async fieldSummaries(scope: LogQueryInput['scope'], range: ResolvedTimeRange, top: number, ctx: ProviderContext): Promise<LogFieldSummaryRecord[]> {
    const lines = await this.fetch({ service: scope?.service, environment: scope?.environment }, range, SNAPSHOT_LIMIT, 'NEWEST_FIRST', ctx);
    const fields = new Map<string, Map<string, number>>();
    for (const line of lines) {
      for (const { key, value } of line.fields) {
        const values = fields.get(key) ?? new Map<string, number>();
        values.set(value, (values.get(value) ?? 0) + 1);
        fields.set(key, values);
      }
    }
    return [...fields.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, values]) => ({
        name,
        occurrences: [...values.values()].reduce((a, b) => a + b, 0),
        distinctValues: values.size,
        sampledLines: lines.length,
        topValues: [...values.entries()]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .slice(0, top)
          .map(([value, count]) => ({ value, count })),
      }));
  }

  async forServices(serviceIds: readonly string[], query: ServiceLogQueryInput, range: ResolvedTimeRange, page: PageRequest, order: LogOrder, ctx: ProviderContext) {
    return Promise.all(serviceIds.map((service) => pageOfCoreList(page, (limit) => this.fetch({ ...query, service }, range, limit, order, ctx))));
  }

  close() {
    return this.plugin.close();
  }
}
