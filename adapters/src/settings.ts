// OpsOrch's configuration, read once and checked strictly (decision 012): the environment and the
// OPSORCH_CONFIG file are read here and nowhere else. Every key is validated, unknown keys are errors with a
// "did you mean", every error names the exact key to fix (`capabilities.metrics[0].config.url`,
// `OPSORCH_METRICS_CONFIG.url`), and a capability nothing configures is reported as running on demo data.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CAPABILITIES, capabilityEnvPrefix, type Capability, type Env } from './capabilities.ts';
import { badInput, type OpsOrchError } from './errors.ts';
import type { ProviderModule } from './provider.ts';
import { resilienceFromEnv, type ResilienceOptions } from './resilience.ts';
import { resolveSecretsIn, resolveSecretsInAsync, type SecretBackends } from './secrets.ts';
import { closeMatches } from './suggest.ts';

/** Default per-call provider timeout; a provider that hangs longer is cut and reported PROVIDER_TIMEOUT. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

/** The kind that serves a capability nothing configures: the built-in demo world. */
export const DEMO_KIND = 'demo';

/**
 * Every OPSORCH_* variable some part of OpsOrch reads, besides `OPSORCH_<CAPABILITY>_PROVIDER` and `_CONFIG`.
 * A variable not listed here is reported at start-up (a warning, or an error when it looks like a misspelled
 * capability variable): add a new variable here when you add the code that reads it.
 */
