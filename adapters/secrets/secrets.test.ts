import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs, gql, startTestGateway } from '../../gateway/test/harness.ts';
import { loadProviderConfig } from '../../gateway/src/runtime.ts';
import { OpsOrchError } from '../src/errors.ts';
import { redactSecrets } from '../src/secrets.ts';
import { startAwsSecretsFake, startVaultFake, type RunningFake } from './fakes.ts';

const PROM_PASSWORD = 'pr0m-Basic-Pa55word';
const PD_TOKEN = 'u+PagerDutyToken-1234';
const AWS_SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

let vault: RunningFake;
let aws: RunningFake;

beforeAll(async () => {
  vault = await startVaultFake({
    secrets: {
      'secret/opsorch/prometheus': [{ password: 'old-password' }, { username: 'opsorch', password: PROM_PASSWORD }],
      'secret/opsorch/single': [{ token: 'only-key-value' }],
      'secret/other/team': [{ token: 'not-for-us' }],
    },
    tokens: [
      { token: 'hvs.root-token', policies: ['root'], allow: ['*'] },
      { token: 'hvs.narrow-token', policies: ['opsorch'], allow: ['secret/opsorch/'] },
    ],
    approles: [{ roleId: 'role-opsorch', secretId: 'approle-secret-id', token: 'hvs.from-approle' }],
  });
  aws = await startAwsSecretsFake({
    accessKeyId: 'AKIAOPSORCHTEST',
    secrets: { 'opsorch/pagerduty': JSON.stringify({ token: PD_TOKEN, email: 'ops@acme-shop.example' }), 'opsorch/plain': 'plain-secret-value' },
  });
});

afterAll(async () => {
  await vault?.close();
  await aws?.close();
});

/** The composition root's resolution of provider settings (every secret backend). */
const loadConfigAsync = async (env: Record<string, string>) => {
  const { config } = await loadProviderConfig(env);
  return config as Record<string, { settings: Record<string, any> }[]>;
};

const metricsWith = (config: Record<string, unknown>, extra: Record<string, string> = {}) => ({
  OPSORCH_METRICS_PROVIDER: 'prometheus',
  OPSORCH_METRICS_CONFIG: JSON.stringify({ url: 'http://127.0.0.1:9', ...config }),
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<OpsOrchError> {
  try {
    await promise;
  } catch (error) {
    return error as OpsOrchError;
  }
  throw new Error('expected a failure');
}

describe('HashiCorp Vault KV v2 (against a fake built from vault.openapi.json)', () => {
  it('resolves secret://vault/<mount>/<path>#key with a token; the value is scrubbed from any text after that', async () => {
    const config = await loadConfigAsync(
      metricsWith({ auth: { username: 'secret://vault/secret/opsorch/prometheus#username', password: 'secret://vault/secret/opsorch/prometheus#password' } }, {
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: 'hvs.root-token',
      }),
    );
    expect(config.metrics[0]!.settings.auth).toEqual({ username: 'opsorch', password: PROM_PASSWORD });
    // Two keys of one secret: read once.
    expect(vault.requests.filter((r) => r === 'GET /v1/secret/data/opsorch/prometheus')).toHaveLength(1);
    expect(redactSecrets(`upstream said ${PROM_PASSWORD} and hvs.root-token`)).toBe('upstream said [REDACTED] and [REDACTED]');
  });

  it('logs in with AppRole once, reads a pinned version, and takes the only key when none is named', async () => {
    const before = vault.requests.length;
    const config = await loadConfigAsync(
      metricsWith({ auth: { username: 'opsorch', password: 'secret://vault/secret/opsorch/prometheus?version=1#password' }, headers: { 'x-token': 'secret://vault/secret/opsorch/single' } }, {
        VAULT_ADDR: vault.url,
        VAULT_ROLE_ID: 'role-opsorch',
        VAULT_SECRET_ID: 'approle-secret-id',
      }),
    );
    expect(config.metrics[0]!.settings).toMatchObject({ auth: { password: 'old-password' }, headers: { 'x-token': 'only-key-value' } });
    const made = vault.requests.slice(before);
    expect(made.filter((r) => r === 'POST /v1/auth/approle/login')).toHaveLength(1);
    expect(redactSecrets('approle-secret-id hvs.from-approle')).toBe('[REDACTED] [REDACTED]');
  });

  it('explains every failure without showing a value: missing key, missing secret, refused policy, bad token, bad login', async () => {
    const env = { VAULT_ADDR: vault.url, VAULT_TOKEN: 'hvs.narrow-token' };
    const missingKey = await failure(loadConfigAsync(metricsWith({ headers: { a: 'secret://vault/secret/opsorch/prometheus#pasword' } }, env)));
    expect(missingKey).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(missingKey.message).toContain('OPSORCH_METRICS_CONFIG.headers.a');
    expect(missingKey.message).toContain('has no key "pasword"; its keys are username, password');
    expect(missingKey.message).not.toContain(PROM_PASSWORD);

    const missing = await failure(loadConfigAsync(metricsWith({ headers: { a: 'secret://vault/secret/opsorch/nope#x' } }, env)));
    expect(missing).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('Vault has no secret at secret/opsorch/nope') });

    const policy = await failure(loadConfigAsync(metricsWith({ headers: { a: 'secret://vault/secret/other/team#token' } }, env)));
    expect(policy).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', message: expect.stringContaining('policies do not allow reading this path') });

    const badToken = await failure(loadConfigAsync(metricsWith({ headers: { a: 'secret://vault/secret/opsorch/single' } }, { VAULT_ADDR: vault.url, VAULT_TOKEN: 'hvs.revoked' })));
    expect(badToken).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', message: expect.stringContaining('the token is invalid or expired') });
    expect(badToken.message).not.toContain('hvs.revoked');

    const badLogin = await failure(
      loadConfigAsync(metricsWith({ headers: { a: 'secret://vault/secret/opsorch/single' } }, { VAULT_ADDR: vault.url, VAULT_ROLE_ID: 'role-opsorch', VAULT_SECRET_ID: 'wrong-secret-id' })),
    );
    expect(badLogin).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', message: expect.stringContaining('AppRole login at auth/approle was refused') });
    expect(badLogin.message).not.toContain('wrong-secret-id');

    const noAddress = await failure(loadConfigAsync(metricsWith({ headers: { a: 'secret://vault/secret/opsorch/single' } })));
    expect(noAddress.message).toContain('needs VAULT_ADDR');

    const noPath = await failure(loadConfigAsync(metricsWith({ headers: { a: 'secret://vault/secret' } }, env)));
    expect(noPath.message).toContain('needs a mount and a path');
  });
});

