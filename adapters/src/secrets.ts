import { readFileSync } from 'node:fs';
import { OpsOrchError } from './errors.ts';
import type { Env } from './capabilities.ts';

/** Secret values resolved so far; every log line and error message is scrubbed of them. */
const knownSecrets = new Set<string>();

export function rememberSecret(value: string): void {
  // Very short values would scrub ordinary words out of messages; they are not secrets worth the name.
  if (value.length < 4) return;
  // The forms a secret takes on its way out: as it is, URL-encoded (a query string, a form body), base64 (a header
  // value an upstream echoes back), and escaped inside a JSON string (a log line, scrubbed as it is written).
  const forms = [value, encodeURIComponent(value), Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url'), JSON.stringify(value).slice(1, -1)];
  for (const form of forms) knownSecrets.add(form.replace(/=+$/, ''));
}

/**
 * Shapes of credentials whatever their value: `Basic`/`Bearer` authorization values (also URL-encoded), JWTs,
 * OpsOrch API keys, and values of credential-carrying headers echoed as `name: value` or `name=value`.
 * Linear expressions over OpsOrch's own text, never a user's pattern.
 */
const CREDENTIAL_SHAPES: [RegExp, string][] = [
  [/\b(Basic|Bearer)(\s+|%20|\+)[A-Za-z0-9+/=._~%:-]{6,}/gi, '$1$2[REDACTED]'],
  [/\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, '[REDACTED]'],
  [/\boo_[\w-]{20,}/g, '[REDACTED]'],
  [/\b(authorization|proxy-authorization|x-api-key|api-key|apikey|private-token|x-auth-token|cookie|set-cookie)(["']?\s*[:=]\s*["']?)(?!\[REDACTED\])[^"'\s,;&}\]]+/gi, '$1$2[REDACTED]'],
];

/**
 * Replaces every resolved secret value (and its URL-encoded and base64 forms) in `text` with `[REDACTED]`, and
 * every credential-shaped string whatever its value: what an upstream echoes back never reaches a log or a client.
 */
export function redactSecrets(text: string): string {
  let result = text;
  for (const secret of knownSecrets) {
    if (result.includes(secret)) result = result.split(secret).join('[REDACTED]');
  }
  for (const [shape, replacement] of CREDENTIAL_SHAPES) result = result.replace(shape, replacement);
  return result;
}

/** A parsed `secret://<backend>/<path>[?params][#key]` reference, with where it was found (for errors). */
export interface SecretReference {
  ref: string;
  backend: string;
  path: string;
  /** The part after `#`: a key inside a secret that holds several (Vault KV, a JSON secret in AWS). */
  key: string | null;
  params: URLSearchParams;
  where: string;
}

/** A place secrets are read from at start-up (Vault, AWS Secrets Manager...). */
export interface SecretBackend {
  readonly name: string;
  resolve(reference: SecretReference): Promise<string>;
}

export interface SecretBackends {
  env: Env;
  /** Remote backends by name, created on first use; env and file are always there. */
  remote?: (name: string, where: string) => SecretBackend | null;
}

export function parseSecretRef(ref: string, where: string): SecretReference {
  const match = /^secret:\/\/([a-z0-9]+)\/([^?#]+)(?:\?([^#]*))?(?:#(.+))?$/.exec(ref);
  if (!match) {
    throw new OpsOrchError(
      'BAD_USER_INPUT',
      `${where}: "${ref}" is not a secret reference; use secret://env/NAME, secret://file/PATH, secret://vault/<mount>/<path>#<key> or secret://aws/<secret-id>#<key>`,
    );
  }
  const [, backend, path, query, key] = match;
  return { ref, backend: backend!, path: path!, key: key ?? null, params: new URLSearchParams(query ?? ''), where };
}

/**
 * Resolves `secret://env/NAME` and `secret://file/<path>` references. The reference, never the value,
 * appears in errors so a misconfiguration can be fixed without leaking anything.
 */
export function resolveSecretRef(ref: string, backends: SecretBackends, where: string): string {
  const match = /^secret:\/\/([a-z0-9]+)\/(.+)$/.exec(ref);
  if (!match) {
    throw new OpsOrchError('BAD_USER_INPUT', `${where}: "${ref}" is not a secret reference; use secret://env/NAME or secret://file/PATH`);
  }
  const [, backend, path] = match;
  let value: string | undefined;
  if (backend === 'env') {
    value = backends.env[path!];
    if (value === undefined) throw new OpsOrchError('BAD_USER_INPUT', `${where}: environment variable ${path} (from ${ref}) is not set`);
  } else if (backend === 'file') {
    try {
      value = readFileSync(path!, 'utf8').trim();
    } catch {
      throw new OpsOrchError('BAD_USER_INPUT', `${where}: cannot read secret file ${path} (from ${ref})`);
    }
  } else if (backend === 'vault' || backend === 'aws') {
    throw new OpsOrchError('BAD_USER_INPUT', `${where}: ${ref} is read over the network; resolve settings with resolveSettings (gateway/src/runtime.ts does)`);
  } else {
    throw new OpsOrchError('BAD_USER_INPUT', `${where}: unknown secret backend "${backend}" in ${ref}; supported: env, file, vault, aws`);
  }
  rememberSecret(value);
  return value;
}

/** Walks a provider config and replaces every `secret://` string with its value. */
export function resolveSecretsIn(value: unknown, backends: SecretBackends, where: string): unknown {
  if (typeof value === 'string') return value.startsWith('secret://') ? resolveSecretRef(value, backends, where) : value;
  if (Array.isArray(value)) return value.map((v, i) => resolveSecretsIn(v, backends, `${where}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveSecretsIn(v, backends, `${where}.${k}`)]),
    );
  }
  return value;
}

/**
 * Walks a provider config and replaces every `secret://` string with its value, remote backends included.
 * References are resolved in parallel; each backend reads a secret once however many keys are taken from it.
 */
export async function resolveSecretsInAsync(value: unknown, backends: SecretBackends, where: string): Promise<unknown> {
  if (typeof value === 'string') {
    if (!value.startsWith('secret://')) return value;
    const reference = parseSecretRef(value, where);
    if (reference.backend === 'env' || reference.backend === 'file') return resolveSecretRef(value, backends, where);
    const backend = backends.remote?.(reference.backend, where) ?? null;
    if (!backend) {
      throw new OpsOrchError('BAD_USER_INPUT', `${where}: unknown secret backend "${reference.backend}" in ${value}; supported: env, file, vault, aws`);
    }
    const secret = await backend.resolve(reference);
    rememberSecret(secret);
    return secret;
  }
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => resolveSecretsInAsync(v, backends, `${where}[${i}]`)));
  if (value && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveSecretsInAsync(v, backends, `${where}.${k}`)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}
