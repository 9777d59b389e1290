import { z } from 'zod';
import { levelMapSettingsShape } from '../kit/logs.ts';
import { endpointSettingsShape, labelName, serviceIdentitySettingsShape } from '../kit/settings.ts';

/** Settings of the `loki` provider (OPSORCH_LOGS_CONFIG or `capabilities.logs[].config`). */
export const lokiSettingsSchema = z.strictObject({
  ...endpointSettingsShape,
  /**
   * Tenant sent as `X-Scope-OrgID` (multi-tenant Loki, Mimir-style gateways); several tenants joined with `|`
   * are searched together (default: none, a single-tenant Loki).
   */
  tenant: z.string().min(1).optional(),
  /** Stream label naming the service (default `service_name`, what Loki 3 fills in). */
  serviceLabel: labelName.default('service_name'),
  /** Stream label naming the environment (default `env`). */
  environmentLabel: labelName.default('env'),
  /** Label (stream, structured metadata or parsed from the line) carrying the level (default `level`). */
  levelLabel: labelName.default('level'),
  /** Field carrying the trace id (default `trace_id`). */
  traceIdField: z.string().min(1).default('trace_id'),
  /** Lines are JSON: field filters and levels use `| json` (default true). */
  jsonLines: z.boolean().default(true),
  /** Grafana base URL for Explore deep links, for example `https://grafana.example.com` (default: links to Loki's API). */
  grafanaUrl: z.url().optional(),
  /** UID of the Loki data source in Grafana (default `loki`). */
  grafanaDatasourceUid: z.string().min(1).default('loki'),
  /** Grafana organization id of the links (default 1). */
  grafanaOrgId: z.number().int().positive().default(1),
  /** Most lines per request (Loki's `max_entries_limit_per_query`, default 5000). */
  maxLinesPerRequest: z.number().int().min(10).max(100_000).default(5000),
  ...levelMapSettingsShape,
  ...serviceIdentitySettingsShape,
  /** The `externalRefs` system naming the service label's values in the catalog (default `loki`). */
  catalogSystem: z.string().min(1).default('loki'),
});

export type LokiSettings = z.infer<typeof lokiSettingsSchema>;
