// A subgraph server's side of the trust boundary (decision 014): it answers only requests the gateway signed,
// and takes the actor, scopes, environments, request id and time from the verified token, never from headers.
import type { ApolloServerPlugin } from '@apollo/server';
import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { Kind } from 'graphql';
import type { Abandon, EnvironmentDenial, Env, Logger, ProviderRegistry } from '@opsorch/adapters';
import type { IdempotencyStore, RequestContext } from '@opsorch/subgraphs';
import { randomUUID } from 'node:crypto';
import { requestIdOf } from '../observability/request-scope.ts';
import { actorFromHeader, contextFor, ENVIRONMENT_DENIALS_EXTENSION, FORWARDED_HEADERS, header, type RequestIdentity } from '../request-context.ts';
import { loadSecurityConfig, SecurityConfigError } from './config.ts';
import { createGatewayTokenVerifier, GatewayTokenError, operationHash, signingKeyFrom, type GatewayClaims } from './gateway-token.ts';
import { sendRefusal } from './http-errors.ts';
import { refusal } from './operation.ts';
import { Grants } from './scopes.ts';

export interface SubgraphTrustOptions {
  /** The subgraph (= capability) this server serves. */
  name: string;
  env: Env;
  /** The subgraph server's logger, which names the subgraph on every line. */
  logger: Logger;
  /** The `gateway:` section of OPSORCH_CONFIG, as the settings module read it (gateway/src/runtime.ts). */
  section?: unknown;
}

interface ContextDeps {
  registry: ProviderRegistry;
  idempotency: IdempotencyStore;
  logger: Logger;
  abandon: Abandon;
  response: ServerResponse;
}

/** Root fields of federation's own plumbing: fetches the gateway plans, authorized there as a whole. */
const FEDERATION_FIELDS = new Set(['_entities', '_service', '__typename', '__schema', '__type']);

function operationOf(req: Request): { query: string | undefined; variables: unknown } | null {
  if (req.method === 'GET') {
    const query = typeof req.query.query === 'string' ? req.query.query : undefined;
    try {
      return { query, variables: typeof req.query.variables === 'string' ? JSON.parse(req.query.variables) : undefined };
    } catch {
      return null;
    }
  }
  const body = req.body as { query?: unknown; variables?: unknown } | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  return { query: typeof body.query === 'string' ? body.query : undefined, variables: body.variables };
}

/**
 * Verifies that requests come from the gateway, builds their context from the token, checks the token's scopes
 * against this subgraph's root fields, and reports objects hidden for their environment back to the gateway.
 */
export function createSubgraphTrust(options: SubgraphTrustOptions) {
  const { name, logger } = options;
  const { config } = loadSecurityConfig(options.env, options.section);
  const { signingKey, trust } = config.subgraphs;
  if (trust === 'token' && !signingKey) {
    throw new SecurityConfigError(
      `opsorch subgraph ${name} answers only the gateway, and needs the key it signs with: set gateway.subgraphs.signingKey (OPSORCH_SUBGRAPH_SIGNING_KEY=secret://env/NAME) here and on the gateway`,
    );
  }
  if (trust === 'network') {
    logger.warn('security: this subgraph trusts the actor, time and environment headers of whoever reaches it (gateway.subgraphs.trust: network); keep a NetworkPolicy in front of it');
  }
  const verify = trust === 'token' ? createGatewayTokenVerifier(signingKeyFrom(signingKey!, 'gateway.subgraphs.signingKey'), name) : null;
  const claimsOf = new WeakMap<object, GatewayClaims>();
  const denialsOf = new WeakMap<object, EnvironmentDenial[]>();

  const middleware = async (req: Request, res: Response, next: NextFunction) => {
    if (!verify) return next();
    const operation = operationOf(req);
    try {
      if (!operation) throw new GatewayTokenError('the request is not one GraphQL operation');
      claimsOf.set(req, await verify(header(req.headers, FORWARDED_HEADERS.gatewayToken), operationHash(operation.query, operation.variables)));
      next();
    } catch (error) {
      if (!(error instanceof GatewayTokenError)) return next(error);
      logger.warn(
        { reason: error.message, client: req.socket.remoteAddress ?? null, requestId: requestIdOf(req) },
        'subgraph request refused: not from the gateway',
      );
      sendRefusal(req, res, 401, 'UNAUTHENTICATED', `Refused: ${error.message}.`, { reason: 'GATEWAY_TOKEN_INVALID' });
    }
  };

  /** Behind another router (`trust: network`): the forwarded headers, as that router sets them. */
  function identityFromHeaders(req: Request): RequestIdentity {
    const nowHeader = header(req.headers, FORWARDED_HEADERS.now);
    return {
      actor: actorFromHeader(header(req.headers, FORWARDED_HEADERS.actor)),
      requestId: header(req.headers, FORWARDED_HEADERS.requestId)?.slice(0, 128) || randomUUID(),
      now: nowHeader && !Number.isNaN(Date.parse(nowHeader)) ? new Date(nowHeader) : new Date(),
      environment: header(req.headers, FORWARDED_HEADERS.environment),
    };
  }

  function context(req: Request, deps: ContextDeps): RequestContext {
    const claims = claimsOf.get(req);
    const context = contextFor({ ...deps, identity: claims ?? identityFromHeaders(req) });
    if (claims) {
      claimsOf.set(context.provider, claims);
      const denials: EnvironmentDenial[] = [];
      denialsOf.set(context.provider, denials);
      context.provider.onEnvironmentDenied = (denial) => denials.push(denial);
    }
    return context;
  }

  const plugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          const claims = claimsOf.get(contextValue.provider);
          if (!claims || !operation) return;
          const grants = new Grants(claims.scopes, ['*']);
          if (operation.operation === 'mutation') {
            if (!grants.allows(name, 'write')) throw refusal(`Missing scope ${name}:write.`, 'FORBIDDEN', 403, { missingScope: `${name}:write` });
            return;
          }
          const fields = operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
          if (fields.some((f) => !FEDERATION_FIELDS.has(f)) && !grants.allows(name, 'read')) {
            throw refusal(`Missing scope ${name}:read.`, 'FORBIDDEN', 403, { missingScope: `${name}:read` });
          }
        },
        async willSendResponse({ contextValue, response }) {
          const denials = denialsOf.get(contextValue.provider);
          if (!denials?.length || response.body.kind !== 'single') return;
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, [ENVIRONMENT_DENIALS_EXTENSION]: denials };
        },
      };
    },
  };

  return { middleware, context, plugin };
}
