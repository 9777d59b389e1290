import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CAPABILITIES, type Capability, type Env } from './capabilities.ts';
import { OpsOrchError } from './errors.ts';
import { secretBackendsFromEnv } from '../secrets/index.ts';
import { resolveSecretsIn, resolveSecretsInAsync, type SecretBackends } from './secrets.ts';

/** Default per-call provider timeout; a provider that hangs longer is cut and reported PROVIDER_TIMEOUT. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

/** One configured provider instance of one capability. */
export interface InstanceConfig {
  /** Instance name, the prefix of every id it issues (`demo`, `pagerduty-eu`). */
  instance: string;
  /** Provider kind, a key of the provider registry (`demo`, `prometheus`, ...). */
  kind: string;
  /** Provider-specific settings with secret references already resolved. */
  settings: Record<string, unknown>;
  /** Per-call timeout in milliseconds. */
  timeoutMs: number;
}

export type OpsOrchConfig = Record<Capability, InstanceConfig[]>;

const instanceName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'instance names are lowercase letters, digits and dashes, starting with a letter');

const fileSchema = z.object({
  /** Default timeout for every provider call, in milliseconds (default 10000). */
  providerTimeoutMs: z.number().int().positive().optional(),
  capabilities: z
    .partialRecord(
      z.enum(CAPABILITIES),
      z.array(
        z.object({
          /** Instance name; defaults to the provider kind. */
          instance: instanceName.optional(),
          /** Provider kind, for example `demo` or `prometheus`. */
          provider: z.string().min(1),
          /** Provider settings; strings may be `secret://` references. */
          config: z.record(z.string(), z.unknown()).optional(),
          /** Timeout for this instance's calls, in milliseconds. */
          timeoutMs: z.number().int().positive().optional(),
        }),
      ),
    )
    .optional(),
});

function configError(where: string, message: string): OpsOrchError {
  return new OpsOrchError('BAD_USER_INPUT', `invalid configuration at ${where}: ${message}`);
}

