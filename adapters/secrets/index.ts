// The remote secret backends, created from the environment on first use of their scheme.
import { OpsOrchError } from '../src/errors.ts';
import { resolveSecretRef, type SecretBackend, type SecretBackends } from '../src/secrets.ts';
import { AwsSecretsBackend, awsSecretsSettingsFromEnv } from './aws.ts';
import { VaultSecretBackend, vaultSettingsFromEnv } from './vault.ts';
import type { Env } from '../src/capabilities.ts';

export { AwsSecretsBackend, awsSecretsSettingsFromEnv, type AwsSecretsSettings } from './aws.ts';
export { VaultSecretBackend, vaultSettingsFromEnv, type VaultSettings } from './vault.ts';

/** Backend credentials may themselves be `secret://env/..` or `secret://file/..` (a mounted Kubernetes secret). */
function local(env: Env, name: string): string | undefined {
  const value = env[name];
  return value?.startsWith('secret://') ? resolveSecretRef(value, { env }, name) : value;
}

/**
 * env and file, plus Vault (VAULT_ADDR with VAULT_TOKEN, or VAULT_ROLE_ID + VAULT_SECRET_ID) and AWS Secrets
 * Manager (AWS_REGION, optional AWS_ENDPOINT_URL_SECRETS_MANAGER, credentials from the AWS chain).
 */
export function secretBackendsFromEnv(env: Env): SecretBackends {
  const created = new Map<string, SecretBackend>();
  return {
    env,
    remote(name, where) {
      const existing = created.get(name);
      if (existing) return existing;
      let backend: SecretBackend | null = null;
      if (name === 'vault') {
        const resolved = { ...env, VAULT_TOKEN: local(env, 'VAULT_TOKEN'), VAULT_SECRET_ID: local(env, 'VAULT_SECRET_ID'), VAULT_ROLE_ID: local(env, 'VAULT_ROLE_ID') };
        const settings = vaultSettingsFromEnv(resolved);
        if (!settings) throw new OpsOrchError('BAD_USER_INPUT', `${where}: a secret://vault/ reference needs VAULT_ADDR (and VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID)`);
        backend = new VaultSecretBackend(settings);
      } else if (name === 'aws') {
        const settings = awsSecretsSettingsFromEnv({ ...env, AWS_SECRET_ACCESS_KEY: local(env, 'AWS_SECRET_ACCESS_KEY') });
        if (!settings) throw new OpsOrchError('BAD_USER_INPUT', `${where}: a secret://aws/ reference needs AWS_REGION`);
        backend = new AwsSecretsBackend(settings);
      }
      if (backend) created.set(name, backend);
      return backend;
    },
  };
}
