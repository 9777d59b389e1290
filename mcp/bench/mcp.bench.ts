// `npm run bench:mcp`: the size of tools/list and the median overhead of an MCP tool call over the raw
// GraphQL request it makes (same operation, same variables), in-process and over Streamable HTTP.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { startGateway } from '../../gateway/src/index.ts';
import { captureLogs } from '../../gateway/test/harness.ts';
import { OPERATION_TOOLS } from '../src/generated/tools.ts';
import { httpGatewayClient } from '../src/gateway-client.ts';
import { mountMcpHttp, type McpHttpHandle } from '../src/http.ts';
import { createOpsOrchMcpServer, listTools } from '../src/server.ts';
import { ALL_TOOLSETS } from '../src/toolsets.ts';
import { connectHttp } from '../test/harness.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 60);

function size(label: string, options: Parameters<typeof listTools>[0]) {
  const tools = listTools(options);
  const bytes = Buffer.byteLength(JSON.stringify({ tools }));
  console.log(`tools/list ${label.padEnd(26)} ${String(tools.length).padStart(3)} tools ${String(bytes).padStart(7)} bytes ≈${Math.round(bytes / 4)} tokens`);
}

size('default toolsets', {});
size('all toolsets, read-only', { toolsets: ALL_TOOLSETS });
size('all toolsets, writes on', { toolsets: ALL_TOOLSETS, enableWrites: true });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

let mcp: McpHttpHandle | undefined;
const gateway = await startGateway({
  port: 0,
  host: '127.0.0.1',
  env: {},
  logger: captureLogs().logger,
  mount: (app, gw) => {
    mcp = mountMcpHttp(app, { gateway: httpGatewayClient({ url: gw.graphqlUrl }) });
  },
});
const tool = OPERATION_TOOLS.find((t) => t.name === 'get_incident')!;
const variables = { id: 'demo:Q3VW8TR' };

async function raw(): Promise<void> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-opsorch-actor': 'agent:bench' },
    body: JSON.stringify({ query: tool.document, variables, operationName: tool.operationName }),
  });
  await response.json();
}

const inProcess = new Client({ name: 'bench', version: '1' });
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
await createOpsOrchMcpServer({ gateway: httpGatewayClient({ url: gateway.url }) }).connect(serverSide);
await inProcess.connect(clientSide);
const overHttp = await connectHttp(`http://127.0.0.1:${gateway.port}/mcp`, 'bench');

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const samples = { raw: [] as number[], inProcess: [] as number[], http: [] as number[] };
for (let i = 0; i < 10; i++) {
  await raw();
  await inProcess.callTool({ name: tool.name, arguments: variables });
  await overHttp.callTool({ name: tool.name, arguments: variables });
}
// Interleaved so drift (GC, JIT) hits every variant alike.
for (let i = 0; i < ROUNDS; i++) {
  samples.raw.push(await timed(raw));
  samples.inProcess.push(await timed(() => inProcess.callTool({ name: tool.name, arguments: variables })));
  samples.http.push(await timed(() => overHttp.callTool({ name: tool.name, arguments: variables })));
}
const base = median(samples.raw);
console.log(`\nget_incident, median of ${ROUNDS} (ms): raw GraphQL ${base.toFixed(2)}`);
console.log(`  MCP in-process (in-memory transport) ${median(samples.inProcess).toFixed(2)}  overhead ${(median(samples.inProcess) - base).toFixed(2)} ms`);
console.log(`  MCP Streamable HTTP at /mcp          ${median(samples.http).toFixed(2)}  overhead ${(median(samples.http) - base).toFixed(2)} ms`);

await inProcess.close();
await overHttp.close();
await mcp?.close();
await gateway.close();
