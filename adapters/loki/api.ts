// Loki's query HTTP API (../shared/vendor-api/loki.md): query_range for lines and counts, labels and label values.
import type { Logger } from '../src/context.ts';
import { HttpClient } from '../kit/http.ts';
import type { LokiSettings } from './settings.ts';

/** A stream of a log query: its labels and `[ns epoch, line, structured metadata?]` entries. */
export interface LokiStream {
  stream: Record<string, string>;
  values: [string, string, Record<string, unknown>?][];
}

export interface LokiMatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

type QueryRangeAnswer =
  | { status: string; data: { resultType: 'streams'; result: LokiStream[] } }
  | { status: string; data: { resultType: 'matrix'; result: LokiMatrixSeries[] } };

/** Epoch milliseconds as the integer nanoseconds Loki reads. */
export const nanos = (ms: number): string => (BigInt(Math.floor(ms)) * 1_000_000n).toString();

export class LokiApi {
  readonly http: HttpClient;

  constructor(settings: LokiSettings, logger?: Logger) {
    this.http = new HttpClient({
      baseUrl: settings.url,
      tool: 'Loki',
      auth: settings.auth,
      headers: { ...settings.headers, ...(settings.tenant ? { 'X-Scope-OrgID': settings.tenant } : {}) },
      logger,
    });
  }

  /** Log lines of `query` in [startMs, endMs), at most `limit`, in `direction`. */
  async streams(query: string, startMs: number, endMs: number, limit: number, direction: 'forward' | 'backward', signal: AbortSignal, logger?: Logger): Promise<LokiStream[]> {
    const answer = await this.http.json<QueryRangeAnswer>({
      path: '/loki/api/v1/query_range',
      query: { query, start: nanos(startMs), end: nanos(endMs), limit, direction },
      signal,
      logger,
    });
    return answer.data.resultType === 'streams' ? answer.data.result : [];
  }

  /** A metric query over [startMs, endMs] evaluated every `stepSeconds`. */
  async matrix(query: string, startMs: number, endMs: number, stepSeconds: number, signal: AbortSignal, logger?: Logger): Promise<LokiMatrixSeries[]> {
    const answer = await this.http.json<QueryRangeAnswer>({
      path: '/loki/api/v1/query_range',
      query: { query, start: nanos(startMs), end: nanos(endMs), step: String(stepSeconds) },
      signal,
      logger,
    });
    return answer.data.resultType === 'matrix' ? answer.data.result : [];
  }

  async labels(startMs: number, endMs: number, selector: string | undefined, signal: AbortSignal, logger?: Logger): Promise<string[]> {
    const answer = await this.http.json<{ data?: string[] }>({
      path: '/loki/api/v1/labels',
      query: { start: nanos(startMs), end: nanos(endMs), query: selector },
      signal,
      logger,
    });
    return answer?.data ?? [];
  }

  async labelValues(name: string, startMs: number, endMs: number, selector: string | undefined, signal: AbortSignal, logger?: Logger): Promise<string[]> {
    const answer = await this.http.json<{ data?: string[] }>({
      path: `/loki/api/v1/label/${encodeURIComponent(name)}/values`,
      query: { start: nanos(startMs), end: nanos(endMs), query: selector },
      signal,
      logger,
    });
    return answer?.data ?? [];
  }
}
