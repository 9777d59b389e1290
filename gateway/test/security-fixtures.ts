// Fixtures for the security tests: configuration files, API keys, an identity provider's JWKS, a webhook
// receiver and a real Redis server.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { stringify } from 'yaml';
import { randomBytes } from 'node:crypto';
import { createGatewayTokenSigner, operationHash } from '../src/security/gateway-token.ts';
import { generateApiKey } from '../src/security/index.ts';

/**
 * A gateway-to-subgraph signing key for a test (decision 014): the settings that give it to a gateway and to
 * subgraph servers by reference, and the headers that let the test itself call a subgraph server directly.
 */
export function subgraphSigning() {
  const key = randomBytes(48).toString('base64');
  const sign = createGatewayTokenSigner(new TextEncoder().encode(key), 30);
  const caller = { kind: 'user' as const, id: 'maya.patel@acme-shop.example' };
  return {
    key,
    env: { OPSORCH_SUBGRAPH_SIGNING_KEY: 'secret://env/OPSORCH_TEST_SUBGRAPH_KEY', OPSORCH_TEST_SUBGRAPH_KEY: key },
    sign,
    /** Headers for one direct request to `subgraph`, as the gateway would sign it (every scope unless given). */
    async headers(subgraph: string, query: string, variables?: Record<string, unknown>, scopes = ['*']): Promise<Record<string, string>> {
      const claims = { actor: caller, acting: caller, requestId: `test-${randomBytes(4).toString('hex')}`, now: new Date(), scopes };
      return { 'x-opsorch-gateway-token': await sign(subgraph, claims, operationHash(query, variables)) };
    },
  };
}

/** The records of a file audit sink, parsed (empty lines skipped). */
export function auditLinesOf(file: string): Record<string, any>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, any>);
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'opsorch-security-'));
}

/** Writes an OPSORCH_CONFIG file with the given `gateway:` section and returns its path. */
export function writeGatewayConfig(gateway: Record<string, unknown>, dir = tempDir()): string {
  const path = join(dir, 'opsorch.yaml');
  writeFileSync(path, stringify({ gateway }));
  return path;
}

export interface TestKey {
  key: string;
  entry: Record<string, unknown>;
}

export function apiKey(name: string, scopes: string[], extra: Record<string, unknown> = {}): TestKey {
  const { key, hash } = generateApiKey();
  return { key, entry: { name, hash, scopes, ...extra } };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An identity provider: serves a JWKS whose keys can be rotated, and signs tokens. */
export async function startIdentityProvider() {
  const keys = new Map<string, { privateKey: CryptoKey; jwk: JWK }>();
  let published: string[] = [];
  let fetches = 0;
  const server = createServer((req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published.map((kid) => keys.get(kid)!.jwk) }));
  });
  const url = await listen(server);
  const issuer = `${url}/`;
  async function addKey(kid: string) {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    keys.set(kid, { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } });
  }
  await addKey('key-1');
  published = ['key-1'];
  return {
    jwksUrl: `${url}/.well-known/jwks.json`,
    issuer,
    audience: 'opsorch',
    get fetches() {
      return fetches;
    },
    /** Publishes a new key and withdraws the old ones, as an identity provider's rotation does. */
    async rotate(kid: string) {
      await addKey(kid);
      published = [kid];
    },
    async sign(claims: Record<string, unknown>, options: { kid?: string; expiresIn?: string | number; audience?: string; issuer?: string } = {}) {
      const kid = options.kid ?? published[0]!;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(options.issuer ?? issuer)
        .setAudience(options.audience ?? 'opsorch')
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(keys.get(kid)!.privateKey);
    },
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Records every POST it receives; answers with `status` (changeable) so a failing webhook can be simulated. */
export async function startWebhook() {
  const bodies: string[] = [];
  let status = 200;
  let hang = false;
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    bodies.push(Buffer.concat(chunks).toString('utf8'));
    if (hang) return;
    res.statusCode = status;
    res.end();
  });
  const url = await listen(server);
  return {
    url,
    bodies,
    records(): Record<string, any>[] {
      return bodies.flatMap((body) => (JSON.parse(body) as { records: Record<string, any>[] }).records);
    },
    answer(code: number) {
      status = code;
    },
    hangForever() {
      hang = true;
    },
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/**
 * Starts Debian's redis-server on a free loopback port, installing it first when missing (CI is a fresh
 * Debian machine). Stopped by pid.
 */
export async function startRedis(): Promise<{ url: string; process: ChildProcess; stop(): Promise<void> }> {
  if (!existsSync('/usr/bin/redis-server')) {
    execFileSync('flock', ['/tmp/opsorch-apt.lock', 'sh', '-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server'], {
      stdio: 'ignore',
      timeout: 300_000,
    });
  }
  const probe = createServer();
  const port = Number(new URL(await listen(probe)).port);
  probe.close();
  const child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += String(chunk);
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
