// Contract fakes for the secret backends' tests. The Vault fake is the kit's contract fake over
// ../shared/vendor-api/vault.openapi.json, answering with the envelope of vault-kv2.md. The AWS fake speaks
// Secrets Manager's JSON 1.1 protocol (no OpenAPI document exists for it).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startContractFake, type FakeReply, type FakeRequest } from '../kit/contract-fake.ts';

function envelope(fields: { data?: unknown; auth?: unknown }) {
  return { request_id: crypto.randomUUID(), lease_id: '', renewable: false, lease_duration: 0, data: null, wrap_info: null, warnings: null, auth: null, ...fields };
}

export interface VaultFakeOptions {
  /** `<mount>/<path>` → versions (1-based), each a key/value map or null when deleted. */
  secrets: Record<string, (Record<string, unknown> | null)[]>;
  tokens?: { token: string; policies: string[]; allow: string[] }[];
  approles?: { roleId: string; secretId: string; token: string }[];
}

export interface RunningFake {
  url: string;
  /** Every request as `METHOD path`, for assertions on what the client did. */
  requests: string[];
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * A Vault that holds KV v2 secrets, tokens with allowed path prefixes, and AppRole credentials, on the kit's
 * contract fake: requests are checked against vault.openapi.json (paths have no `/v1` there; `{path}` spans
 * segments).
 */
export async function startVaultFake(options: VaultFakeOptions): Promise<RunningFake> {
  const tokens = new Map((options.tokens ?? []).map((t) => [t.token, t]));
  const fake = await startContractFake({ spec: 'vault.openapi.json', vendor: 'Vault', basePath: '/v1', multiSegmentParams: ['path'] });
  const session = (request: FakeRequest) => {
    const token = (request.headers['x-vault-token'] as string | undefined) ?? request.headers.authorization?.replace(/^Bearer /, '');
    return token ? tokens.get(token) : undefined;
  };
  const denied: FakeReply = { status: 403, body: { errors: ['permission denied'] } };
  fake
    .on('POST /auth/{approle_mount_path}/login', (request) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      // The generated spec marks no field required, but AppRole login cannot work without both.
      const missing = ['role_id', 'secret_id'].filter((f) => typeof body[f] !== 'string' || !body[f]);
      if (missing.length > 0) return { status: 400, body: { errors: [`missing ${missing.join(', ')}`] } };
      const role = (options.approles ?? []).find((r) => r.roleId === body.role_id && r.secretId === body.secret_id);
      if (!role) return { status: 400, body: { errors: ['invalid role or secret ID'] } };
      tokens.set(role.token, { token: role.token, policies: ['default'], allow: ['*'] });
      return { body: envelope({ auth: { client_token: role.token, accessor: 'acc', policies: ['default'], token_policies: ['default'], metadata: { role_name: 'opsorch' }, lease_duration: 1200, renewable: true, entity_id: 'e', token_type: 'service', orphan: true } }) };
    })
    .on('GET /auth/token/lookup-self', (request) => {
      const own = session(request);
      if (!own) return denied;
      return { body: envelope({ data: { id: own.token, policies: own.policies, ttl: 3600, type: 'service', display_name: 'token' } }) };
    })
    .on('GET /{kv_v2_mount_path}/data/{path}', (request) => {
      const own = session(request);
      if (!own) return denied;
      const key = `${request.params.kv_v2_mount_path}/${request.params.path}`;
      if (!own.allow.some((prefix) => prefix === '*' || key.startsWith(prefix))) return { status: 403, body: { errors: ['1 error occurred:\n\t* permission denied\n\n'] } };
      const versions = options.secrets[key];
      if (!versions) return { status: 404, body: { errors: [] } };
      const version = Number(request.query.get('version') ?? 0) || versions.length;
      const data = versions[version - 1];
      if (data === undefined) return { status: 404, body: { errors: [] } };
      const metadata = { created_time: '2026-11-01T10:00:00.000000Z', custom_metadata: null, deletion_time: data ? '' : '2026-11-02T10:00:00Z', destroyed: false, version };
      return { status: data ? 200 : 404, body: envelope({ data: { data, metadata } }) };
    });
  return {
    url: fake.origin,
    get requests() {
      return fake.requests.map((r) => `${r.method} /v1${r.path}`);
    },
    close: async () => {
      await fake.close();
      fake.verify();
    },
  };
}

/** A Secrets Manager that answers GetSecretValue (JSON 1.1: POST / with X-Amz-Target), checking the access key id. */
export async function startAwsSecretsFake(options: { secrets: Record<string, string>; accessKeyId: string }): Promise<RunningFake> {
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    requests.push(`${req.method} ${req.url} ${target}`);
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': crypto.randomUUID() }).end(JSON.stringify(body));
    const authorization = String(req.headers.authorization ?? '');
    if (!authorization.includes(`Credential=${options.accessKeyId}/`)) {
      return reply(400, { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    }
    if (req.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
      return reply(400, { __type: 'InvalidRequestException', message: `unsupported ${target}` });
    }
    const body = JSON.parse(await bodyOf(req)) as { SecretId?: string; VersionStage?: string };
    const value = body.SecretId ? options.secrets[body.SecretId] : undefined;
    if (value === undefined) {
      return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    }
    return reply(200, {
      ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${body.SecretId}-AbCdEf`,
      Name: body.SecretId,
      SecretString: value,
      VersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987SECRET1',
      VersionStages: [body.VersionStage ?? 'AWSCURRENT'],
      CreatedDate: 1.523477145713e9,
    });
  });
  const url = await listen(server);
  return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