export const KNOWN_VARIABLES: readonly string[] = [
  // settings (this module) and the registry
  'OPSORCH_CONFIG', 'OPSORCH_STRICT', 'OPSORCH_PROVIDER_TIMEOUT_MS', 'OPSORCH_PROVIDER_READ_ATTEMPTS', 'OPSORCH_PROVIDER_BACKOFF_MS',
  'OPSORCH_PROVIDER_MAX_BACKOFF_MS', 'OPSORCH_PROVIDER_MAX_RETRY_AFTER_MS', 'OPSORCH_BREAKER_FAILURES', 'OPSORCH_BREAKER_COOLDOWN_MS',
  'OPSORCH_PROVIDER_DEDUP', 'OPSORCH_DEMO_NOW',
  // gateway: server, reload, observability
  'OPSORCH_LOG_LEVEL', 'OPSORCH_SUBGRAPH_URLS', 'OPSORCH_SUPERGRAPH_PATH', 'OPSORCH_WATCH_CONFIG', 'OPSORCH_TRACING',
  'OPSORCH_TRACE_SAMPLE_RATIO', 'OPSORCH_READYZ_PROVIDERS',
  // gateway: REST and OpsOrch Core's routes
  'OPSORCH_CORE_PATH', 'OPSORCH_CORS_ORIGIN',
  // gateway security (the `gateway:` section's variables)
  'OPSORCH_ANONYMOUS', 'OPSORCH_API_KEYS', 'OPSORCH_JWT_JWKS_URL', 'OPSORCH_JWT_ISSUER', 'OPSORCH_JWT_AUDIENCE', 'OPSORCH_AUDIT_SINKS',
  'OPSORCH_MAX_DEPTH', 'OPSORCH_MAX_ALIASES', 'OPSORCH_MAX_COST', 'OPSORCH_MAX_BODY_BYTES', 'OPSORCH_INTROSPECTION',
  'OPSORCH_RATE_LIMIT_PER_MINUTE', 'OPSORCH_APQ', 'OPSORCH_TRUSTED_DOCUMENTS', 'OPSORCH_REDIS_URL',
  'OPSORCH_AUTH_FAILURES_PER_MINUTE', 'OPSORCH_MAX_TOKENS', 'OPSORCH_LOG_SEARCH_COST', 'OPSORCH_MAX_FIELDS_PER_SELECTION',
  'OPSORCH_MAX_RESPONSE_VALUES', 'OPSORCH_MAX_RESPONSE_BYTES',
  // serving: request deadline, shutdown, readiness and HTTP limits (decision 013)
  'OPSORCH_REQUEST_TIMEOUT_MS', 'OPSORCH_SHUTDOWN_GRACE_MS', 'OPSORCH_READYZ_MAX_EVENT_LOOP_LAG_MS', 'OPSORCH_RELEASE_MEMORY_AFTER_QUIET_MS', 'OPSORCH_MAX_RUNNING_REQUESTS', 'OPSORCH_HTTP_HEADERS_TIMEOUT_MS',
  'OPSORCH_HTTP_REQUEST_TIMEOUT_MS', 'OPSORCH_HTTP_KEEP_ALIVE_TIMEOUT_MS', 'OPSORCH_HTTP_MAX_CONNECTIONS', 'OPSORCH_HTTP_MAX_CONNECTIONS_PER_CLIENT',
  'OPSORCH_ALLOWED_HOSTS', 'OPSORCH_ALLOWED_ORIGINS', 'OPSORCH_SUBGRAPH_SIGNING_KEY', 'OPSORCH_SUBGRAPH_TRUST',
  // the deployment's gateway-to-subgraph key, read through secret://env/OPSORCH_SUBGRAPH_KEY (deploy/generate.ts)
  'OPSORCH_SUBGRAPH_KEY',
  // console (the `console:` section's variables) and MCP
  'OPSORCH_CONSOLE', 'OPSORCH_CONSOLE_API_KEY', 'OPSORCH_CONSOLE_BUILD_DIR', 'OPSORCH_CONSOLE_KIOSK', 'OPSORCH_CONSOLE_MAX_BODY_BYTES',
  'OPSORCH_CONSOLE_OIDC_CLIENT_ID', 'OPSORCH_CONSOLE_OIDC_CLIENT_SECRET', 'OPSORCH_CONSOLE_OIDC_ISSUER', 'OPSORCH_CONSOLE_OIDC_REDIRECT_URL',
  'OPSORCH_CONSOLE_OIDC_SCOPES', 'OPSORCH_CONSOLE_REDIS_URL', 'OPSORCH_CONSOLE_SESSION_SECRET',
  'OPSORCH_GRAPHQL_URL', 'OPSORCH_MCP', 'OPSORCH_MCP_TOOLSETS',
  'OPSORCH_MCP_ENABLE_WRITES', 'OPSORCH_MCP_ALLOWED_HOSTS', 'OPSORCH_MCP_ALLOWED_ORIGINS', 'OPSORCH_MCP_MAX_RESULT_CHARS',
  'OPSORCH_MCP_SESSION_IDLE_SECONDS', 'OPSORCH_MCP_MAX_SESSIONS_PER_CLIENT',
  'OPSORCH_MCP_CONFORMANCE_FIXTURES', 'OPSORCH_MCP_DEBUG', 'OPSORCH_TOKEN', 'OPSORCH_GATEWAY_URL',
  // copilot
  'OPSORCH_COPILOT', 'OPSORCH_COPILOT_CONVERSATION_TTL_HOURS', 'OPSORCH_COPILOT_LLM_API_KEY', 'OPSORCH_COPILOT_LLM_API_VERSION',
  'OPSORCH_COPILOT_LLM_MODEL', 'OPSORCH_COPILOT_LLM_PROVIDER', 'OPSORCH_COPILOT_LLM_TIMEOUT_MS', 'OPSORCH_COPILOT_LLM_URL',
  'OPSORCH_COPILOT_MAX_CONVERSATIONS', 'OPSORCH_COPILOT_MAX_CONVERSATION_BYTES', 'OPSORCH_COPILOT_MAX_STEPS', 'OPSORCH_COPILOT_MAX_TOKENS',
  'OPSORCH_COPILOT_MAX_TOOL_CALLS', 'OPSORCH_COPILOT_MCP_TOKEN', 'OPSORCH_COPILOT_MCP_URL', 'OPSORCH_COPILOT_PLANNER', 'OPSORCH_COPILOT_REDIS_URL',
  'OPSORCH_DEMO_WORLD',
];

/** One configured provider instance of one capability, as configured: secret references not resolved yet. */
export interface InstanceSettings {
  /** Instance name, the prefix of every id it issues (`demo`, `pagerduty-eu`). */
  instance: string;
  /** Provider kind, a registered kind (`demo`, `prometheus`, ...). */
  kind: string;
  /** Provider-specific settings as written (strings may be `secret://` references). */
  settings: Record<string, unknown>;
  /** Per-call timeout in milliseconds. */
  timeoutMs: number;
  /** Where the settings were written, to name in errors: `OPSORCH_METRICS_CONFIG`, `opsorch.yaml: capabilities.metrics[0].config`. */
  where: string;
  /** `default`: nothing configures the capability, so the demo world serves it. */
  origin: 'env' | 'file' | 'default';
}

