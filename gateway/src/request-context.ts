import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { ANONYMOUS, type Abandon, type Actor, type Logger, type ProviderContext, type ProviderRegistry } from '@opsorch/adapters';
import { createRequestContext, type IdempotencyStore, type RequestContext } from '@opsorch/subgraphs';
import { lazyChild } from './logger.ts';

/**
 * Headers a client may send. None of them is trusted as it stands (decision 014): the request id is a
 * correlation label (kept when well-formed), the environment is a request checked against the credential's
 * grants, and the actor only marks an agent acting with someone's credential (or names the caller in the open
 * demo, which has no credentials at all).
 */
export const CLIENT_HEADERS = {
  requestId: 'x-request-id',
  actor: 'x-opsorch-actor',
  environment: 'x-opsorch-environment',
  /** Who an agent acts for when no credential says it (open demo): a label, like the actor header. */
  onBehalfOf: 'x-opsorch-on-behalf-of',
} as const;

/**
 * Headers only the gateway sets, towards subgraph servers: the signed token that carries the request's actor,
 * scopes, request id, time and environment (`security/gateway-token.ts`), and the headers a subgraph behind
 * another router reads when it trusts its network (`gateway.subgraphs.trust: network`). Every external request
 * has them removed before anything reads them.
 */
export const FORWARDED_HEADERS = {
  gatewayToken: 'x-opsorch-gateway-token',
  requestId: CLIENT_HEADERS.requestId,
  actor: CLIENT_HEADERS.actor,
  now: 'x-opsorch-now',
  environment: CLIENT_HEADERS.environment,
} as const;

/** Response extension in which a subgraph server tells the gateway which objects it hid for their environment (for the audit log). */
export const ENVIRONMENT_DENIALS_EXTENSION = 'opsorchEnvironmentDenials';

/** What the gateway forwards that no client may send: removed at the edge (the others are client input, read under rules). */
const INTERNAL_ONLY = [FORWARDED_HEADERS.gatewayToken, FORWARDED_HEADERS.now];

const ACTOR_KINDS = new Set<Actor['kind']>(['user', 'agent', 'service', 'anonymous']);

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Removes the internal headers from an external request, first thing on every route of the gateway. */
export function stripInternalHeaders(): RequestHandler {
  return (req: Request, _res, next) => {
    for (const name of INTERNAL_ONLY) delete req.headers[name];
    next();
  };
}

/**
 * Reads `<kind>:<id>` (for example `agent:claude-desktop`). What it may do depends on who sends it: see
 * CLIENT_HEADERS.
 */
export function actorFromHeader(value: string | undefined): Actor {
  if (!value) return ANONYMOUS;
  const colon = value.indexOf(':');
  const kind = value.slice(0, colon) as Actor['kind'];
  const id = value.slice(colon + 1).trim();
  if (colon <= 0 || !ACTOR_KINDS.has(kind) || !id || id.length > 200) return ANONYMOUS;
  return { kind, id };
}

export function actorToHeader(actor: Actor): string {
  return `${actor.kind}:${actor.id}`;
}

/**
 * Who a request acts as and when, established by the gateway from the credential (or verified from its token by a
 * subgraph server): the actor is whom the tools attribute writes to, the credential's owner.
 */
export type RequestIdentity = Pick<ProviderContext, 'actor' | 'agent' | 'requestId' | 'now' | 'environment' | 'environments'>;

export interface ContextOptions {
  registry: ProviderRegistry;
  idempotency: IdempotencyStore;
  logger: Logger;
  /** The request's end (gateway/src/serving.ts `requestAbandon`): provider calls stop when it is abandoned. */
  abandon: Abandon;
  identity: RequestIdentity;
  /** The response the context answers: when it ends, the request's DataLoaders are let go (`releaseAtEnd`). */
  response: ServerResponse;
}

/** Builds the per-request context (gateway and standalone subgraphs alike) from an established identity. */
export function contextFor(options: ContextOptions): RequestContext {
  const { identity } = options;
  const context = createRequestContext({
    registry: options.registry,
    idempotency: options.idempotency,
    actor: identity.actor,
    requestId: identity.requestId,
    now: identity.now,
    environment: identity.environment,
    abandon: options.abandon,
    // Most requests log nothing: pino's child (and its children per provider call) is made on the first line.
    logger: lazyChild(() => options.logger.child({ requestId: identity.requestId })),
  });
  if (identity.environments) context.provider.environments = identity.environments;
  if (identity.agent) context.provider.agent = identity.agent;
  releaseAtEnd(options.response, context);
  return context;
}

/**
 * Empties the context's DataLoaders, and so their caches of provider answers, when the response ends (a later
 * `loadersFor` makes fresh ones, for work that outlives the client).
 *
 * Some of a request's objects still reach the old generation (most of its HTTP objects did while Express changed
 * their prototypes, decision 035). A minor collection takes every old object for live, so the answers reachable
 * from them were promoted too, dead or not, and only the next full collection freed them: under the war-room load
 * about 2.2 MB per minor collection, one full collection every 0.6 s. Let go here, they die young (decision 033).
 */
function releaseAtEnd(response: ServerResponse, context: RequestContext): void {
  response.once('close', () => context.loaders.clear());
}
