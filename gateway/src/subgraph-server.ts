import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { loadConfigAsync, ProviderRegistry, type Logger } from '@opsorch/adapters';
import { BUILTIN_PROVIDERS } from '@opsorch/adapters/builtin';
import { SUBGRAPH_NAMES, type SubgraphName } from '@opsorch/schema';
import { buildSchemaOf, IdempotencyStore, SUBGRAPHS, type RequestContext } from '@opsorch/subgraphs';
import { createErrorFormatter } from './errors.ts';
import { createLogger } from './logger.ts';
import { MAX_BODY_BYTES } from './server.ts';
import { contextFromHttp } from './request-context.ts';
import type { Env } from '@opsorch/adapters';

export interface SubgraphServerOptions {
  name: string;
  port?: number;
  host?: string;
  env?: Env;
  logger?: Logger;
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
  const registry = new ProviderRegistry({ config: await loadConfigAsync(env), modules: BUILTIN_PROVIDERS, logger });
  const idempotency = new IdempotencyStore();

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const server = new ApolloServer<RequestContext>({
    schema: buildSchemaOf(module),
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(logger),
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await server.start();
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', subgraph: name });
  });
  app.use(
    '/graphql',
    express.json({ limit: MAX_BODY_BYTES }),
    expressMiddleware(server, {
      context: async ({ req, res }) => {
        const controller = new AbortController();
        res.on('close', () => {
          if (!res.writableFinished) controller.abort(new Error('gateway disconnected'));
        });
        return contextFromHttp({ registry, idempotency, logger, headers: req.headers, signal: controller.signal });
      },
    }),
  );
  httpServer.listen(options.port ?? Number(env.PORT ?? 4000), options.host ?? env.HOST ?? '0.0.0.0');
  await once(httpServer, 'listening');
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://localhost:${port}/graphql`;
  logger.info({ url }, `OpsOrch ${name} subgraph listening`);
  return {
    name,
    url,
    port,
    registry,
    async close() {
      await server.stop();
      await registry.close();
    },
  };
}
