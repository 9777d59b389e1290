import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway, LocalGraphQLDataSource, RemoteGraphQLDataSource, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request, type Response } from 'express';
import { loadConfigAsync, ProviderRegistry, type Env, type Logger, type ProviderModule } from '@opsorch/adapters';
import { BUILTIN_PROVIDERS } from '@opsorch/adapters/builtin';
import { readSupergraphSdl, SUBGRAPH_NAMES, type SubgraphName } from '@opsorch/schema';
import { buildSchemaOf, IdempotencyStore, SUBGRAPHS, type RequestContext } from '@opsorch/subgraphs';
import { createErrorFormatter } from './errors.ts';
import { graphiqlAssets, graphiqlPage } from './graphiql.ts';
import { CachedLocalDataSource } from './local-data-source.ts';
import { createLogger } from './logger.ts';
import { actorToHeader, contextFromHttp, FORWARDED_HEADERS } from './request-context.ts';

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
  /** Use @apollo/gateway's own LocalGraphQLDataSource (benchmarks compare against it). */
  stockLocalDataSource?: boolean;
  /** Adds handlers after the gateway's own routes (the web console at `/`); `graphqlUrl` works once listening. */
  mount?: (app: Express, gateway: { graphqlUrl(): string }) => void | Promise<void>;
}

export interface RunningGateway {
  url: string;
  port: number;
  registry: ProviderRegistry;
  close(): Promise<void>;
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

/** Forwards the request's identity, time and environment to a subgraph running in another process. */
class ForwardingDataSource extends RemoteGraphQLDataSource<RequestContext> {
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<RequestContext>['willSendRequest']>>[0]) {
    const headers = request.http?.headers;
    if (!headers || !context?.provider) return;
    headers.set(FORWARDED_HEADERS.requestId, context.provider.requestId);
    headers.set(FORWARDED_HEADERS.actor, actorToHeader(context.provider.actor));
    headers.set(FORWARDED_HEADERS.now, context.provider.now.toISOString());
    if (context.provider.environment) headers.set(FORWARDED_HEADERS.environment, context.provider.environment);
  }
}

function wantsGraphiql(req: Request): boolean {
  return req.method === 'GET' && req.query.query === undefined && (req.headers.accept ?? '').includes('text/html');
}

/** An AbortSignal that fires when the client goes away before the answer is sent. */
function signalFor(req: Request, res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  void req;
  return controller.signal;
}

/**
 * Starts the federated gateway: @apollo/gateway planning over schema/supergraph.graphql, subgraphs
 * in-process (or over HTTP for those given URLs), GraphiQL at GET /graphql, health at /healthz and /readyz.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger();
  const registry = new ProviderRegistry({
    config: await loadConfigAsync(env),
    modules: { ...BUILTIN_PROVIDERS, ...options.extraProviders },
    logger,
  });
  const subgraphUrls = options.subgraphUrls ?? parseSubgraphUrls(env.OPSORCH_SUBGRAPH_URLS);
  const localSchemas = new Map(SUBGRAPHS.map((module) => [module.name, module]));
  const idempotency = new IdempotencyStore();

  const gateway = new ApolloGateway({
    supergraphSdl: readSupergraphSdl(),
    buildService({ name, url }): GraphQLDataSource {
      const remoteUrl = subgraphUrls[name as SubgraphName];
      if (remoteUrl) return new ForwardingDataSource({ url: remoteUrl });
      const module = localSchemas.get(name as SubgraphName);
      if (!module) throw new Error(`supergraph names subgraph "${name}" (${url}) but OpsOrch has no such subgraph`);
      const schema = buildSchemaOf(module);
      return options.stockLocalDataSource ? new LocalGraphQLDataSource(schema) : new CachedLocalDataSource(schema);
    },
  });

  const app: Express = express();
  app.disable('x-powered-by');
  const httpServer: Server = createServer(app);

  const server = new ApolloServer<RequestContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(logger),
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await server.start();

  let ready = true;
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'starting', providers: registry.instances() });
  });
  app.use(graphiqlAssets());
  app.get('/graphql', (req, res, next) => {
    if (!wantsGraphiql(req)) return next();
    res.type('html').send(graphiqlPage('/graphql'));
  });
  app.use(
    '/graphql',
    express.json({ limit: MAX_BODY_BYTES }),
    expressMiddleware(server, {
      context: async ({ req, res }) =>
        contextFromHttp({ registry, idempotency, logger, headers: req.headers, signal: signalFor(req, res) }),
    }),
  );
  let loopbackGraphqlUrl = '';
  await options.mount?.(app, { graphqlUrl: () => loopbackGraphqlUrl });
  app.get('/', (_req, res) => {
    res.redirect('/graphql');
  });

  const port = options.port ?? Number(env.PORT ?? 4000);
  const host = options.host ?? env.HOST ?? '0.0.0.0';
  httpServer.listen(port, host);
  await once(httpServer, 'listening');
  const address = httpServer.address() as AddressInfo;
  const loopback = ['0.0.0.0', '::'].includes(host) ? '127.0.0.1' : host;
  loopbackGraphqlUrl = `http://${loopback.includes(':') ? `[${loopback}]` : loopback}:${address.port}/graphql`;
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${address.port}/graphql`;
  logger.info(
    { url, remoteSubgraphs: subgraphUrls, providers: registry.instances().map((i) => `${i.capability}=${i.instance}(${i.kind})`) },
    'OpsOrch gateway listening',
  );

  return {
    url,
    port: address.port,
    registry,
    async close() {
      ready = false;
      // The drain plugin stops accepting connections and waits for in-flight requests.
      await server.stop();
      await registry.close();
    },
  };
}
