import { randomUUID } from 'node:crypto';
import { ANONYMOUS, silentLogger, withAbandon, type Abandon, type Actor, type Logger, type ProviderContext, type ProviderRegistry } from '@opsorch/adapters';
import type { IdempotencyStore, IdempotentWrites } from './idempotency.ts';

/**
 * What every resolver receives. One per request: in-process, the gateway's request context is passed
 * straight to the subgraphs; over HTTP, each subgraph server builds one from the forwarded headers.
 */
export interface RequestContext {
  registry: ProviderRegistry;
  /** Passed to every provider call (the registry narrows its signal and logger per call). */
  provider: ProviderContext;
  /** Makes a retried mutation with the same idempotency key write once; keys are scoped to the request's actor. */
  idempotency: IdempotentWrites;
  /** Per-request DataLoaders, created lazily by each subgraph (see `loadersFor`). */
  loaders: Map<string, unknown>;
}

/**
 * The subgraph's DataLoaders for this request, created on first use. Loaders must live exactly one
 * request: they cache, and a cache shared across requests would serve stale data and leak across actors.
 */
export function loadersFor<T>(ctx: RequestContext, name: string, create: (ctx: RequestContext) => T): T {
  let loaders = ctx.loaders.get(name) as T | undefined;
  if (!loaders) {
    loaders = create(ctx);
    ctx.loaders.set(name, loaders);
  }
  return loaders;
}

export interface RequestContextOptions {
  registry: ProviderRegistry;
  idempotency: IdempotencyStore;
  actor?: Actor;
  requestId?: string;
  logger?: Logger;
  signal?: AbortSignal;
  /** The request's end, followed by provider calls without making an AbortSignal (instead of `signal`). */
  abandon?: Abandon;
  now?: Date;
  environment?: string;
}

/** A fresh per-request context; `now` is fixed here so every relative time in the request agrees. */
export function createRequestContext(options: RequestContextOptions): RequestContext {
  const provider = {
    logger: options.logger ?? silentLogger,
    actor: options.actor ?? ANONYMOUS,
    requestId: options.requestId ?? randomUUID(),
    now: options.now ?? new Date(),
    environment: options.environment,
  };
  return {
    registry: options.registry,
    idempotency: options.idempotency.forActor(options.actor ?? ANONYMOUS),
    loaders: new Map(),
    provider: options.abandon ? withAbandon(provider, options.abandon) : { ...provider, signal: options.signal ?? new AbortController().signal },
  };
}
