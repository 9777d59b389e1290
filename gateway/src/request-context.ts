import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ANONYMOUS, type Actor, type Logger, type ProviderRegistry } from '@opsorch/adapters';
import { createRequestContext, type IdempotencyStore, type RequestContext } from '@opsorch/subgraphs';

/** Headers the gateway sends to remote subgraphs so one request means the same thing in every process. */
export const FORWARDED_HEADERS = {
  requestId: 'x-request-id',
  actor: 'x-opsorch-actor',
  now: 'x-opsorch-now',
  environment: 'x-opsorch-environment',
  /** Who an agent acts for when no credential says it (open demo): a label, like the actor header. */
  onBehalfOf: 'x-opsorch-on-behalf-of',
} as const;

const ACTOR_KINDS = new Set<Actor['kind']>(['user', 'agent', 'service', 'anonymous']);

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads `X-OpsOrch-Actor: <kind>:<id>` (for example `agent:claude-desktop`). Until authentication lands
 * this is a self-declared label used for attribution (timeline entries, audit), not a credential.
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

export interface HttpContextOptions {
  registry: ProviderRegistry;
  idempotency: IdempotencyStore;
  logger: Logger;
  headers: IncomingHttpHeaders;
  signal: AbortSignal;
}

/** Builds the per-request context from an HTTP request (gateway and standalone subgraphs alike). */
export function contextFromHttp(options: HttpContextOptions): RequestContext {
  const requestId = header(options.headers, FORWARDED_HEADERS.requestId)?.slice(0, 128) || randomUUID();
  const nowHeader = header(options.headers, FORWARDED_HEADERS.now);
  const now = nowHeader && !Number.isNaN(Date.parse(nowHeader)) ? new Date(nowHeader) : new Date();
  return createRequestContext({
    registry: options.registry,
    idempotency: options.idempotency,
    actor: actorFromHeader(header(options.headers, FORWARDED_HEADERS.actor)),
    requestId,
    now,
    environment: header(options.headers, FORWARDED_HEADERS.environment),
    signal: options.signal,
    logger: options.logger.child({ requestId }),
  });
}
