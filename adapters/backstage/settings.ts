import { z } from 'zod';
import { secret } from '../kit/settings.ts';

const TIERS = ['TIER_1', 'TIER_2', 'TIER_3'] as const;

/** The annotations of a component that name it in other tools, and the `externalRefs` system each one becomes. */
export const DEFAULT_REF_ANNOTATIONS: Readonly<Record<string, string>> = {
  'pagerduty.com/service-id': 'pagerduty',
  'datadoghq.com/service-name': 'datadog',
  'github.com/project-slug': 'github',
  'jira/project-key': 'jira',
};

/** Settings of the `backstage` provider (OPSORCH_SERVICES_CONFIG / OPSORCH_TEAMS_CONFIG). */
export const backstageSettingsSchema = z.strictObject({
  /** Base URL of the catalog API, usually the backend's base URL plus `/api/catalog` (required). */
  url: z.url(),
  /** Base URL of the Backstage app, for deep links to entity pages (`<appUrl>/catalog/default/component/checkout`) (required). */
  appUrl: z.url(),
  /** A Backstage service-to-service or user token, sent as `Authorization: Bearer` (use a `secret://` reference); omit for a catalog open to guests. */
  token: secret('the Backstage token').optional(),
  /** The catalog namespace whose entities are OpsOrch's services, teams and people (default `default`). */
  namespace: z.string().regex(/^[a-z0-9A-Z_.-]+$/, 'a Backstage namespace').default('default'),
  /** Component `spec.type` values that are services (default `["service"]`); also `website`, `library`... */
  componentTypes: z.array(z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'a component type')).min(1).default(['service']),
  /** Label (or, without it, annotation) of a component carrying its tier (default `tier`). */
  tierLabel: z.string().min(1).default('tier'),
  /** Raw tier value → tier, merged over the defaults (`1`, `tier-1`, `tier1`, `critical` → TIER_1, and so on for 2 and 3). */
  tierMap: z.record(z.string(), z.enum(TIERS)).default({}),
  /** Annotation → `externalRefs` system, merged over the defaults (PagerDuty, Datadog, GitHub, Jira annotations). */
  externalRefAnnotations: z.record(z.string(), z.string().min(1)).default({}),
  /** Annotation of a group carrying its chat channel (default `slack.com/channel`). */
  chatChannelAnnotation: z.string().min(1).default('slack.com/channel'),
  /** How long one read of the catalog's services, groups and users is reused, in ms (default 60000; 0 reads every time). */
  snapshotTtlMs: z.number().int().min(0).default(60_000),
  /** Entities read per catalog page (default 500). */
  pageSize: z.number().int().min(1).max(1000).default(500),
  /** Most entities one snapshot reads from the catalog; past it the rest are left out with a warning in the log (default 20000). */
  maxEntities: z.number().int().min(1).default(20_000),
});

export type BackstageSettings = z.infer<typeof backstageSettingsSchema>;
