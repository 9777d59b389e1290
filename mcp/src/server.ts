import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { FIXTURE_PROMPTS, FIXTURE_RESOURCES, FIXTURE_TEMPLATES, FIXTURE_TOOLS, readFixtureTemplate } from './conformance-fixtures.ts';
import type { Caller, GatewayClient } from './gateway-client.ts';
import { OPERATION_TOOLS } from './generated/tools.ts';
import { genericTools, type GenericTool } from './generic-tools.ts';
import { runOperationTool } from './operation-tools.ts';
import { complete, getPrompt, listResources, PromptArgumentError, PROMPTS, readResource, RESOURCE_TEMPLATES } from './resources.ts';
import { DEFAULT_MAX_RESULT_CHARS, errorResult } from './results.ts';
import type { OperationToolDefinition } from './tool-definition.ts';
import { DEFAULT_TOOLSETS, type Toolset } from './toolsets.ts';

export const SERVER_NAME = 'opsorch';
export const SERVER_VERSION = '0.1.0';

/** What an LLM should know before its first call; sent once in `initialize`. */
const INSTRUCTIONS = `OpsOrch puts every ops tool (incidents, alerts, logs, metrics, tickets, chat, service catalog, teams and on-call, deploys, runbooks) behind one API; every answer is live from the tool that owns it, with a url back to it.
Ids of incidents, alerts, tickets, runbooks and runs look like \`demo:Q3VW8TR\` (instance:native id); services and teams are slugs (\`checkout\`, \`payments\`); people are e-mail addresses. Times accept RFC 3339 or relative values such as \`now-1h\`.
Start an investigation with list_incidents (statuses [TRIGGERED, ACKNOWLEDGED]) and get_incident_war_room. Lists page with \`after\` = the previous answer's nextCursor. A cut answer carries \`truncated\` with a hint how to narrow it; \`errors\` lists parts that failed while the rest answered.
Write tools act as you in real tools and are seen by people: confirm with the user before acknowledging, resolving, silencing, posting or starting runs.`;

export interface McpLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface OpsOrchMcpOptions {
  /** How tool calls reach the gateway. */
  gateway: GatewayClient;
  /** Toolsets to list; default DEFAULT_TOOLSETS. */
  toolsets?: readonly Toolset[];
  /** List and allow write tools (and mutations through `execute`). Default false. */
  enableWrites?: boolean;
  /** Size budget of one tool answer in characters of JSON. */
  maxResultChars?: number;
  /** Test flag: also serve the conformance suite's fixture tools, resources and prompts. */
  conformanceFixtures?: boolean;
  logger?: McpLogger;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** The tools a server with these options lists, in order (operation tools, then generic ones). */
export function selectTools(options: Pick<OpsOrchMcpOptions, 'toolsets' | 'enableWrites'>): { operations: OperationToolDefinition[]; generic: GenericTool[] } {
  const toolsets = new Set<string>(options.toolsets ?? DEFAULT_TOOLSETS);
  const enableWrites = options.enableWrites ?? false;
  // Writes off beats an explicit toolset: a read-only server never lists a write tool.
  const operations = OPERATION_TOOLS.filter((t) => toolsets.has(t.toolset) && (enableWrites || t.annotations.readOnlyHint));
  const generic = toolsets.has('schema') ? genericTools(enableWrites) : [];
  return { operations, generic };
}

function listing(tool: OperationToolDefinition | GenericTool): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema as Tool['inputSchema'],
    outputSchema: tool.outputSchema as Tool['outputSchema'],
    annotations: { ...tool.annotations },
  };
}

/** The MCP `tools/list` answer of a server with these options. */
export function listTools(options: Pick<OpsOrchMcpOptions, 'toolsets' | 'enableWrites'>): Tool[] {
  const { operations, generic } = selectTools(options);
  return [...operations, ...generic].map(listing);
}

/**
 * One MCP server session (the SDK's Server serves one transport): OpsOrch's generated and generic tools,
 * incident and runbook resources, prompts, completions. Each session's calls reach the gateway as
 * `agent:<the client's name>`, with the credential of the request when the transport has one.
 */
