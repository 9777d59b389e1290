import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import { createRunningLimit, WINDOW_MS } from './running-limit.ts';
import { sendRefusal } from './security/http-errors.ts';

/** How long each request waited for its turn (its deadline counts the wait). */
const waits = new WeakMap<IncomingMessage, number>();

/** The milliseconds `req` waited in the queue before it started; 0 for a request that did not queue. */
export function waitedMs(req: IncomingMessage): number {
  return waits.get(req) ?? 0;
}

export interface TurnsOptions {
  /**
   * A request that waited longer than this is refused with 503 instead of started (its deadline,
   * OPSORCH_REQUEST_TIMEOUT_MS, passed while it waited); 0 never refuses.
   */
  maxWaitMs: () => number;
  /** How many requests may run at once; 0 adapts it to the core (OPSORCH_MAX_RUNNING_REQUESTS, decision 049). */
  maxRunning?: () => number;
  /** The clock in milliseconds (tests); `performance.now()` by default. */
  now?: () => number;
  /** The event loop's busy share since the previous call, 0–1 (tests); Node's event loop utilization by default. */
  utilization?: () => number;
}

/**
 * Starts requests in the order they arrived, one per turn of the event loop (decisions 021 and 039).
 *
 * Left to itself, Node runs each request as soon as its socket is read, in whatever order the poll phase hands
 * sockets over; a request that is mostly one block of CPU (planning, in-process subgraphs, shaping the answer)
 * then keeps others waiting unevenly: at 50 connections some waited 17 times as long as the median (p99/p50 of a
 * plain Node server burning 13 ms per request: 6,519 / 384 ms; started in arrival order: 1,249 / 708 ms).
 * Here a request that is ready to run waits its turn in a queue; each turn of the loop starts the oldest one, so
 * every socket is read (and every new request queued) between two starts. A request waiting on a provider does
 * not hold the queue: only starts are ordered. When nothing is waiting, the cost is one setImmediate per request.
 *
 * At most so many requests run at once (`running-limit.ts`, decision 049): a started request holds its slot until its
 * response closes, and the oldest waiting one starts when a slot frees. The limit adapts to the core unless
 * OPSORCH_MAX_RUNNING_REQUESTS fixes it, so requests waiting on slow tools never hold the others back for long.
 *
 * The HTTP server queues a request to the APIs before the app sees it (`serve`): a waiting request then
 * holds only Node's own request and response, not what the middlewares build, which the young generation would
 * otherwise copy and promote while the request waits (decision 039). `middleware` runs where the request is
 * admitted (after authentication and the body): it queues a request that did not wait at the server, does not
 * start one whose client went away while it waited, and refuses one that waited past its deadline (503,
 * Retry-After), in the form its API answers in.
 */
export function createTurns(options: TurnsOptions) {
  const now = options.now ?? (() => performance.now());
  const utilization = options.utilization ?? loopUtilization();
  const limit = createRunningLimit(options.maxRunning ?? (() => 0));
  const waiting: (() => void)[] = [];
  let scheduled = false;
  let running = 0;
  let window: NodeJS.Timeout | undefined;

  const startNext = () => {
    scheduled = false;
    if (waiting.length === 0) return;
    // A full house: the next request starts when a running one ends (`occupy`).
    if (running >= limit.current()) return limit.heldBack();
    const next = waiting.shift()!;
    if (waiting.length > 0) schedule();
    next();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(startNext);
  };
  // The limit is reconsidered every window while requests run or wait, and the timer stops when none do.
  const reconsider = () => {
    limit.adjust(utilization(), running);
    if (running === 0 && waiting.length === 0) {
      clearInterval(window);
      window = undefined;
    } else if (waiting.length > 0) schedule();
  };
  /** `res`'s request holds a slot until its response closes (sent, or its client gone). */
  const occupy = (res: ServerResponse) => {
    // A response already closed emits no more 'close': it holds no slot.
    if (res.destroyed) return;
    running++;
    limit.started(running);
    res.once('close', () => {
      running--;
      if (waiting.length > 0) schedule();
    });
  };
  const enqueue = (req: IncomingMessage, res: ServerResponse, start: () => void) => {
    const queuedAt = now();
    waiting.push(() => {
      waits.set(req, now() - queuedAt);
      occupy(res);
      start();
    });
    if (!window) {
      utilization();
      window = setInterval(reconsider, WINDOW_MS).unref();
    }
    schedule();
  };

  const admit: RequestHandler = (req, res, next) => {
    if (res.destroyed || res.writableEnded || req.socket.destroyed) return;
    const waited = waitedMs(req);
    const maxWaitMs = options.maxWaitMs();
    if (maxWaitMs > 0 && waited >= maxWaitMs) {
      sendRefusal(
        req,
        res,
        503,
        'RATE_LIMITED',
        `the gateway is too busy: this request waited ${Math.round(waited)} ms to start, past its deadline of ${maxWaitMs} ms (OPSORCH_REQUEST_TIMEOUT_MS); retry later`,
        { reason: 'GATEWAY_BUSY', retryAfter: 1 },
        { 'retry-after': '1' },
      );
      return;
    }
    next();
  };

  const middleware: RequestHandler = (req, res, next) => {
    if (waits.has(req)) admit(req, res, next);
    else enqueue(req, res, () => admit(req, res, next));
  };

  return {
    middleware,
    /**
     * The HTTP server's request listener: a request whose URL `queued` accepts waits its turn before `app` sees it,
     * any other goes to `app` at once.
     */
    serve(app: RequestListener, queued: (url: string) => boolean): RequestListener {
      return (req, res) => {
        if (queued(req.url ?? '/')) enqueue(req, res, () => app(req, res));
        else app(req, res);
      };
    },
    /** Requests ready to run that have not started yet. */
    waiting: () => waiting.length,
    /** Requests started whose response has not closed yet. */
    running: () => running,
    /** How many requests may run at once now. */
    limit: () => limit.current(),
  };
}

/** The event loop's busy share since the previous call (the first call starts the count). */
function loopUtilization(): () => number {
  let last: EventLoopUtilization | undefined;
  return () => {
    const total = performance.eventLoopUtilization();
    const since = last ? performance.eventLoopUtilization(total, last) : total;
    last = total;
    return since.utilization;
  };
}

/** Whether `url` is `prefix` itself or below it (`/graphql`, `/graphql/...`, `/graphql?...`), as Express mounts it. */
export function underPath(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  const after = url.charCodeAt(prefix.length);
  return Number.isNaN(after) || after === 0x2f /* / */ || after === 0x3f /* ? */;
}
