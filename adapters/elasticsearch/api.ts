// Elasticsearch's / OpenSearch's `_search` (../shared/vendor-api/elasticsearch.openapi.json, operation search-3).
import type { Logger } from '../src/context.ts';
import { HttpClient } from '../kit/http.ts';
import type { ElasticsearchSettings } from './settings.ts';

export interface SearchHit {
  _index: string;
  _id?: string;
  _source?: Record<string, unknown>;
  sort?: unknown[];
}

export interface SearchAnswer {
  hits: { hits: SearchHit[]; total?: { value: number; relation: string } | number };
  aggregations?: Record<string, any>;
}

export class ElasticsearchApi {
  readonly http: HttpClient;

  constructor(
    private readonly settings: ElasticsearchSettings,
    logger?: Logger,
  ) {
    this.http = new HttpClient({
      baseUrl: settings.url,
      tool: settings.flavor === 'opensearch' ? 'OpenSearch' : 'Elasticsearch',
      auth: settings.auth,
      headers: { ...settings.headers, ...(settings.apiKey ? { authorization: `ApiKey ${settings.apiKey}` } : {}) },
      logger,
    });
  }

  /** One `_search` over the configured index; the body is query DSL objects, never query strings. */
  search(body: Record<string, unknown>, signal: AbortSignal, logger?: Logger): Promise<SearchAnswer> {
    return this.http.json<SearchAnswer>({
      method: 'POST',
      path: `/${encodeURIComponent(this.settings.index).replaceAll('%2C', ',').replaceAll('%2A', '*').replaceAll('%3A', ':')}/_search`,
      query: { ignore_unavailable: true, allow_no_indices: true },
      json: body,
      signal,
      logger,
    });
  }
}
