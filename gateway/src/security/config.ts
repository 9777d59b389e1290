import { z } from 'zod';
import { formatPath, resolveSecretsIn, type Env } from '@opsorch/adapters';
import { isScope } from './scopes.ts';

/** Thrown at start-up when the `gateway:` settings are wrong; the message names the key or variable to fix. */
export class SecurityConfigError extends Error {
  override name = 'SecurityConfigError';
}

const scope = z.string().refine(isScope, {
  message: 'a scope is `<capability>:<read|write|*>` (for example `incidents:read`), `*:read`, `*:write` or `*`',
});
const environmentName = z.string().regex(/^(\*|[a-z0-9][a-z0-9_-]*)$/, 'an environment is a lowercase name such as `production`, or `*`');
const scopeOrEnvironment = z.string().refine((value) => isScope(value) || /^env:(\*|[a-z0-9][a-z0-9_-]*)$/.test(value), {
  message: 'a scope is `<capability>:<read|write|*>`, `*:read`, `*:write`, `*`, or an environment `env:<name>`',
});

/** Fields whose resolvers read production whatever the request says (see their descriptions in the schema). */
const FIELD_ENVIRONMENTS: Record<string, string> = {
  'Service.goldenSignals': 'production',
  'Incident.deploymentsBefore': 'production',
};

const rateLimit = z.strictObject({
  /** Sustained requests per minute per actor; 0 turns the limit off. */
  requestsPerMinute: z.number().int().min(0),
  /** Requests an actor may send at once before the per-minute rate applies (default: a tenth of a minute's worth, at least 10). */
  burst: z.number().int().positive().optional(),
});

const apiKey = z.strictObject({
  /** Name of the key: the actor id in audit lines and timelines (`ci-bot`, `claude-desktop`). */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'key names are letters, digits and . _ @ -'),
  /** `sha256:<64 hex digits>` of the key; `opsorch keygen` prints a key and its hash. The key itself is never stored. */
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected `sha256:` followed by 64 lowercase hex digits (run `opsorch keygen`)'),
  /** What the key may do: `incidents:read`, `incidents:write`, `*:read`, `*`... */
  scopes: z.array(scope).min(1),
  /** Environments the key may read and act on (default every one: `["*"]`). */
  environments: z.array(environmentName).min(1).default(['*']),
  /** Who uses the key: a person, an LLM agent (marked as such in the audit log) or a service (default). */
  actor: z.enum(['user', 'agent', 'service']).default('service'),
  /** Overrides the per-actor rate limit for this key. */
  rateLimit: rateLimit.optional(),
});

const jwt = z.strictObject({
  /** JSON Web Key Set of the identity provider; keys are re-fetched when a token names an unknown `kid` (rotation). */
  jwksUrl: z.url(),
  /** Required `iss` claim. */
  issuer: z.string().min(1),
  /** Required `aud` claim (one of). */
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** Accepted signing algorithms (default RS256 and ES256). */
  algorithms: z.array(z.string()).min(1).default(['RS256', 'ES256']),
  /** Allowed clock skew in seconds (default 30). */
  clockToleranceSeconds: z.number().int().min(0).default(30),
  /** Claim with the scopes: a space-separated string or an array (default `scope`; `scp` is read too). */
  scopesClaim: z.string().default('scope'),
  /** Claim naming the actor (default `sub`; `email` is a common choice). */
  actorClaim: z.string().default('sub'),
  /** Claim that marks an agent's token when its value is `agent` (default `opsorch_actor`). */
  actorKindClaim: z.string().default('opsorch_actor'),
  /** Claim listing allowed environments; `env:<name>` scopes count too. Neither present means every environment. */
  environmentsClaim: z.string().default('opsorch_environments'),
  /** Claim with the person's groups at the identity provider (default `groups`), read for `groupScopes`. */
  groupsClaim: z.string().default('groups'),
  /**
   * Scopes a token gets from its groups, on top of its scope claim: `{ sre: ["*:read", "incidents:write"],
   * staging-team: ["*:read", "env:staging"] }`. `env:<name>` entries limit the environments as they do in scopes.
   */
  groupScopes: z.record(z.string().min(1), z.array(scopeOrEnvironment).min(1)).default({}),
  /** Minimum seconds between two fetches of the key set (default 30). */
  jwksCooldownSeconds: z.number().min(0).default(30),
  /** Seconds a fetched key set is trusted before it is fetched again (default 600). */
  jwksCacheMaxAgeSeconds: z.number().positive().default(600),
  /** Timeout of one key-set fetch in milliseconds (default 5000). */
  jwksTimeoutMs: z.number().int().positive().default(5000),
});

