// The console's own settings: how people sign in, where sessions live, and the limits of its routes. Read
// once at start-up from the `console:` section of OPSORCH_CONFIG (as the settings module read it, decision 012)
// and the OPSORCH_CONSOLE_* variables (a variable wins over the file); errors name the key or variable to fix.
// Secrets are `secret://` references.
import { z } from 'zod';
import { readConfigSection, resolveSecretsInAsync, secretBackendsFromEnv, type Env } from '@opsorch/adapters';

/** Thrown at start-up when the console's settings are wrong; the message names what to fix. */
export class ConsoleSettingsError extends Error {
  override name = 'ConsoleSettingsError';
}

const url = z.url();

const signInSchema = z.strictObject({
  /** The OpenID provider's issuer URL; its `/.well-known/openid-configuration` is read on first use. */
  issuer: url,
  /** The console's client id at the provider. */
  clientId: z.string().min(1),
  /** The client secret, as a `secret://` reference (env, file, vault, aws). */
  clientSecret: z.string().min(1),
  /** How the client secret is sent to the token endpoint (default `client_secret_basic`). */
  tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
  /** Where the provider sends people back: `<console URL>/auth/callback`, registered at the provider. */
  redirectUrl: url.refine((u) => new URL(u).pathname.endsWith('/auth/callback'), 'the redirect URL ends with /auth/callback'),
  /** Where the provider sends people after logout (default `<console URL>/auth/signed-out`; register it too). */
  postLogoutRedirectUrl: url.optional(),
  /** Scopes asked for (default openid, profile, email and offline_access, which brings a refresh token). */
  scopes: z.array(z.string().min(1)).min(1).default(['openid', 'profile', 'email', 'offline_access']),
  /** Claim of the ID token with the person's groups, shown on their page (default `groups`). */
  groupsClaim: z.string().min(1).default('groups'),
  /** The access token is refreshed when it expires within this many seconds (default 60). */
  refreshBeforeSeconds: z.number().int().min(0).default(60),
  /** Which token goes to the API: the access token (default) or the ID token, for providers whose access tokens are opaque. */
  forwardToken: z.enum(['access', 'id']).default('access'),
});

const sessionsSchema = z.strictObject({
  /** Signs the session and CSRF cookies (at least 32 characters; a `secret://` reference). Several: the first signs, all verify (rotation). */
  secrets: z.array(z.string().min(1)).min(1).optional(),
  /** Sessions in Redis, shared by every replica: `redis://[:password@]host:port[/db]` (a `secret://` reference is fine). Default: in memory. */
  redisUrl: z.string().min(1).optional(),
  /** Longest a session lasts, in seconds, however active (default 43200: 12 hours). */
  maxAgeSeconds: z.number().int().positive().default(43_200),
  /** Sessions kept in memory when there is no Redis (default 10000; the least recently used go first). */
  memoryMaxSessions: z.number().int().positive().default(10_000),
});

export const consoleSettingsSchema = z.strictObject({
  /** OpenID Connect sign-in. Without it the console acts anonymously, or with the kiosk key. */
  signIn: signInSchema.optional(),
  sessions: sessionsSchema.default({ maxAgeSeconds: 43_200, memoryMaxSessions: 10_000 }),
  /**
   * Kiosk mode: everyone who reaches the console acts with this one API key (a `secret://` reference). Only
   * for a wall screen or a closed network; it is logged at warn level on start-up and shown on every page.
   */
  kiosk: z.strictObject({ apiKey: z.string().min(1) }).optional(),
  /** Largest request body a console route reads, in bytes; larger ones get 413 before anything is parsed (default 1 MiB). */
  maxBodyBytes: z.number().int().positive().default(1_048_576),
});

export type ConsoleSettings = z.infer<typeof consoleSettingsSchema>;
export type SignInSettings = NonNullable<ConsoleSettings['signIn']>;

