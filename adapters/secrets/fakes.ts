// Contract fakes for the secret backends' tests. The Vault fake routes by the operations of Vault's own API
// document (vault.openapi.json in ../shared/vendor-api: paths under /v1, methods, required body fields, the
// unauthenticated flag), kept here as VAULT_OPERATIONS so a clone without ../shared runs the same tests
// (secrets.test.ts checks the two agree when the document is there), and answers with the envelope of
// vault-kv2.md. The AWS fake speaks Secrets Manager's JSON 1.1 protocol.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One operation of the vendor's API document, as the fake routes it. */
export interface VaultOperation {
  method: string;
  /** The document's path template, e.g. `/{kv_v2_mount_path}/data/{path}` (served under /v1). */
  path: string;
  operationId: string;
  unauthenticated: boolean;
  requiredBody: string[];
}

/** The operations of vault.openapi.json the adapters use (vaultOperationsOf reads the same from the document). */
export const VAULT_OPERATIONS: readonly VaultOperation[] = [
  { method: 'GET', path: '/{kv_v2_mount_path}/data/{path}', operationId: 'kv-v2-read', unauthenticated: false, requiredBody: [] },
  { method: 'GET', path: '/auth/token/lookup-self', operationId: 'token-look-up-self', unauthenticated: false, requiredBody: [] },
  // The generated document marks no field required, but AppRole login cannot work without both.
  { method: 'POST', path: '/auth/{approle_mount_path}/login', operationId: 'app-role-login', unauthenticated: true, requiredBody: ['role_id', 'secret_id'] },
];

interface VaultSpec {
  paths: Record<string, Record<string, unknown> & { 'x-vault-unauthenticated'?: boolean }>;
  components: { schemas: Record<string, { required?: string[] }> };
}

/** The operations a Vault API document declares, in the fake's terms. */
export function vaultOperationsOf(spec: VaultSpec): VaultOperation[] {
  const operations: VaultOperation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of ['get', 'post', 'put', 'delete'] as const) {
      const op = item[method] as { operationId: string; requestBody?: { content: Record<string, { schema: { $ref: string } }> } } | undefined;
      if (!op) continue;
      const ref = op.requestBody?.content['application/json']?.schema.$ref;
      const schema = ref ? spec.components.schemas[ref.split('/').pop()!] : undefined;
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        unauthenticated: item['x-vault-unauthenticated'] === true,
        requiredBody: op.operationId === 'app-role-login' ? ['role_id', 'secret_id'] : (schema?.required ?? []),
      });
    }
  }
  return operations;
}

/** An operation's path template as a regex under /v1: `{path}` may span segments (KV paths contain `/`), other params one. */
function routeOf(operation: VaultOperation): { pattern: RegExp; params: string[] } {
  const params: string[] = [];
  const source = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    params.push(name);
    return name === 'path' ? '(.+)' : '([^/]+)';
  });
  return { pattern: new RegExp(`^/v1${source}$`), params };
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

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

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A Vault that holds KV v2 secrets, tokens with allowed path prefixes, and AppRole credentials. */
export async function startVaultFake(options: VaultFakeOptions): Promise<RunningFake> {
  const operations = VAULT_OPERATIONS.map((op) => ({ ...op, ...routeOf(op) }));
  const tokens = new Map((options.tokens ?? []).map((t) => [t.token, t]));
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://vault');
    requests.push(`${req.method} ${url.pathname}`);
    const match = operations
      .map((op) => ({ op, m: req.method === op.method ? op.pattern.exec(url.pathname) : null }))
      .find((x) => x.m);
    if (!match) return send(res, 404, { errors: [] });
    const { op, m } = match;
    const params = Object.fromEntries(op.params.map((name, i) => [name, decodeURIComponent(m![i + 1]!)]));
    const token = (req.headers['x-vault-token'] as string | undefined) ?? req.headers.authorization?.replace(/^Bearer /, '');
    const session = token ? tokens.get(token) : undefined;
    if (!op.unauthenticated && !session) return send(res, 403, { errors: ['permission denied'] });
    if (op.operationId === 'app-role-login') {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(await bodyOf(req)) as Record<string, unknown>;
      } catch {
        return send(res, 400, { errors: ['failed to parse JSON input'] });
      }
      const missing = op.requiredBody.filter((f) => typeof body[f] !== 'string' || !body[f]);
      if (missing.length > 0) return send(res, 400, { errors: [`missing ${missing.join(', ')}`] });
      const role = (options.approles ?? []).find((r) => r.roleId === body.role_id && r.secretId === body.secret_id);
      if (!role) return send(res, 400, { errors: ['invalid role or secret ID'] });
      tokens.set(role.token, { token: role.token, policies: ['default'], allow: ['*'] });
      return send(res, 200, envelope({ auth: { client_token: role.token, accessor: 'acc', policies: ['default'], token_policies: ['default'], metadata: { role_name: 'opsorch' }, lease_duration: 1200, renewable: true, entity_id: 'e', token_type: 'service', orphan: true } }));
    }
    if (op.operationId === 'token-look-up-self') {
      return send(res, 200, envelope({ data: { id: token, policies: session!.policies, ttl: 3600, type: 'service', display_name: 'token' } }));
    }
    // kv-v2-read
    const key = `${params.kv_v2_mount_path}/${params.path}`;
    if (!session!.allow.some((prefix) => prefix === '*' || key.startsWith(prefix))) return send(res, 403, { errors: ['1 error occurred:\n\t* permission denied\n\n'] });
    const versions = options.secrets[key];
    if (!versions) return send(res, 404, { errors: [] });
    const version = Number(url.searchParams.get('version') ?? 0) || versions.length;
    const data = versions[version - 1];
    if (data === undefined) return send(res, 404, { errors: [] });
    const metadata = { created_time: '2026-11-01T10:00:00.000000Z', custom_metadata: null, deletion_time: data ? '' : '2026-11-02T10:00:00Z', destroyed: false, version };
    return send(res, data ? 200 : 404, envelope({ data: { data, metadata } }));
  });
  const url = await listen(server);
  return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
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