const auditSink = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('stdout') }),
  z.strictObject({
    type: z.literal('file'),
    /** Appended to as JSON lines. */
    path: z.string().min(1),
  }),
  z.strictObject({
    type: z.literal('webhook'),
    /** Receives POSTs of `{ "records": [...] }`. */
    url: z.url(),
    /** Extra headers (values may be `secret://` references). */
    headers: z.record(z.string(), z.string()).default({}),
    /** Per-POST timeout in milliseconds (default 5000). */
    timeoutMs: z.number().int().positive().default(5000),
    /** Records per POST (default 100). */
    batchSize: z.number().int().positive().default(100),
    /** Records kept while the webhook is slow or down; older ones are dropped and counted (default 10000). */
    maxQueue: z.number().int().positive().default(10_000),
  }),
]);

const hostName = z
  .string()
  .regex(/^(\*|\[[0-9a-fA-F:.]+\](:\d+)?|[A-Za-z0-9.-]+(:\d+)?)$/, 'a host is a name or address with an optional port (`ops.example.com`, `ops.example.com:8443`), or `*`');
const origin = z.string().regex(/^https?:\/\/[^/\s]+$/, 'an origin is `http(s)://host[:port]` without a path (`https://ops.example.com`)');

export const gatewaySecuritySchema = z.object({
  http: z
    .strictObject({
      /**
       * Host names (optionally with a port) the gateway answers on every route, beyond localhost, 127.0.0.1, [::1]
       * and IP addresses: DNS-rebinding protection. `*` turns the check off (only behind a proxy that checks Host).
       */
      allowedHosts: z.array(hostName).default([]),
      /** Browser origins allowed to call the gateway beyond its own origin and loopback ones (`https://ops.example.com`). */
      allowedOrigins: z.array(origin).default([]),
    })
    .default({ allowedHosts: [], allowedOrigins: [] }),
  subgraphs: z
    .strictObject({
      /**
       * Key the gateway signs its requests to subgraph servers with, and they verify (a `secret://` reference,
       * at least 32 bytes). Required by `opsorch subgraph` and by a gateway with OPSORCH_SUBGRAPH_URLS.
       */
      signingKey: z.string().startsWith('secret://', 'give the key as a secret reference such as secret://env/OPSORCH_SUBGRAPH_KEY, never inline').optional(),
      /** Seconds a request token is valid (default 30). */
      tokenTtlSeconds: z.number().int().min(5).max(300).default(30),
      /**
       * `token` (default): a subgraph server answers only requests signed by the gateway. `network`: it trusts the
       * forwarded headers of whoever reaches it (only behind another router, with a NetworkPolicy; logged loudly).
       */
      trust: z.enum(['token', 'network']).default('token'),
    })
    .default({ tokenTtlSeconds: 30, trust: 'token' }),
  auth: z
    .strictObject({
      /**
       * Requests without credentials. Default: allowed with every scope when no API key and no JWT issuer is
       * configured (the demo), refused otherwise.
       */
      anonymous: z
        .strictObject({
          enabled: z.boolean(),
          scopes: z.array(scope).default(['*']),
          environments: z.array(environmentName).min(1).default(['*']),
        })
        .optional(),
      apiKeys: z.array(apiKey).default([]),
      jwt: jwt.optional(),
      /**
       * Failed authentications allowed per client address: `burst` at once, then `requestsPerMinute`. Past it,
       * every request from that address is answered 429 until a token is back, before any credential is checked
       * (default 10 a minute, burst 20; `requestsPerMinute: 0` turns it off).
       */
      failureRateLimit: rateLimit.optional(),
    })
    .default({ apiKeys: [] }),
  authorization: z
    .strictObject({
      /**
       * Fields that always read one environment although they take none (schema coordinate → environment):
       * a credential must hold that environment to select them. The defaults are the demo schema's.
       */
      fieldEnvironments: z.record(z.string().regex(/^[A-Z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*$/, 'keys are schema coordinates such as Service.goldenSignals'), environmentName).default(FIELD_ENVIRONMENTS),
    })
    .default({ fieldEnvironments: FIELD_ENVIRONMENTS }),
  audit: z
    .strictObject({
      /** Where audit records go (default stdout as JSON lines); an empty list turns auditing off. */
      sinks: z.array(auditSink).default([{ type: 'stdout' }]),
      /** Also audit successful reads, not only mutations and denied requests (default false). */
      reads: z.boolean().default(false),
      /** More variable names (case-insensitive substrings) whose values are redacted. */
      redactVariables: z.array(z.string().min(1)).default([]),
      /**
       * Failed authentications from one client address, for one reason, write one line per window: the first at
       * once, the rest as one line counting them when the window ends (default 60 seconds).
       */
      failureWindowSeconds: z.number().positive().default(60),
    })
    .default({ sinks: [{ type: 'stdout' }], reads: false, redactVariables: [], failureWindowSeconds: 60 }),
  limits: z
    .strictObject({
      /** Deepest selection nesting accepted (default 15). */
      maxDepth: z.number().int().positive().default(15),
      /** Most aliased fields in one operation (default 100). */
      maxAliases: z.number().int().min(0).default(100),
      /** Highest estimated cost (see docs/decisions: objects cost 1, lists multiply by `first`) (default 50000). */
      maxCost: z.number().int().positive().default(50_000),
      /** Most tokens (names, punctuation, values) in one operation document; parsing stops past it (default 5000). */
      maxTokens: z.number().int().positive().default(5_000),
      /** Most fields selected on one object, `__typename` and aliases included (default 100). */
      maxFieldsPerSelection: z.number().int().positive().default(100),
      /** Most values the answer may hold by estimate: every selected field times the lists around it (default 1000000). */
      maxResponseValues: z.number().int().positive().default(1_000_000),
      /** Largest answer in bytes; a bigger one is replaced by a RESPONSE_TOO_LARGE error (default 33554432, 32 MiB). */
      maxResponseBytes: z.number().int().positive().default(32 * 2 ** 20),
      /** Cost of one log search (text or field filters), which may scan a provider's whole budget; regexes add by complexity (default 2500). */
      logSearchCost: z.number().int().min(0).default(2_500),
      /** Assumed size of a list field that takes no `first` (default 10). */
      defaultListSize: z.number().int().positive().default(10),
      /** Largest request body in bytes (default 1000000). */
      maxBodyBytes: z.number().int().positive().default(1_000_000),
      /** Schema introspection (`__schema`, `__type`) allowed (default true). */
      introspection: z.boolean().default(true),
      /** Per-actor rate limit. Default: 600 a minute with a burst of 100 once credentials are configured; off in the open demo. */
      rateLimit: rateLimit.optional(),
    })
    .default({
      maxDepth: 15,
      maxAliases: 100,
      maxCost: 50_000,
      maxTokens: 5_000,
      maxFieldsPerSelection: 100,
      maxResponseValues: 1_000_000,
      maxResponseBytes: 32 * 2 ** 20,
      logSearchCost: 2_500,
      defaultListSize: 10,
      maxBodyBytes: 1_000_000,
      introspection: true,
    }),
  persistedOperations: z
    .strictObject({
      /** Automatic persisted queries (hash first, full text once) (default true). */
      apq: z.boolean().default(true),
      /** `open` runs any operation; `trusted` runs only the operations in `manifest`. */
      mode: z.enum(['open', 'trusted']).default('open'),
      /** Trusted-documents manifest (apollo-persisted-query-manifest JSON); default the generated one. */
      manifest: z.string().min(1).optional(),
      /** Seconds an APQ entry lives (default 86400). */
      apqTtlSeconds: z.number().int().positive().default(86_400),
    })
    .default({ apq: true, mode: 'open', apqTtlSeconds: 86_400 }),
  caches: z
    .strictObject({
      /** Shared cache for APQ across replicas, `redis://[:password@]host:port[/db]` (may be a secret:// reference). */
      redisUrl: z.string().min(1).optional(),
      /** In-memory APQ cache size in MiB when no Redis is configured (default 16). */
      apqMiB: z.number().positive().default(16),
      /** Parsed and validated client documents, in MiB of heap they hold, tokens and source included (default 30). */
      documentsMiB: z.number().positive().default(30),
      /** Query plans, in MiB (default 30). */
      queryPlansMiB: z.number().positive().default(30),
      /** Parsed subgraph fetch documents per in-process subgraph (default 1000). */
      subgraphDocuments: z.number().int().positive().default(1000),
      /** Per-actor rate-limit buckets kept in memory (default 100000). */
      rateLimitActors: z.number().int().positive().default(100_000),
    })
    .default({ apqMiB: 16, documentsMiB: 30, queryPlansMiB: 30, subgraphDocuments: 1000, rateLimitActors: 100_000 }),
});

/** The `gateway:` section of OPSORCH_CONFIG as the settings module checks it: an unknown key is an error. */
export const gatewaySectionSchema = z.strictObject(gatewaySecuritySchema.shape);

export type SecurityConfig = z.infer<typeof gatewaySecuritySchema>;
export type ApiKeyConfig = SecurityConfig['auth']['apiKeys'][number];
export type JwtConfig = NonNullable<SecurityConfig['auth']['jwt']>;
export type AuditSinkConfig = SecurityConfig['audit']['sinks'][number];

/** Keys of the `gateway:` section security reads. */
const SECURITY_KEYS = ['auth', 'authorization', 'audit', 'limits', 'persistedOperations', 'caches', 'http', 'subgraphs'] as const;

type Overlay = { path: string[]; variable: string; value: unknown };

function boolean(variable: string, text: string): boolean {
  if (/^(1|true|on|yes)$/i.test(text)) return true;
  if (/^(0|false|off|no)$/i.test(text)) return false;
  throw new SecurityConfigError(`${variable}: expected true or false, got "${text}"`);
}

function integer(variable: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new SecurityConfigError(`${variable}: expected a whole number, got "${text}"`);
  return value;
}

function json(variable: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SecurityConfigError(`${variable}: not valid JSON (${(error as Error).message})`);
  }
}

