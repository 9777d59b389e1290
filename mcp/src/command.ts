import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { httpGatewayClient } from './gateway-client.ts';
import { isTrue, mountMcpHttp, mcpHttpSettingsFromEnv, type McpAuthenticate, type RouteTarget } from './http.ts';
import { createOpsOrchMcpServer, type McpLogger } from './server.ts';
import { ALL_TOOLSETS, DEFAULT_TOOLSETS, parseToolsets, TOOLSETS } from './toolsets.ts';

export const MCP_USAGE = `Usage: opsorch mcp --stdio [options]

Serves OpsOrch to an MCP client (Claude Desktop, Cursor, an agent) over stdio. Without --gateway-url it runs
the gateway in this process (same configuration as \`opsorch start\`); over HTTP, \`opsorch start\` already
serves MCP at http://localhost:4000/mcp.

Options:
  --stdio                  Speak MCP on stdin/stdout (logs go to stderr).
  --gateway-url <url>      Use a running gateway, for example https://opsorch.example.com/graphql
                           (OPSORCH_GATEWAY_URL).
  --token <token>          Bearer token for the gateway (prefer OPSORCH_TOKEN: arguments show in ps).
  --toolsets <list>        Comma list of toolsets to list, or "default" / "all" (OPSORCH_MCP_TOOLSETS).
                           Default: ${DEFAULT_TOOLSETS.join(', ')}.
  --enable-writes          List write tools and allow mutations through execute (OPSORCH_MCP_ENABLE_WRITES).
  --max-result-chars <n>   Size budget of one tool answer (OPSORCH_MCP_MAX_RESULT_CHARS, default 40000).
  -h, --help               Show this help.

Toolsets:
${ALL_TOOLSETS.map((t) => `  ${t.padEnd(15)} ${TOOLSETS[t]}`).join('\n')}
`;

/** A gateway this process started for in-process mode. */
export interface InProcessGateway {
  url: string;
  close(): Promise<void>;
}

function stderrLogger(): McpLogger {
  const write = (level: string) => (obj: object, msg?: string) => {
    if (level === 'debug' && !isTrue(process.env.OPSORCH_MCP_DEBUG)) return;
    process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...obj })}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * `opsorch mcp`: parses the arguments, connects to the gateway (or starts one in-process) and serves MCP on
 * stdio until stdin closes. Resolves to the exit code.
 */
export async function runMcpCommand(argv: string[], env: Record<string, string | undefined>, startGateway: () => Promise<InProcessGateway>): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stdio: { type: 'boolean' },
        'gateway-url': { type: 'string' },
        token: { type: 'string' },
        toolsets: { type: 'string' },
        'enable-writes': { type: 'boolean' },
        'max-result-chars': { type: 'string' },
        'conformance-fixtures': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`opsorch mcp: ${(error as Error).message}\n\n${MCP_USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stderr.write(MCP_USAGE);
    return 0;
  }
  if (!values.stdio) {
    process.stderr.write(`opsorch mcp: say --stdio (the only transport of this command; HTTP is served by \`opsorch start\` at /mcp)\n\n${MCP_USAGE}`);
    return 2;
  }
  const settings = mcpHttpSettingsFromEnv(env);
  const maxChars = values['max-result-chars'] !== undefined ? Number(values['max-result-chars']) : settings.maxResultChars;
  if (maxChars !== undefined && !(Number.isInteger(maxChars) && maxChars >= 1000)) {
    process.stderr.write(`opsorch mcp: --max-result-chars must be a whole number of at least 1000, got "${values['max-result-chars']}"\n`);
    return 2;
  }
  const toolsets = values.toolsets !== undefined ? parseToolsets(values.toolsets) : settings.toolsets;
  const logger = stderrLogger();
  const gatewayUrl = values['gateway-url'] ?? env.OPSORCH_GATEWAY_URL;
  if (gatewayUrl) {
    try {
      new URL(gatewayUrl);
    } catch {
      process.stderr.write(`opsorch mcp: --gateway-url "${gatewayUrl}" is not a URL (for example http://localhost:4000/graphql)\n`);
      return 2;
    }
  }
  const local = gatewayUrl ? undefined : await startGateway();
  const server = createOpsOrchMcpServer({
    gateway: httpGatewayClient({ url: gatewayUrl ?? local!.url, token: values.token ?? env.OPSORCH_TOKEN }),
    toolsets,
    enableWrites: values['enable-writes'] || settings.enableWrites,
    maxResultChars: maxChars,
    conformanceFixtures: values['conformance-fixtures'] || settings.conformanceFixtures,
    logger,
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  logger.info({ gateway: gatewayUrl ?? `in-process ${local!.url}`, toolsets, writes: values['enable-writes'] || settings.enableWrites }, 'OpsOrch MCP server on stdio');
  await closed;
  await server.close().catch(() => {});
  await local?.close();
  return 0;
}

/**
 * Mounts `/mcp` on the gateway's app, configured from OPSORCH_MCP_* (OPSORCH_MCP=off leaves it out). Tool
 * calls go to the gateway's own /graphql over loopback, so its authentication and limits apply to agents.
 */
export function mountMcpFromEnv(
  app: RouteTarget,
  options: { graphqlUrl: () => string; authenticate?: McpAuthenticate; env: Record<string, string | undefined>; logger?: McpLogger },
) {
  if ((options.env.OPSORCH_MCP ?? '').toLowerCase() === 'off') return undefined;
  return mountMcpHttp(app, {
    ...mcpHttpSettingsFromEnv(options.env),
    gateway: httpGatewayClient({ url: options.graphqlUrl }),
    authenticate: options.authenticate,
    logger: options.logger,
  });
}
