import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway, LocalGraphQLDataSource, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { Logger, ProviderModule, ProviderRegistry, Settings } from '@opsorch/adapters';
import { readSupergraphSdl, SUBGRAPH_NAMES, SUPERGRAPH_PATH, type SubgraphName } from '@opsorch/schema';
import { buildSchemaOf, IdempotencyStore, SUBGRAPHS, type RequestContext } from '@opsorch/subgraphs';
import { createErrorFormatter, errorRequestIds } from './errors.ts';
import { errorPages, notFoundPage } from './error-pages.ts';
import { favicon, graphiqlAssets, graphiqlPage } from './graphiql.ts';
import { CachedLocalDataSource } from './local-data-source.ts';
import { executePlansOf } from './plan-execution.ts';
import { shapeResultsOf } from './result-shaping.ts';
import { ForwardingDataSource } from './forwarding-data-source.ts';
import { createSubgraphFetcher } from './subgraph-fetcher.ts';
import { createTurns, underPath, waitedMs } from './turns.ts';
import { createLogger } from './logger.ts';
import { combineRequestPlugins } from './request-plugins.ts';
import { traceHttpRequests, type Metrics } from './observability/index.ts';
import { drainHttpServer, watchFiles } from './reload.ts';
import { contextFor, stripInternalHeaders } from './request-context.ts';
import { startServingRuntime, type Runtime } from './runtime.ts';
import type { Principal, Security } from './security/index.ts';
import { coreMountFrom, coreRequestIds, createCoreRouter } from './core-compat/router.ts';
import { apiDocs } from './rest/docs.ts';
import { createOperationPipeline } from './rest/pipeline.ts';
import { createRestRouter, REST_BASE } from './rest/router.ts';
import { createHardenedServer, noStore, requestAbandon, type ServingSettings } from './serving.ts';
import type { Env } from '@opsorch/adapters';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';

// @apollo/gateway reports usage to Apollo unless told not to, probing cloud metadata services on the way (a warning
// on every machine outside that cloud). OpsOrch sends nothing anywhere it was not configured to; a user who wants
// Apollo's report sets APOLLO_TELEMETRY_DISABLED=false.
process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';

/** Largest request body accepted on /graphql. */
export const MAX_BODY_BYTES = 1_000_000;

export interface GatewayOptions {
  /** Port to listen on; 0 picks a free one. Default: PORT or 4000. */
  port?: number;
  host?: string;
  /** Environment to read configuration from. Default: process.env. */
  env?: Env;
  /** Provider kinds beyond the built-in ones (plugins, test doubles). */
  extraProviders?: Record<string, ProviderModule>;
  /** Subgraphs to reach over HTTP instead of in-process. Default: from OPSORCH_SUBGRAPH_URLS. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  logger?: Logger;
  /**
   * Run as stock @apollo/gateway does: its own LocalGraphQLDataSource for in-process subgraphs and its own result
   * shaping (benchmarks and the answers test compare against it).
   */
  stockLocalDataSource?: boolean;
  /**
   * Adds handlers after the gateway's own routes (the web console at `/`, MCP at `/mcp`, the copilot);
   * `graphqlUrl` works once listening.
   */
  mount?: (app: Express, gateway: MountTarget) => void | Promise<void>;
  /** Send spans here whatever OPSORCH_TRACING says (tests use an in-memory exporter). */
  traceExporter?: SpanExporter;
  /**
   * Give the heap back after load once the process is quiet (`opsorch start` and `opsorch subgraph` do; decision 041).
   * It runs full collections of the whole process, so a program that embeds the gateway (tests) decides for itself.
   */
  releaseMemoryWhenIdle?: boolean;
}

/** What a mounted endpoint (MCP, the copilot, the console) gets from the gateway. */
export interface MountTarget {
  /** The gateway's own /graphql over loopback (known once listening). */
  graphqlUrl(): string;
  /**
   * The gateway's authentication and rate limit for another endpoint (the copilot's API), with the current
   * configuration generation: a request without a valid credential gets 401 as on /graphql.
   */
  authenticate: RequestHandler;
  /** Who an authenticated request is (after `authenticate`). */
  principalOf(req: Request): Principal | undefined;
  /**
   * The caller's identity for per-client limits (`client`: one per credential, per address for anonymous callers),
   * or why its credential is refused, without answering the request (the MCP endpoint, before a session exists).
   */
  clientOf(req: IncomingMessage): Promise<{ client: string } | { refused: { status: 401; message: string; reason: string } }>;
  /** The current generation's settings (the file's sections, read once by the settings module). */
  settings(): Settings;
}

