import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { ApolloServerPlugin } from '@apollo/server';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { DocumentNode } from 'graphql';
import { symbols as pinoSymbols } from 'pino';
import { ANONYMOUS, type Env, type Logger } from '@opsorch/adapters';
import type { RequestContext } from '@opsorch/subgraphs';
import { ForwardingLogger, lazyChild } from '../logger.ts';
import type { RequestIdentity } from '../request-context.ts';
import { createAuditLog } from './audit.ts';
import { createAuthentication } from './authentication.ts';
import { createAuthorization } from './authorization.ts';
import { loadSecurityConfig, mibBytes, SecurityConfigError, type SecurityConfig } from './config.ts';
import { createGatewayTokenSigner, signingKeyFrom, type GatewayClaims } from './gateway-token.ts';
import { hostCheck } from './hosts.ts';
import { createLimits } from './limits.ts';
import { createOperationKnowledge } from './operation.ts';
import { createPersistedOperations } from './persisted-operations.ts';
import { createRateLimit } from './rate-limit.ts';
import { LIST_SIZES, logSearchWork } from './field-costs.ts';
import { setState, stateOf, stateOfContext, type RequestSecurityState } from './state.ts';

export { SecurityConfigError, loadSecurityConfig, type SecurityConfig } from './config.ts';
export { generateApiKey, hashApiKey } from './keys.ts';
export type { Principal } from './state.ts';