describe('AWS Secrets Manager through the AWS SDK (pointed at a fake endpoint)', () => {
  const awsEnv = () => ({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url, AWS_ACCESS_KEY_ID: 'AKIAOPSORCHTEST', AWS_SECRET_ACCESS_KEY: AWS_SECRET_KEY });

  it('resolves a JSON key of a secret, and a whole plain secret', async () => {
    const config = await loadConfigAsync(
      metricsWith({ auth: { bearerToken: 'secret://aws/opsorch/pagerduty#token' }, headers: { plain: 'secret://aws/opsorch/plain' } }, awsEnv()),
    );
    expect(config.metrics[0]!.settings).toMatchObject({ auth: { bearerToken: PD_TOKEN }, headers: { plain: 'plain-secret-value' } });
    expect(aws.requests.every((r) => r.endsWith('secretsmanager.GetSecretValue'))).toBe(true);
    expect(redactSecrets(`${PD_TOKEN} ${AWS_SECRET_KEY}`)).toBe('[REDACTED] [REDACTED]');
  });

  it('maps AWS errors to what to fix', async () => {
    const missing = await failure(loadConfigAsync(metricsWith({ headers: { a: 'secret://aws/opsorch/nothing' } }, awsEnv())));
    expect(missing).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('no such secret') });
    const refused = await failure(loadConfigAsync(metricsWith({ headers: { a: 'secret://aws/opsorch/plain' } }, { ...awsEnv(), AWS_ACCESS_KEY_ID: 'AKIAWRONG' })));
    expect(refused).toMatchObject({ code: 'PROVIDER_AUTH_FAILED' });
    const noKey = await failure(loadConfigAsync(metricsWith({ headers: { a: 'secret://aws/opsorch/pagerduty#tokn' } }, awsEnv())));
    expect(noKey.message).toContain('has no key "tokn"; its keys are token, email');
    const noRegion = await failure(loadConfigAsync(metricsWith({ headers: { a: 'secret://aws/opsorch/plain' } })));
    expect(noRegion.message).toContain('needs AWS_REGION');
  });
});

describe('secrets through the running gateway', () => {
  it('a token from Vault reaches the tool, and never a response or a log line, even when the tool echoes it', async () => {
    const seen: string[] = [];
    const echo = createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `bad credentials: ${req.headers.authorization}` }));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const logs = captureLogs();
    const gateway = await startTestGateway({
      logger: logs.logger,
      env: {
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: 'hvs.root-token',
        OPSORCH_ALERTS_PROVIDER: 'am=alertmanager',
        OPSORCH_ALERTS_CONFIG: JSON.stringify({
          url: `http://127.0.0.1:${(echo.address() as AddressInfo).port}`,
          auth: { bearerToken: 'secret://vault/secret/opsorch/prometheus#password' },
        }),
      },
    });
    try {
      const body = await gql(gateway.url, `{ alerts { nodes { id } } providers(capability: "alerts") { health lastError { code message } } }`);
      expect(seen[0], JSON.stringify(body)).toBe(`Bearer ${PROM_PASSWORD}`);
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', provider: 'am' });
      expect(body.data.providers[0]).toMatchObject({ health: 'DOWN', lastError: { code: 'PROVIDER_AUTH_FAILED' } });
      const everything = JSON.stringify(body) + logs.lines.join('\n');
      expect(everything).toContain('[REDACTED]');
      expect(everything).not.toContain(PROM_PASSWORD);
      expect(everything).not.toContain('hvs.root-token');
    } finally {
      await gateway.close();
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});
