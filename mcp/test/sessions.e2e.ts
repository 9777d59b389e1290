// MCP sessions with credentials required (issue: an anonymous initialize flood filled the session table and
// locked every client out): a request is authenticated before a session exists, each client (credential) holds
// a bounded number of sessions, a session answers only its own client, and idle sessions expire as configured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKey } from '../../gateway/test/security-fixtures.ts';
import { connectHttp, startMcpGateway, type McpTestServer } from './harness.ts';

const admin = apiKey('admin', ['*'], { actor: 'user' });
const agent = apiKey('flooding-agent', ['*:read'], { actor: 'agent' });

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'flood', version: '1' } },
});
const GATEWAY_ENV = { OPSORCH_API_KEYS: JSON.stringify([admin.entry, agent.entry]), OPSORCH_AUDIT_SINKS: 'off', OPSORCH_RATE_LIMIT_PER_MINUTE: '0' };
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { ...HEADERS, ...headers }, body });
}

/** The admin (another credential) still opens a session and lists the tools. */
async function adminGetsIn(url: string): Promise<void> {
  const client = await connectHttp(url, 'admin-client', { authorization: `Bearer ${admin.key}` });
  try {
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  } finally {
    await client.close();
  }
}

describe('MCP sessions when credentials are required', () => {
  let server: McpTestServer;

  beforeAll(async () => {
    server = await startMcpGateway({ maxSessionsPerClient: 3 }, undefined, GATEWAY_ENV);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers nothing without a credential, so an anonymous flood opens no session and locks nobody out', async () => {
    const statuses = new Map<number, number>();
    for (let wave = 0; wave < 20; wave++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => post(server.mcpUrl, INITIALIZE)));
      for (const answer of answers) {
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        await answer.body?.cancel();
      }
    }
    expect(Object.fromEntries(statuses)).toEqual({ 401: 1000 });
    expect(server.mcp.sessions()).toBe(0);
    const refused = await post(server.mcpUrl, INITIALIZE);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await refused.json()).error.message).toMatch(/Authentication required/);

    // tools/list (or anything else) without a credential is refused too, with or without a session id.
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect((await post(server.mcpUrl, list)).status).toBe(401);
    expect((await post(server.mcpUrl, list, { 'mcp-session-id': 'guess' })).status).toBe(401);

    await adminGetsIn(server.mcpUrl);
  });

  it('caps the sessions of one credential (its oldest close) while others still get in, and keeps sessions to their owner', async () => {
    const asAgent = { authorization: `Bearer ${agent.key}` };
    const ids: string[] = [];
    const before = server.mcp.sessions();
    for (let i = 0; i < 8; i++) {
      const answer = await post(server.mcpUrl, INITIALIZE, asAgent);
      expect(answer.status).toBe(200);
      ids.push(answer.headers.get('mcp-session-id')!);
      await answer.body?.cancel();
    }
    expect(server.mcp.sessions() - before).toBe(3);
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' });
    expect((await post(server.mcpUrl, ping, { ...asAgent, 'mcp-session-id': ids[0]! })).status).toBe(404);
    const newest = await post(server.mcpUrl, ping, { ...asAgent, 'mcp-session-id': ids.at(-1)!, 'mcp-protocol-version': '2025-11-25' });
    expect(newest.status).toBe(200);
    await newest.body?.cancel();

    // Another credential presenting the agent's session id is told it does not exist.
    const stolen = await post(server.mcpUrl, ping, { authorization: `Bearer ${admin.key}`, 'mcp-session-id': ids.at(-1)!, 'mcp-protocol-version': '2025-11-25' });
    expect(stolen.status).toBe(404);

    await adminGetsIn(server.mcpUrl);
  });
});

describe('idle MCP sessions', () => {
  it('are closed after the configured time', async () => {
    const server = await startMcpGateway({ sessionIdleMs: 1000 }, undefined, GATEWAY_ENV);
    try {
      const opened = await post(server.mcpUrl, INITIALIZE, { authorization: `Bearer ${admin.key}` });
      const id = opened.headers.get('mcp-session-id')!;
      await opened.body?.cancel();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      // Nobody touches the session from here: the sweeper closes it.
      await expect.poll(() => server.mcp.sessions(), { timeout: 15_000, interval: 200 }).toBe(0);
      const ping = JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'ping' });
      const answer = await post(server.mcpUrl, ping, { authorization: `Bearer ${admin.key}`, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' });
      expect(answer.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
