// How a server process (the gateway, a standalone subgraph) serves HTTP so that no client can take it over
// (decision 013): header and body timeouts and connection limits against slow and abusive clients, a deadline
// per request that also stops CPU work, and the grace period of a shutdown.
import { createServer, IncomingMessage, ServerResponse, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Express, Request, RequestHandler, Response } from 'express';
import { Abandon, OpsOrchError, type Env, type Logger } from '@opsorch/adapters';

export interface ServingSettings {
  /** Deadline of one request, provider waits and CPU work alike (OPSORCH_REQUEST_TIMEOUT_MS, default 30000; 0 = none). */
  requestTimeoutMs: number;
  /** How long a shutdown lets running requests finish before cutting them (OPSORCH_SHUTDOWN_GRACE_MS, default 10000). */
  shutdownGraceMs: number;
  /** /readyz answers 503 while the event loop lagged more than this recently (OPSORCH_READYZ_MAX_EVENT_LOOP_LAG_MS, default 1000; 0 = never). */
  maxEventLoopLagMs: number;
  /** Memory is given back after load once no request ran for this long (OPSORCH_RELEASE_MEMORY_AFTER_QUIET_MS, default 3000; 0 = never). */
  releaseMemoryAfterQuietMs: number;
  /** Requests to the APIs that run at once (OPSORCH_MAX_RUNNING_REQUESTS; default 0, adapted to the core: decision 049). */
  maxRunningRequests: number;
  http: HttpLimits;
}

export interface HttpLimits {
  /** A client must send all request headers within this (OPSORCH_HTTP_HEADERS_TIMEOUT_MS, default 10000). */
  headersTimeoutMs: number;
  /** ...and the whole request, body included, within this (OPSORCH_HTTP_REQUEST_TIMEOUT_MS, default 30000). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (OPSORCH_HTTP_KEEP_ALIVE_TIMEOUT_MS, default 5000). */
  keepAliveTimeoutMs: number;
  /** Open connections at most; more are closed at once (OPSORCH_HTTP_MAX_CONNECTIONS, default 10000). */
  maxConnections: number;
  /** Open connections per client address (OPSORCH_HTTP_MAX_CONNECTIONS_PER_CLIENT, default 256; 0 = no limit). */
  maxConnectionsPerClient: number;
}

const SETTINGS: { variable: string; path: [keyof ServingSettings] | ['http', keyof HttpLimits]; fallback: number; min: number }[] = [
  { variable: 'OPSORCH_REQUEST_TIMEOUT_MS', path: ['requestTimeoutMs'], fallback: 30_000, min: 0 },
  { variable: 'OPSORCH_SHUTDOWN_GRACE_MS', path: ['shutdownGraceMs'], fallback: 10_000, min: 0 },
  { variable: 'OPSORCH_READYZ_MAX_EVENT_LOOP_LAG_MS', path: ['maxEventLoopLagMs'], fallback: 1_000, min: 0 },
  { variable: 'OPSORCH_RELEASE_MEMORY_AFTER_QUIET_MS', path: ['releaseMemoryAfterQuietMs'], fallback: 3_000, min: 0 },
  { variable: 'OPSORCH_MAX_RUNNING_REQUESTS', path: ['maxRunningRequests'], fallback: 0, min: 0 },
  { variable: 'OPSORCH_HTTP_HEADERS_TIMEOUT_MS', path: ['http', 'headersTimeoutMs'], fallback: 10_000, min: 1 },
  { variable: 'OPSORCH_HTTP_REQUEST_TIMEOUT_MS', path: ['http', 'requestTimeoutMs'], fallback: 30_000, min: 1 },
  { variable: 'OPSORCH_HTTP_KEEP_ALIVE_TIMEOUT_MS', path: ['http', 'keepAliveTimeoutMs'], fallback: 5_000, min: 1 },
  { variable: 'OPSORCH_HTTP_MAX_CONNECTIONS', path: ['http', 'maxConnections'], fallback: 10_000, min: 1 },
  { variable: 'OPSORCH_HTTP_MAX_CONNECTIONS_PER_CLIENT', path: ['http', 'maxConnectionsPerClient'], fallback: 256, min: 0 },
];

/** Reads the serving settings from the environment; a bad value names its variable and what it expects. */
export function servingSettingsFrom(env: Env): ServingSettings {
  const settings = { http: {} } as ServingSettings;
  for (const { variable, path, fallback, min } of SETTINGS) {
    const raw = env[variable]?.trim();
    const value = raw ? Number(raw) : fallback;
    if (!Number.isInteger(value) || value < min) throw new Error(`${variable}: expected a whole number of at least ${min}, got "${raw}"`);
    if (path.length === 1) settings[path[0]] = value as never;
    else settings.http[path[1]] = value;
  }
  if (settings.http.headersTimeoutMs > settings.http.requestTimeoutMs) {
    throw new Error('OPSORCH_HTTP_HEADERS_TIMEOUT_MS must not exceed OPSORCH_HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)');
  }
  return settings;
}