/** `a,b,c` */
function list(_variable: string, text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/** `stdout,file:/var/log/audit.jsonl,webhook:https://siem.example/hook` */
function auditSinks(variable: string, text: string): unknown[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      if (entry === 'stdout') return { type: 'stdout' };
      if (entry === 'off' || entry === 'none') return null;
      if (entry.startsWith('file:')) return { type: 'file', path: entry.slice(5) };
      if (entry.startsWith('webhook:')) return { type: 'webhook', url: entry.slice(8) };
      throw new SecurityConfigError(`${variable}: unknown sink "${entry}"; use stdout, file:<path>, webhook:<url> or off`);
    })
    .filter((sink) => sink !== null);
}

/** Environment variables, each mapped to its key of the `gateway:` section (env wins over the file). */
function envOverlays(env: Env): Overlay[] {
  const table: [string, string[], (variable: string, text: string) => unknown][] = [
    ['OPSORCH_ANONYMOUS', ['auth', 'anonymous', 'enabled'], boolean],
    ['OPSORCH_API_KEYS', ['auth', 'apiKeys'], json],
    ['OPSORCH_JWT_JWKS_URL', ['auth', 'jwt', 'jwksUrl'], (_v, t) => t],
    ['OPSORCH_JWT_ISSUER', ['auth', 'jwt', 'issuer'], (_v, t) => t],
    ['OPSORCH_JWT_AUDIENCE', ['auth', 'jwt', 'audience'], (_v, t) => t],
    ['OPSORCH_AUTH_FAILURES_PER_MINUTE', ['auth', 'failureRateLimit', 'requestsPerMinute'], integer],
    ['OPSORCH_AUDIT_SINKS', ['audit', 'sinks'], auditSinks],
    ['OPSORCH_MAX_DEPTH', ['limits', 'maxDepth'], integer],
    ['OPSORCH_MAX_ALIASES', ['limits', 'maxAliases'], integer],
    ['OPSORCH_MAX_COST', ['limits', 'maxCost'], integer],
    ['OPSORCH_MAX_TOKENS', ['limits', 'maxTokens'], integer],
    ['OPSORCH_LOG_SEARCH_COST', ['limits', 'logSearchCost'], integer],
    ['OPSORCH_MAX_FIELDS_PER_SELECTION', ['limits', 'maxFieldsPerSelection'], integer],
    ['OPSORCH_MAX_RESPONSE_VALUES', ['limits', 'maxResponseValues'], integer],
    ['OPSORCH_MAX_RESPONSE_BYTES', ['limits', 'maxResponseBytes'], integer],
    ['OPSORCH_MAX_BODY_BYTES', ['limits', 'maxBodyBytes'], integer],
    ['OPSORCH_INTROSPECTION', ['limits', 'introspection'], boolean],
    ['OPSORCH_RATE_LIMIT_PER_MINUTE', ['limits', 'rateLimit', 'requestsPerMinute'], integer],
    ['OPSORCH_APQ', ['persistedOperations', 'apq'], boolean],
    ['OPSORCH_TRUSTED_DOCUMENTS', ['persistedOperations', 'manifest'], (_v, t) => t],
    ['OPSORCH_REDIS_URL', ['caches', 'redisUrl'], (_v, t) => t],
    // The MCP endpoint's older names of the same lists (the allow-list covers every route now); the general ones win.
    ['OPSORCH_MCP_ALLOWED_HOSTS', ['http', 'allowedHosts'], list],
    ['OPSORCH_MCP_ALLOWED_ORIGINS', ['http', 'allowedOrigins'], list],
    ['OPSORCH_ALLOWED_HOSTS', ['http', 'allowedHosts'], list],
    ['OPSORCH_ALLOWED_ORIGINS', ['http', 'allowedOrigins'], list],
    ['OPSORCH_SUBGRAPH_SIGNING_KEY', ['subgraphs', 'signingKey'], (_v, t) => t],
    ['OPSORCH_SUBGRAPH_TRUST', ['subgraphs', 'trust'], (_v, t) => t],
  ];
  const overlays: Overlay[] = [];
  for (const [variable, path, read] of table) {
    const text = env[variable]?.trim();
    if (text) overlays.push({ variable, path, value: read(variable, text) });
  }
  // A manifest given by variable means trusted mode: naming one and still running anything would be a surprise.
  if (env.OPSORCH_TRUSTED_DOCUMENTS?.trim()) {
    overlays.push({ variable: 'OPSORCH_TRUSTED_DOCUMENTS', path: ['persistedOperations', 'mode'], value: 'trusted' });
  }
  return overlays;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = node[key] = next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as object) } : {};
  }
  node[path[path.length - 1]!] = value;
}