function parseJsonObject(text: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw configError(where, `not valid JSON (${(error as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw configError(where, 'expected a JSON object');
  return value as Record<string, unknown>;
}

/**
 * Reads provider configuration once at start-up, from `OPSORCH_CONFIG` (a YAML file) and the per-capability
 * variables `OPSORCH_<CAPABILITY>_PROVIDER` (`kind` or `name=kind`, comma separated) and
 * `OPSORCH_<CAPABILITY>_CONFIG` (JSON: the settings of a single instance, or an object keyed by instance
 * name when several are listed). Env vars win over the file. Nothing configured means `demo` everywhere.
 * Errors name the variable or key to fix.
 */
export function loadConfig(env: Env = process.env): OpsOrchConfig {
  const { config, unresolved } = readConfig(env);
  for (const { entry, where } of unresolved) {
    entry.settings = resolveSecretsIn(entry.settings, { env }, where) as Record<string, unknown>;
    applyInstanceTimeout(entry);
  }
  return config;
}

/**
 * `loadConfig` with every secret backend: besides env and file, `secret://vault/..` (HashiCorp Vault KV v2)
 * and `secret://aws/..` (AWS Secrets Manager), read over the network once at start-up, in parallel.
 */
export async function loadConfigAsync(
  env: Env = process.env,
  backends: SecretBackends = secretBackendsFromEnv(env),
): Promise<OpsOrchConfig> {
  const { config, unresolved } = readConfig(env);
  await Promise.all(
    unresolved.map(async ({ entry, where }) => {
      entry.settings = (await resolveSecretsInAsync(entry.settings, backends, where)) as Record<string, unknown>;
      applyInstanceTimeout(entry);
    }),
  );
  return config;
}

/** `timeoutMs` inside an instance's settings overrides the default timeout (the env-var form has no other place). */
function applyInstanceTimeout(entry: InstanceConfig & { fromEnv?: boolean }): void {
  if (entry.fromEnv && typeof entry.settings.timeoutMs === 'number') entry.timeoutMs = entry.settings.timeoutMs;
  delete entry.fromEnv;
}

/** Every configured instance with its settings still holding `secret://` references, and where each came from. */
function readConfig(env: Env): {
  config: OpsOrchConfig;
  unresolved: { entry: InstanceConfig & { fromEnv?: boolean }; where: string }[];
} {
  const unresolved: { entry: InstanceConfig & { fromEnv?: boolean }; where: string }[] = [];
  const defaultTimeout = env.OPSORCH_PROVIDER_TIMEOUT_MS ? Number(env.OPSORCH_PROVIDER_TIMEOUT_MS) : undefined;
  if (defaultTimeout !== undefined && !(Number.isInteger(defaultTimeout) && defaultTimeout > 0)) {
    throw configError('OPSORCH_PROVIDER_TIMEOUT_MS', `expected a positive integer of milliseconds, got "${env.OPSORCH_PROVIDER_TIMEOUT_MS}"`);
  }
  let file: z.infer<typeof fileSchema> = {};
  if (env.OPSORCH_CONFIG) {
    let text: string;
    try {
      text = readFileSync(env.OPSORCH_CONFIG, 'utf8');
    } catch {
      throw configError('OPSORCH_CONFIG', `cannot read ${env.OPSORCH_CONFIG}`);
    }
    const parsed = fileSchema.safeParse(parseYaml(text) ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw configError(`${env.OPSORCH_CONFIG}: ${issue.path.join('.') || '(root)'}`, issue.message);
    }
    file = parsed.data;
  }
  const timeout = defaultTimeout ?? file.providerTimeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;

  const config = {} as OpsOrchConfig;
  for (const capability of CAPABILITIES) {
    const prefix = `OPSORCH_${capability.toUpperCase()}`;
    const providerVar = env[`${prefix}_PROVIDER`]?.trim();
    if (providerVar) {
      const entries = providerVar.split(',').map((s) => s.trim()).filter(Boolean);
      const instances = entries.map((entry) => {
        const [name, kind] = entry.includes('=') ? entry.split('=', 2) : [entry, entry];
        const checked = instanceName.safeParse(name);
        if (!checked.success) throw configError(`${prefix}_PROVIDER`, `"${name}": ${checked.error.issues[0]!.message}`);
        return { instance: name!, kind: kind!.trim() };
      });
      const names = new Set(instances.map((i) => i.instance));
      if (names.size !== instances.length) throw configError(`${prefix}_PROVIDER`, 'instance names must be unique; use name=kind to tell them apart');
      const rawSettings = env[`${prefix}_CONFIG`] ? parseJsonObject(env[`${prefix}_CONFIG`]!, `${prefix}_CONFIG`) : {};
      config[capability] = instances.map(({ instance, kind }) => {
        const own = instances.length === 1 ? rawSettings : (rawSettings[instance] ?? {});
        if (!own || typeof own !== 'object' || Array.isArray(own)) {
          throw configError(`${prefix}_CONFIG.${instance}`, 'expected a JSON object of settings');
        }
        const where = `${prefix}_CONFIG${instances.length === 1 ? '' : `.${instance}`}`;
        const entry = { instance, kind, settings: own as Record<string, unknown>, timeoutMs: timeout, fromEnv: true };
        unresolved.push({ entry, where });
        return entry;
      });
      continue;
    }
    const fromFile = file.capabilities?.[capability];
    if (fromFile && fromFile.length > 0) {
      config[capability] = fromFile.map((entry, index) => {
        const where = `${env.OPSORCH_CONFIG}: capabilities.${capability}[${index}]`;
        const instanceConfig = {
          instance: entry.instance ?? entry.provider,
          kind: entry.provider,
          settings: (entry.config ?? {}) as Record<string, unknown>,
          timeoutMs: entry.timeoutMs ?? timeout,
        };
        unresolved.push({ entry: instanceConfig, where: `${where}.config` });
        return instanceConfig;
      });
      const names = new Set(config[capability].map((i) => i.instance));
      if (names.size !== config[capability].length) {
        throw configError(`${env.OPSORCH_CONFIG}: capabilities.${capability}`, 'instance names must be unique');
      }
      continue;
    }
    config[capability] = [{ instance: 'demo', kind: 'demo', settings: {}, timeoutMs: timeout }];
  }
  return { config, unresolved };
}
