import { z } from 'zod';
import { levelMapSettingsShape } from '../kit/logs.ts';
import { endpointSettingsShape, secret, serviceIdentitySettingsShape } from '../kit/settings.ts';

/** A field path of the documents, for example `log.level` (letters, digits, `.`, `_`, `@`, `-`). */
const fieldPath = z.string().regex(/^[@a-zA-Z0-9_][@a-zA-Z0-9_.-]*$/, 'a field path such as log.level');

/** Settings of the `elasticsearch` provider (Elasticsearch or OpenSearch; OPSORCH_LOGS_CONFIG). */
export const elasticsearchSettingsSchema = z
  .strictObject({
    ...endpointSettingsShape,
    /** `Authorization: ApiKey <key>` (Elasticsearch's encoded API key; use a `secret://` reference), instead of `auth`. */
    apiKey: secret('the API key').optional(),
    /** Which product: `elasticsearch` (Kibana links) or `opensearch` (OpenSearch Dashboards links) (default `elasticsearch`). */
    flavor: z.enum(['elasticsearch', 'opensearch']).default('elasticsearch'),
    /** Index, alias, data stream or pattern searched, comma-separated for several (default `logs-*`). */
    index: z
      .string()
      .regex(/^[a-zA-Z0-9_.*:,+-]+$/, 'an index pattern such as logs-* or logs-app,logs-web')
      .default('logs-*'),
    /** Where each part of a line is in the documents; ECS names by default. */
    fields: z
      .strictObject({
        /** Time of the line (default `@timestamp`). */
        timestamp: fieldPath.default('@timestamp'),
        /** The message (default `message`). */
        message: fieldPath.default('message'),
        /** The level as written, a keyword (default `log.level`). */
        level: fieldPath.default('log.level'),
        /** The service, a keyword (default `service.name`). */
        service: fieldPath.default('service.name'),
        /** The environment, a keyword (default `service.environment`). */
        environment: fieldPath.default('service.environment'),
        /** The trace id (default `trace.id`). */
        traceId: fieldPath.default('trace.id'),
      })
      .prefault({}),
    /** Kibana or OpenSearch Dashboards base URL for Discover links (default: links to the document in the API). */
    dashboardsUrl: z.url().optional(),
    /** Data view (Kibana) or index pattern (OpenSearch Dashboards) id Discover opens (default: `index`). */
    dataViewId: z.string().min(1).optional(),
    /** Most hits per search request (default 1000; Elasticsearch's `index.max_result_window` caps at 10000). */
    maxHitsPerRequest: z.number().int().min(10).max(10_000).default(1000),
    ...levelMapSettingsShape,
    ...serviceIdentitySettingsShape,
    /** The `externalRefs` system naming the service field's values in the catalog (default `elasticsearch`). */
    catalogSystem: z.string().min(1).default('elasticsearch'),
  })
  .refine((s) => !(s.apiKey && s.auth), { message: 'use either apiKey or auth, not both', path: ['apiKey'] });

export type ElasticsearchSettings = z.infer<typeof elasticsearchSettingsSchema>;
