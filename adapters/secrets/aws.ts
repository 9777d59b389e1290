// AWS Secrets Manager as a secret backend through the AWS SDK: `secret://aws/<secret-id or ARN>#<json-key>`
// (optionally `?stage=AWSPREVIOUS` or `?version=<version id>`). Region, endpoint and credentials come from the
// standard AWS environment variables, else the SDK's default chain (instance roles, SSO, profiles).
import { OpsOrchError } from '../src/errors.ts';
import { rememberSecret, type SecretBackend, type SecretReference } from '../src/secrets.ts';
import type { Env } from '../src/capabilities.ts';

export interface AwsSecretsSettings {
  /** AWS_REGION (or AWS_DEFAULT_REGION). */
  region: string;
  /** AWS_ENDPOINT_URL_SECRETS_MANAGER or AWS_ENDPOINT_URL: a VPC endpoint, LocalStack, a test fake. */
  endpoint?: string;
  /** Static credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN; else the SDK's chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Per-read timeout in ms (default 10000). */
  timeoutMs?: number;
}

export function awsSecretsSettingsFromEnv(env: Env): AwsSecretsSettings | null {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) return null;
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined }
      : undefined;
  return { region, endpoint: env.AWS_ENDPOINT_URL_SECRETS_MANAGER || env.AWS_ENDPOINT_URL || undefined, credentials };
}

type Client = import('@aws-sdk/client-secrets-manager').SecretsManagerClient;

/** What each AWS error name means for whoever configured the reference. */
function mapAwsError(error: unknown, reference: SecretReference): OpsOrchError {
  const name = (error as { name?: string }).name ?? 'Error';
  const message = (error as Error).message ?? String(error);
  const where = `${reference.where}: AWS Secrets Manager could not read ${reference.ref}`;
  switch (name) {
    case 'ResourceNotFoundException':
      return new OpsOrchError('BAD_USER_INPUT', `${where}: no such secret, or no such version/stage (${message})`);
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
    case 'CredentialsProviderError':
      return new OpsOrchError('PROVIDER_AUTH_FAILED', `${where}: the credentials were refused (${name}: ${message})`);
    case 'DecryptionFailure':
      return new OpsOrchError('PROVIDER_AUTH_FAILED', `${where}: the KMS key cannot be used by these credentials (${message})`);
    case 'InvalidParameterException':
    case 'InvalidRequestException':
      return new OpsOrchError('BAD_USER_INPUT', `${where}: ${message}`);
    case 'ThrottlingException':
      return new OpsOrchError('PROVIDER_RATE_LIMITED', `${where}: throttled (${message})`);
    case 'AbortError':
    case 'TimeoutError':
      return new OpsOrchError('PROVIDER_TIMEOUT', `${where}: no answer in time`);
    default:
      return new OpsOrchError('PROVIDER_UNAVAILABLE', `${where}: ${name}: ${message}`);
  }
}

/** The Secrets Manager backend; the SDK is loaded only when a `secret://aws/` reference is met. */
export class AwsSecretsBackend implements SecretBackend {
  readonly name = 'aws';
  private client: Promise<Client> | null = null;
  private readonly reads = new Map<string, Promise<string>>();

  constructor(private readonly settings: AwsSecretsSettings) {
    if (settings.credentials) rememberSecret(settings.credentials.secretAccessKey);
    if (settings.credentials?.sessionToken) rememberSecret(settings.credentials.sessionToken);
  }

  private sdk(): Promise<Client> {
    this.client ??= import('@aws-sdk/client-secrets-manager').then(
      ({ SecretsManagerClient }) =>
        new SecretsManagerClient({
          region: this.settings.region,
          ...(this.settings.endpoint ? { endpoint: this.settings.endpoint } : {}),
          ...(this.settings.credentials ? { credentials: this.settings.credentials } : {}),
          maxAttempts: 3,
        }),
    );
    return this.client;
  }

  private read(reference: SecretReference): Promise<string> {
    const stage = reference.params.get('stage') ?? undefined;
    const version = reference.params.get('version') ?? undefined;
    const key = `${reference.path}\u0000${stage ?? ''}\u0000${version ?? ''}`;
    let pending = this.reads.get(key);
    if (!pending) {
      pending = (async () => {
        const client = await this.sdk();
        const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
        try {
          const answer = await client.send(
            new GetSecretValueCommand({ SecretId: reference.path, VersionStage: stage, VersionId: version }),
            { abortSignal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000) },
          );
          if (answer.SecretString !== undefined) return answer.SecretString;
          if (answer.SecretBinary) return Buffer.from(answer.SecretBinary).toString('utf8');
          throw new OpsOrchError('BAD_USER_INPUT', `${reference.where}: ${reference.ref} has neither SecretString nor SecretBinary`);
        } catch (error) {
          if (error instanceof OpsOrchError) throw error;
          throw mapAwsError(error, reference);
        }
      })();
      pending.catch(() => this.reads.delete(key));
      this.reads.set(key, pending);
    }
    return pending;
  }

  async resolve(reference: SecretReference): Promise<string> {
    const text = await this.read(reference);
    rememberSecret(text);
    if (reference.key === null) return text;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new OpsOrchError('BAD_USER_INPUT', `${reference.where}: ${reference.ref} asks for key "${reference.key}" but the secret is not a JSON object; drop the #${reference.key}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !(reference.key in parsed)) {
      const keys = parsed && typeof parsed === 'object' ? Object.keys(parsed).join(', ') : '(not an object)';
      throw new OpsOrchError('BAD_USER_INPUT', `${reference.where}: ${reference.ref} has no key "${reference.key}"; its keys are ${keys}`);
    }
    const value = (parsed as Record<string, unknown>)[reference.key];
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
}
