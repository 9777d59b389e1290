import type { RequestHandler } from 'express';

/**
 * Starts requests in the order they arrived, one per turn of the event loop (decision 021).
 *
 * Left to itself, Node runs each request as soon as its socket is read, in whatever order the poll phase hands
 * sockets over; a request that is mostly one block of CPU (planning, in-process subgraphs, shaping the answer)
 * then keeps others waiting unevenly: at 50 connections some waited 17 times as long as the median (p99/p50 of a
 * plain Node server burning 13 ms per request: 6,519 / 384 ms; started in arrival order: 1,249 / 708 ms).
 * Here a request that is ready to run waits its turn in a queue; each turn of the loop starts the oldest one, so
 * every socket is read (and every new request queued) between two starts. A request waiting on a provider does
 * not hold the queue: only starts are ordered. A request whose client went away while it waited is not started.
 * When nothing is waiting, the cost is one setImmediate per request.
 */
export function createTurns() {
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
    waiting.push(() => {
      if (res.destroyed || res.writableEnded || req.socket.destroyed) return;
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