/**
 * The gateway's own in-process clients (the console and the MCP server) and a sidecar proxy reach it from the
 * loopback address: limiting them per client would limit every user behind them.
 */
const UNLIMITED_CLIENTS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export interface ConnectionRefusals {
  /** A connection was closed on arrival: over the per-client limit, or over the server's. */
  refused?(reason: 'per_client' | 'max_connections'): void;
}

/**
 * An HTTP server that slow clients cannot starve: headers must arrive within `headersTimeoutMs` and the whole
 * request within `requestTimeoutMs` (checked every second, not Node's default 30), idle keep-alive
 * connections close after `keepAliveTimeoutMs`, and connections beyond `maxConnections`, or beyond
 * `maxConnectionsPerClient` from one address, are closed on arrival. Requests and responses are made with
 * `app`'s prototypes ({@link withAppPrototypes}). Requests go to `listener`, `app` unless told otherwise (the gateway
 * queues requests to its APIs first, src/turns.ts).
 */
export function createHardenedServer(
  app: Express,
  limits: HttpLimits,
  logger: Logger,
  observer: ConnectionRefusals = {},
  listener: RequestListener = app,
): Server {
  const server = createServer(
    {
      ...withAppPrototypes(app),
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => observer.refused?.('max_connections'));
  const perClient = new Map<string, number>();
  let warnedAt = 0;
  server.on('connection', (socket: Socket) => {
    const client = socket.remoteAddress ?? 'unknown';
    if (limits.maxConnectionsPerClient === 0 || UNLIMITED_CLIENTS.has(client)) return;
    const open = (perClient.get(client) ?? 0) + 1;
    if (open > limits.maxConnectionsPerClient) {
      observer.refused?.('per_client');
      if (Date.now() - warnedAt > 10_000) {
        warnedAt = Date.now();
        logger.warn({ client, limit: limits.maxConnectionsPerClient }, 'connection refused: too many open connections from one client (OPSORCH_HTTP_MAX_CONNECTIONS_PER_CLIENT)');
      }
      socket.destroy();
      return;
    }
    perClient.set(client, open);
    socket.once('close', () => {
      const left = (perClient.get(client) ?? 1) - 1;
      if (left <= 0) perClient.delete(client);
      else perClient.set(client, left);
    });
  });
  return server;
}

/**
 * Request and response classes whose instances are born with the Express app's prototypes. Express gives every
 * request its app's prototypes with `Object.setPrototypeOf`; changing the prototype of a live object made V8 keep
 * each request's objects through two minor collections, so they reached the old generation and every request paid
 * for it in major collections (decision 035). Given the prototype it already has, `setPrototypeOf` changes nothing.
 * The app's `request` and `response` become the classes' prototypes, which inherit everything from the app's own.
 */
function withAppPrototypes(app: Express): { IncomingMessage: typeof IncomingMessage; ServerResponse: typeof ServerResponse } {
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse {}
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as unknown as Request;
  app.response = AppResponse.prototype as unknown as Response;
  return { IncomingMessage: AppRequest, ServerResponse: AppResponse as typeof ServerResponse };
}

/**
 * The end of one request: abandoned when the client goes away before the answer is sent (`gone` is the reason), or
 * when the request's deadline passes (PROVIDER_TIMEOUT). Provider calls stop on it, and so do the cooperative CPU
 * loops of providers (adapters/src/cooperative.ts). An Abandon, not an AbortController: provider calls follow it
 * without an EventTarget, and its AbortSignal is made only if something reads the context's `signal` (decision 036).
 */
export function requestAbandon(res: ServerResponse, deadlineMs: number, gone = 'client disconnected', waitedMs = 0): Abandon {
  const abandon = new Abandon();
  const timer =
    deadlineMs > 0
      ? setTimeout(
          () =>
            abandon.abort(
              new OpsOrchError('PROVIDER_TIMEOUT', `the request ran past its deadline of ${deadlineMs} ms (OPSORCH_REQUEST_TIMEOUT_MS); ask for less or a shorter range`),
            ),
          // The time the request already waited for its turn (src/turns.ts) counts against its deadline.
          Math.max(1, deadlineMs - waitedMs),
        )
      : undefined;
  timer?.unref();
  res.on('close', () => {
    clearTimeout(timer);
    if (!res.writableFinished) abandon.abort(new Error(gone));
  });
  return abandon;
}

/** GraphQL answers are live data for one caller: no cache keeps them. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('cache-control', 'no-store');
  next();
};
