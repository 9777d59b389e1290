import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { CAPABILITIES, loadConfigAsync, ProviderRegistry, resilienceFromEnv, type Capability, type Logger } from '@opsorch/adapters';
import { BUILTIN_PROVIDERS } from '@opsorch/adapters/builtin';
import { SUBGRAPH_NAMES, type SubgraphName } from '@opsorch/schema';
import { buildSchemaOf, IdempotencyStore, SUBGRAPHS, type RequestContext } from '@opsorch/subgraphs';
import { createErrorFormatter } from './errors.ts';
import { errorPages, notFoundPage } from './error-pages.ts';
import { createLogger } from './logger.ts';
import { createMetrics, monitorEventLoop, mountHealth, readinessPolicyFrom, requestIds, startTracing, traceHttpRequests } from './observability/index.ts';
import { drainHttpServer, Generations, watchFiles } from './reload.ts';
import { MAX_BODY_BYTES } from './server.ts';
import { createSubgraphTrust } from './security/subgraph-trust.ts';
import { createHardenedServer, requestSignal, servingSettingsFrom } from './serving.ts';
import type { Env } from '@opsorch/adapters';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';

export interface SubgraphServerOptions {
  name: string;
  port?: number;
  host?: string;
  env?: Env;
  logger?: Logger;
  /** Send spans here whatever OPSORCH_TRACING says (tests). */
  traceExporter?: SpanExporter;
}

/**
 * Serves one capability's subgraph over HTTP (`opsorch subgraph <name>`), for the distributed shape where
 * each subgraph scales on its own behind the gateway. Only this capability's providers are built.
 */
export async function startSubgraphServer(options: SubgraphServerOptions) {
  if (!(SUBGRAPH_NAMES as readonly string[]).includes(options.name)) {
    throw new Error(`unknown subgraph "${options.name}"; choose one of: ${SUBGRAPH_NAMES.join(', ')}`);
  }
  const name = options.name as SubgraphName;
  const env = options.env ?? process.env;
  const logger = (options.logger ?? createLogger()).child({ subgraph: name });
  const module = SUBGRAPHS.find((m) => m.name === name)!;
  const idempotency = new IdempotencyStore();
  const capabilities = (CAPABILITIES as readonly string[]).includes(name) ? [name as Capability] : undefined;
  let generations: Generations<ProviderRegistry> | undefined;
  const serving = servingSettingsFrom(env);
  const eventLoop = monitorEventLoop();
  const metrics = createMetrics({ component: `subgraph-${name}`, breakerStates: () => generations?.current.breakerStates() ?? [], eventLoop });
  const tracing = startTracing({ env, serviceName: `opsorch-subgraph-${name}`, exporter: options.traceExporter });
  const readinessPolicy = readinessPolicyFrom(env);
  // The schema is fixed; what a reload rebuilds here is the provider registry (configuration and secrets).
  const buildRegistry = async () =>
    new ProviderRegistry({
      config: await loadConfigAsync(env),
      modules: BUILTIN_PROVIDERS,
      logger,
      resilience: resilienceFromEnv(env),
      observer: metrics.providerObserver,
    });
  generations = await Generations.start(buildRegistry, { logger, onReload: (result, generation) => metrics.reloaded(result, generation) });
  const current = generations;

  // Who may call this subgraph: only the gateway, proven by its signed token (decision 014).
  const trust = createSubgraphTrust({ name, env, logger });

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createHardenedServer(app, serving.http, logger, { refused: (reason) => metrics.connectionRefused(reason) });
  const server = new ApolloServer<RequestContext>({
    schema: buildSchemaOf(module),
    includeStacktraceInErrorResponses: false,
    introspection: true,
    formatError: createErrorFormatter(logger),
    // Inline traces (ftv1) feed Apollo's usage reporting, which OpsOrch's gateway does not use; tracing is OpenTelemetry.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), metrics.apolloPlugin, trust.plugin],
  });
  await server.start();
  let draining = false;
  app.use(requestIds({ logger, metrics }));
  mountHealth(
    app,
    {
      registry: () => current.current,
      schema: () => ({ loaded: true, generation: current.generation, loadedAt: current.loadedAt }),
      draining: () => draining,
      capabilities,
      eventLoop: { lag: eventLoop, maxLagMs: serving.maxEventLoopLagMs },
    },
    readinessPolicy,
  );
  app.get('/metrics', async (_req, res) => {
    const { contentType, body } = await metrics.render();
    res.type(contentType).send(body);
  });
  app.use(
    '/graphql',
    traceHttpRequests(`subgraph ${name}`),
    express.json({ limit: MAX_BODY_BYTES }),
    trust.middleware,
    expressMiddleware(server, {
      context: async ({ req, res }) => {
        const registry = current.enter(res);
        return trust.context(req, { registry, idempotency, logger, signal: requestSignal(res, serving.requestTimeoutMs, 'gateway disconnected') });
      },
    }),
  );
  app.use(notFoundPage(), errorPages(logger));
  httpServer.listen(options.port ?? Number(env.PORT ?? 4000), options.host ?? env.HOST ?? '0.0.0.0');
  await once(httpServer, 'listening');
  eventLoop.reset();
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://localhost:${port}/graphql`;
  const reload = (reason = 'requested') => current.reload(reason);
  const stopWatching =
    env.OPSORCH_WATCH_CONFIG === 'true' && env.OPSORCH_CONFIG
      ? watchFiles([env.OPSORCH_CONFIG], (changed) => void reload(`changed: ${changed.join(', ')}`).catch(() => {}), logger)
      : () => {};
  logger.info({ url, metrics: '/metrics', tracing: tracing.destination ?? 'off' }, `OpsOrch ${name} subgraph listening`);
  return {
    name,
    url,
    port,
    get registry() {
      return current.current;
    },
    get generation() {
      return current.generation;
    },
    metrics,
    reload,
    async close() {
      draining = true;
      stopWatching();
      await drainHttpServer(httpServer, serving.shutdownGraceMs);
      await server.stop();
      await current.close();
      await tracing.close();
      eventLoop.close();
    },
  };
}
