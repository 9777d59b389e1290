// Datadog's HTTP API v1 and v2 (../shared/vendor-api/datadog-v1/-v2.openapi.json, and the downtime operations in
// __fixtures__/datadog-downtimes.openapi.json), the calls OpsOrch makes. Nothing here knows OpsOrch's schema.
import type { Logger } from '../src/context.ts';
import { HttpClient } from '../kit/http.ts';
import { DATADOG_SITES, type DatadogSettings } from './settings.ts';

/** `MetricsTimeseriesQuery` of the v2 timeseries API. */
export interface TimeseriesQuery {
  data_source: 'metrics';
  name: string;
  query: string;
}

/** `TimeseriesResponseAttributes`: one `values` array per series, sharing `times`. */
export interface TimeseriesAnswer {
  series?: { group_tags?: string[]; query_index?: number; unit?: ({ name?: string; short_name?: string } | null)[] | null }[];
  times?: number[];
  values?: (number | null)[][];
}

/** `MetricsAndMetricTagConfigurations`: a metric name, with its tag configuration when one is set. */
export interface MetricListItem {
  id: string;
  type: 'metrics' | 'manage_tags';
  attributes?: { metric_type?: string; tags?: string[] };
}

/** `Log` of the v2 logs search. */
export interface DatadogLog {
  id: string;
  type?: 'log';
  attributes?: {
    timestamp?: string;
    status?: string;
    service?: string;
    host?: string;
    message?: string;
    tags?: string[];
    attributes?: Record<string, unknown>;
  };
}

/** `Monitor` of the v1 API (the fields OpsOrch reads). */
export interface DatadogMonitor {
  id: number;
  name?: string;
  message?: string;
  query?: string;
  type?: string;
  tags?: string[];
  priority?: number | null;
  overall_state?: string;
  created?: string;
  modified?: string;
  options?: { silenced?: Record<string, number | null> };
  matching_downtimes?: { id: number; start?: number; end?: number | null; active?: boolean; scope?: string[] }[];
  state?: { groups?: Record<string, { status?: string; last_triggered_ts?: number; last_resolved_ts?: number }> };
}

/** `DowntimeResponseData` of the v2 API (the fields OpsOrch reads). */
export interface DatadogDowntime {
  id: string;
  type?: 'downtime';
  attributes?: {
    canceled?: string | null;
    message?: string | null;
    monitor_identifier?: { monitor_id?: number; monitor_tags?: string[] };
    /** One-time (`start`, `end`) or recurring (`current_downtime` holds the ongoing or next occurrence). */
    schedule?: { start?: string; end?: string | null; current_downtime?: { start?: string; end?: string | null } };
    scope?: string;
    status?: 'active' | 'canceled' | 'ended' | 'scheduled';
  };
}

/** What OpsOrch asks for when it mutes one monitor for a while. */
export interface NewDowntime {
  monitorId: number;
  /** Datadog's search syntax; `*` mutes every group of the monitor. */
  scope: string;
  start: string;
  end: string;
  message: string;
}

/** `IncidentResponseData` of the v2 API. */
export interface DatadogIncident {
  id: string;
  type: 'incidents';
  attributes?: {
    public_id?: number;
    title: string;
    severity?: string;
    state?: string;
    created?: string;
    detected?: string | null;
    resolved?: string | null;
    modified?: string;
    customer_impact_scope?: string | null;
    fields?: Record<string, { type?: string; value?: unknown }>;
  };
  relationships?: { commander_user?: { data?: { id: string; type: string } | null } | null };
}

export interface DatadogIncidentsAnswer {
  data: DatadogIncident[];
  included?: { id: string; type: string; attributes?: { email?: string; handle?: string } }[];
  meta?: { pagination?: { next_offset?: number; offset?: number; size?: number } };
}

/** `ServiceDefinitionData`: the schema as it was ingested (v2, v2.1 or v2.2). */
export interface ServiceDefinitionItem {
  id?: string;
  type?: string;
  attributes?: { meta?: { 'github-html-url'?: string }; schema?: Record<string, any> };
}

/** The API's base URL and the web app's, from the site or the overrides. */
export function datadogUrls(settings: Pick<DatadogSettings, 'site' | 'url' | 'externalUrl'>): { api: string; app: string } {
  const site = DATADOG_SITES[settings.site];
  return { api: settings.url ?? site.api, app: (settings.externalUrl ?? site.app).replace(/\/+$/, '') };
}

/** Typed calls on Datadog's API with the API and application keys on every request. */
export class DatadogApi {
  readonly http: HttpClient;

  constructor(settings: DatadogSettings, logger?: Logger) {
    this.http = new HttpClient({
      baseUrl: datadogUrls(settings).api,
      tool: 'Datadog',
      headers: { 'DD-API-KEY': settings.apiKey, 'DD-APPLICATION-KEY': settings.applicationKey },
      logger,
    });
  }

