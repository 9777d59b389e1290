import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { ApolloServerPlugin } from '@apollo/server';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { DocumentNode } from 'graphql';
import { symbols as pinoSymbols } from 'pino';
import type { Env, Logger } from '@opsorch/adapters';
import type { RequestContext } from '@opsorch/subgraphs';
import { createAuditLog } from './audit.ts';
import { createAuthentication } from './authentication.ts';
import { createAuthorization } from './authorization.ts';
import { loadSecurityConfig, type SecurityConfig } from './config.ts';
import { createLimits } from './limits.ts';
import { createOperationKnowledge } from './operation.ts';
import { createPersistedOperations } from './persisted-operations.ts';
import { createRateLimit } from './rate-limit.ts';
import { setState, stateOf, type RequestSecurityState } from './state.ts';

export { SecurityConfigError, loadSecurityConfig, type SecurityConfig } from './config.ts';
export { generateApiKey, hashApiKey } from './keys.ts';
export type { Principal } from './state.ts';

export interface SecurityOptions {
  env: Env;
  logger: Logger;
  /** Settings given directly (tests, embedders) instead of read from OPSORCH_CONFIG and the environment. */
  config?: { config: SecurityConfig; demoDefaults: boolean };
  /** Where the stdout audit sink writes (default process.stdout). */
  auditStdout?: Writable;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The stream the gateway's pino logger writes to (stdout in production): audit lines of the stdout sink go
 * there too, interleaved in order with the logs, and tests that capture the logs capture them as well.
 */
function logStreamOf(logger: Logger): Writable | undefined {
  const stream = (logger as unknown as Record<symbol, unknown>)[pinoSymbols.streamSym];
  return stream && typeof (stream as Writable).write === 'function' ? (stream as Writable) : undefined;
}

/**
 * The gateway's security: authentication, authorization, audit, limits and persisted operations, each
 * a small module of its own. Returns what the server installs: Express middlewares around the body parser,
 * Apollo plugins and options, and cache sizes. Settings are validated here, so a wrong one stops start-up
 * with a message naming it.
 */
export async function createSecurity(options: SecurityOptions) {
  const { config, demoDefaults } = options.config ?? loadSecurityConfig(options.env);
  const { logger } = options;
  const knowledge = createOperationKnowledge({
    defaultListSize: config.limits.defaultListSize,
    fieldEnvironments: config.authorization.fieldEnvironments,
  });
  const audit = createAuditLog({ config: config.audit, knowledge, logger, stdout: options.auditStdout ?? logStreamOf(logger) });
  const onRefused = audit.recordRefusal;
  const authentication = createAuthentication({ config: config.auth, demoDefaults, logger, onRefused });
  const rateLimitDefault = config.limits.rateLimit ?? (demoDefaults ? null : { requestsPerMinute: 600, burst: 100 });
  const rateLimit = createRateLimit({ limit: rateLimitDefault, maxActors: config.caches.rateLimitActors, onRefused });
  const limits = createLimits({ config: config.limits, knowledge, onRefused });
  const persisted = createPersistedOperations({ config: config.persistedOperations, caches: config.caches, logger, onRefused });
  await persisted.ready();
  const authDescription = authentication.describe();
  const authorization = createAuthorization({
    knowledge,
    fallbackGrants: null,
  });

  /** First on /graphql: the request's security record, and a request id shared with the GraphQL context. */
  const begin = (req: Request, res: Response, next: NextFunction) => {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    req.headers['x-request-id'] = requestId;
    res.setHeader('x-request-id', requestId);
    const state: RequestSecurityState = {
      startedAt: performance.now(),
      requestId,
      client: { ip: req.socket.remoteAddress ?? null, userAgent: req.headers['user-agent']?.slice(0, 200) ?? null },
      providers: new Set(),
    };
    setState(req, state);
    next();
  };

  const plugins: ApolloServerPlugin<RequestContext>[] = [
    knowledge.plugin as ApolloServerPlugin<RequestContext>,
    authorization as ApolloServerPlugin<RequestContext>,
    limits.plugin as ApolloServerPlugin<RequestContext>,
    audit.plugin as ApolloServerPlugin<RequestContext>,
  ];

  logger[authDescription.anonymous.enabled && demoDefaults ? 'warn' : 'info'](
    {
      authentication: authDescription,
      limits: { ...config.limits, rateLimit: rateLimitDefault ?? 'off (demo default)' },
      audit: { sinks: config.audit.sinks.map((s) => s.type), reads: config.audit.reads },
      persistedOperations: persisted.describe(),
    },
    authDescription.anonymous.enabled && demoDefaults
      ? 'security: anonymous access with every scope (demo default: no API key or JWT issuer configured); configure gateway.auth before exposing this gateway'
      : 'security configured',
  );

  return {
    /** Before the JSON body parser: request id, authentication, rate limit, declared body size. */
    beforeBody: [begin, authentication.middleware, rateLimit.middleware, limits.bodySize] as RequestHandler[],
    /** For other endpoints behind the same credentials (the copilot's API): request id, authentication, rate limit. */
    authenticate: [begin, authentication.middleware, rateLimit.middleware] as RequestHandler[],
    /** Who a request authenticated as (after `authenticate` or `beforeBody`). */
    principalOf: (req: Request) => stateOf(req)?.principal,
    /** After the body parser: persisted operations (trusted documents). */
    afterBody: [limits.bodyErrors, persisted.middleware] as (RequestHandler | typeof limits.bodyErrors)[],
    maxBodyBytes: config.limits.maxBodyBytes,
    plugins,
    /** Options for `new ApolloServer(...)`. */
    apolloOptions: {
      persistedQueries: persisted.apollo,
      documentStore: new InMemoryLRUCache<DocumentNode>({
        maxSize: Math.round(config.caches.documentsMiB * 2 ** 20),
        sizeCalculation: InMemoryLRUCache.sizeCalculation,
      }),
    },
    /** Options for `new ApolloGateway(...)`. */
    gatewayOptions: { experimental_approximateQueryPlanStoreMiB: config.caches.queryPlansMiB },
    /** Size of each in-process subgraph's document cache. */
    subgraphDocuments: config.caches.subgraphDocuments,
    /**
     * Ties the GraphQL context to the HTTP request's security record, and notes every provider instance the
     * request calls (the registry names it in each call's logger) for the audit line.
     */
    bind(req: Request, context: RequestContext): RequestContext {
      const state = stateOf(req);
      if (!state) return context;
      setState(context.provider, state);
      const logger = context.provider.logger;
      context.provider.logger = {
        debug: (o: object | string, m?: string) => logger.debug(o, m),
        info: (o: object | string, m?: string) => logger.info(o, m),
        warn: (o: object | string, m?: string) => logger.warn(o, m),
        error: (o: object | string, m?: string) => logger.error(o, m),
        child(bindings: Record<string, unknown>) {
          if (typeof bindings.capability === 'string' && typeof bindings.provider === 'string') {
            state.providers.add(`${bindings.capability}/${bindings.provider}`);
          }
          return logger.child(bindings);
        },
      };
      return context;
    },
    async close() {
      await Promise.all([audit.close(), persisted.close()]);
    },
  };
}

export type Security = Awaited<ReturnType<typeof createSecurity>>;
