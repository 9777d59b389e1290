import type { Request, RequestHandler } from 'express';
import { sendRefusal } from './security/http-errors.ts';

/** How long each request waited for its turn (its deadline counts the wait). */
const waits = new WeakMap<Request, number>();

/** The milliseconds `req` waited in the queue before it started; 0 for a request that did not queue. */
export function waitedMs(req: Request): number {
  return waits.get(req) ?? 0;
}

export interface TurnsOptions {
  /**
   * A request that waited longer than this is refused with 503 instead of started (its deadline,
   * OPSORCH_REQUEST_TIMEOUT_MS, passed while it waited); 0 never refuses.
   */
  maxWaitMs: () => number;
  /** The clock (tests). */
  now?: () => number;
}

/**
 * Starts requests in the order they arrived, one per turn of the event loop (decision 021).
 *
 * Left to itself, Node runs each request as soon as its socket is read, in whatever order the poll phase hands
 * sockets over; a request that is mostly one block of CPU (planning, in-process subgraphs, shaping the answer)
 * then keeps others waiting unevenly: at 50 connections some waited 17 times as long as the median (p99/p50 of a
 * plain Node server burning 13 ms per request: 6,519 / 384 ms; started in arrival order: 1,249 / 708 ms).
 * Here a request that is ready to run waits its turn in a queue; each turn of the loop starts the oldest one, so
 * every socket is read (and every new request queued) between two starts. A request waiting on a provider does
 * not hold the queue: only starts are ordered. A request whose client went away while it waited is not started;
 * one that waited past its deadline is refused (503, Retry-After) rather than started late.
 * When nothing is waiting, the cost is one setImmediate per request.
 */
export function createTurns(options: TurnsOptions) {
  const now = options.now ?? Date.now;
  const waiting: (() => void)[] = [];
  let scheduled = false;

  const startNext = () => {
    scheduled = false;
    const next = waiting.shift();
    if (waiting.length > 0) schedule();
    next?.();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(startNext);
  };

  const middleware: RequestHandler = (req, res, next) => {
    const queuedAt = now();
    waiting.push(() => {
      if (res.destroyed || res.writableEnded || req.socket.destroyed) return;
      const waited = now() - queuedAt;
      waits.set(req, waited);
      const maxWaitMs = options.maxWaitMs();
      if (maxWaitMs > 0 && waited >= maxWaitMs) {
        sendRefusal(
          req,
          res,
          503,
          'RATE_LIMITED',
          `the gateway is too busy: this request waited ${waited} ms to start, past its deadline of ${maxWaitMs} ms (OPSORCH_REQUEST_TIMEOUT_MS); retry later`,
          { reason: 'GATEWAY_BUSY', retryAfter: 1 },
          { 'retry-after': '1' },
        );
        return;
      }
      next();
    });
    schedule();
  };
  return {
    middleware,
    /** Requests ready to run that have not started yet. */
    waiting: () => waiting.length,
  };
}