/** One configured provider instance with its settings resolved and parsed by its kind's schema. */
export interface InstanceConfig {
  instance: string;
  kind: string;
  /** Settings after secret resolution, as the kind's schema parsed them (defaults applied). */
  settings: unknown;
  timeoutMs: number;
}

export type OpsOrchConfig = Record<Capability, InstanceConfig[]>;

/** A capability some of whose answers are made up: served by the demo world. */
export interface DemoCapability {
  capability: Capability;
  /** False when nothing configures the capability (the demo world is the fallback), true when `demo` was chosen. */
  chosen: boolean;
}

/** Everything read from the environment and the OPSORCH_CONFIG file, validated. */
export interface Settings {
  /** The OPSORCH_CONFIG file, or null. */
  file: string | null;
  /** Strict mode (production): refuses to start while any capability runs on demo data. */
  strict: boolean;
  capabilities: Record<Capability, InstanceSettings[]>;
  /** Capabilities served (in part) by the demo world, in manifest order. */
  demo: DemoCapability[];
  resilience: ResilienceOptions;
  /** Other sections of the file (`gateway`), checked by the schema registered for them, as written. */
  sections: Readonly<Record<string, unknown>>;
  /** Things worth saying at start-up that do not stop it (unknown OPSORCH_* variables). */
  warnings: string[];
}

/** The schema of a file section (any zod 4 object schema: the part that owns the section may pin its own zod). */
export interface SectionSchema {
  // `any`: another zod 4 copy's parse context and issues have the same shapes under other type identities.
  safeParse(value: unknown, params?: any): { success: boolean; error?: { issues: readonly any[] } };
}

export interface SettingsSources {
  env: Env;
  /** Registered provider kinds (adapters/providers.ts, plus test doubles). */
  providers: Readonly<Record<string, ProviderModule>>;
  /** Schemas of the file's other top-level sections, for example `gateway` (gateway/src/security). */
  sections?: Readonly<Record<string, SectionSchema>>;
}

/** An error at a place in the configuration; the message says what to fix. */
export function configError(where: string, message: string): OpsOrchError {
  return badInput(`invalid configuration at ${where}: ${message}`);
}

/** `capabilities.metrics[0].config.url`: keys joined by dots, array positions in brackets. */
export function formatPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out;
}

// Unknown keys are reported one by one at their own place; the error map (which sees the object's schema)
// encodes each key with its hint, and describeIssues unpacks them.
const KEY_SEPARATOR = '\u0002';
const HINT_SEPARATOR = '\u0001';

/** Zod's messages, with the closest known keys for every unknown one. */
const friendlyErrors: z.core.$ZodErrorMap = (issue) => {
  // A setting left out reads as such, not as Zod's "expected string, received undefined".
  if (issue.code === 'invalid_type' && issue.input === undefined) return `missing; ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected} is required`;
  if (issue.code !== 'unrecognized_keys') return undefined;
  const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  const known = shape ? Object.keys(shape) : [];
  return issue.keys
    .map((key) => {
      const close = closeMatches(key, known, 2);
      const hint = close.length > 0 ? `; did you mean ${close.map((c) => `"${c}"`).join(' or ')}?` : known.length ? `; known keys: ${known.join(', ')}` : '';
      return `${key}${HINT_SEPARATOR}${hint}`;
    })
    .join(KEY_SEPARATOR);
};

/** One problem per unknown key (at the key's own place), then the others, at most three in all. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], base: string): string {
  const problems: string[] = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    for (const encoded of issue.message.split(KEY_SEPARATOR)) {
      const [key, hint = ''] = encoded.includes(HINT_SEPARATOR) ? encoded.split(HINT_SEPARATOR) : [encoded, ''];
      problems.push(`${formatPath(base, [...issue.path, key!])}: unknown key "${key}"${hint}`);
    }
  }
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') problems.push(`${formatPath(base, issue.path) || '(root)'}: ${issue.message}`);
  }
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  return `${problems.slice(0, 3).join('; ')}${more}`;
}

/**
 * Parses `value` with `schema`, or throws BAD_USER_INPUT naming every problem's exact place, prefixed by
 * `where` (the file or variable): `invalid configuration at opsorch.yaml: capabilites: unknown key "capabilites";
 * did you mean "capabilities"?`.
 */
