// HashiCorp Vault KV v2 as a secret backend: `secret://vault/<mount>/<path>#<key>` (optionally `?version=N`).
// Token auth (VAULT_TOKEN) or AppRole login (VAULT_ROLE_ID + VAULT_SECRET_ID); see ../shared/vendor-api/vault-kv2.md.
import { OpsOrchError } from '../src/errors.ts';
import { HttpClient } from '../kit/http.ts';
import { rememberSecret, type SecretBackend, type SecretReference } from '../src/secrets.ts';
import type { Env } from '../src/capabilities.ts';

export interface VaultSettings {
  /** Vault address, for example `https://vault.internal:8200` (VAULT_ADDR). */
  address: string;
  /** A client token (VAULT_TOKEN); takes precedence over AppRole. */
  token?: string;
  /** AppRole credentials (VAULT_ROLE_ID, VAULT_SECRET_ID). */
  roleId?: string;
  secretId?: string;
  /** AppRole auth mount (VAULT_APPROLE_MOUNT, default `approle`). */
  approleMount?: string;
  /** Enterprise namespace (VAULT_NAMESPACE). */
  namespace?: string;
}

interface VaultEnvelope<T> {
  data: T | null;
  auth: { client_token: string; lease_duration: number } | null;
  warnings?: string[] | null;
}

interface KvRead {
  data: Record<string, unknown> | null;
  metadata: { version: number; deletion_time: string; destroyed: boolean };
}

/** Reads Vault settings from the environment the way Vault's own CLI does; null when VAULT_ADDR is unset. */
export function vaultSettingsFromEnv(env: Env): VaultSettings | null {
  if (!env.VAULT_ADDR) return null;
  return {
    address: env.VAULT_ADDR,
    token: env.VAULT_TOKEN || undefined,
    roleId: env.VAULT_ROLE_ID || undefined,
    secretId: env.VAULT_SECRET_ID || undefined,
    approleMount: env.VAULT_APPROLE_MOUNT || undefined,
    namespace: env.VAULT_NAMESPACE || undefined,
  };
}

/** The KV v2 backend. One login per process; each secret path is read once and its keys served from that read. */
export class VaultSecretBackend implements SecretBackend {
  readonly name = 'vault';
  private readonly http: HttpClient;
  private token: Promise<string> | null = null;
  private readonly reads = new Map<string, Promise<KvRead>>();

  constructor(private readonly settings: VaultSettings) {
    const headers: Record<string, string> = {};
    if (settings.namespace) headers['x-vault-namespace'] = settings.namespace;
    this.http = new HttpClient({ baseUrl: settings.address, tool: 'Vault', headers });
    if (settings.token) rememberSecret(settings.token);
    if (settings.secretId) rememberSecret(settings.secretId);
    if (!settings.token && !(settings.roleId && settings.secretId)) {
      throw new OpsOrchError('BAD_USER_INPUT', 'Vault: set VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID for AppRole login');
    }
  }

  private login(): Promise<string> {
    this.token ??= (async () => {
      if (this.settings.token) return this.settings.token;
      const mount = this.settings.approleMount ?? 'approle';
      const answer = await this.http
        .json<VaultEnvelope<null>>({
          method: 'POST',
          path: `/v1/auth/${encodeURIComponent(mount)}/login`,
          json: { role_id: this.settings.roleId, secret_id: this.settings.secretId },
        })
        .catch((error: unknown) => {
          if (error instanceof OpsOrchError && (error.code === 'PROVIDER_AUTH_FAILED' || error.code === 'BAD_USER_INPUT')) {
            throw new OpsOrchError('PROVIDER_AUTH_FAILED', `Vault AppRole login at auth/${mount} was refused: check VAULT_ROLE_ID and VAULT_SECRET_ID (${error.message})`);
          }
          throw error;
        });
      const token = answer?.auth?.client_token;
      if (!token) throw new OpsOrchError('PROVIDER_UNAVAILABLE', `Vault AppRole login at auth/${mount} answered without auth.client_token`);
      rememberSecret(token);
      return token;
    })();
    this.token.catch(() => (this.token = null));
    return this.token;
  }

  /** Token lookup-self: tells a bad token apart from a missing permission (Vault answers 403 to both). */
  private async tokenProblem(token: string): Promise<string | null> {
    try {
      await this.http.json({ path: '/v1/auth/token/lookup-self', headers: { 'x-vault-token': token } });
      return null;
    } catch {
      return 'the token is invalid or expired';
    }
  }

  private read(mount: string, path: string, version: string | undefined, ref: string): Promise<KvRead> {
    const key = `${mount}\u0000${path}\u0000${version ?? ''}`;
    let pending = this.reads.get(key);
    if (!pending) {
      pending = (async () => {
        const token = await this.login();
        const encodedPath = path.split('/').map(encodeURIComponent).join('/');
        try {
          const answer = await this.http.json<VaultEnvelope<KvRead>>({
            path: `/v1/${encodeURIComponent(mount)}/data/${encodedPath}`,
            query: { version },
            headers: { 'x-vault-token': token },
          });
          if (!answer?.data) throw new OpsOrchError('PROVIDER_UNAVAILABLE', `Vault answered ${ref} without data`);
          return answer.data;
        } catch (error) {
          if (!(error instanceof OpsOrchError)) throw error;
          if (error.code === 'NOT_FOUND') {
            throw new OpsOrchError('BAD_USER_INPUT', `Vault has no secret at ${mount}/${path}${version ? ` version ${version}` : ''} (from ${ref}), or it was deleted; check the mount and path`);
          }
          if (error.code === 'PROVIDER_AUTH_FAILED') {
            const problem = await this.tokenProblem(token);
            throw new OpsOrchError(
              'PROVIDER_AUTH_FAILED',
              `Vault refused to read ${mount}/${path} (from ${ref}): ${problem ?? 'the token is valid but its policies do not allow reading this path'}`,
            );
          }
          throw error;
        }
      })();
      pending.catch(() => this.reads.delete(key));
      this.reads.set(key, pending);
    }
    return pending;
  }

  async resolve(reference: SecretReference): Promise<string> {
    const [mount, ...rest] = reference.path.split('/');
    if (!mount || rest.length === 0 || rest.some((segment) => !segment)) {
      throw new OpsOrchError('BAD_USER_INPUT', `${reference.where}: ${reference.ref} needs a mount and a path: secret://vault/<mount>/<path>#<key>, for example secret://vault/secret/opsorch/pagerduty#token`);
    }
    const version = reference.params.get('version') ?? undefined;
    if (version !== undefined && !/^\d+$/.test(version)) {
      throw new OpsOrchError('BAD_USER_INPUT', `${reference.where}: version "${version}" in ${reference.ref} is not a number`);
    }
    const secret = await this.read(mount, rest.join('/'), version, reference.ref);
    if (!secret.data) {
      throw new OpsOrchError('BAD_USER_INPUT', `${reference.where}: the version of ${reference.ref} Vault holds is deleted or destroyed`);
    }
    const keys = Object.keys(secret.data);
    const key = reference.key ?? (keys.length === 1 ? keys[0]! : null);
    if (key === null) {
      throw new OpsOrchError('BAD_USER_INPUT', `${reference.where}: ${reference.ref} holds several keys (${keys.join(', ')}); name one after #`);
    }
    if (!(key in secret.data)) {
      throw new OpsOrchError('BAD_USER_INPUT', `${reference.where}: ${reference.ref} has no key "${key}"; its keys are ${keys.join(', ') || '(none)'}`);
    }
    const value = secret.data[key];
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
}