export interface LoadedSecurityConfig {
  config: SecurityConfig;
  /** True when no API key and no JWT issuer is configured: the open demo defaults apply. */
  demoDefaults: boolean;
}

/** A cache size in MiB as the whole, positive number of bytes the LRU caches require (0.1 MiB is 104,858 bytes). */
export function mibBytes(mib: number): number {
  return Math.max(1, Math.round(mib * 2 ** 20));
}

/**
 * Validates the gateway's security settings once at start-up: the `gateway:` section of the OPSORCH_CONFIG file
 * (read by the settings module, adapters/src/settings.ts: its auth, authorization, audit, limits,
 * persistedOperations and caches keys), overlaid with the OPSORCH_* variables. Errors name the file key or
 * variable to fix. `secret://` references in webhook headers and the Redis URL are resolved here and scrubbed
 * from logs from then on.
 */
export function loadSecurityConfig(env: Env, gatewaySection: unknown = {}): LoadedSecurityConfig {
  const section = (gatewaySection ?? {}) as Record<string, unknown>;
  const file = env.OPSORCH_CONFIG?.trim() || null;
  const raw: Record<string, unknown> = {};
  for (const key of SECURITY_KEYS) if (section[key] !== undefined) raw[key] = section[key];
  const overlays = envOverlays(env);
  for (const overlay of overlays) setPath(raw, overlay.path, overlay.value);

  const parsed = gatewaySecuritySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String);
    const fromEnv = overlays.find((o) => o.path.every((key, i) => path[i] === key));
    const where = fromEnv ? fromEnv.variable : `${file ?? 'gateway settings'}: ${formatPath('gateway', issue.path)}`;
    throw new SecurityConfigError(`invalid configuration at ${where}: ${issue.message}`);
  }
  const config = parsed.data;
  const names = config.auth.apiKeys.map((k) => k.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new SecurityConfigError(`invalid configuration at gateway.auth.apiKeys: the name "${duplicate}" is used twice`);
  const hashes = config.auth.apiKeys.map((k) => k.hash);
  if (new Set(hashes).size !== hashes.length) throw new SecurityConfigError('invalid configuration at gateway.auth.apiKeys: two keys have the same hash');
  if (config.persistedOperations.mode === 'trusted' && !config.persistedOperations.manifest) {
    config.persistedOperations.manifest = DEFAULT_MANIFEST;
  }

  // Resolve secret references (and remember their values for scrubbing) only after validation.
  const backends = { env: env as NodeJS.ProcessEnv };
  for (const [index, sink] of config.audit.sinks.entries()) {
    if (sink.type === 'webhook') {
      sink.headers = resolveSecretsIn(sink.headers, backends, `gateway.audit.sinks[${index}].headers`) as Record<string, string>;
    }
  }
  if (config.caches.redisUrl) {
    config.caches.redisUrl = resolveSecretsIn(config.caches.redisUrl, backends, 'gateway.caches.redisUrl') as string;
  }
  if (config.subgraphs.signingKey) {
    config.subgraphs.signingKey = resolveSecretsIn(config.subgraphs.signingKey, backends, 'gateway.subgraphs.signingKey') as string;
  }
  const demoDefaults = config.auth.apiKeys.length === 0 && !config.auth.jwt;
  return { config, demoDefaults };
}

/** The manifest `npm run codegen` writes from the console's and the MCP server's operations. */
export const DEFAULT_MANIFEST = new URL('../../generated/trusted-documents.json', import.meta.url).pathname;
