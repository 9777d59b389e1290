// Transports and the protocol around the tools: DNS-rebinding protection and sessions on /mcp, toolset
// narrowing, resources, prompts and completions, and `opsorch mcp --stdio` in-process and against a gateway.
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ROOT } from '../../gateway/test/harness.ts';
import { connectHttp, recordingProxy, startMcpGateway, type McpTestServer } from './harness.ts';

let server: McpTestServer;

beforeAll(async () => {
  server = await startMcpGateway({}, undefined, { OPSORCH_ALLOWED_HOSTS: 'opsorch.internal', OPSORCH_ALLOWED_ORIGINS: 'https://ops.example.com' });
});

afterAll(async () => {
  await server?.close();
});

/** POSTs initialize with raw headers (fetch would not let a test set Host). Resolves to status and body. */
function initialize(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  return new Promise((resolve, reject) => {
    const req = request(
      server.mcpUrl,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('Streamable HTTP at /mcp', () => {
  it('refuses foreign Host and Origin headers (DNS rebinding) and accepts local and configured ones', async () => {
    const port = server.gateway.port;
    const evilHost = await initialize({ host: 'evil.example.com' });
    expect(evilHost.status).toBe(403);
    expect(JSON.parse(evilHost.body).error.message).toContain('OPSORCH_ALLOWED_HOSTS');
    expect((await initialize({ origin: 'http://evil.example.com' })).status).toBe(403);
    // A sandboxed iframe or a file: page sends `Origin: null`: any web page can.
    const nullOrigin = await initialize({ origin: 'null' });
    expect(nullOrigin.status).toBe(403);
    expect(JSON.parse(nullOrigin.body).error.message).toContain('Origin "null"');
    expect((await initialize({ host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await initialize({ host: 'opsorch.internal', origin: 'https://ops.example.com' })).status).toBe(200);
    expect((await initialize({ host: `[::1]:${port}` })).status).toBe(200);
  });

  it('needs initialize first, knows its sessions, and says when one is gone', async () => {
    const notInitialize = await fetch(server.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(notInitialize.status).toBe(400);
    const unknown = await fetch(server.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': 'nope' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(unknown.status).toBe(404);
    const badJson = await fetch(server.mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(badJson.status).toBe(400);
    expect((await fetch(server.mcpUrl, { method: 'PUT' })).status).toBe(405);
  });

  it('replays an answer whose stream was lost (Last-Event-ID), and keeps only recent answers for that', async () => {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };
    const post = (body: unknown, session?: string) =>
      fetch(server.mcpUrl, { method: 'POST', headers: { ...headers, ...(session ? { 'mcp-session-id': session } : {}) }, body: JSON.stringify(body) });
    const opened = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    const session = opened.headers.get('mcp-session-id')!;
    await opened.text();
    await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session)).text();
    /** One tool call's SSE stream: the priming event's id (where a client resumes from) and the answer's. */
    const call = async (id: number) => {
      const text = await (await post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'search_logs', arguments: { service: 'checkout', limit: 200 } } }, session)).text();
      const ids = [...text.matchAll(/^id: (.+)$/gm)].map((m) => m[1]!);
      expect(ids, text.slice(0, 300)).toHaveLength(2);
      return { priming: ids[0]!, answer: ids[1]!, chars: text.length };
    };
    /** What GET /mcp replays after `lastEventId`, read for a moment (the stream stays open). */
    const replay = async (lastEventId: string) => {
      const abort = new AbortController();
      const response = await fetch(server.mcpUrl, { headers: { accept: 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25', 'last-event-id': lastEventId }, signal: abort.signal });
      const reader = response.body!.getReader();
      let text = '';
      const until = Date.now() + 1_500;
      while (Date.now() < until && !/\n\n/.test(text.split('data: ')[1] ?? '')) {
        const chunk = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(() => resolve(null), until - Date.now()))]);
        if (!chunk || chunk.done) break;
        text += new TextDecoder().decode(chunk.value);
      }
      abort.abort();
      return [...text.matchAll(/^id: (.+)$/gm)].map((m) => m[1]!);
    };
    const first = await call(2);
    expect(await replay(first.priming)).toEqual([first.answer]);
    // Past a session's share of the log (1 Mi characters while few sessions are open), the oldest answers go.
    let last = first;
    let sent = first.chars;
    for (let id = 3; sent < 1.5 * 2 ** 20; id++) sent += (last = await call(id)).chars;
    expect(await replay(last.priming)).toEqual([last.answer]);
    expect(await replay(first.priming)).toEqual([]);
  });

  it('lets a client narrow its toolsets with ?toolsets=, never widen them', async () => {
    const client = await connectHttp(`${server.mcpUrl}?toolsets=logs,tickets`);
    try {
      // tickets is not among the server's toolsets (the default ones), so only logs remain.
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['log_volume', 'search_logs']);
      await expect(client.callTool({ name: 'acknowledge_incident', arguments: { id: 'demo:Q3VW8TR' } })).rejects.toThrow(/write tool and this server is read-only/);
    } finally {
      await client.close();
    }
  });

  it('serves incident and runbook resources, prompts and completions', async () => {
    const client = await connectHttp(server.mcpUrl, 'resources-test');
    try {
      const { resources } = await client.listResources();
      const incident = resources.find((r) => r.uri === 'incident://demo%3AQ3VW8TR');
      expect(incident).toMatchObject({ mimeType: 'text/markdown', title: expect.stringContaining('#1042') });
      expect(resources.some((r) => r.uri.startsWith('runbook://demo%3Arb-'))).toBe(true);
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['incident://{id}', 'runbook://{id}']);
      const read = await client.readResource({ uri: 'incident://demo%3AQ3VW8TR' });
      const markdown = (read.contents[0] as { text: string }).text;
      expect(markdown).toContain('# Incident #1042');
      expect(markdown).toContain('## On call for');
      expect(markdown).toContain('2.14.0');
      const runbook = await client.readResource({ uri: 'runbook://demo%3Arb-rollback-deploy' });
      expect((runbook.contents[0] as { text: string }).text).toMatch(/## Steps/);
      await expect(client.readResource({ uri: 'incident://demo%3ANOPE' })).rejects.toMatchObject({ code: -32002 });

      const { prompts } = await client.listPrompts();
      expect(prompts.map((p) => p.name)).toEqual(['investigate-incident', 'oncall-handoff']);
      const investigate = await client.getPrompt({ name: 'investigate-incident', arguments: { incidentId: 'demo:Q3VW8TR' } });
      expect(investigate.messages[0]!.content).toMatchObject({ type: 'resource', resource: { uri: 'incident://demo%3AQ3VW8TR' } });
      expect((investigate.messages[1]!.content as { text: string }).text).toContain('get_incident_war_room');
      const handoff = await client.getPrompt({ name: 'oncall-handoff', arguments: { team: 'payments' } });
      expect(JSON.parse((handoff.messages[0]!.content as { resource: { text: string } }).resource.text)).toHaveProperty('onCallNow');
      await expect(client.getPrompt({ name: 'investigate-incident', arguments: { incidentId: 'demo:NOPE' } })).rejects.toThrow(/no incident with id "demo:NOPE"/);

      const ids = await client.complete({ ref: { type: 'ref/prompt', name: 'investigate-incident' }, argument: { name: 'incidentId', value: 'Q3' } });
      expect(ids.completion.values).toContain('demo:Q3VW8TR');
      const teams = await client.complete({ ref: { type: 'ref/prompt', name: 'oncall-handoff' }, argument: { name: 'team', value: 'pay' } });
      expect(teams.completion.values).toEqual(['payments']);
    } finally {
      await client.close();
    }
  });
});

describe('opsorch mcp --stdio', () => {
  async function stdioClient(args: string[], env: Record<string, string> = {}): Promise<Client> {
    const client = new Client({ name: 'Stdio Test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [join(ROOT, 'bin', 'opsorch.mjs'), 'mcp', '--stdio', ...args],
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
        stderr: 'pipe',
      }),
    );
    return client;
  }

  it('runs the gateway in-process when no gateway URL is given', async () => {
    const client = await stdioClient(['--toolsets', 'teams']);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['list_teams', 'who_is_on_call']);
      const onCall = await client.callTool({ name: 'who_is_on_call', arguments: { team: 'payments' } });
      expect(onCall.isError).toBeFalsy();
      expect((onCall.structuredContent as { onCallNow: unknown[] }).onCallNow).toHaveLength(2);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('talks to a gateway URL with the configured token, marked as the agent', async () => {
    const proxy = await recordingProxy(server.gateway.url);
    const client = await stdioClient(['--gateway-url', proxy.url, '--enable-writes', '--toolsets', 'incidents'], { OPSORCH_TOKEN: 'stdio-token' });
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('add_incident_note');
      const result = await client.callTool({ name: 'get_incident', arguments: { id: 'demo:Q3VW8TR' } });
      // The gateway has no keys configured and refuses an unknown one: the token did reach it.
      expect(proxy.requests.at(-1)!.headers).toMatchObject({ authorization: 'Bearer stdio-token', 'x-opsorch-actor': 'agent:stdio-test' });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toContain('UNAUTHENTICATED');
    } finally {
      await client.close();
      await proxy.close();
    }
  }, 60_000);

  it('explains bad arguments and exits 2', async () => {
    const { spawnSync } = await import('node:child_process');
    const missing = spawnSync(process.execPath, [join(ROOT, 'bin', 'opsorch.mjs'), 'mcp'], { cwd: ROOT, encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('say --stdio');
    const badToolset = spawnSync(process.execPath, [join(ROOT, 'bin', 'opsorch.mjs'), 'mcp', '--stdio', '--toolsets', 'nope'], { cwd: ROOT, encoding: 'utf8' });
    expect(badToolset.status).not.toBe(0);
    expect(badToolset.stderr).toContain('unknown toolset "nope"');
  }, 30_000);
});
