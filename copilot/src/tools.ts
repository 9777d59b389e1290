// The copilot's only way to OpsOrch: MCP tools. In-process (an MCP server in this process whose calls reach the
// gateway's own /graphql over loopback) or any OpsOrch /mcp URL. Either way the gateway sees `agent:copilot`
// with the asking person's credential, so their scopes, environments and the audit log apply.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { ALL_TOOLSETS, createOpsOrchMcpServer, httpGatewayClient, OPERATION_TOOLS, type Toolset } from '@opsorch/mcp';
import type { Person } from './types.ts';

/** The MCP client name: the gateway records every call as `agent:copilot`. */
export const COPILOT_AGENT = 'copilot';

export interface ToolInfo {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  readOnly: boolean;
}

/** One tool answer: the structured content when the tool succeeded, its text either way. */
export interface ToolAnswer {
  ok: boolean;
  data: any;
  text: string;
}

/** A live MCP session as one person. */
export interface ToolConnection {
  tools: ToolInfo[];
  call(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<ToolAnswer>;
  close(): Promise<void>;
}

/** Opens MCP sessions as a person; `writes` lists the write tools too (only for approved actions). */
export interface ToolConnector {
  readonly description: string;
  connect(person: Person, options: { writes: boolean }): Promise<ToolConnection>;
}

/** Toolsets the copilot reads: everything but the generic GraphQL ones (an investigation never needs raw queries). */
const COPILOT_TOOLSETS: Toolset[] = ALL_TOOLSETS.filter((t) => t !== 'schema');

/** Longest answer of one tool call the copilot keeps (characters of JSON). */
const MAX_RESULT_CHARS = 60_000;

/** Per call: the investigation's own budgets stop it sooner. */
const CALL_TIMEOUT_MS = 30_000;

function info(tool: Tool): ToolInfo {
  return {
    name: tool.name,
    description: tool.description ?? '',
    inputSchema: tool.inputSchema as Record<string, unknown>,
    readOnly: tool.annotations?.readOnlyHint === true,
  };
}

async function session(client: Client, close: () => Promise<void>): Promise<ToolConnection> {
  const { tools } = await client.listTools();
  return {
    tools: tools.map(info),
    async call(name, args, signal) {
      const result = (await client.callTool({ name, arguments: args }, undefined, { signal, timeout: CALL_TIMEOUT_MS })) as CallToolResult;
      const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
      return { ok: !result.isError, data: result.isError ? undefined : (result.structuredContent ?? safeJson(text)), text };
    },
    close,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * An MCP server in this process (the same generated tools as /mcp), connected to a client through an in-memory
 * transport. Its tool calls go to the gateway's /graphql like any client's, with the person's credential.
 */
export function inProcessTools(options: { graphqlUrl: () => string }): ToolConnector {
  const gateway = httpGatewayClient({ url: options.graphqlUrl });
  return {
    description: 'in-process MCP server',
    async connect(person, { writes }) {
      const server = createOpsOrchMcpServer({
        gateway: (request, caller) => gateway(request, { ...caller, authorization: person.authorization, onBehalfOf: person.label }),
        toolsets: COPILOT_TOOLSETS,
        enableWrites: writes,
        maxResultChars: MAX_RESULT_CHARS,
      });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await server.connect(serverSide);
      const client = new Client({ name: COPILOT_AGENT, version: '0.1.0' });
      await client.connect(clientSide);
      return session(client, async () => {
        await client.close().catch(() => {});
        await server.close().catch(() => {});
      });
    },
  };
}

/**
 * Any OpsOrch `/mcp` endpoint. The person's own credential goes along when they have one, else the configured
 * token; the on-behalf-of label names the person in the open demo.
 */
export function remoteTools(options: { url: string | (() => string); token?: string }): ToolConnector {
  const urlOf = () => new URL(typeof options.url === 'function' ? options.url() : options.url);
  return {
    get description() {
      const url = urlOf();
      return `MCP at ${url.origin}${url.pathname}`;
    },
    async connect(person) {
      const url = urlOf();
      const headers: Record<string, string> = {};
      const authorization = person.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
      if (authorization) headers.authorization = authorization;
      if (person.label) headers['x-opsorch-on-behalf-of'] = person.label;
      const client = new Client({ name: COPILOT_AGENT, version: '0.1.0' });
      const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
      await client.connect(transport);
      return session(client, async () => {
        await transport.terminateSession().catch(() => {});
        await client.close().catch(() => {});
      });
    },
  };
}

/** The capability a generated tool belongs to (its toolset is named after it): an approval needs `<capability>:write`. */
export function capabilityOfTool(tool: string): string | undefined {
  return OPERATION_TOOLS.find((t) => t.name === tool)?.toolset;
}