export function createOpsOrchMcpServer(options: OpsOrchMcpOptions): Server {
  const enableWrites = options.enableWrites ?? false;
  const maxResultChars = options.maxResultChars ?? DEFAULT_MAX_RESULT_CHARS;
  const fixtures = options.conformanceFixtures ?? false;
  const { operations, generic } = selectTools(options);
  const operationByName = new Map(operations.map((t) => [t.name, t]));
  const genericByName = new Map(generic.map((t) => [t.name, t]));
  const fixtureByName = new Map((fixtures ? FIXTURE_TOOLS : []).map((f) => [f.tool.name, f]));
  const tools = [...operations.map(listing), ...generic.map(listing), ...[...fixtureByName.values()].map((f) => f.tool)];

  const server = new Server(
    { name: SERVER_NAME, title: 'OpsOrch', version: SERVER_VERSION },
    {
      capabilities: {
        tools: {},
        resources: fixtures ? { subscribe: true } : {},
        prompts: {},
        completions: {},
        logging: {},
      },
      instructions: INSTRUCTIONS,
    },
  );

  const callerOf = (extra: Extra): Caller => {
    const headers = extra.requestInfo?.headers ?? {};
    const authorization = headers.authorization;
    const onBehalfOf = headers['x-opsorch-on-behalf-of'];
    return {
      clientName: server.getClientVersion()?.name ?? 'mcp-client',
      authorization: Array.isArray(authorization) ? authorization[0] : authorization,
      onBehalfOf: Array.isArray(onBehalfOf) ? onBehalfOf[0] : onBehalfOf,
      requestId: randomUUID(),
      signal: extra.signal,
    };
  };

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name, arguments: args = {} } = request.params;
    const caller = callerOf(extra);
    const started = Date.now();
    try {
      const operation = operationByName.get(name);
      const genericTool = genericByName.get(name);
      const fixture = fixtureByName.get(name);
      let result: CallToolResult;
      if (operation) result = await runOperationTool(operation, args, { gateway: options.gateway, caller, maxResultChars });
      else if (genericTool) {
        const parsed = genericTool.input.safeParse(args);
        if (!parsed.success) {
          const problems = parsed.error.issues.map((i) => `${i.path.length ? `\`${i.path.join('.')}\`` : 'arguments'}: ${i.message}`);
          return errorResult(`Invalid arguments for ${name}: ${problems.join('; ')}. Fix them and call again.`);
        }
        result = await genericTool.run(parsed.data as Record<string, unknown>, { gateway: options.gateway, caller, maxResultChars, enableWrites });
      } else if (fixture) result = await fixture.run(args, extra, server);
      else {
        const hidden = OPERATION_TOOLS.find((t) => t.name === name);
        const why = hidden
          ? hidden.annotations.readOnlyHint
            ? `${name} belongs to the "${hidden.toolset}" toolset, which this server does not list (start it with --toolsets ${hidden.toolset} or all)`
            : `${name} is a write tool and this server is read-only (a person can start it with --enable-writes)`
          : `there is no tool named ${name}`;
        throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${why}. tools/list shows the available ones.`);
      }
      options.logger?.debug({ tool: name, client: caller.clientName, ms: Date.now() - started, isError: result.isError ?? false }, 'mcp tool call');
      return result;
    } catch (error) {
      if (error instanceof McpError) throw error;
      // Never a JSON-RPC internal error: the model gets a result it can read and act on.
      options.logger?.error({ tool: name, err: error }, 'mcp tool call failed unexpectedly');
      return errorResult(`${name} failed inside the OpsOrch MCP server: ${(error as Error).message}. Retry once; if it fails again, report it.`);
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, async (_request, extra) => {
    const resources = await listResources(options.gateway, callerOf(extra)).catch((error: Error) => {
      options.logger?.warn({ err: error.message }, 'mcp resources/list: the gateway failed; listing fixtures only');
      return [];
    });
    return { resources: [...resources, ...(fixtures ? FIXTURE_RESOURCES.map((r) => r.resource) : [])] };
  });

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [...RESOURCE_TEMPLATES, ...(fixtures ? FIXTURE_TEMPLATES : [])],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const { uri } = request.params;
    if (fixtures) {
      const fixed = FIXTURE_RESOURCES.find((r) => r.resource.uri === uri)?.read() ?? readFixtureTemplate(uri);
      if (fixed) return fixed;
    }
    let result;
    try {
      result = await readResource(options.gateway, callerOf(extra), uri);
    } catch (error) {
      throw new McpError(ErrorCode.InternalError, `Reading ${uri} failed: ${(error as Error).message}`);
    }
    if (!result) {
      throw new McpError(-32002, `Resource not found: ${uri}. Use incident://{id} or runbook://{id} with a percent-encoded id (resources/list shows them).`, { uri });
    }
    return result;
  });

  if (fixtures) {
    // The suite only checks that (un)subscribing is accepted; OpsOrch's own resources have no push updates.
    server.setRequestHandler(SubscribeRequestSchema, async () => ({}));
    server.setRequestHandler(UnsubscribeRequestSchema, async () => ({}));
  }

  server.setRequestHandler(ListPromptsRequestSchema, async () => ({
    prompts: [...PROMPTS, ...(fixtures ? FIXTURE_PROMPTS.map((p) => p.prompt) : [])],
  }));

  server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
    const { name, arguments: args = {} } = request.params;
    const fixture = fixtures ? FIXTURE_PROMPTS.find((p) => p.prompt.name === name) : undefined;
    if (fixture) return fixture.get(args);
    try {
      const result = await getPrompt(options.gateway, callerOf(extra), name, args);
      if (result) return result;
    } catch (error) {
      if (error instanceof PromptArgumentError) throw new McpError(ErrorCode.InvalidParams, error.message);
      throw new McpError(ErrorCode.InternalError, `Preparing the prompt ${name} failed: ${(error as Error).message}`);
    }
    throw new McpError(ErrorCode.InvalidParams, `Unknown prompt ${name}; prompts/list shows ${PROMPTS.map((p) => p.name).join(', ')}`);
  });

  server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
    const values = await complete(options.gateway, callerOf(extra), request.params.ref as never, request.params.argument).catch(() => []);
    return { completion: { values, total: values.length, hasMore: false } };
  });

  return server;
}