export function parseStrict<T extends z.ZodType>(schema: T, value: unknown, where: string, base = ''): z.output<T> {
  const parsed = schema.safeParse(value, { error: friendlyErrors });
  if (parsed.success) return parsed.data;
  throw badInput(`invalid configuration at ${where}: ${describeIssues(parsed.error.issues, base)}`);
}

/** Parses a provider's settings (bare unit tests build providers without the settings module). */
export function parseSettings<T extends z.ZodType>(schema: T, settings: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(settings, { error: friendlyErrors });
  if (!parsed.success) throw badInput(`${what} settings: ${describeIssues(parsed.error.issues, '')}`);
  return parsed.data;
}

const instanceName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'instance names are lowercase letters, digits and dashes, starting with a letter');

const instanceSchema = z.strictObject({
  /** Instance name; defaults to the provider kind. */
  instance: instanceName.optional(),
  /** Provider kind, for example `demo` or `prometheus`. */
  provider: z.string().min(1),
  /** Provider settings; strings may be `secret://` references. */
  config: z.record(z.string(), z.unknown()).optional(),
  /** Timeout for this instance's calls, in milliseconds. */
  timeoutMs: z.number().int().positive().optional(),
});

function fileSchema(sections: Readonly<Record<string, SectionSchema>>) {
  return z.strictObject({
    /** Refuse to start while any capability runs on demo data (default false; `OPSORCH_STRICT` wins). */
    strict: z.boolean().optional(),
    /** Default timeout for every provider call, in milliseconds (default 10000). */
    providerTimeoutMs: z.number().int().positive().optional(),
    /** Provider instances per capability. */
    capabilities: z
      .strictObject(Object.fromEntries(CAPABILITIES.map((c) => [c, z.array(instanceSchema).optional()])) as Record<Capability, z.ZodOptional<z.ZodArray<typeof instanceSchema>>>)
      .nullish(),
    // Each section is checked for unknown keys here and for its values by its owner, which first lays the
    // section's variables over it (a value may come from either).
    ...Object.fromEntries(Object.keys(sections).map((name) => [name, z.record(z.string(), z.unknown()).optional()])),
  });
}

/** Unknown keys of a section, at their place (`gateway.auth.apikeys`), as one error. */
function checkSectionKeys(name: string, schema: SectionSchema, value: unknown, fileName: string): void {
  const parsed = schema.safeParse(value, { error: friendlyErrors });
  if (parsed.success) return;
  const unknown = ((parsed.error?.issues ?? []) as z.core.$ZodIssue[]).filter((issue) => issue.code === 'unrecognized_keys');
  if (unknown.length > 0) throw badInput(`invalid configuration at ${fileName}: ${describeIssues(unknown, name)}`);
}

/**
 * One top-level section of the OPSORCH_CONFIG file as written (`{}` when absent), for a part of OpsOrch used on
 * its own (the console's dev server, tests); `readSettings` is what servers use, reading the file once.
 */
export function readConfigSection(env: Env, name: string): Record<string, unknown> {
  const fileName = env.OPSORCH_CONFIG?.trim();
  if (!fileName) return {};
  const section = (readConfigFile(fileName) as Record<string, unknown> | null)?.[name] ?? {};
  if (!section || typeof section !== 'object' || Array.isArray(section)) throw configError(`${fileName}: ${name}`, 'expected a mapping of settings');
  return section as Record<string, unknown>;
}

