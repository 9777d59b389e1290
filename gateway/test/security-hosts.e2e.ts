// DNS rebinding and cross-site requests (decision 014): one Host/Origin allow-list in front of every route.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { gql, startTestGateway } from './harness.ts';

/** One request with raw headers (fetch would not let a test set Host). */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const NOTE = JSON.stringify({ query: 'mutation { addIncidentNote(incidentId: "demo:Q3VW8TR", body: "rebound") { id } }' });
const JSON_HEADERS = { 'content-type': 'application/json' };

describe('Host and Origin allow-list on every route', () => {
  let gateway: RunningGateway;
  let base: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { OPSORCH_ALLOWED_HOSTS: 'ops.example.com', OPSORCH_ALLOWED_ORIGINS: 'https://console.example.com' } });
    base = `http://127.0.0.1:${gateway.port}`;
  });
  afterAll(async () => {
    await gateway?.close();
  });

  async function notes(): Promise<number> {
    const answer = await gql(gateway.url, '{ incident(id: "demo:Q3VW8TR") { timeline(first: 200) { nodes { message } } } }');
    return answer.data.incident.timeline.nodes.filter((n: { message: string }) => n.message === 'rebound').length;
  }

  it('refuses a mutation sent under a foreign Host (a rebound DNS name) and writes nothing', async () => {
    const rebound = await send(`${base}/graphql`, 'POST', { ...JSON_HEADERS, host: 'evil.com', origin: 'http://evil.com' }, NOTE);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN', reason: 'HOST_NOT_ALLOWED' } });
    expect(JSON.parse(rebound.body).errors[0].message).toContain('OPSORCH_ALLOWED_HOSTS');
    expect(await notes()).toBe(0);
  });

  it('refuses cross-site origins, including the opaque `null` origin, on an allowed Host', async () => {
    for (const origin of ['https://evil.com', 'null', 'not a url']) {
      const answer = await send(`${base}/graphql`, 'POST', { ...JSON_HEADERS, host: `127.0.0.1:${gateway.port}`, origin }, NOTE);
      expect(answer.status, origin).toBe(403);
    }
    expect(await notes()).toBe(0);
  });

  it('lets a request that brings its own credential, or a preflight, through from another origin (no site can forge those)', async () => {
    const preflight = await send(`${base}/graphql`, 'OPTIONS', { host: `127.0.0.1:${gateway.port}`, origin: 'https://evil.com', 'access-control-request-method': 'POST' });
    expect(preflight.status).not.toBe(403);
    const withToken = await send(`${base}/graphql`, 'POST', { ...JSON_HEADERS, host: `127.0.0.1:${gateway.port}`, origin: 'https://tools.example.org', authorization: 'Bearer not-a-valid-key' }, NOTE);
    // Past the Origin check: the open demo has no keys, so the credential itself is what gets refused.
    expect(JSON.parse(withToken.body).errors[0].extensions.reason).not.toBe('HOST_NOT_ALLOWED');
    // A foreign Host is refused whatever the request carries.
    const rebound = await send(`${base}/graphql`, 'POST', { ...JSON_HEADERS, host: 'evil.com', authorization: 'Bearer x' }, NOTE);
    expect(rebound.status).toBe(403);
  });

  it('covers GraphiQL, the console paths, /mcp and the health routes alike', async () => {
    for (const path of ['/graphql', '/', '/incidents', '/mcp', '/healthz', '/metrics']) {
      const answer = await send(`${base}${path}`, 'GET', { host: 'evil.com', accept: 'text/html' });
      expect(answer.status, path).toBe(403);
    }
  });

  it('serves loopback names, addresses (probes and scrapes), configured hosts, the same origin and configured origins', async () => {
    const port = gateway.port;
    const cases: Record<string, string>[] = [
      { host: `localhost:${port}`, origin: `http://localhost:${port}` },
      { host: `[::1]:${port}` },
      { host: `10.1.2.3:${port}` },
      { host: 'ops.example.com', origin: 'https://ops.example.com' },
      { host: 'ops.example.com', origin: 'https://console.example.com' },
    ];
    for (const headers of cases) {
      const answer = await send(`${base}/graphql`, 'POST', { ...JSON_HEADERS, ...headers }, JSON.stringify({ query: '{ services(first: 1) { nodes { id } } }' }));
      expect(answer.status, JSON.stringify(headers)).toBe(200);
    }
    expect((await send(`${base}/healthz`, 'GET', { host: `10.0.0.7:${port}` })).status).toBe(200);
  });
});
