// Prometheus' HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/), the calls OpsOrch makes.
import { OpsOrchError } from '../src/errors.ts';
import { HttpClient, type HttpAuth } from '../kit/http.ts';
import type { Logger } from '../src/context.ts';

interface Envelope<T> {
  status: 'success' | 'error';
  data: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

export interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface MetricMetadata {
  type: string;
  help: string;
  unit: string;
}

/** One rule of `/api/v1/rules`. */
export interface PrometheusRule {
  name: string;
  query: string;
  type: 'alerting' | 'recording';
  health?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  state?: 'firing' | 'pending' | 'inactive';
  alerts?: PrometheusAlert[];
}

/** One alert of `/api/v1/alerts` or of a rule. */
export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'firing' | 'pending' | 'inactive';
  activeAt?: string;
  value: string;
}

export interface PrometheusApiOptions {
  baseUrl: string;
  /** Where Prometheus' own error text goes (never into an answer). */
  logger?: Logger;
  auth?: HttpAuth;
  headers?: Record<string, string>;
}

/** Thin typed wrapper: unwraps `{status, data}` and turns `status: error` into an OpsOrchError. */
export class PrometheusApi {
  readonly http: HttpClient;
  private readonly logger: Logger | undefined;

  constructor(options: PrometheusApiOptions) {
    this.http = new HttpClient({ baseUrl: options.baseUrl, tool: 'Prometheus', auth: options.auth, headers: options.headers, logger: options.logger });
    this.logger = options.logger;
  }

  private async data<T>(path: string, query: Record<string, string | readonly string[] | undefined>, signal: AbortSignal, post = false): Promise<T> {
    // Long PromQL goes in a form body (Prometheus accepts POST for queries); the registry still sees a read.
    const answer = post
      ? await this.http.json<Envelope<T>>({ method: 'POST', path, form: query as Record<string, string | undefined>, signal })
      : await this.http.json<Envelope<T>>({ path, query, signal });
    if (answer?.status !== 'success') {
      this.logger?.warn({ path, errorType: answer?.errorType, error: answer?.error }, 'Prometheus answered an error');
      const code = answer?.errorType === 'bad_data' ? 'BAD_USER_INPUT' : 'PROVIDER_UNAVAILABLE';
      throw new OpsOrchError(code, `Prometheus answered ${path} with an error${answer?.errorType ? ` (${answer.errorType})` : ''}`);
    }
    return answer.data;
  }

  queryRange(query: string, start: number, end: number, stepSeconds: number, signal: AbortSignal): Promise<{ resultType: 'matrix'; result: MatrixSeries[] }> {
    return this.data('/api/v1/query_range', { query, start: String(start), end: String(end), step: String(stepSeconds) }, signal, true);
  }

  query(query: string, time: number | undefined, signal: AbortSignal): Promise<{ resultType: string; result: VectorSample[] }> {
    return this.data('/api/v1/query', { query, time: time === undefined ? undefined : String(time) }, signal, true);
  }

  metadata(signal: AbortSignal, metric?: string): Promise<Record<string, MetricMetadata[]>> {
    return this.data('/api/v1/metadata', { metric }, signal);
  }

  labelNames(match: readonly string[], start: number, end: number, signal: AbortSignal): Promise<string[]> {
    return this.data('/api/v1/labels', { 'match[]': match, start: String(start), end: String(end) }, signal);
  }

  labelValues(label: string, match: readonly string[], start: number, end: number, signal: AbortSignal): Promise<string[]> {
    return this.data(`/api/v1/label/${encodeURIComponent(label)}/values`, { 'match[]': match, start: String(start), end: String(end) }, signal);
  }

  alerts(signal: AbortSignal): Promise<{ alerts: PrometheusAlert[] }> {
    return this.data('/api/v1/alerts', {}, signal);
  }

  rules(signal: AbortSignal): Promise<{ groups: { name: string; file: string; rules: PrometheusRule[] }[] }> {
    return this.data('/api/v1/rules', { type: 'alert' }, signal);
  }

  buildInfo(signal: AbortSignal): Promise<{ version: string }> {
    return this.data('/api/v1/status/buildinfo', {}, signal);
  }
}
