import { z } from 'zod';
import { secret, serviceIdentitySettingsShape } from '../kit/settings.ts';

/** Datadog sites (https://docs.datadoghq.com/getting_started/site/): where the API and the web app live. */
export const DATADOG_SITES = {
  US1: { api: 'https://api.datadoghq.com', app: 'https://app.datadoghq.com' },
  EU: { api: 'https://api.datadoghq.eu', app: 'https://app.datadoghq.eu' },
  US3: { api: 'https://api.us3.datadoghq.com', app: 'https://us3.datadoghq.com' },
  US5: { api: 'https://api.us5.datadoghq.com', app: 'https://us5.datadoghq.com' },
  AP1: { api: 'https://api.ap1.datadoghq.com', app: 'https://ap1.datadoghq.com' },
} as const;

/** A tag key as Datadog writes them: starts with a letter; letters, digits, `_ - . /`. */
const tagKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_.\-/]*$/, 'a Datadog tag key: a letter, then letters, digits, _ - . /');

/**
 * One golden signal as Datadog metric queries: `$scope` becomes the tag filter of the asked services (and the
 * environment), `$by` the service tag. With several queries, `formula` combines them by name (`a / b`).
 */
const signalSchema = z.strictObject({
  /** Metric queries by name, for example `{ a: 'p99:trace.http.request{$scope} by {$by}' }`. */
  queries: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string().refine((q) => q.includes('$scope'), 'each query must use $scope')),
  /** Combines the queries (`a / b * 100`); default: the single query's name. */
  formula: z.string().optional(),
  /** Metric name the series is reported under. */
  name: z.string().min(1),
  /** Unit of the values. */
  unit: z.string(),
  aggregation: z.enum(['AVG', 'SUM', 'MIN', 'MAX', 'COUNT', 'RATE', 'P50', 'P95', 'P99']),
});
export type DatadogSignalTemplate = z.infer<typeof signalSchema>;

/** APM trace metrics (`trace.http.request.*`) and the host agent's CPU: override per installation. */
export const DEFAULT_GOLDEN_SIGNALS: Record<'latencyP99' | 'errorRate' | 'requestRate' | 'saturation', DatadogSignalTemplate> = {
  latencyP99: { queries: { a: 'p99:trace.http.request{$scope} by {$by}' }, name: 'trace.http.request', unit: 'seconds', aggregation: 'P99' },
  errorRate: {
    queries: { a: 'sum:trace.http.request.errors{$scope} by {$by}.as_count()', b: 'sum:trace.http.request.hits{$scope} by {$by}.as_count()' },
    formula: 'a / b',
    name: 'trace.http.request.errors',
    unit: 'ratio',
    aggregation: 'AVG',
  },
  requestRate: { queries: { a: 'sum:trace.http.request.hits{$scope} by {$by}.as_rate()' }, name: 'trace.http.request.hits', unit: 'requests/s', aggregation: 'RATE' },
  saturation: { queries: { a: 'avg:system.cpu.user{$scope} by {$by}' }, name: 'system.cpu.user', unit: 'percent', aggregation: 'AVG' },
};

const severity = z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5']);

/** Settings of the `datadog` provider (every capability it serves reads the same ones). */
export const datadogSettingsSchema = z.strictObject({
  /** Datadog site of the organization: US1, EU, US3, US5 or AP1 (default `US1`). */
  site: z.enum(['US1', 'EU', 'US3', 'US5', 'AP1']).default('US1'),
  /** API base URL when it is not the site's (a proxy); default: the site's `https://api.…`. */
  url: z.url().optional(),
  /** Web app URL for deep links when it is not the site's (a custom subdomain); default: the site's app URL. */
  externalUrl: z.url().optional(),
  /** API key, sent as `DD-API-KEY` (required; use a secret:// reference). */
  apiKey: secret('the Datadog API key'),
  /** Application key, sent as `DD-APPLICATION-KEY` (required; use a secret:// reference). */
  applicationKey: secret('the Datadog application key'),
  /** Tag naming the service of a series, log line or monitor (default `service`). */
  serviceTag: tagKey.default('service'),
  /** Tag naming the environment (default `env`). */
  environmentTag: tagKey.default('env'),
  ...serviceIdentitySettingsShape,
  /** The `externalRefs` system naming Datadog services in the catalog (default `datadog`). */
  catalogSystem: z.string().min(1).default('datadog'),
  /** Logs: the indexes searched (default: every index the keys may read). */
  logIndexes: z.array(z.string().min(1)).optional(),
  /** Logs: the most lines `logVolume` and `logFields` read to count (default 5000); beyond it they are estimates. */
  logSampleLines: z.number().int().min(100).max(50_000).default(5_000),
  /** Alerts: only monitors carrying these monitor tags (Datadog's `monitor_tags`, comma separated). */
  monitorTags: z.string().optional(),
  /** Alerts: monitor priority (1..5) → severity, merged over the default P1 → SEV1 ... P5 → SEV5. */
  priorityMap: z.partialRecord(z.enum(['1', '2', '3', '4', '5']), severity).default({}),
  /** Incidents: the most incidents read to answer a list (default 1000, newest first). */
  maxIncidents: z.number().int().min(1).max(10_000).default(1_000),
  /** Metrics: environment the golden signals are read in; null reads every environment (default). */
  goldenSignalsEnvironment: z.string().nullable().default(null),
  /** Metrics: queries of the golden signals; each replaces the default of the same name. */
  goldenSignals: z
    .strictObject({ latencyP99: signalSchema, errorRate: signalSchema, requestRate: signalSchema, saturation: signalSchema })
    .partial()
    .default({}),
});

export type DatadogSettings = z.infer<typeof datadogSettingsSchema>;
