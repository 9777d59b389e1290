// Event-loop lag (decision 013): how long callbacks waited for the loop recently. A loop held by CPU work
// answers nothing else, health probes included, so the lag is a metric and part of readiness.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface EventLoopLag {
  /** Worst and 99th-percentile delay over the last one to two windows, in milliseconds. */
  recent(): { maxMs: number; p99Ms: number; windowMs: number };
  /** Forgets what was measured so far (start-up work, which blocks on purpose, is no lag). */
  reset(): void;
  close(): void;
}

/**
 * Samples the event loop every `resolutionMs` (Node's own histogram, cheap) and keeps the current and the
 * previous window, so a stall is reported for at least one whole window after it ends. Node records the time
 * between two samples, so the resolution is taken off: what is reported is how late a sample came.
 * Every sample wakes an idle process, so they come 20 times a second (an idle subgraph server woke about 230 times
 * a second with this at 10 ms, prom-client's own histogram and pino's periodic flush, for 1 % of a core); a stall
 * shorter than that may be missed, which readiness, counting in hundreds of milliseconds, does not need.
 */
export function monitorEventLoop(windowMs = 10_000, resolutionMs = 50): EventLoopLag {
  let current: IntervalHistogram = monitorEventLoopDelay({ resolution: resolutionMs });
  current.enable();
  let previous = { maxMs: 0, p99Ms: 0 };
  const ms = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - resolutionMs) : 0);
  const rotate = setInterval(() => {
    previous = { maxMs: ms(current.max), p99Ms: ms(current.percentile(99)) };
    current.reset();
  }, windowMs);
  rotate.unref();
  return {
    recent() {
      const now = current.count > 0 ? { maxMs: ms(current.max), p99Ms: ms(current.percentile(99)) } : { maxMs: 0, p99Ms: 0 };
      return {
        maxMs: Math.round(Math.max(now.maxMs, previous.maxMs) * 10) / 10,
        p99Ms: Math.round(Math.max(now.p99Ms, previous.p99Ms) * 10) / 10,
        windowMs,
      };
    },
    reset() {
      current.reset();
      previous = { maxMs: 0, p99Ms: 0 };
    },
    close() {
      clearInterval(rotate);
      current.disable();
    },
  };
}
