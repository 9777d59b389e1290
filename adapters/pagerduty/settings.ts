import { z } from 'zod';
import { secret, serviceIdentitySettingsShape } from '../kit/settings.ts';

const severity = z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5']);

/** Settings of the `pagerduty` provider (OPSORCH_INCIDENTS_CONFIG, OPSORCH_DEPLOYMENTS_CONFIG). */
export const pagerdutySettingsSchema = z.strictObject({
  /** REST API v2 base URL (default `https://api.pagerduty.com`; EU service region: `https://api.eu.pagerduty.com`). */
  url: z.url().default('https://api.pagerduty.com'),
  /** REST API key, sent as `Authorization: Token token=<key>` (required; use a `secret://` reference). */
  apiToken: secret('PagerDuty REST API key'),
  /**
   * E-mail of a PagerDuty user, sent as the `From` header of writes (PagerDuty requires it with an account key).
   * Without it, writes are refused with a message naming this setting.
   */
  fromEmail: z.email().optional(),
  /** Account subdomain: deep links go to `https://<subdomain>.pagerduty.com` (default: the `html_url` PagerDuty returns). */
  subdomain: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'the account subdomain, for example `acme` for acme.pagerduty.com')
    .optional(),
  /** Web UI base URL for deep links when it is not `https://<subdomain>.pagerduty.com` (wins over `subdomain`). */
  webUrl: z.url().optional(),
  ...serviceIdentitySettingsShape,
  /** The `externalRefs` system naming PagerDuty service ids in the catalog (default `pagerduty`). */
  catalogSystem: z.string().min(1).default('pagerduty'),
  /** PagerDuty priority name → severity, merged over the default (`P1`..`P5` → SEV1..SEV5). */
  prioritySeverities: z.record(z.string(), severity).default({}),
  /** Severity → PagerDuty priority id, for creating incidents and changing severity (default none: urgency only). */
  priorityIds: z.partialRecord(severity, z.string().min(1)).default({}),
  /**
   * The environment this account's incidents belong to, and its alerts and change events whose details name none
   * (default `production`). PagerDuty has no environment of its own: a staging account is configured `staging`, so
   * credentials limited to staging see its incidents (decision 014) and a create elsewhere is refused.
   */
  environment: z.string().min(1).default('production'),
  /** Change events read at most per deployments question (default 1000). */
  maxChangeEvents: z.number().int().positive().max(10_000).default(1000),
  /** PagerDuty team id → canonical team id, for teams whose name's slug is not their catalog id (default none). */
  teamAliases: z.record(z.string(), z.string()).default({}),
  /** Teams, users and escalation policies read at most each, for the teams capability (default 5000). */
  maxDirectoryEntries: z.number().int().positive().max(50_000).default(5000),
  /** Open incidents whose alerts make the alerts capability's snapshot (default 100). */
  maxAlertIncidents: z.number().int().positive().max(1000).default(100),
  /** Log entries read at most per incident timeline (default 1000). */
  maxTimelineEntries: z.number().int().positive().max(10_000).default(1000),
});

export type PagerDutySettings = z.infer<typeof pagerdutySettingsSchema>;