  /** POST /api/v2/query/timeseries: several queries and formulas in one call; `intervalMs` is the step. */
  async timeseries(
    queries: readonly TimeseriesQuery[],
    formulas: readonly string[],
    fromMs: number,
    toMs: number,
    intervalMs: number,
    signal: AbortSignal,
  ): Promise<TimeseriesAnswer> {
    const answer = await this.http.json<{ data?: { attributes?: TimeseriesAnswer } }>({
      method: 'POST',
      path: '/api/v2/query/timeseries',
      json: {
        data: {
          type: 'timeseries_request',
          attributes: { from: fromMs, to: toMs, interval: intervalMs, queries, formulas: formulas.map((formula) => ({ formula })) },
        },
      },
      signal,
    });
    return answer?.data?.attributes ?? {};
  }

  /** GET /api/v2/metrics: the metric catalog, cursor-paged. */
  metrics(cursor: string | null, size: number, tags: string | undefined, signal: AbortSignal) {
    return this.http.json<{ data?: MetricListItem[]; meta?: { pagination?: { next_cursor?: string | null } } }>({
      path: '/api/v2/metrics',
      query: { 'page[size]': size, 'page[cursor]': cursor ?? undefined, 'filter[tags]': tags },
      signal,
    });
  }

  /** GET /api/v1/metrics: names of the metrics active since `fromSeconds`. */
  activeMetrics(fromSeconds: number, signal: AbortSignal) {
    return this.http.json<{ metrics?: string[] }>({ path: '/api/v1/metrics', query: { from: fromSeconds }, signal });
  }

  /** POST /api/v2/logs/events/search: one page of lines and the cursor of the next. */
  async searchLogs(
    request: { query: string; from: string; to: string; indexes?: string[]; sort: 'timestamp' | '-timestamp'; limit: number; cursor: string | null },
    signal: AbortSignal,
  ): Promise<{ logs: DatadogLog[]; next: string | null }> {
    const answer = await this.http.json<{ data?: DatadogLog[]; meta?: { page?: { after?: string } } }>({
      method: 'POST',
      path: '/api/v2/logs/events/search',
      json: {
        filter: { query: request.query, from: request.from, to: request.to, ...(request.indexes ? { indexes: request.indexes } : {}) },
        sort: request.sort,
        page: { limit: request.limit, ...(request.cursor ? { cursor: request.cursor } : {}) },
      },
      signal,
    });
    return { logs: answer?.data ?? [], next: answer?.meta?.page?.after ?? null };
  }

  /** GET /api/v1/monitor: one page of monitors with their group states and downtimes. */
  monitors(page: number, pageSize: number, monitorTags: string | undefined, signal: AbortSignal) {
    return this.http.json<DatadogMonitor[]>({
      path: '/api/v1/monitor',
      query: { page, page_size: pageSize, group_states: 'all', with_downtimes: true, monitor_tags: monitorTags },
      signal,
    });
  }

  /** GET /api/v2/downtime: one page (by offset) of the downtimes active now. */
  async currentDowntimes(offset: number, limit: number, signal: AbortSignal): Promise<DatadogDowntime[]> {
    const answer = await this.http.json<{ data?: DatadogDowntime[] }>({
      path: '/api/v2/downtime',
      query: { current_only: true, 'page[offset]': offset, 'page[limit]': limit },
      signal,
    });
    return answer?.data ?? [];
  }

  /** POST /api/v2/downtime: a one-time downtime of one monitor. */
  async createDowntime(downtime: NewDowntime, signal: AbortSignal): Promise<DatadogDowntime> {
    const answer = await this.http.json<{ data: DatadogDowntime }>({
      method: 'POST',
      path: '/api/v2/downtime',
      json: {
        data: {
          type: 'downtime',
          attributes: {
            monitor_identifier: { monitor_id: downtime.monitorId },
            scope: downtime.scope,
            schedule: { start: downtime.start, end: downtime.end },
            message: downtime.message,
            display_timezone: 'UTC',
          },
        },
      },
      signal,
    });
    return answer.data;
  }

  /** GET /api/v2/incidents: one page by offset, with the users they name. */
  incidents(offset: number, size: number, signal: AbortSignal) {
    return this.http.json<DatadogIncidentsAnswer>({ path: '/api/v2/incidents', query: { 'page[offset]': offset, 'page[size]': size, include: 'users' }, signal });
  }

  /** GET /api/v2/incidents/{id}. */
  incident(id: string, signal: AbortSignal) {
    return this.http.json<{ data: DatadogIncident; included?: DatadogIncidentsAnswer['included'] }>({
      path: `/api/v2/incidents/${encodeURIComponent(id)}`,
      query: { include: 'users' },
      signal,
    });
  }

  /** PATCH /api/v2/incidents/{id}. */
  updateIncident(id: string, attributes: Record<string, unknown>, signal: AbortSignal) {
    return this.http.json<{ data: DatadogIncident; included?: DatadogIncidentsAnswer['included'] }>({
      method: 'PATCH',
      path: `/api/v2/incidents/${encodeURIComponent(id)}`,
      query: { include: 'users' },
      json: { data: { id, type: 'incidents', attributes } },
      signal,
    });
  }

  /** GET /api/v2/services/definitions: one page (numbered from 0) in schema v2.2. */
  serviceDefinitions(pageNumber: number, size: number, signal: AbortSignal) {
    return this.http.json<{ data?: ServiceDefinitionItem[] }>({
      path: '/api/v2/services/definitions',
      query: { 'page[number]': pageNumber, 'page[size]': size, schema_version: 'v2.2' },
      signal,
    });
  }
}
