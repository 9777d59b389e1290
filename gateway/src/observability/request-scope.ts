// Every request gets an id (the caller's X-Request-Id or a fresh UUID) that its log lines carry: the providers'
// lines through the request's child logger, the others (refusals, errors, the access log) name it from the request
// with `requestIdOf`. Not an AsyncLocalStorage: on Node 20 and 22 one costs every promise of every request an
// async hook, 7 % of a small request's CPU and 15 % of a war-room's (decision 030).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from '@opsorch/adapters';
import type { Metrics } from './metrics.ts';
import { waitedMs } from '../turns.ts';

/** The id of a request `requestIds` has seen (undefined before it, for example a connection-level refusal). */
export function requestIdOf(req: IncomingMessage): string | undefined {
  const id = req.headers['x-request-id'];
  return typeof id === 'string' ? id : undefined;
}

/** A caller's request id is kept when it is a sane token; anything else is replaced by a fresh one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Routes the access log and metrics name as they are; any other path is `other`. */
const KNOWN_ROUTES = new Set(['/graphql', '/healthz', '/readyz', '/metrics', '/mcp', '/']);
/** APIs named by their prefix: the REST API, its reference page and the OpsOrch Core routes. */
const PREFIX_ROUTES = ['/graphql', '/api/v1', '/api/docs', '/core'];
/** Probes and scrapes are logged at debug, so they do not drown the requests people make. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Fixes the request id (the caller's `X-Request-Id` or a new UUID) in the request's `x-request-id` header, answers
 * it in `X-Request-Id`, and writes one access-log line and one metric per response.
 */
export function requestIds(options: { logger: Logger; metrics?: Metrics }): RequestHandler {
  return (req, res, next) => {
    const offered = req.headers['x-request-id'];
    const requestId = typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
    req.headers['x-request-id'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    // From arrival: a request to the APIs waited its turn before it got here (src/turns.ts).
    const started = performance.now() - waitedMs(req);
    const route = KNOWN_ROUTES.has(req.path) ? req.path : (PREFIX_ROUTES.find((prefix) => req.path.startsWith(prefix)) ?? 'other');
    // 'close' comes once for every response: right after 'finish' when it was all written, or when the client left
    // first (then it was not finished). One listener, not one for each, and not wrapped by `once`.
    res.on('close', () => {
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      const disconnected = !res.writableFinished;
      options.metrics?.httpResponse(route, req.method, res.statusCode);
      const line = { requestId, method: req.method, path: route, status: res.statusCode, durationMs, ...(disconnected ? { disconnected } : {}) };
      if (QUIET_ROUTES.has(route)) options.logger.debug(line, 'request');
      else options.logger.info(line, 'request');
    });
    next();
  };
}