/** The OPSORCH_CONFIG file, parsed. */
function readConfigFile(fileName: string): unknown {
  let text: string;
  try {
    text = readFileSync(fileName, 'utf8');
  } catch {
    throw configError('OPSORCH_CONFIG', `cannot read ${fileName}`);
  }
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    throw configError(fileName, `not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
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

function booleanVariable(env: Env, name: string): boolean | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (/^(1|true|on|yes)$/i.test(raw)) return true;
  if (/^(0|false|off|no)$/i.test(raw)) return false;
  throw configError(name, `expected true or false, got "${raw}"`);
}

const CAPABILITY_VARIABLE = /^OPSORCH_([A-Z0-9]+)_(PROVIDER|CONFIG)$/;

/**
 * OPSORCH_* variables nobody reads. One that looks like a misspelled capability variable is an error (it would
 * otherwise leave the capability on demo data without a word); any other is a warning with the closest names.
 */
function unknownVariables(env: Env): string[] {
  const capabilityVariables = CAPABILITIES.flatMap((c) => [`${capabilityEnvPrefix(c)}_PROVIDER`, `${capabilityEnvPrefix(c)}_CONFIG`]);
  const known = new Set([...KNOWN_VARIABLES, ...capabilityVariables]);
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('OPSORCH_') || known.has(name) || env[name] === undefined) continue;
    const capabilityLike = CAPABILITY_VARIABLE.exec(name);
    if (capabilityLike) {
      const close = closeMatches(capabilityLike[1]!.toLowerCase(), CAPABILITIES, 1);
      if (close.length > 0) {
        throw configError(name, `unknown variable; did you mean ${capabilityEnvPrefix(close[0] as Capability)}_${capabilityLike[2]}?`);
      }
    }
    const close = closeMatches(name, [...known], 2).filter((c) => Math.abs(c.length - name.length) <= 3);
    warnings.push(`${name} is not an OpsOrch variable and is ignored${close.length ? `; did you mean ${close.join(' or ')}?` : ''}`);
  }
  return warnings;
}

/**
 * Reads the configuration once: `OPSORCH_CONFIG` (a YAML file) and the variables `OPSORCH_<CAPABILITY>_PROVIDER`
 * (`kind` or `name=kind`, comma separated to fan out) and `OPSORCH_<CAPABILITY>_CONFIG` (JSON: one instance's
 * settings, or an object keyed by instance name when several are listed). Variables win over the file. A
 * capability nothing configures is served by the demo world and listed in `demo`; in strict mode that, or a
 * chosen `demo`, is an error. Provider settings are checked against their kind's schema (secret references are
 * checked after they are resolved, by `resolveSettings`).
 */
export function readSettings(sources: SettingsSources): Settings {
  const { env, providers } = sources;
  const warnings = unknownVariables(env);
  const defaultTimeout = env.OPSORCH_PROVIDER_TIMEOUT_MS ? Number(env.OPSORCH_PROVIDER_TIMEOUT_MS) : undefined;
  if (defaultTimeout !== undefined && !(Number.isInteger(defaultTimeout) && defaultTimeout > 0)) {
    throw configError('OPSORCH_PROVIDER_TIMEOUT_MS', `expected a positive integer of milliseconds, got "${env.OPSORCH_PROVIDER_TIMEOUT_MS}"`);
  }
  const fileName = env.OPSORCH_CONFIG?.trim() || null;
  let file: z.output<ReturnType<typeof fileSchema>> = {};
  if (fileName) {
    file = parseStrict(fileSchema(sources.sections ?? {}), readConfigFile(fileName), fileName);
    for (const [name, schema] of Object.entries(sources.sections ?? {})) {
      const value = (file as Record<string, unknown>)[name];
      if (value !== undefined) checkSectionKeys(name, schema, value, fileName);
    }
  }
  const timeout = defaultTimeout ?? file.providerTimeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;

  const capabilities = {} as Record<Capability, InstanceSettings[]>;
  for (const capability of CAPABILITIES) {
    const prefix = capabilityEnvPrefix(capability);
    const providerVar = env[`${prefix}_PROVIDER`]?.trim();
    const configVar = env[`${prefix}_CONFIG`]?.trim();
    const fromFile = file.capabilities?.[capability];
    let instances: InstanceSettings[];
    if (providerVar) {
      instances = fromVariables(capability, providerVar, configVar, timeout);
    } else if (configVar) {
      throw configError(`${prefix}_CONFIG`, `it is set but ${prefix}_PROVIDER is not: name the provider kind (for example ${prefix}_PROVIDER=${kindsServing(providers, capability)[0] ?? 'plugin'})`);
    } else if (fromFile && fromFile.length > 0) {
      instances = fromFile.map((entry, index) => ({
        instance: entry.instance ?? entry.provider,
        kind: entry.provider,
        settings: entry.config ?? {},
        timeoutMs: entry.timeoutMs ?? timeout,
        where: `${fileName}: capabilities.${capability}[${index}]`,
        origin: 'file' as const,
      }));
      const names = instances.map((i) => i.instance);
      const twice = names.find((name, i) => names.indexOf(name) !== i);
      if (twice) throw configError(`${fileName}: capabilities.${capability}`, `instance names must be unique ("${twice}" is used twice); set "instance" to tell them apart`);
    } else {
      instances = [{ instance: DEMO_KIND, kind: DEMO_KIND, settings: {}, timeoutMs: timeout, where: `${prefix}_PROVIDER`, origin: 'default' }];
    }
    for (const instance of instances) checkInstance(capability, instance, providers);
    capabilities[capability] = instances;
  }

  const demo = CAPABILITIES.flatMap((capability) => {
    const instances = capabilities[capability].filter((i) => i.kind === DEMO_KIND);
    return instances.length === 0 ? [] : [{ capability, chosen: instances.some((i) => i.origin !== 'default') }];
  });
  const strict = booleanVariable(env, 'OPSORCH_STRICT') ?? file.strict ?? false;
  if (strict && demo.length > 0) {
    throw configError(
      booleanVariable(env, 'OPSORCH_STRICT') === undefined ? `${fileName}: strict` : 'OPSORCH_STRICT',
      `strict mode refuses to serve demo data, and these capabilities would: ${demo.map((d) => `${d.capability}${d.chosen ? ' (demo chosen)' : ' (nothing configured)'}`).join(', ')}; configure a real provider for each (${capabilityEnvPrefix(demo[0]!.capability)}_PROVIDER, or capabilities.${demo[0]!.capability} in OPSORCH_CONFIG)`,
    );
  }
  const sections = Object.fromEntries(Object.keys(sources.sections ?? {}).map((name) => [name, (file as Record<string, unknown>)[name]]));
  return { file: fileName, strict, capabilities, demo, resilience: resilienceFromEnv(env), sections, warnings };
}

/** `OPSORCH_<CAPABILITY>_PROVIDER` (+ `_CONFIG`): `kind`, `name=kind`, comma separated. */
function fromVariables(capability: Capability, providerVar: string, configVar: string | undefined, timeout: number): InstanceSettings[] {
  const prefix = capabilityEnvPrefix(capability);
  const entries = providerVar.split(',').map((s) => s.trim()).filter(Boolean);
  const named = entries.map((entry) => {
    const [name, kind] = entry.includes('=') ? entry.split('=', 2).map((s) => s.trim()) : [entry, entry];
    const checked = instanceName.safeParse(name);
    if (!checked.success) throw configError(`${prefix}_PROVIDER`, `"${name}": ${checked.error.issues[0]!.message}`);
    return { instance: name!, kind: kind! };
  });
  const names = new Set(named.map((i) => i.instance));
  if (names.size !== named.length) throw configError(`${prefix}_PROVIDER`, 'instance names must be unique; use name=kind to tell them apart');
  const raw = configVar ? parseJsonObject(configVar, `${prefix}_CONFIG`) : {};
  if (named.length > 1) {
    const unknown = Object.keys(raw).filter((key) => !names.has(key));
    if (unknown.length > 0) {
      const close = closeMatches(unknown[0]!, [...names], 1);
      throw configError(
        `${prefix}_CONFIG.${unknown[0]}`,
        `with several instances the settings are keyed by instance name, and "${unknown[0]}" is none of ${[...names].join(', ')}${close.length ? `; did you mean "${close[0]}"?` : ''}`,
      );
    }
  }
  return named.map(({ instance, kind }) => {
    const where = named.length === 1 ? `${prefix}_CONFIG` : `${prefix}_CONFIG.${instance}`;
    const own = named.length === 1 ? raw : (raw[instance] ?? {});
    if (!own || typeof own !== 'object' || Array.isArray(own)) throw configError(where, 'expected a JSON object of settings');
    // The variable form has no other place for the instance's timeout than its settings.
    const { timeoutMs, ...settings } = own as Record<string, unknown>;
    if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && Number.isInteger(timeoutMs) && timeoutMs > 0)) {
      throw configError(`${where}.timeoutMs`, 'expected a positive integer of milliseconds');
    }
    return { instance, kind, settings, timeoutMs: (timeoutMs as number | undefined) ?? timeout, where, origin: 'env' as const };
  });
}

function kindsServing(providers: SettingsSources['providers'], capability: Capability): string[] {
  return Object.entries(providers)
    .filter(([kind, module]) => kind !== DEMO_KIND && module.factories[capability])
    .map(([kind]) => kind);
}

/** The kind exists and serves the capability; its settings have no unknown or malformed key (secret references aside). */
function checkInstance(capability: Capability, instance: InstanceSettings, providers: SettingsSources['providers']): void {
  const kindWhere = instance.origin === 'file' ? `${instance.where}.provider` : `${capabilityEnvPrefix(capability)}_PROVIDER`;
  const module = Object.hasOwn(providers, instance.kind) ? providers[instance.kind] : undefined;
  if (!module) {
    const close = closeMatches(instance.kind, Object.keys(providers), 1);
    throw configError(
      kindWhere,
      `unknown provider kind "${instance.kind}"${close.length ? `; did you mean "${close[0]}"?` : ''} (known kinds: ${Object.keys(providers).join(', ')})`,
    );
  }
  if (!module.factories[capability]) {
    const serves = Object.keys(module.factories).join(', ');
    const others = kindsServing(providers, capability);
    throw configError(kindWhere, `provider "${instance.kind}" does not serve ${capability} (it serves: ${serves}); kinds that do: ${others.join(', ') || 'plugin'}`);
  }
  if (!module.settings) return;
  const parsed = module.settings.safeParse(instance.settings, { error: friendlyErrors });
  if (parsed.success) return;
  // A secret reference stands for a value that is checked once resolved; everything else is wrong already.
  const issues = parsed.error.issues.filter((issue) => !isSecretReference(valueAt(instance.settings, issue.path)));
  if (issues.length > 0) throw badInput(`invalid configuration at ${describeIssues(issues, settingsWhere(instance))}`);
}

/** `opsorch.yaml: capabilities.metrics[0].config` or `OPSORCH_METRICS_CONFIG`, and the key inside it. */
function settingsWhere(instance: InstanceSettings): string {
  return instance.origin === 'file' ? `${instance.where}.config` : instance.where;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let node = value;
  for (const key of path) node = node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}

function isSecretReference(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('secret://');
}

/** Errors name the place inside the settings: `OPSORCH_METRICS_CONFIG.url`, `opsorch.yaml: capabilities.metrics[0].config.url`. */
function parseInstance(instance: InstanceSettings, resolved: unknown, providers: SettingsSources['providers']): InstanceConfig {
  const module = providers[instance.kind]!;
  const where = settingsWhere(instance);
  let settings: unknown = resolved;
  if (module.settings) {
    const parsed = module.settings.safeParse(resolved, { error: friendlyErrors });
    if (!parsed.success) throw badInput(`invalid configuration at ${describeIssues(parsed.error.issues, where)}`);
    settings = parsed.data;
  }
  return { instance: instance.instance, kind: instance.kind, settings, timeoutMs: instance.timeoutMs };
}

/**
 * Resolves every `secret://` reference (env and file only: remote backends need `resolveSettings`) and parses
 * each instance's settings with its kind's schema.
 */
export function resolveSettingsSync(settings: Settings, providers: SettingsSources['providers'], env: Env): OpsOrchConfig {
  const config = {} as OpsOrchConfig;
  for (const capability of CAPABILITIES) {
    config[capability] = settings.capabilities[capability].map((instance) =>
      parseInstance(instance, resolveSecretsIn(instance.settings, { env }, settingsWhere(instance)), providers),
    );
  }
  return config;
}

/**
 * Resolves every `secret://` reference, remote backends included (Vault, AWS Secrets Manager: read over the
 * network once, in parallel), and parses each instance's settings with its kind's schema.
 */
export async function resolveSettings(settings: Settings, providers: SettingsSources['providers'], backends: SecretBackends): Promise<OpsOrchConfig> {
  const config = {} as OpsOrchConfig;
  await Promise.all(
    CAPABILITIES.map(async (capability) => {
      config[capability] = await Promise.all(
        settings.capabilities[capability].map(async (instance) =>
          parseInstance(instance, await resolveSecretsInAsync(instance.settings, backends, settingsWhere(instance)), providers),
        ),
      );
    }),
  );
  return config;
}

/** One line for the start-up log and `opsorch check`: which capabilities answer with made-up data. */
export function describeDemo(demo: readonly DemoCapability[]): string | null {
  if (demo.length === 0) return null;
  const unconfigured = demo.filter((d) => !d.chosen).map((d) => d.capability);
  const chosen = demo.filter((d) => d.chosen).map((d) => d.capability);
  const parts = [
    unconfigured.length ? `${unconfigured.join(', ')} (nothing configured)` : '',
    chosen.length ? `${chosen.join(', ')} (demo chosen)` : '',
  ].filter(Boolean);
  return `DEMO DATA: ${parts.join('; ')} answer from the built-in demo world, not from your tools. Configure OPSORCH_<CAPABILITY>_PROVIDER or capabilities.<capability> in OPSORCH_CONFIG; OPSORCH_STRICT=true refuses to start while any capability runs on demo data.`;
}
