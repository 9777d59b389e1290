// The logs capability over Grafana Loki: LogQL from the query (logql.ts), lines paged by time without losing
// lines that share a millisecond (kit/logs.ts), counts by level from a metric query, fields from a sample and
// Loki's label API, Grafana Explore links.
import type { LogLevel, LogOrder, LogQueryInput, ScopeInput, ServiceLogQueryInput } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { badInput } from '../src/errors.ts';
import { composeId } from '../src/ids.ts';
import type { Page, PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { LogFieldSummaryRecord, LogProvider, LogRecord, LogVolumeRecord } from '../src/spi/logs.ts';
import type { ResolvedTimeRange } from '../src/time.ts';
import { ServiceIdentity } from '../kit/identity.ts';
import { flattenFields, LevelMapping, numberWithinMs, pageByTime, summarizeFields, volumeBuckets } from '../kit/logs.ts';
import { LokiApi, type LokiStream } from './api.ts';
import { buildLogQL, streamSelector, type LogQLQuery } from './logql.ts';
import type { LokiSettings } from './settings.ts';

/** Lines read to summarize fields. */
const FIELD_SAMPLE_LINES = 1_000;
/** Stream labels missing from the sample whose values are asked of the label API. */
const LABEL_LOOKUPS = 20;

/** A line as read, before it becomes a record. */
interface Entry {
  ms: number;
  /** Nanoseconds within the millisecond. */
  subMs: number;
  ns: string;
  streamKey: string;
  line: string;
  labels: Record<string, string>;
  metadata: Record<string, unknown>;
  serviceId: string | null;
  sequence: number;
}

const compareEntries = (a: Entry, b: Entry) =>
  (a.serviceId ?? '').localeCompare(b.serviceId ?? '') || a.subMs - b.subMs || (a.streamKey < b.streamKey ? -1 : a.streamKey > b.streamKey ? 1 : 0) || (a.line < b.line ? -1 : a.line > b.line ? 1 : 0);

function parseJsonObject(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const value = JSON.parse(line) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export class LokiLogProvider implements LogProvider {
  readonly kind = 'loki';
  readonly instance: string;
  private readonly api: LokiApi;
  private readonly identity: ServiceIdentity;
  private readonly levels: LevelMapping;

  constructor(
    private readonly settings: LokiSettings,
    deps: ProviderDeps,
  ) {
    this.instance = deps.instance;
    this.api = new LokiApi(settings, deps.logger);
    this.identity = new ServiceIdentity({ system: settings.catalogSystem, aliases: settings.serviceAliases, catalog: deps.catalog });
    this.levels = new LevelMapping(settings.levelMap);
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    const now = ctx.now.getTime();
    await this.api.labels(now - 300_000, now, undefined, ctx.signal, ctx.logger);
  }

  async query(query: LogQueryInput, range: ResolvedTimeRange, page: PageRequest, order: LogOrder, ctx: ProviderContext): Promise<Page<LogRecord>> {
    const streams = await this.scopeStreams(query.scope, ctx);
    if (!streams) return { items: [], nextCursor: null };
    return this.lines({ streams, text: query.text, levels: query.levels, filters: query.filters }, range, page, order, ctx);
  }

  async forServices(
    serviceIds: readonly string[],
    query: ServiceLogQueryInput,
    range: ResolvedTimeRange,
    page: PageRequest,
    order: LogOrder,
    ctx: ProviderContext,
  ): Promise<Page<LogRecord>[]> {
    const natives = await this.identity.toNative(serviceIds, ctx);
    const environment = query.environment ?? ctx.environment ?? null;
    // Loki answers one query per request: the services are asked in parallel.
    return Promise.all(
      serviceIds.map((id) =>
        this.lines(
          {
            streams: [
              { label: this.settings.serviceLabel, values: natives.get(id) ?? [id] },
              { label: this.settings.environmentLabel, values: environment ? [environment] : [] },
            ],
            text: query.text,
            levels: query.levels,
            filters: query.filters,
          },
          range,
          page,
          order,
          ctx,
          'query',
        ),
      ),
    );
  }

  async volume(query: LogQueryInput, range: ResolvedTimeRange, buckets: number, ctx: ProviderContext): Promise<LogVolumeRecord> {
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > 1000) throw badInput(`buckets must be an integer from 1 to 1000, got ${buckets}`);
    const fromMs = range.from.getTime();
    const toMs = Math.min(range.to.getTime(), ctx.now.getTime());
    const width = Math.max(1, Math.round((toMs - fromMs) / buckets));
    const counts = Array.from({ length: buckets }, () => new Map<LogLevel, number>());
    const streams = await this.scopeStreams(query.scope, ctx);
    if (streams && toMs > fromMs) {
      const logql = buildLogQL({ streams, text: query.text, levels: query.levels, filters: query.filters }, this.settings.serviceLabel, this.logqlOptions(true));
      // Each point counts the `width` before it: the point at from + (b+1)·width is bucket b.
      const metric = `sum by (${this.settings.levelLabel}) (count_over_time(${logql} [${width}ms]))`;
      const series = await this.api.matrix(metric, fromMs + width, fromMs + width * buckets, width / 1000, ctx.signal, ctx.logger);
      for (const s of series) {
        const level = this.levels.normalize(s.metric[this.settings.levelLabel]);
        for (const [seconds, value] of s.values) {
          const b = Math.round((seconds * 1000 - fromMs) / width) - 1;
          const n = Number(value);
          if (b < 0 || b >= buckets || !Number.isFinite(n)) continue;
          counts[b]!.set(level, (counts[b]!.get(level) ?? 0) + Math.round(n));
        }
      }
    }
    return { ...volumeBuckets(counts, fromMs, toMs, width), estimated: false };
  }

  async fieldSummaries(scope: ScopeInput | null | undefined, range: ResolvedTimeRange, top: number, ctx: ProviderContext): Promise<LogFieldSummaryRecord[]> {
    if (!Number.isInteger(top) || top < 1 || top > 50) throw badInput(`top must be an integer from 1 to 50, got ${top}`);
    const streams = await this.scopeStreams(scope, ctx);
    if (!streams) return [];
    const fromMs = range.from.getTime();
    const toMs = Math.min(range.to.getTime(), ctx.now.getTime());
    const selector = streamSelector(streams, this.settings.serviceLabel);
    const [sample, labelNames] = await Promise.all([
      this.api.streams(selector, fromMs, toMs, Math.min(FIELD_SAMPLE_LINES, this.settings.maxLinesPerRequest), 'backward', ctx.signal, ctx.logger),
      this.api.labels(fromMs, toMs, selector, ctx.signal, ctx.logger),
    ]);
    const lines = (await this.entries(sample, ctx)).map((e) => ({ fields: this.fieldsOf(e).fields }));
    const summaries = summarizeFields(lines, top);
    // Stream labels the sample did not show still are suggestions: their values from the label API, uncounted.
    const missing = labelNames.filter((name) => !summaries.some((s) => s.name === name)).slice(0, LABEL_LOOKUPS);
    const values = await Promise.all(missing.map((name) => this.api.labelValues(name, fromMs, toMs, selector, ctx.signal, ctx.logger)));
    missing.forEach((name, i) =>
      summaries.push({ name, topValues: values[i]!.slice(0, top).map((value) => ({ value, count: 0 })), distinctValues: values[i]!.length, occurrences: 0, sampledLines: lines.length }),
    );
    return summaries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Stream matchers of a scope; null when it names services Loki has no streams for. */
  private async scopeStreams(scope: ScopeInput | null | undefined, ctx: ProviderContext): Promise<LogQLQuery['streams'] | null> {
    const natives = await this.identity.scopeNatives(scope, ctx);
    if (natives && natives.length === 0) return null;
    const environment = scope?.environment ?? ctx.environment ?? null;
    return [
      { label: this.settings.serviceLabel, values: natives ?? [] },
      { label: this.settings.environmentLabel, values: environment ? [environment] : [] },
    ];
  }

  private logqlOptions(parse = false) {
    return { levelLabel: this.settings.levelLabel, levelMapping: this.levels, jsonLines: this.settings.jsonLines, parse };
  }

  private async lines(query: LogQLQuery, range: ResolvedTimeRange, page: PageRequest, order: LogOrder, ctx: ProviderContext, where = 'query'): Promise<Page<LogRecord>> {
    const logql = buildLogQL(query, this.settings.serviceLabel, this.logqlOptions(), where);
    const fromMs = range.from.getTime();
    const toMs = Math.min(range.to.getTime(), ctx.now.getTime());
    if (toMs <= fromMs) return { items: [], nextCursor: null };
    const newestFirst = order !== 'OLDEST_FIRST';
    const result = await pageByTime<Entry>(
      page,
      order,
      async (bound, inclusive, limit) => {
        // Newest first: lines before the bound's millisecond (or up to its end); oldest first: after it (or from its start).
        const start = newestFirst || bound === null ? fromMs : Math.max(fromMs, inclusive ? bound : bound + 1);
        const end = !newestFirst || bound === null ? toMs : Math.min(toMs, inclusive ? bound + 1 : bound);
        if (end <= start) return { items: [], full: false };
        const streams = await this.api.streams(logql, start, end, limit, newestFirst ? 'backward' : 'forward', ctx.signal, ctx.logger);
        const entries = await this.entries(streams, ctx);
        return { items: entries, full: entries.length >= limit };
      },
      { timeOf: (e) => e.ms, compareWithinMs: compareEntries, maxLimit: this.settings.maxLinesPerRequest },
    );
    const url = this.exploreUrl(logql, fromMs, toMs);
    return { items: result.items.map((e) => this.toRecord(e, url)), nextCursor: result.nextCursor };
  }

  /** Loki's streams as entries with canonical services, numbered within their millisecond and service. */
  private async entries(streams: LokiStream[], ctx: ProviderContext): Promise<Entry[]> {
    const natives = streams.map((s) => s.stream[this.settings.serviceLabel] ?? '');
    const canonical = await this.identity.toCanonical(natives.filter(Boolean), ctx);
    const entries: Entry[] = [];
    streams.forEach((s, i) => {
      const streamKey = JSON.stringify(Object.entries(s.stream).sort(([a], [b]) => (a < b ? -1 : 1)));
      for (const [ns, line, metadata] of s.values) {
        const big = BigInt(ns);
        entries.push({
          ms: Number(big / 1_000_000n),
          subMs: Number(big % 1_000_000n),
          ns,
          streamKey,
          line,
          labels: s.stream,
          metadata: metadata ?? {},
          serviceId: canonical.get(natives[i]!) ?? null,
          sequence: 0,
        });
      }
    });
    return numberWithinMs(entries, compareEntries);
  }

  private fieldsOf(e: Entry): { fields: { key: string; value: string }[]; json: Record<string, unknown> | null } {
    const json = parseJsonObject(e.line);
    const fields = new Map<string, string>();
    for (const field of [...flattenFields(e.labels), ...flattenFields(e.metadata), ...(json ? flattenFields(json) : [])]) {
      if (!fields.has(field.key)) fields.set(field.key, field.value);
    }
    return { fields: [...fields].map(([key, value]) => ({ key, value })), json };
  }

  private toRecord(e: Entry, queryUrl: (ms: number) => string): LogRecord {
    const { fields, json } = this.fieldsOf(e);
    const byKey = new Map(fields.map((f) => [f.key, f.value]));
    const rawLevel = byKey.get(this.settings.levelLabel) ?? (json && typeof json.level === 'string' ? json.level : '');
    const message = json && typeof json.message === 'string' ? json.message : json && typeof json.msg === 'string' ? json.msg : e.line;
    const service = e.serviceId ?? e.labels[this.settings.serviceLabel] ?? '-';
    const nativeId = `${service}:${e.ms}:${e.sequence}`;
    return {
      id: composeId(this.instance, nativeId),
      timestamp: new Date(e.ms).toISOString(),
      level: this.levels.normalize(rawLevel),
      rawLevel,
      message,
      serviceId: e.serviceId,
      sequence: e.sequence,
      environment: e.labels[this.settings.environmentLabel] ?? null,
      fields,
      traceId: byKey.get(this.settings.traceIdField) ?? null,
      url: queryUrl(e.ms),
      source: { provider: 'loki', instance: this.instance, id: `${e.ns}:${e.streamKey}` },
    };
  }

  /** Grafana Explore (or Loki's own API without Grafana) on the query, narrowed to the line's millisecond. */
  private exploreUrl(logql: string, fromMs: number, toMs: number): (ms: number) => string {
    const { grafanaUrl, grafanaDatasourceUid: uid, grafanaOrgId } = this.settings;
    return (ms) => {
      const lineFrom = Math.max(fromMs, ms);
      const lineTo = Math.min(toMs, ms + 1);
      if (!grafanaUrl) {
        const base = (this.settings.externalUrl ?? this.settings.url).replace(/\/+$/, '');
        const params = new URLSearchParams({ query: logql, start: String(BigInt(lineFrom) * 1_000_000n), end: String(BigInt(lineTo) * 1_000_000n), direction: 'backward' });
        return `${base}/loki/api/v1/query_range?${params.toString().replaceAll('+', '%20')}`;
      }
      const panes = { a: { datasource: uid, queries: [{ refId: 'A', expr: logql, queryType: 'range', datasource: { type: 'loki', uid } }], range: { from: String(lineFrom), to: String(lineTo) } } };
      return `${grafanaUrl.replace(/\/+$/, '')}/explore?schemaVersion=1&orgId=${grafanaOrgId}&panes=${encodeURIComponent(JSON.stringify(panes))}`;
    };
  }
}