function list(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** Variables and the key of the `console:` section each one sets. */
const VARIABLES: [string, string[], (text: string) => unknown][] = [
  ['OPSORCH_CONSOLE_OIDC_ISSUER', ['signIn', 'issuer'], (t) => t],
  ['OPSORCH_CONSOLE_OIDC_CLIENT_ID', ['signIn', 'clientId'], (t) => t],
  ['OPSORCH_CONSOLE_OIDC_CLIENT_SECRET', ['signIn', 'clientSecret'], (t) => t],
  ['OPSORCH_CONSOLE_OIDC_REDIRECT_URL', ['signIn', 'redirectUrl'], (t) => t],
  ['OPSORCH_CONSOLE_OIDC_SCOPES', ['signIn', 'scopes'], list],
  ['OPSORCH_CONSOLE_SESSION_SECRET', ['sessions', 'secrets'], list],
  ['OPSORCH_CONSOLE_REDIS_URL', ['sessions', 'redisUrl'], (t) => t],
  ['OPSORCH_CONSOLE_API_KEY', ['kiosk', 'apiKey'], (t) => t],
  ['OPSORCH_CONSOLE_MAX_BODY_BYTES', ['maxBodyBytes'], (t) => (/^\d+$/.test(t) ? Number(t) : t)],
];

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = node[key] = next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as object) } : {};
  }
  node[path[path.length - 1]!] = value;
}

/** The `console:` section: as the gateway's settings read it, or from the file when the console runs on its own. */
function fileSection(env: Env, given: unknown): { section: Record<string, unknown>; file: string | null } {
  const file = env.OPSORCH_CONFIG?.trim() || null;
  if (given !== undefined) return { section: (given ?? {}) as Record<string, unknown>, file };
  try {
    return { section: readConfigSection(env, 'console'), file };
  } catch (error) {
    throw new ConsoleSettingsError((error as Error).message);
  }
}

/** Whether a URL is served on this machine only (http is accepted there, for development and tests). */
export function isLoopbackUrl(value: string): boolean {
  const host = new URL(value).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The console's settings, validated, with secret references resolved. Kiosk mode must be asked for
 * explicitly (`OPSORCH_CONSOLE_KIOSK=true` with the key): a key alone would silently let every visitor act with it.
 */
export async function loadConsoleSettings(env: Env, section?: unknown): Promise<ConsoleSettings> {
  const { section: fromFile, file } = fileSection(env, section);
  const raw: Record<string, unknown> = structuredClone(fromFile);
  const fromEnv = new Map<string, string>();
  for (const [variable, path, read] of VARIABLES) {
    const text = env[variable]?.trim();
    if (!text) continue;
    setPath(raw, path, read(text));
    fromEnv.set(path.join('.'), variable);
  }
  if (env.OPSORCH_CONSOLE_API_KEY?.trim() && !/^(1|true|on|yes)$/i.test(env.OPSORCH_CONSOLE_KIOSK ?? '')) {
    throw new ConsoleSettingsError(
      'OPSORCH_CONSOLE_API_KEY is set without OPSORCH_CONSOLE_KIOSK=true: every visitor of the console would act with that key. ' +
        'Configure sign-in (console.signIn, see the README), or set OPSORCH_CONSOLE_KIOSK=true to accept kiosk mode.',
    );
  }
  const parsed = consoleSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String);
    const variable = [...fromEnv].find(([key]) => path.join('.').startsWith(key))?.[1];
    const where = variable ?? `${file ?? 'console settings'}: console.${path.join('.')}`;
    throw new ConsoleSettingsError(`invalid configuration at ${where}: ${issue.message}`);
  }
  const settings = parsed.data;
  if (settings.signIn && settings.kiosk) {
    throw new ConsoleSettingsError('console.signIn and console.kiosk are both set: people sign in, or everyone shares the kiosk key, not both.');
  }
  if (settings.signIn) {
    if (!settings.sessions.secrets) {
      throw new ConsoleSettingsError('console.sessions.secrets (or OPSORCH_CONSOLE_SESSION_SECRET) is required with sign-in: it signs the session cookies.');
    }
    if (!settings.signIn.clientSecret.startsWith('secret://')) {
      throw new ConsoleSettingsError('console.signIn.clientSecret must be a secret:// reference (secret://env/NAME, secret://file/PATH...), never the secret itself.');
    }
    for (const key of ['issuer', 'redirectUrl'] as const) {
      const value = settings.signIn[key];
      if (!value.startsWith('https://') && !isLoopbackUrl(value)) throw new ConsoleSettingsError(`console.signIn.${key}: ${value} must use https (http only on localhost).`);
    }
  }
  const resolved = (await resolveSecretsInAsync(settings, secretBackendsFromEnv(env), 'console')) as ConsoleSettings;
  // Checked once references are resolved: a reference is short, the secret behind it must not be.
  if (resolved.sessions.secrets?.some((secret) => secret.length < 32)) {
    throw new ConsoleSettingsError(`invalid configuration at ${fromEnv.get('sessions.secrets') ?? 'console.sessions.secrets'}: a session secret has at least 32 characters`);
  }
  return resolved;
}
