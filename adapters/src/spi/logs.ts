import type {
  LogEntry,
  LogFieldSummary,
  LogOrder,
  LogQueryInput,
  LogVolume,
  ServiceLogQueryInput,
} from '@opsorch/schema';
import type { ProviderContext } from '../context.ts';
import type { Page, PageRequest } from '../paging.ts';
import type { ResolvedTimeRange } from '../time.ts';
import type { ProviderBase } from './base.ts';

/**
 * A log line as a provider returns it: `LogEntry` with the catalog service as an id. `sequence` orders lines
 * of the same service and millisecond (the tie-breaker of the time order, also the last part of the id).
 */
export type LogRecord = Omit<LogEntry, 'service'> & { serviceId: string | null; sequence: number };

/** Volume counts as a provider returns them (the GraphQL shape minus the resolver-added fields). */
export type LogVolumeRecord = Omit<LogVolume, 'providerErrors' | 'range'>;

export type LogFieldSummaryRecord = LogFieldSummary;

/**
 * The logs capability's provider contract. Every range is resolved by the caller; a provider caps `to` at
 * `ctx.now` (there are no lines from the future). Reads are bounded in cost: `query` may return fewer than
 * `page.first` lines with a non-null `nextCursor` when it stopped scanning, and the caller pages on.
 */
export interface LogProvider extends ProviderBase {
  /** Lines matching `query` in `range`, in `order` (by timestamp, then service id, then sequence). */
  query(query: LogQueryInput, range: ResolvedTimeRange, page: PageRequest, order: LogOrder, ctx: ProviderContext): Promise<Page<LogRecord>>;
  /** Matching lines counted in `buckets` equal-width buckets over `range`, per level. */
  volume(query: LogQueryInput, range: ResolvedTimeRange, buckets: number, ctx: ProviderContext): Promise<LogVolumeRecord>;
  /** Structured field names seen in the scope, by name, each with its `top` most frequent values. */
  fieldSummaries(scope: LogQueryInput['scope'], range: ResolvedTimeRange, top: number, ctx: ProviderContext): Promise<LogFieldSummaryRecord[]>;
  /**
   * Batch for `Service.logs`: one page per service id, in key order (an empty page for a service the
   * provider does not know). One call answers every service of a request.
   */
  forServices(
    serviceIds: readonly string[],
    query: ServiceLogQueryInput,
    range: ResolvedTimeRange,
    page: PageRequest,
    order: LogOrder,
    ctx: ProviderContext,
  ): Promise<Page<LogRecord>[]>;
}
