import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { isCapability, type Logger, type ProviderModule } from '@opsorch/adapters';
import { SUBGRAPH_NAMES, type SubgraphName } from '@opsorch/schema';
import { buildSchemaOf, IdempotencyStore, SUBGRAPHS, type RequestContext } from '@opsorch/subgraphs';
import { createErrorFormatter, errorRequestIds } from './errors.ts';
import { errorPages, notFoundPage } from './error-pages.ts';
import { createLogger } from './logger.ts';
import { traceHttpRequests } from './observability/index.ts';
import { drainHttpServer, watchFiles } from './reload.ts';
import { startServingRuntime } from './runtime.ts';
import { MAX_BODY_BYTES } from './server.ts';
import { createSubgraphTrust } from './security/subgraph-trust.ts';
import { combineRequestPlugins } from './request-plugins.ts';
import { createHardenedServer, noStore, requestAbandon } from './serving.ts';
import type { Env } from '@opsorch/adapters';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';

export interface SubgraphServerOptions {
  name: string;
  port?: number;
  host?: string;
  env?: Env;
  logger?: Logger;
  /** Provider kinds beyond the built-in ones (plugins, test doubles, the load benchmark's world). */
  extraProviders?: Record<string, ProviderModule>;
  /** Send spans here whatever OPSORCH_TRACING says (tests). */
  traceExporter?: SpanExporter;
  /**
   * Give the heap back after load once the process is quiet (`opsorch start` and `opsorch subgraph` do; decision 041).
   * It runs full collections of the whole process, so a program that embeds the gateway (tests) decides for itself.
   */
  releaseMemoryWhenIdle?: boolean;
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
  const capabilities = isCapability(name) ? [name] : undefined;
  // The schema is fixed; what a reload rebuilds here is the runtime: configuration, secrets and providers
  // (only this capability's, src/runtime.ts).
  const serving = await startServingRuntime(
    { env, logger, capabilities, extraProviders: options.extraProviders, component: `subgraph-${name}`, serviceName: `opsorch-subgraph-${name}`, traceExporter: options.traceExporter, releaseMemoryWhenIdle: options.releaseMemoryWhenIdle },
    async (runtime) => runtime,
  );
  const { metrics, tracing } = serving;
  const current = serving.generations;

  // Who may call this subgraph: only the gateway, proven by its signed token (decision 014).
  let trust: ReturnType<typeof createSubgraphTrust>;
  try {
    trust = createSubgraphTrust({ name, env, logger, section: current.current.settings.sections.gateway });
  } catch (error) {
    await serving.close();
    throw error;
  }

  const app = express();
  app.disable('x-powered-by');
  // An ETag on a POSTed answer is never used, and computing one hashes every answer.
  app.set('etag', false);
  const httpServer = createHardenedServer(app, serving.servingSettings.http, logger, { refused: (reason) => metrics.connectionRefused(reason) });
  const server = new ApolloServer<RequestContext>({
    schema: buildSchemaOf(module),
    includeStacktraceInErrorResponses: false,
    introspection: true,
    formatError: createErrorFormatter(logger),
    // Inline traces (ftv1) feed Apollo's usage reporting, which OpsOrch's gateway does not use; tracing is OpenTelemetry.
    // Cache hints: the schema gives none, so every answer is `no-store` (set below) and Apollo's cache-control plugin,
    // which wraps every field's resolver to collect hints, only cost time.
    plugins: combineRequestPlugins([
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      metrics.apolloPlugin,
      errorRequestIds,
      trust.plugin,
    ]),
  });
  await server.start();
  let draining = false;
  serving.mountOperations(app, { draining: () => draining, capabilities });
  app.use(
    '/graphql',
    traceHttpRequests(`subgraph ${name}`),
    express.json({ limit: MAX_BODY_BYTES }),
    noStore,
    trust.middleware,
    expressMiddleware(server, {
      context: async ({ req, res }) => {
        const { registry } = current.enter(res);
        return trust.context(req, { registry, idempotency, logger, abandon: requestAbandon(res, serving.servingSettings.requestTimeoutMs, 'gateway disconnected'), response: res });
      },
    }),
  );
  app.use(notFoundPage(), errorPages(logger));
  httpServer.listen(options.port ?? Number(env.PORT ?? 4000), options.host ?? env.HOST ?? '0.0.0.0');
  await once(httpServer, 'listening');
  serving.eventLoop.reset();
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
      return current.current.registry;
    },
    get generation() {
      return current.generation;
    },
    metrics,
    reload,
    async close() {
      draining = true;
      stopWatching();
      await drainHttpServer(httpServer, serving.servingSettings.shutdownGraceMs);
      await server.stop();
      await serving.close();
    },
  };
}
