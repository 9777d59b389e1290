import { z } from 'zod';
import { alertSeveritySettingsShape, toolSettingsShape } from '../kit/settings.ts';

/**
 * One golden signal as a PromQL template. `$selector` becomes the label matchers of the asked services
 * (`service=~"checkout|cart"`, plus the environment), `$by` the service label, `$window` the rate window.
 * The result must keep the service label (aggregate `by ($by)`).
 */
const signalSchema = z.object({
  query: z.string().min(1).refine((q) => q.includes('$selector'), 'the query must use $selector, or every service gets the same series'),
  /** Metric name the series is reported under. */
  name: z.string().min(1),
  /** Unit of the values, for example `seconds` or `ratio`. */
  unit: z.string(),
  aggregation: z.enum(['AVG', 'SUM', 'MIN', 'MAX', 'COUNT', 'RATE', 'P50', 'P95', 'P99']),
});
export type GoldenSignalTemplate = z.infer<typeof signalSchema>;

/** Conventional instrumentation (client_golang / OpenTelemetry HTTP semantic names): override per installation. */
export const DEFAULT_GOLDEN_SIGNALS: Record<'latencyP99' | 'errorRate' | 'requestRate' | 'saturation', GoldenSignalTemplate> = {
  latencyP99: {
    query: 'histogram_quantile(0.99, sum by (le, $by) (rate(http_request_duration_seconds_bucket{$selector}[$window])))',
    name: 'http_request_duration_seconds',
    unit: 'seconds',
    aggregation: 'P99',
  },
  errorRate: {
    query: 'sum by ($by) (rate(http_requests_total{$selector, code=~"5.."}[$window])) / sum by ($by) (rate(http_requests_total{$selector}[$window]))',
    name: 'http_requests_total',
    unit: 'ratio',
    aggregation: 'AVG',
  },
  requestRate: {
    query: 'sum by ($by) (rate(http_requests_total{$selector}[$window]))',
    name: 'http_requests_total',
    unit: 'requests/s',
    aggregation: 'RATE',
  },
  saturation: {
    query: 'sum by ($by) (rate(process_cpu_seconds_total{$selector}[$window]))',
    name: 'process_cpu_seconds_total',
    unit: 'cores',
    aggregation: 'RATE',
  },
};

const durationText = z.string().regex(/^\d+[smhd]$/, 'a duration such as 15s, 1m');

/** Settings of the `prometheus` provider (OPSORCH_METRICS_CONFIG / OPSORCH_ALERTS_CONFIG). */
export const prometheusSettingsSchema = z
  .object({
    ...toolSettingsShape,
    /** The scrape interval: rate windows are at least four of them (default `15s`). */
    scrapeInterval: durationText.default('15s'),
    /** Environment the golden signals are read in (`Service.goldenSignals`); null reads every environment (default). */
    goldenSignalsEnvironment: z.string().nullable().default(null),
    /** PromQL templates of the golden signals; each one replaces the default of the same name. */
    goldenSignals: z
      .object({ latencyP99: signalSchema, errorRate: signalSchema, requestRate: signalSchema, saturation: signalSchema })
      .partial()
      .default({}),
    /** Alerts capability only: also list `pending` alerts, as FIRING with rawState `pending` (default false). */
    includePending: z.boolean().default(false),
    ...alertSeveritySettingsShape,
  })
  .strict();

export type PrometheusSettings = z.infer<typeof prometheusSettingsSchema>;
