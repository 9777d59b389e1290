// Starts the real gateway with /mcp mounted on an ephemeral loopback port, and MCP clients that talk to it.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startGateway, type RunningGateway } from '../../gateway/src/index.ts';
import { captureLogs } from '../../gateway/test/harness.ts';
import { httpGatewayClient, type GatewayClient } from '../src/gateway-client.ts';
import { mountMcpHttp, type McpHttpHandle, type McpHttpOptions } from '../src/http.ts';

export interface McpTestServer {
  gateway: RunningGateway;
  mcp: McpHttpHandle;
  /** http://127.0.0.1:<port>/mcp */
  mcpUrl: string;
  logs: string[];
  close(): Promise<void>;
}

/** The gateway on a free port with /mcp mounted; `wrap` may put a recorder between MCP and the gateway. */
export async function startMcpGateway(
  options: Omit<McpHttpOptions, 'gateway'> = {},
  wrap: (client: GatewayClient) => GatewayClient = (c) => c,
  env: Record<string, string> = {},
): Promise<McpTestServer> {
  const { lines, logger } = captureLogs();
  let mcp: McpHttpHandle | undefined;
  const gateway = await startGateway({
    port: 0,
    host: '127.0.0.1',
    env,
    logger,
    mount: (app, gw) => {
      mcp = mountMcpHttp(app, { authenticate: gw.clientOf, ...options, gateway: wrap(httpGatewayClient({ url: gw.graphqlUrl })) });
    },
  });
  return {
    gateway,
    mcp: mcp!,
    mcpUrl: `http://127.0.0.1:${gateway.port}/mcp`,
    logs: lines,
    async close() {
      await mcp?.close();
      await gateway.close();
    },
  };
}

export async function connectHttp(url: string, name = 'vitest-client', headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

export interface RecordedRequest {
  headers: IncomingHttpHeaders;
  body: { query: string; operationName?: string; variables?: Record<string, unknown> };
}

/** A pass-through HTTP proxy in front of the gateway's /graphql that records every request. */
export async function recordingProxy(target: string): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    requests.push({ headers: req.headers, body: JSON.parse(text) });
    const forwarded = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k))) as Record<string, string>;
    const answer = await fetch(target, { method: 'POST', headers: forwarded, body: text });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(await answer.text());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
