// The logs capability over Elasticsearch or OpenSearch: `_search` with query DSL objects (dsl.ts), paged with
// `search_after` on the timestamp by whole milliseconds (kit/logs.ts), counts by level from a date histogram,
// fields from a sample, Kibana / OpenSearch Dashboards Discover links with the exact query and range.
// rison's types are referenced here so every program reaching this file (the console's, via the gateway) has them.
/// <reference path="./rison-node.d.ts" />
import type { LogLevel, LogOrder, LogQueryInput, ScopeInput, ServiceLogQueryInput } from '@opsorch/schema';
import rison from 'rison-node';
import type { ProviderContext } from '../src/context.ts';
import { badInput } from '../src/errors.ts';
import { composeId } from '../src/ids.ts';
import type { Page, PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { LogFieldSummaryRecord, LogProvider, LogRecord, LogVolumeRecord } from '../src/spi/logs.ts';
import type { ResolvedTimeRange } from '../src/time.ts';
import { ServiceIdentity } from '../kit/identity.ts';
import { flattenFields, LevelMapping, numberWithinMs, pageByTime, summarizeFields, volumeBuckets } from '../kit/logs.ts';
import { ElasticsearchApi, type SearchHit } from './api.ts';
import { buildQuery, rangeClause, type Dsl, type DslQuery } from './dsl.ts';
import type { ElasticsearchSettings } from './settings.ts';


/** Hits read to summarize fields. */
const FIELD_SAMPLE_HITS = 500;
/** Lines a volume with filters Elasticsearch cannot run (CONTAINS, REGEX) scans before it answers an estimate. */
const VOLUME_SCAN_LINES = 10_000;

interface Entry {
  ms: number;
  subMs: number;
  hit: SearchHit;
  fields: Map<string, string>;
  serviceId: string | null;
  sequence: number;
}

const compareEntries = (a: Entry, b: Entry) =>
  (a.serviceId ?? '').localeCompare(b.serviceId ?? '') ||
  a.subMs - b.subMs ||
  (a.hit._index < b.hit._index ? -1 : a.hit._index > b.hit._index ? 1 : 0) ||
  ((a.hit._id ?? '') < (b.hit._id ?? '') ? -1 : (a.hit._id ?? '') > (b.hit._id ?? '') ? 1 : 0);

/** Epoch ms and the nanoseconds within it of a timestamp as documents hold it (ISO with up to 9 fraction digits, or epoch ms). */
function timeOf(value: string | undefined): { ms: number; subMs: number } | null {
  if (value === undefined) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return { ms: Math.floor(Number(value)), subMs: 0 };
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  const digits = /\.(\d+)/.exec(value)?.[1] ?? '';
  return { ms, subMs: Number(digits.slice(3, 9).padEnd(6, '0')) };
}

export class ElasticsearchLogProvider implements LogProvider {
  readonly kind = 'elasticsearch';
  readonly instance: string;
  private readonly api: ElasticsearchApi;
  private readonly identity: ServiceIdentity;
  private readonly levels: LevelMapping;

  constructor(
    private readonly settings: ElasticsearchSettings,
    deps: ProviderDeps,
  ) {
    this.instance = deps.instance;
    this.api = new ElasticsearchApi(settings, deps.logger);
    this.identity = new ServiceIdentity({ system: settings.catalogSystem, aliases: settings.serviceAliases, catalog: deps.catalog });
    this.levels = new LevelMapping(settings.levelMap);
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.search({ size: 0, track_total_hits: false }, ctx.signal, ctx.logger);
  }

  async query(query: LogQueryInput, range: ResolvedTimeRange, page: PageRequest, order: LogOrder, ctx: ProviderContext): Promise<Page<LogRecord>> {
    const services = await this.identity.scopeNatives(query.scope, ctx);
    if (services && services.length === 0) return { items: [], nextCursor: null };
    const environment = query.scope?.environment ?? ctx.environment ?? null;
    return this.lines({ services, environment, text: query.text, levels: query.levels, filters: query.filters }, range, page, order, ctx);
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
    // Each service pages on its own cursor: one search per service, in parallel.
    return Promise.all(
      serviceIds.map((id) => this.lines({ services: natives.get(id) ?? [id], environment, text: query.text, levels: query.levels, filters: query.filters }, range, page, order, ctx)),
    );
  }

  async volume(query: LogQueryInput, range: ResolvedTimeRange, buckets: number, ctx: ProviderContext): Promise<LogVolumeRecord> {
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > 1000) throw badInput(`buckets must be an integer from 1 to 1000, got ${buckets}`);
    const fromMs = range.from.getTime();
    const toMs = Math.min(range.to.getTime(), ctx.now.getTime());
    const width = Math.max(1, Math.ceil((toMs - fromMs) / buckets));
    const counts = Array.from({ length: buckets }, () => new Map<LogLevel, number>());
    const add = (b: number, level: LogLevel, n: number) => b >= 0 && b < buckets && n > 0 && counts[b]!.set(level, (counts[b]!.get(level) ?? 0) + n);
    const services = await this.identity.scopeNatives(query.scope, ctx);
    let estimated = false;
    if (!(services && services.length === 0) && toMs > fromMs) {
      const dslQuery: DslQuery = { services, environment: query.scope?.environment ?? ctx.environment ?? null, text: query.text, levels: query.levels, filters: query.filters };
      const { bool, postFilters } = buildQuery(dslQuery, this.settings.fields, this.levels);
      if (postFilters.length === 0) {
        const answer = await this.api.search(
          {
            size: 0,
            track_total_hits: false,
            query: { bool: { ...bool, filter: [...(bool.filter as Dsl[]), rangeClause(this.settings.fields.timestamp, fromMs, toMs)] } },
            aggs: {
              buckets: {
                date_histogram: { field: this.settings.fields.timestamp, fixed_interval: `${width}ms`, offset: `${fromMs % width}ms`, min_doc_count: 1 },
                aggs: { levels: { terms: { field: this.settings.fields.level, size: 100, missing: '' } } },
              },
            },
          },
          ctx.signal,
          ctx.logger,
        );
        for (const bucket of answer.aggregations?.buckets?.buckets ?? []) {
          const b = Math.floor((Number(bucket.key) - fromMs) / width);
          for (const level of bucket.levels?.buckets ?? []) add(b, this.levels.normalize(String(level.key)), Number(level.doc_count));
        }
      } else {
        // Filters only the adapter can run: count the lines themselves, newest first, up to a bound.
        let after: string | null = null;
        let scanned = 0;
        do {
          const page: Page<LogRecord> = await this.lines(dslQuery, range, { first: 200, after }, 'NEWEST_FIRST', ctx);
          for (const line of page.items) add(Math.floor((Date.parse(line.timestamp) - fromMs) / width), line.level, 1);
          scanned += page.items.length;
          after = page.nextCursor;
        } while (after !== null && scanned < VOLUME_SCAN_LINES);
        estimated = after !== null;
      }
    }
    return { ...volumeBuckets(counts, fromMs, toMs, width), estimated };
  }

  async fieldSummaries(scope: ScopeInput | null | undefined, range: ResolvedTimeRange, top: number, ctx: ProviderContext): Promise<LogFieldSummaryRecord[]> {
    if (!Number.isInteger(top) || top < 1 || top > 50) throw badInput(`top must be an integer from 1 to 50, got ${top}`);
    const services = await this.identity.scopeNatives(scope, ctx);
    if (services && services.length === 0) return [];
    const { bool } = buildQuery({ services, environment: scope?.environment ?? ctx.environment ?? null }, this.settings.fields, this.levels);
    const toMs = Math.min(range.to.getTime(), ctx.now.getTime());
    const answer = await this.api.search(
      {
        size: Math.min(FIELD_SAMPLE_HITS, this.settings.maxHitsPerRequest),
        track_total_hits: false,
        sort: [{ [this.settings.fields.timestamp]: { order: 'desc' } }],
        query: { bool: { ...bool, filter: [...(bool.filter as Dsl[]), rangeClause(this.settings.fields.timestamp, range.from.getTime(), toMs)] } },
      },
      ctx.signal,
      ctx.logger,
    );
    return summarizeFields(answer.hits.hits.map((hit) => ({ fields: flattenFields(hit._source ?? {}) })), top);
  }

  private async lines(query: DslQuery, range: ResolvedTimeRange, page: PageRequest, order: LogOrder, ctx: ProviderContext): Promise<Page<LogRecord>> {
    const fields = this.settings.fields;
    const { bool, postFilters } = buildQuery(query, fields, this.levels);
    const fromMs = range.from.getTime();
    const toMs = Math.min(range.to.getTime(), ctx.now.getTime());
    if (toMs <= fromMs) return { items: [], nextCursor: null };
    const newestFirst = order !== 'OLDEST_FIRST';
    const searched = { bool: { ...bool, filter: [...(bool.filter as Dsl[]), rangeClause(fields.timestamp, fromMs, toMs)] } };
    const result = await pageByTime<Entry>(
      page,
      order,
      async (bound, inclusive, limit) => {
        const answer = await this.api.search(
          {
            size: limit,
            track_total_hits: false,
            query: searched,
            // Millisecond sort values for date and date_nanos fields alike; search_after continues at the bound's millisecond.
            sort: [{ [fields.timestamp]: { order: newestFirst ? 'desc' : 'asc', numeric_type: 'date', format: 'epoch_millis' } }],
            ...(bound === null ? {} : { search_after: [newestFirst ? (inclusive ? bound + 1 : bound) : inclusive ? bound - 1 : bound] }),
          },
          ctx.signal,
          ctx.logger,
        );
        const hits = answer.hits.hits;
        return { items: await this.entries(hits, ctx), full: hits.length >= limit };
      },
      {
        timeOf: (e) => e.ms,
        compareWithinMs: compareEntries,
        maxLimit: this.settings.maxHitsPerRequest,
        ...(postFilters.length > 0 ? { keep: (e: Entry) => postFilters.every((test) => test(e.fields)) } : {}),
      },
    );
    return { items: result.items.map((e) => this.toRecord(e, searched)), nextCursor: result.nextCursor };
  }

  private async entries(hits: SearchHit[], ctx: ProviderContext): Promise<Entry[]> {
    const f = this.settings.fields;
    const entries: Entry[] = [];
    for (const hit of hits) {
      const fields = new Map(flattenFields(hit._source ?? {}).map((x) => [x.key, x.value]));
      const time = timeOf(fields.get(f.timestamp)) ?? timeOf(hit.sort?.[0] === undefined ? undefined : String(hit.sort[0]));
      if (!time) continue;
      entries.push({ ...time, hit, fields, serviceId: null, sequence: 0 });
    }
    const natives = entries.map((e) => e.fields.get(f.service) ?? '');
    const canonical = await this.identity.toCanonical(natives.filter(Boolean), ctx);
    entries.forEach((e, i) => (e.serviceId = canonical.get(natives[i]!) ?? null));
    return numberWithinMs(entries, compareEntries);
  }

  private toRecord(e: Entry, query: Dsl): LogRecord {
    const f = this.settings.fields;
    const rawLevel = e.fields.get(f.level) ?? '';
    const service = e.serviceId ?? e.fields.get(f.service) ?? '-';
    return {
      id: composeId(this.instance, `${service}:${e.ms}:${e.sequence}`),
      timestamp: new Date(e.ms).toISOString(),
      level: this.levels.normalize(rawLevel),
      rawLevel,
      message: e.fields.get(f.message) ?? '',
      serviceId: e.serviceId,
      sequence: e.sequence,
      environment: e.fields.get(f.environment) ?? null,
      fields: [...e.fields].map(([key, value]) => ({ key, value })),
      traceId: e.fields.get(f.traceId) ?? null,
      url: this.discoverUrl(query, e),
      source: { provider: this.kind, instance: this.instance, id: `${e.hit._index}/${e.hit._id ?? ''}` },
    };
  }

  /** Discover on the search's exact query DSL (as a custom filter) and the line's millisecond. */
  private discoverUrl(query: Dsl, e: Entry): string {
    const { dashboardsUrl, dataViewId, index } = this.settings;
    if (!dashboardsUrl) {
      return `${(this.settings.externalUrl ?? this.settings.url).replace(/\/+$/, '')}/${encodeURIComponent(e.hit._index)}/_doc/${encodeURIComponent(e.hit._id ?? '')}`;
    }
    const view = dataViewId ?? index;
    const g = { time: { from: new Date(e.ms).toISOString(), to: new Date(e.ms + 1).toISOString() } };
    const filter = { meta: { alias: 'OpsOrch query', type: 'custom', disabled: false, negate: false, index: view }, query };
    const a = { index: view, filters: [filter], query: { language: 'kuery', query: '' } };
    return `${dashboardsUrl.replace(/\/+$/, '')}/app/discover#/?_g=${encodeURIComponent(rison.encode(g))}&_a=${encodeURIComponent(rison.encode(a))}`;
  }
}