export interface SecurityOptions {
  env: Env;
  logger: Logger;
  /** Settings given directly (tests, embedders) instead of read from OPSORCH_CONFIG and the environment. */
  config?: { config: SecurityConfig; demoDefaults: boolean };
  /** The `gateway:` section of OPSORCH_CONFIG, as the settings module read it (gateway/src/runtime.ts). */
  section?: unknown;
  /** Where the stdout audit sink writes (default process.stdout). */
  auditStdout?: Writable;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * What a parsed client document holds in the heap, about: 340 bytes a token (the token, its Location, the AST
 * node around it) and its source text, as measured on Node 20. Apollo's default counts the AST's JSON, which
 * leaves out the token list and the source the parser links from `loc`: a quarter of what a typical document
 * holds, so a 30 MiB store held about 80 MiB after a fuzzing run.
 */
export function documentHeapBytes(document: DocumentNode): number {
  let tokens = 0;
  for (let token = document.loc?.startToken ?? null; token; token = token.next) tokens++;
  return tokens > 0 ? 340 * tokens + document.loc!.source.body.length : InMemoryLRUCache.sizeCalculation(document);
}

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
  const { config, demoDefaults } = options.config ?? loadSecurityConfig(options.env, options.section);
  const { logger } = options;
  const knowledge = createOperationKnowledge({
    defaultListSize: config.limits.defaultListSize,
    fieldEnvironments: config.authorization.fieldEnvironments,
    fieldWork: logSearchWork(config.limits.logSearchCost),
    listSizes: LIST_SIZES,
  });
  const audit = createAuditLog({ config: config.audit, knowledge, logger, stdout: options.auditStdout ?? logStreamOf(logger) });
  const onRefused = audit.recordRefusal;
  const authentication = createAuthentication({ config: config.auth, demoDefaults, logger, onRefused, onFailed: audit.recordAuthenticationFailure });
  const rateLimitDefault = config.limits.rateLimit ?? (demoDefaults ? null : { requestsPerMinute: 600, burst: 100 });
  const rateLimit = createRateLimit({ limit: rateLimitDefault, maxActors: config.caches.rateLimitActors, onRefused, redisUrl: config.caches.redisUrl, logger });
  await rateLimit.ready();
  const limits = createLimits({ config: config.limits, knowledge, onRefused });
  const persisted = createPersistedOperations({ config: config.persistedOperations, caches: config.caches, maxTokens: config.limits.maxTokens, logger, onRefused });
  await persisted.ready();
  const authDescription = authentication.describe();
  const signing = config.subgraphs.signingKey
    ? createGatewayTokenSigner(signingKeyFrom(config.subgraphs.signingKey, 'gateway.subgraphs.signingKey'), config.subgraphs.tokenTtlSeconds)
    : null;
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
      limits: { ...config.limits, rateLimit: rateLimitDefault ? { ...rateLimitDefault, buckets: rateLimit.describe() } : 'off (demo default)' },
      audit: { sinks: config.audit.sinks.map((s) => s.type), reads: config.audit.reads },
      persistedOperations: persisted.describe(),
      http: { allowedHosts: ['localhost', '127.0.0.1', '[::1]', 'IP addresses', ...config.http.allowedHosts], allowedOrigins: config.http.allowedOrigins },
    },
    authDescription.anonymous.enabled && demoDefaults
      ? 'security: anonymous access with every scope (demo default: no API key or JWT issuer configured); configure gateway.auth before exposing this gateway'
      : 'security configured',
  );

  /** What a request to a remote subgraph says of the caller: everything that decides what the subgraph answers. */
  function subgraphClaims(context: RequestContext): GatewayClaims {
    const provider = context.provider;
    const principal = stateOfContext(context)?.principal;
    return {
      actor: provider.actor,
      acting: principal?.actor ?? provider.actor,
      requestId: provider.requestId,
      now: provider.now,
      scopes: principal ? principal.grants.describe().scopes : [],
      ...(provider.environment ? { environment: provider.environment } : {}),
      ...(provider.environments ? { environments: provider.environments } : {}),
    };
  }

  return {
    /** First on every route: the Host/Origin allow-list (DNS rebinding, cross-site requests). */
    hosts: hostCheck(config.http, logger),
    /** Before the JSON body parser: request id, response size guard, authentication, rate limit, declared body size. */
    beforeBody: [begin, limits.responseSize, authentication.middleware, rateLimit.middleware, limits.bodySize] as RequestHandler[],
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
      // Parsing and validation run before any limit: a huge document is refused while it is being read.
      parseOptions: { maxTokens: config.limits.maxTokens },
      documentStore: new InMemoryLRUCache<DocumentNode>({
        maxSize: mibBytes(config.caches.documentsMiB),
        sizeCalculation: documentHeapBytes,
      }),
    },
    /** Options for `new ApolloGateway(...)`. */
    // Apollo multiplies this by 2^20 and needs a whole number of bytes.
    gatewayOptions: { experimental_approximateQueryPlanStoreMiB: mibBytes(config.caches.queryPlansMiB) / 2 ** 20 },
    /** Size of each in-process subgraph's document cache. */
    subgraphDocuments: config.caches.subgraphDocuments,
    /**
     * Who the request acts as, when, and in which environments: from the authenticated principal, never from a
     * header the client sent (decision 014). Called once the security middlewares let the request through.
     */
    identity(req: Request): RequestIdentity {
      const state = stateOf(req);
      const principal = state?.principal;
      const environments = principal?.grants.restrictedToEnvironments ? [...principal.grants.environments] : undefined;
      return {
        actor: principal?.subject ?? ANONYMOUS,
        ...(principal?.onBehalfOf ? { agent: principal.actor.id } : {}),
        requestId: state?.requestId ?? randomUUID(),
        now: new Date(),
        environment: state?.environment,
        ...(environments ? { environments } : {}),
      };
    },
    /**
     * The signed token for one request to a remote subgraph (null under `gateway.subgraphs.trust: network`):
     * the identity of the request, its credential's scopes, bound to the operation sent.
     */
    async subgraphToken(subgraph: string, context: RequestContext, operation: string): Promise<string | null> {
      if (!signing) return null;
      return signing(subgraph, subgraphClaims(context), operation);
    },
    subgraphClaims,
    /** Refuses to start a gateway with remote subgraphs it cannot sign for (unless told they trust their network). */
    requireSubgraphSigning(subgraphs: string[]): void {
      if (signing) return;
      if (config.subgraphs.trust === 'network') {
        logger.warn({ subgraphs }, 'security: remote subgraphs trust forwarded headers (gateway.subgraphs.trust: network); only a NetworkPolicy keeps others from impersonating the gateway');
        return;
      }
      throw new SecurityConfigError(
        `remote subgraphs (${subgraphs.join(', ')}) need gateway.subgraphs.signingKey (OPSORCH_SUBGRAPH_SIGNING_KEY=secret://env/NAME), the same key their servers verify with`,
      );
    },
    /** The authenticated principal of a request, or why it is refused, without answering it (the MCP endpoint, before a session exists). */
    credentialOf: authentication.principalOf,
    /**
     * Ties the GraphQL context to the HTTP request's security record, and notes every provider instance the
     * request calls (the registry names it in each call's logger) for the audit line.
     */
    bind(req: Request, context: RequestContext): RequestContext {
      const state = stateOf(req);
      if (!state) return context;
      setState(context.provider, state);
      // Objects of other environments are hidden by the registry (decision 014); each one is audited as a denial.
      context.provider.onEnvironmentDenied = (denial) => {
        (state.environmentDenials ??= []).push(denial);
      };
      context.provider.logger = new AuditedLogger(context.provider.logger, state.providers);
      return context;
    },
    async close() {
      await Promise.all([audit.close(), persisted.close(), rateLimit.close()]);
    },
  };
}

export type Security = Awaited<ReturnType<typeof createSecurity>>;

/** The request's logger as providers get it: each child naming a provider adds that instance to the audit line's. */
class AuditedLogger extends ForwardingLogger {
  constructor(
    protected readonly target: Logger,
    private readonly providers: Set<string>,
  ) {
    super();
  }
  child(bindings: Record<string, unknown>): Logger {
    if (typeof bindings.capability === 'string' && typeof bindings.provider === 'string') {
      this.providers.add(`${bindings.capability}/${bindings.provider}`);
    }
    const target = this.target;
    return lazyChild(() => target.child(bindings));
  }
}
