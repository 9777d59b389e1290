// Settings helpers for vendor adapters: zod shapes every tool adapter shares. Settings are checked once at
// start-up by the settings module (adapters/src/settings.ts) against the kind's schema, after `secret://`
// references are resolved: any string may be a reference, and `secret()` marks the fields that must hold one.
import { z } from 'zod';
import { httpAuthSchema } from './http.ts';

/**
 * A credential (API token, password, key). Write it as a `secret://env/NAME`, `secret://file/PATH`,
 * `secret://vault/...` or `secret://aws/...` reference: resolved at start-up, remembered for redaction, never
 * logged or returned.
 */
export function secret(description = 'a credential') {
  return z.string().min(1, `${description} must not be empty`).describe(`${description}; use a secret:// reference`);
}

/** A label or tag name as Prometheus spells them: letters, digits and underscores. */
export const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a label name: letters, digits and underscores');

/** Where a tool's API is and how OpsOrch reaches it. */
export const endpointSettingsShape = {
  /** Base URL of the HTTP API, for example `http://prometheus:9090` or `https://api.pagerduty.com` (required). */
  url: z.url(),
  /** URL users open in a browser for deep links, when it differs from `url` (default: `url`). */
  externalUrl: z.url().optional(),
  /** Basic (`{username, password}`) or bearer (`{bearerToken}`) auth; use `secret://` references. */
  auth: httpAuthSchema.optional(),
  /** Extra headers on every request, for example `X-Scope-OrgID` for Mimir, Cortex or Loki. */
  headers: z.record(z.string(), z.string()).optional(),
};

/** How a tool's references to services join the catalog (kit/identity.ts). */
export const serviceIdentitySettingsShape = {
  /** The tool's reference → canonical service id, for references the catalog's externalRefs do not carry. */
  serviceAliases: z.record(z.string(), z.string()).default({}),
};

/**
 * What every Prometheus-family provider (Prometheus, Alertmanager) is configured with: where the tool is and
 * how its labels name services and environments.
 */
export const toolSettingsShape = {
  ...endpointSettingsShape,
  /** Label naming the service of a series or alert (default `service`). */
  serviceLabel: labelName.default('service'),
  /** Label naming the environment (default `env`). */
  environmentLabel: labelName.default('env'),
  ...serviceIdentitySettingsShape,
  /** The `externalRefs` system naming these labels in the catalog (default `prometheus`: alerts come from its rules too). */
  catalogSystem: z.string().min(1).default('prometheus'),
};

/** How an alert's labels give its severity, shared by the providers of the alerts capability. */
export const alertSeveritySettingsShape = {
  /** Label carrying the alert's severity (default `severity`). */
  severityLabel: labelName.default('severity'),
  /** Raw severity value → SEV1..SEV5, merged over the defaults (critical → SEV2, warning → SEV3, info → SEV5). */
  severityMap: z.record(z.string(), z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5'])).default({}),
};

