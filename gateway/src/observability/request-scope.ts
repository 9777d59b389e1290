// The request id follows everything a request does (AsyncLocalStorage), so every log line written while
// serving it carries it — Apollo's, the error formatter's, the security layer's — not only the lines of
// loggers that were handed a child logger.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '@opsorch/adapters';
import type { Metrics } from './metrics.ts';

export interface RequestScope {
  requestId: string;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

/** A caller's request id is kept when it is a sane token; anything else is replaced by a fresh one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Routes the access log and metrics name as they are; any other path is `other`. */
const KNOWN_ROUTES = new Set(['/graphql', '/healthz', '/readyz', '/metrics', '/mcp', '/']);
/** APIs named by their prefix: the REST API, its reference page and the OpsOrch Core routes. */
const PREFIX_ROUTES = ['/graphql', '/api/v1', '/api/docs', '/core'];
/** Probes and scrapes are logged at debug, so they do not drown the requests people make. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Fixes the request id (the caller's `X-Request-Id` or a new UUID), answers it in `X-Request-Id`, runs the rest
 * of the request inside its scope, and writes one access-log line and one metric per response.
 */
export function requestIds(options: { logger: Logger; metrics?: Metrics }): RequestHandler {
  return (req, res, next) => {
    const offered = req.headers['x-request-id'];
    const requestId = typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
    req.headers['x-request-id'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = performance.now();
    const route = KNOWN_ROUTES.has(req.path) ? req.path : (PREFIX_ROUTES.find((prefix) => req.path.startsWith(prefix)) ?? 'other');
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      const disconnected = !res.writableFinished;
      options.metrics?.httpResponse(route, req.method, res.statusCode);
      const line = { requestId, method: req.method, path: route, status: res.statusCode, durationMs, ...(disconnected ? { disconnected } : {}) };
      if (QUIET_ROUTES.has(route)) options.logger.debug(line, 'request');
      else options.logger.info(line, 'request');
    };
    res.once('finish', done);
    res.once('close', done);
    requestScope.run({ requestId }, next);
  };
}
