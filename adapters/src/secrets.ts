import { readFileSync } from 'node:fs';
import { OpsOrchError } from './errors.ts';

/** Secret values resolved so far; every log line and error message is scrubbed of them. */
const knownSecrets = new Set<string>();

export function rememberSecret(value: string): void {
  // Very short values would scrub ordinary words out of messages; they are not secrets worth the name.
  if (value.length >= 4) knownSecrets.add(value);
}

/** Replaces every resolved secret value in `text` with `[REDACTED]`. */
export function redactSecrets(text: string): string {
  let result = text;
  for (const secret of knownSecrets) {
    if (result.includes(secret)) result = result.split(secret).join('[REDACTED]');
  }
  return result;
}

export interface SecretBackends {
  env: NodeJS.ProcessEnv;
}

/**
 * Resolves `secret://env/NAME` and `secret://file/<path>` references. The reference, never the value,
 * appears in errors so a misconfiguration can be fixed without leaking anything.
 */
export function resolveSecretRef(ref: string, backends: SecretBackends, where: string): string {
  const match = /^secret:\/\/([a-z]+)\/(.+)$/.exec(ref);
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
  } else {
    throw new OpsOrchError('BAD_USER_INPUT', `${where}: unknown secret backend "${backend}" in ${ref}; supported: env, file`);
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
