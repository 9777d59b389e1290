import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { ROOT, gql, spawnOpsOrch, startTestGateway, type SpawnedServer } from './harness.ts';
import { startRedis, writeGatewayConfig } from './security-fixtures.ts';

const MANIFEST = join(ROOT, 'gateway', 'generated', 'trusted-documents.json');
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { operations: { id: string; name: string; type: string; body: string }[] };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function persisted(url: string, hash: string, query?: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
  });
  return { status: response.status, ...((await response.json()) as { data?: any; errors?: any[] }) };
}

describe('trusted documents manifest', () => {
  it('is generated from the console and MCP operations (run `npm run codegen` when this fails)', async () => {
    const config = parseYaml(readFileSync(join(ROOT, 'gateway', 'codegen.yml'), 'utf8'));
    const previous = process.cwd();
    process.chdir(ROOT);
    try {
      const outputs = await generate({ ...config, silent: true }, false);
      expect(outputs.map((o: { filename: string }) => o.filename)).toEqual(['gateway/generated/trusted-documents.json']);
      expect(readFileSync(MANIFEST, 'utf8'), 'gateway/generated/trusted-documents.json is stale').toBe(outputs[0]!.content);
    } finally {
      process.chdir(previous);
    }
  });

  it('holds named operations whose id is the SHA-256 of their body', () => {
    expect(manifest.operations.length).toBeGreaterThan(0);
    for (const operation of manifest.operations) {
      expect(operation.id).toBe(sha256(operation.body));
      expect(operation.body).toContain(`${operation.type} ${operation.name}`);
    }
  });
});

describe('trusted-documents mode', () => {
  let gateway: RunningGateway;
  const shell = manifest.operations.find((o) => o.type === 'query' && !o.body.includes('$'))!;

  beforeAll(async () => {
    const config = writeGatewayConfig({ persistedOperations: { mode: 'trusted' }, audit: { sinks: [] } });
    gateway = await startTestGateway({ env: { OPSORCH_CONFIG: config } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('runs a manifest operation sent by id, or as text however the client formats it', async () => {
    const byId = await persisted(gateway.url, shell.id);
    expect(byId.errors).toBeUndefined();
    expect(byId.data).toBeTruthy();
    const asText = await gql(gateway.url, shell.body);
    expect(asText.errors).toBeUndefined();
    // urql and Apollo Client add __typename and print their own way.
    const reformatted = shell.body.replace(/\{\n/g, '{ __typename\n').replace(/\s+/g, ' ');
    expect((await gql(gateway.url, reformatted)).errors).toBeUndefined();
    const viaGet = await fetch(
      `${gateway.url}?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: shell.id } }))}`,
      { headers: { 'apollo-require-preflight': 'true' } },
    );
    expect(((await viaGet.json()) as any).data).toBeTruthy();
  });

  it('refuses an operation that is not in the manifest, by text or by id', async () => {
    const text = await gql(gateway.url, '{ incidents(first: 200) { nodes { id title } } }');
    expect(text.status).toBe(400);
    expect(text.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OPERATION_NOT_TRUSTED' });
    const byId = await persisted(gateway.url, sha256('{ __typename }'), '{ __typename }');
    expect(byId.errors![0]!.extensions).toMatchObject({ reason: 'OPERATION_NOT_TRUSTED' });
    // Changing a trusted operation's selection makes it another operation.
    const altered = await gql(gateway.url, shell.body.replace(/\{\n/, '{\n  incidents(first: 200) { totalCount }\n'));
    expect(altered.errors![0]!.extensions!.reason).toBe('OPERATION_NOT_TRUSTED');
  });
});

describe('automatic persisted queries', () => {
  const query = '{ services(first: 2) { nodes { id } } }';
  const hash = sha256(query);

  it('registers a query once and runs it by hash afterwards', async () => {
    const gateway = await startTestGateway();
    try {
      const unknown = await persisted(gateway.url, hash);
      expect(unknown.errors![0]!.message).toBe('PersistedQueryNotFound');
      expect(unknown.errors![0]!.extensions!.reason).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect((await persisted(gateway.url, hash, query)).data.services.nodes).toHaveLength(2);
      expect((await persisted(gateway.url, hash)).data.services.nodes).toHaveLength(2);
    } finally {
      await gateway.close();
    }
  });

  it('answers a hash that does not match its query, or an unknown version, as the client mistake it is', async () => {
    const gateway = await startTestGateway();
    try {
      const mismatch = await persisted(gateway.url, sha256('{ __typename }'), query);
      expect(mismatch.status).toBe(400);
      expect(mismatch.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'PERSISTED_QUERY_HASH_MISMATCH' });
      expect(mismatch.errors![0]!.message).toMatch(/not the SHA-256 of the query sent with it/);
      // Nothing was registered under the wrong hash.
      expect((await persisted(gateway.url, sha256('{ __typename }'))).errors![0]!.extensions!.reason).toBe('PERSISTED_QUERY_NOT_FOUND');
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, extensions: { persistedQuery: { version: 2, sha256Hash: hash } } }),
      });
      const version = (await response.json()) as any;
      expect(response.status).toBe(400);
      expect(version.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'PERSISTED_QUERY_VERSION_UNSUPPORTED' });
    } finally {
      await gateway.close();
    }
  });

  describe('across two gateway processes sharing Redis', () => {
    let redis: Awaited<ReturnType<typeof startRedis>>;
    const gateways: SpawnedServer[] = [];

    beforeAll(async () => {
      redis = await startRedis();
      const env = { OPSORCH_REDIS_URL: redis.url, OPSORCH_CONSOLE: 'off', OPSORCH_AUDIT_SINKS: 'off' };
      gateways.push(...(await Promise.all([0, 1].map(() => spawnOpsOrch(['start', '--port', '0', '--host', '127.0.0.1'], env)))));
    }, 180_000);
    afterAll(async () => {
      await Promise.all(gateways.map((g) => g.stop()));
      await redis?.stop();
    });

    it('knows on one replica the hash registered on the other', async () => {
      const [a, b] = gateways as [SpawnedServer, SpawnedServer];
      const distinct = `{ services(first: 3) { nodes { id name } } }`;
      const distinctHash = sha256(distinct);
      expect((await persisted(b.url, distinctHash)).errors![0]!.message).toBe('PersistedQueryNotFound');
      expect((await persisted(a.url, distinctHash, distinct)).data.services.nodes).toHaveLength(3);
      const onB = await persisted(b.url, distinctHash);
      expect(onB.errors).toBeUndefined();
      expect(onB.data.services.nodes).toHaveLength(3);
    });

    it('keeps answering (full queries) when Redis goes away', async () => {
      await redis.stop();
      const [a] = gateways as [SpawnedServer];
      const fresh = '{ services(first: 1) { nodes { id } } }';
      const answer = await persisted(a.url, sha256(fresh), fresh);
      expect(answer.errors).toBeUndefined();
      expect(answer.data.services.nodes).toHaveLength(1);
    });
  });
});
