import { z } from 'zod';
import { labelName, secret, serviceIdentitySettingsShape } from '../kit/settings.ts';

const severity = z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5']);

/** Settings of the `opsgenie` provider (OPSORCH_ALERTS_CONFIG, OPSORCH_INCIDENTS_CONFIG). */
export const opsgenieSettingsSchema = z.strictObject({
  /** Where the account lives: `us` → `https://api.opsgenie.com`, `eu` → `https://api.eu.opsgenie.com` (default `us`). */
  region: z.enum(['us', 'eu']).default('us'),
  /** API base URL; wins over `region` (a proxy, a test server). */
  url: z.url().optional(),
  /** API integration key, sent as `Authorization: GenieKey <key>` (required; use a `secret://` reference). */
  apiKey: secret('Opsgenie API key'),
  /** Account name: deep links go to `https://<account>.app.opsgenie.com` (`app.eu.` in the EU); default `https://app.opsgenie.com`. */
  account: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'the account name, for example `acme` for acme.app.opsgenie.com')
    .optional(),
  /** Web UI base URL for deep links when it is neither of the above (wins over `account`). */
  webUrl: z.url().optional(),
  /**
   * Tags of the form `<key>:<value>` become labels; this key names the service (default `service`, so the tag
   * `service:checkout` puts the alert or incident on `checkout`).
   */
  serviceLabel: labelName.default('service'),
  /** Label (tag key) naming the environment (default `env`). */
  environmentLabel: labelName.default('env'),
  ...serviceIdentitySettingsShape,
  /** The `externalRefs` system naming Opsgenie service tags in the catalog (default `opsgenie`). */
  catalogSystem: z.string().min(1).default('opsgenie'),
  /** Opsgenie priority → severity, merged over the default (`P1`..`P5` → SEV1..SEV5). */
  severityMap: z.record(z.string(), severity).default({}),
  /** Teams capability: team id → the name of the Opsgenie schedule that says who is on call for it (default none). */
  schedules: z.record(z.string(), z.string().min(1)).default({}),
  /** Open alerts read at most per snapshot (default 1000, 10 pages of 100). */
  maxAlerts: z.number().int().positive().max(20_000).default(1000),
});

export type OpsgenieSettings = z.infer<typeof opsgenieSettingsSchema>;

/** The API base URL of the configured region. */
export function apiUrlOf(settings: Pick<OpsgenieSettings, 'url' | 'region'>): string {
  return settings.url ?? (settings.region === 'eu' ? 'https://api.eu.opsgenie.com' : 'https://api.opsgenie.com');
}

/** The web UI base URL deep links point to. */
export function webUrlOf(settings: Pick<OpsgenieSettings, 'webUrl' | 'account' | 'region'>): string {
  if (settings.webUrl) return settings.webUrl.replace(/\/+$/, '');
  const host = settings.region === 'eu' ? 'app.eu.opsgenie.com' : 'app.opsgenie.com';
  return settings.account ? `https://${settings.account}.${host}` : `https://${host}`;
}

/** Opsgenie's priorities as severities, before `severityMap`. */
export const DEFAULT_PRIORITY_SEVERITIES: Readonly<Record<string, z.infer<typeof severity>>> = { P1: 'SEV1', P2: 'SEV2', P3: 'SEV3', P4: 'SEV4', P5: 'SEV5' };
