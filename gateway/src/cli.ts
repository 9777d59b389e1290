import { parseArgs } from 'node:util';
import { SUBGRAPH_NAMES } from '@opsorch/schema';
import { runCheck } from './check.ts';
import { createLogger } from './logger.ts';
import { applyHeapPolicy } from './heap.ts';
import { keygenOutput } from './security/keygen.ts';
import { startupBanner } from './banner.ts';
import { startGateway } from './server.ts';
import { servingSettingsFrom } from './serving.ts';
import { startSubgraphServer } from './subgraph-server.ts';

/** After the grace period, closing (providers, plugin processes, trace export) gets this long before the process exits anyway. */
const FORCED_EXIT_AFTER_GRACE_MS = 5_000;

const USAGE = `Usage: opsorch <command> [options]

Commands:
  start                 Start the gateway with GraphiQL (PORT, default 4000) and the web console at /
                        (OPSORCH_CONSOLE=off to leave it out), the REST API at /api/v1 (reference at
                        /api/docs), OpsOrch Core's routes at /core (OPSORCH_CORE_PATH) and the copilot at
                        /copilot (OPSORCH_COPILOT=off). Subgraphs run in-process, except those listed in
                        OPSORCH_SUBGRAPH_URLS (name=url,name=url).
  mcp --stdio           Serve OpsOrch to an MCP client over stdio (opsorch mcp --help); \`start\` serves MCP
                        over HTTP at /mcp.
  subgraph <name>       Serve one capability's subgraph over HTTP (--port, default PORT or 4000).
                        Names: ${SUBGRAPH_NAMES.join(', ')}
  keygen [name]         Print a new API key and the configuration entry with its hash (gateway.auth.apiKeys).
  check                 Validate the configuration and reach every provider instance; exit 0 when all
                        answer, 1 when one is down, 2 when the configuration is invalid (--json for JSON).

Options:
  --port <n>            Port to listen on (0 = any free port).
  --host <addr>         Address to bind (default 0.0.0.0).
  -h, --help            Show this help.

Configuration (environment): OPSORCH_<CAPABILITY>_PROVIDER, OPSORCH_<CAPABILITY>_CONFIG, OPSORCH_CONFIG,
OPSORCH_PROVIDER_TIMEOUT_MS, OPSORCH_LOG_LEVEL. Nothing configured serves the built-in demo world.
Operations: GET /metrics (Prometheus), /healthz, /readyz; OPSORCH_TRACING=otlp exports traces; SIGHUP (or
OPSORCH_WATCH_CONFIG=true) reloads configuration and supergraph without dropping requests; SIGTERM drains
within OPSORCH_SHUTDOWN_GRACE_MS (default 10000) and exits. See docs/deploy.md.
`;

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'mcp') {
    applyHeapPolicy();
    // `opsorch mcp --stdio`: its own options (mcp/src/command.ts); in-process mode starts the gateway here, logging to stderr.
    const { runMcpCommand } = await import('@opsorch/mcp');
    process.exitCode = await runMcpCommand(argv.slice(1), process.env, () =>
      startGateway({ port: 0, host: '127.0.0.1', logger: createLogger(undefined, process.stderr), releaseMemoryWhenIdle: true }),
    );
    return;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    process.exitCode = command || values.help ? 0 : 2;
    return;
  }
  if (command === 'keygen') {
    process.stdout.write(keygenOutput(rest[0]));
    return;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
    throw new Error(`--port must be a port number, got "${values.port}"`);
  }
  if (command === 'check') {
    process.exitCode = await runCheck({ json: values.json });
    return;
  }
  // Only the servers (start, subgraph) get here.
  applyHeapPolicy();
  const logger = createLogger();
  let running: { close(): Promise<void>; reload(reason?: string): Promise<number> };
  let copilot: { close(): Promise<void> } | undefined;
  if (command === 'start') {
    const withConsole = process.env.OPSORCH_CONSOLE !== 'off';
    const gateway = await startGateway({
      port,
      host: values.host,
      logger,
      releaseMemoryWhenIdle: true,
      mount: async (app, gateway) => {
        // MCP for agents at /mcp (OPSORCH_MCP=off leaves it out), before the console, which serves the other paths.
        const { mountMcpFromEnv } = await import('@opsorch/mcp');
        mountMcpFromEnv(app, { graphqlUrl: gateway.graphqlUrl, authenticate: gateway.clientOf, env: process.env, logger });
        // The copilot at /copilot (OPSORCH_COPILOT=off leaves it out), behind the gateway's authentication.
        const { mountCopilotFromEnv } = await import('@opsorch/copilot');
        copilot = await mountCopilotFromEnv(app, { graphqlUrl: gateway.graphqlUrl, authenticate: gateway.authenticate, principalOf: gateway.principalOf, env: process.env, logger });
        if (process.env.OPSORCH_CONSOLE === 'off') return;
        const { mountConsoleFromEnv } = await import('@opsorch/console');
        // Under a test runner the console builds on its first request, so API-only tests pay nothing.
        await mountConsoleFromEnv(app, {
          graphqlUrl: gateway.graphqlUrl,
          logger,
          env: process.env,
          section: gateway.settings().sections.console,
          build: process.env.VITEST ? 'lazy' : 'eager',
        });
      },
    });
    running = gateway;
    // Beside the JSON log, a person at a terminal gets where things are (issue 17).
    if (process.stdout.isTTY) {
      // After the start-up lines, which the logger may still hold for a few milliseconds.
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
      const baseUrl = gateway.url.replace(/\/graphql$/, '');
      process.stdout.write(startupBanner({ baseUrl, console: withConsole, mcp: process.env.OPSORCH_MCP !== 'off', demo: gateway.settings.demo }));
    }
  } else if (command === 'subgraph') {
    if (!rest[0]) throw new Error(`opsorch subgraph needs a name: ${SUBGRAPH_NAMES.join(', ')}`);
    running = await startSubgraphServer({ name: rest[0], port, host: values.host, logger, releaseMemoryWhenIdle: true });
  } else {
    process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  // SIGTERM/SIGINT: stop accepting, give running requests the grace period, then cut them. Providers' CPU work
  // yields to the event loop (decision 013), so the signal is acted on even under load; whatever still hangs
  // after the grace period (a plugin process, a request ignoring its signal) ends with the process.
  const { shutdownGraceMs } = servingSettingsFrom(process.env);
  let stoppingSince = 0;
  const stop = (signal: NodeJS.Signals) => {
    if (stoppingSince > 0) {
      // The same signal sent to the whole process group (`timeout`, some supervisors) arrives twice at once: only a
      // second one a person sent on purpose cuts the grace period short.
      if (performance.now() - stoppingSince < 1_000) return;
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    stoppingSince = performance.now();
    logger.info({ signal, graceMs: shutdownGraceMs }, 'shutting down: no new connections; running requests get the grace period');
    const forced = setTimeout(() => {
      logger.error({ signal, graceMs: shutdownGraceMs }, 'shutdown did not finish after the grace period; exiting');
      process.exit(1);
    }, shutdownGraceMs + FORCED_EXIT_AFTER_GRACE_MS);
    forced.unref();
    // The copilot's open streams end first (they wait on the gateway), then the gateway drains.
    (async () => {
      await copilot?.close();
      await running.close();
    })().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: String((error as Error).message) }, 'shutdown failed; exiting');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Reload configuration and supergraph; running requests finish on the old ones (a failure is logged, the old keeps serving).
  process.on('SIGHUP', () => void running.reload('SIGHUP').catch(() => {}));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`opsorch: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