export interface RunningGateway {
  url: string;
  port: number;
  /** The registry serving new requests (a reload replaces it). */
  registry: ProviderRegistry;
  /** The configuration generation serving new requests: 1 at start, +1 per successful reload. */
  readonly generation: number;
  /** The settings of that generation (which capabilities run on demo data, warnings). */
  readonly settings: Settings;
  metrics: Metrics;
  /**
   * Rebuilds configuration, providers, security and supergraph, and swaps them in for new requests while
   * running ones finish on the old (SIGHUP, or OPSORCH_WATCH_CONFIG=true). Rejects and keeps serving the old
   * configuration when the new one is invalid. Resolves to the new generation.
   */
  reload(reason?: string): Promise<number>;
  close(): Promise<void>;
}

/** The supergraph the gateway plans with: OPSORCH_SUPERGRAPH_PATH, or the composed schema/supergraph.graphql. */
export function supergraphPathFrom(env: Env): string {
  return env.OPSORCH_SUPERGRAPH_PATH || SUPERGRAPH_PATH;
}

function readSupergraph(env: Env): string {
  if (!env.OPSORCH_SUPERGRAPH_PATH) return readSupergraphSdl();
  try {
    return readFileSync(env.OPSORCH_SUPERGRAPH_PATH, 'utf8');
  } catch (error) {
    throw new Error(`OPSORCH_SUPERGRAPH_PATH: cannot read "${env.OPSORCH_SUPERGRAPH_PATH}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * Parses OPSORCH_SUBGRAPH_URLS: `name=url` pairs separated by commas, or a JSON object. Subgraphs not
 * listed run in-process, so one can move a single capability out without moving the rest.
 */
export function parseSubgraphUrls(value: string | undefined): Partial<Record<SubgraphName, string>> {
  if (!value?.trim()) return {};
  const entries: [string, string][] = value.trim().startsWith('{')
    ? Object.entries(JSON.parse(value) as Record<string, string>)
    : value.split(',').map((pair) => {
        const [name, ...rest] = pair.split('=');
        return [name!.trim(), rest.join('=').trim()];
      });
  const urls: Partial<Record<SubgraphName, string>> = {};
  for (const [name, url] of entries) {
    if (!(SUBGRAPH_NAMES as readonly string[]).includes(name)) {
      throw new Error(`OPSORCH_SUBGRAPH_URLS: unknown subgraph "${name}"; known: ${SUBGRAPH_NAMES.join(', ')}`);
    }
    try {
      new URL(url);
    } catch {
      throw new Error(`OPSORCH_SUBGRAPH_URLS: "${url}" for ${name} is not a URL`);
    }
    urls[name as SubgraphName] = url;
  }
  return urls;
}

function wantsGraphiql(req: Request): boolean {
  return req.method === 'GET' && req.query.query === undefined && (req.headers.accept ?? '').includes('text/html');
}

/** What one configuration generation of the gateway is made of (src/reload.ts swaps them whole). */
interface GatewayGeneration extends Runtime {
  /** The /graphql handler of this generation: security, body parsing, Apollo. */
  graphql: express.Router;
  /** The REST API of this generation (/api/v1), running its operations through the same pipeline. */
  rest: express.Router;
  /** OpsOrch Core's routes (OPSORCH_CORE_PATH), through the same pipeline. */
  core: express.Router;
  /** Authentication and rate limit of this generation, for endpoints mounted beside /graphql. */
  authenticate: express.Router;
  security: Security;
}

/**
 * Starts the federated gateway: @apollo/gateway planning over schema/supergraph.graphql, subgraphs
 * in-process (or over HTTP for those given URLs), GraphiQL at GET /graphql, health at /healthz and /readyz,
 * Prometheus metrics at /metrics, and hot reload of everything built from configuration.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger();
  const subgraphUrls = options.subgraphUrls ?? parseSubgraphUrls(env.OPSORCH_SUBGRAPH_URLS);
  const localSchemas = new Map(SUBGRAPHS.map((module) => [module.name, module]));
  // Outlives reloads: a mutation retried after a reload with the same idempotency key still writes once.
  const idempotency = new IdempotencyStore();
  const coreMount = coreMountFrom(env);
  // One queue for /graphql, REST and Core: requests start in the order they arrived (src/turns.ts).
  const turns = createTurns({ maxWaitMs: () => serving.servingSettings.requestTimeoutMs, maxRunning: () => serving.servingSettings.maxRunningRequests });

  // Settings, secrets, providers and security come from the composition root (src/runtime.ts); each generation
  // adds its Apollo server, REST and Core routes over them.
  const buildGeneration = async (runtime: Runtime, metrics: Metrics, servingSettings: ServingSettings): Promise<GatewayGeneration> => {
    const { registry } = runtime;
    // Authentication, authorization, audit, limits, persisted operations (gateway/src/security).
    const security = runtime.security!;
    // Subgraphs over HTTP are reached only with signed requests (decision 014); the composition root closes the
    // runtime when this throws.
    const remote = Object.keys(subgraphUrls);
    if (remote.length > 0) security.requireSubgraphSigning(remote);
    // One pool of keep-alive connections per generation, closed with it; a subgraph gets no longer than a request's deadline.
    const fetcher = remote.length > 0 ? createSubgraphFetcher({ timeoutMs: servingSettings.requestTimeoutMs }) : undefined;

    const gateway = new ApolloGateway({
      ...security.gatewayOptions,
      supergraphSdl: readSupergraph(env),
      buildService({ name, url }): GraphQLDataSource {
        const remoteUrl = subgraphUrls[name as SubgraphName];
        if (remoteUrl) return new ForwardingDataSource(name, remoteUrl, security, fetcher!, logger, (shared) => metrics.cacheLookup('subgraph_fetch_in_flight', shared));
        const module = localSchemas.get(name as SubgraphName);
        if (!module) throw new Error(`supergraph names subgraph "${name}" (${url}) but OpsOrch has no such subgraph`);
        const schema = buildSchemaOf(module);
        return options.stockLocalDataSource
          ? new LocalGraphQLDataSource(schema)
          : new CachedLocalDataSource(schema, security.subgraphDocuments, (hit) => metrics.cacheLookup('subgraph_document', hit));
      },
    });

    const server = new ApolloServer<RequestContext>({
      gateway,
      includeStacktraceInErrorResponses: false,
      // Set here, not left to NODE_ENV: gateway.limits.introspection decides (security/limits.ts).
      introspection: true,
      formatError: createErrorFormatter(logger),
      ...security.apolloOptions,
      // Cache hints: the schema gives none, so every answer is `no-store` (set on the route below) and Apollo's
      // cache-control plugin only cost time on every request.
      plugins: combineRequestPlugins([ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), metrics.apolloPlugin, errorRequestIds, ...security.plugins]),
    });
    await server.start();
    // Answers shaped from the operation read once per request, not once per value (decision 029).
    if (!options.stockLocalDataSource) {
      shapeResultsOf(gateway);
      // Query plans run with the operation built once per document, no per-node trace objects (decision 031).
      executePlansOf(gateway);
    }
    // Identity from the authenticated principal, never from the client's headers (decision 014); one deadline
    // for CPU work and provider waits alike (OPSORCH_REQUEST_TIMEOUT_MS, decision 013), REST and Core included.
    const contextOf = (req: Request, res: Response) =>
      security.bind(
        req,
        contextFor({ registry, idempotency, logger, abandon: requestAbandon(res, servingSettings.requestTimeoutMs, undefined, waitedMs(req)), identity: security.identity(req), response: res }),
      );
    const graphql = express.Router();
    graphql.use(
      noStore,
      ...security.beforeBody,
      express.json({ limit: security.maxBodyBytes }),
      ...security.afterBody,
      turns.middleware,
      expressMiddleware(server, { context: async ({ req, res }) => contextOf(req, res) }),
    );
    const pipeline = createOperationPipeline({ security, server, context: contextOf, turns: turns.middleware });
    const authenticate = express.Router();
    authenticate.use(...security.authenticate);
    return {
      ...runtime,
      graphql,
      rest: createRestRouter(pipeline, logger),
      core: createCoreRouter({ pipeline, logger, corsOrigin: env.OPSORCH_CORS_ORIGIN || '*', atRoot: coreMount?.atRoot ?? false }),
      authenticate,
      security,
      async close() {
        await server.stop();
        fetcher?.close();
        await runtime.close();
      },
    };
  };
  const serving = await startServingRuntime(
    { env, logger, extraProviders: options.extraProviders, security: true, component: 'gateway', serviceName: 'opsorch-gateway', traceExporter: options.traceExporter, releaseMemoryWhenIdle: options.releaseMemoryWhenIdle, requestSlots: () => ({ running: turns.running(), waiting: turns.waiting(), limit: turns.limit() }) },
    buildGeneration,
  );
  const { metrics, tracing } = serving;
  const current = serving.generations;

  const app: Express = express();
  app.disable('x-powered-by');
  // Requests to the APIs wait their turn before the app sees them (decision 039). Core mounted at the root shares
  // its paths with the console: its requests queue where they are admitted instead (turns.middleware).
  const queuedPrefixes = ['/graphql', REST_BASE, ...(coreMount && !coreMount.atRoot ? [coreMount.path] : [])];
  const queued = (url: string) => queuedPrefixes.some((prefix) => underPath(url, prefix));
  const httpServer: Server = createHardenedServer(
    app,
    serving.servingSettings.http,
    logger,
    { refused: (reason) => metrics.connectionRefused(reason) },
    turns.serve(app, queued),
  );
  let draining = false;

  // Nothing a client sends may pass for what only the gateway forwards (decision 014).
  app.use(stripInternalHeaders());
  // Core's clients send their own request id header: read it before the common request ids.
  if (coreMount) app.use(coreRequestIds(coreMount.path));
  serving.mountOperations(app, {
    draining: () => draining,
    // One Host/Origin allow-list for every route: /graphql, /mcp, the console, GraphiQL, health and metrics.
    guard: (req, res, next) => current.current.security.hosts(req, res, next),
  });
  app.use(graphiqlAssets(), favicon());
  app.get('/graphql', (req, res, next) => {
    if (!wantsGraphiql(req)) return next();
    res.type('html').send(graphiqlPage('/graphql'));
  });
  app.use('/graphql', traceHttpRequests('gateway'), (req, res, next) => current.enter(res).graphql(req, res, next));
  app.use(apiDocs());
  app.use(REST_BASE, traceHttpRequests('gateway'), (req, res, next) => current.enter(res).rest(req, res, next));
  if (coreMount) app.use(coreMount.path, (req, res, next) => current.enter(res).core(req, res, next));
  let loopbackGraphqlUrl = '';
  await options.mount?.(app, {
    graphqlUrl: () => loopbackGraphqlUrl,
    // The current generation's, without pinning it: a copilot event stream may stay open across reloads.
    authenticate: (req, res, next) => current.current.authenticate(req, res, next),
    principalOf: (req) => current.current.security.principalOf(req),
    async clientOf(req) {
      const principal = await current.current.security.credentialOf(req as Request);
      return 'reason' in principal ? { refused: { status: 401, message: principal.message, reason: principal.reason } } : { client: principal.rateKey };
    },
    settings: () => current.current.settings,
  });
  app.get('/', (_req, res) => {
    res.redirect('/graphql');
  });
  // Whatever failed outside GraphQL answers with OpsOrch's own page: no stack trace, no file path.
  app.use(notFoundPage(), errorPages(logger));

  const port = options.port ?? Number(env.PORT ?? 4000);
  const host = options.host ?? env.HOST ?? '0.0.0.0';
  httpServer.listen(port, host);
  await once(httpServer, 'listening');
  serving.eventLoop.reset();
  const address = httpServer.address() as AddressInfo;
  const loopback = ['0.0.0.0', '::'].includes(host) ? '127.0.0.1' : host;
  loopbackGraphqlUrl = `http://${loopback.includes(':') ? `[${loopback}]` : loopback}:${address.port}/graphql`;
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${address.port}/graphql`;
  const reload = (reason = 'requested') => current.reload(reason);
  const stopWatching =
    env.OPSORCH_WATCH_CONFIG === 'true'
      ? watchFiles([env.OPSORCH_CONFIG, supergraphPathFrom(env)].filter((p): p is string => Boolean(p)), (changed) => {
          reload(`changed: ${changed.join(', ')}`).catch(() => {});
        }, logger)
      : () => {};
  logger.info(
    {
      url,
      remoteSubgraphs: subgraphUrls,
      providers: current.current.registry.instances().map((i) => `${i.capability}=${i.instance}(${i.kind})`),
      metrics: '/metrics',
      rest: REST_BASE,
      apiDocs: '/api/docs',
      core: coreMount?.path ?? 'off',
      tracing: tracing.destination ?? 'off',
    },
    'OpsOrch gateway listening',
  );

  return {
    url,
    port: address.port,
    get registry() {
      return current.current.registry;
    },
    get generation() {
      return current.generation;
    },
    get settings() {
      return current.current.settings;
    },
    metrics,
    reload,
    async close() {
      draining = true;
      stopWatching();
      // Stop accepting, let running requests finish (on whichever generation they started) within the grace
      // period, cut the rest (their work stops on their signals), then close.
      await drainHttpServer(httpServer, serving.servingSettings.shutdownGraceMs);
      await serving.close();
    },
  };
}
