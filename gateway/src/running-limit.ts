// How many requests to the APIs run at once (decision 049). A request that runs holds its subgraph answers,
// its context and its half-built answer; past the number that keeps the core busy, running more at once only
// makes each take longer, so more of them outlive young collections and get promoted, and the old generation
// fills and is collected again and again. The limit follows the core: it grows while requests wait for a slot and
// the event loop has idle time (they wait on tools, not on the core), and shrinks while the loop is saturated.

/** Fewest requests the adaptive limit lets run at once: below it the core idled while subgraphs answered over HTTP. */
export const MIN_RUNNING = 16;
/** Where the adaptive limit starts. */
export const START_RUNNING = 32;
/** Most requests the adaptive limit lets run at once. */
export const MAX_RUNNING = 4_096;
/** How often the limit is reconsidered while requests run or wait, in milliseconds. */
export const WINDOW_MS = 100;
/** Below this busy share of the event loop, requests waiting for a slot grow the limit... */
export const GROW_BELOW = 0.98;
/** ...and above it, the loop is saturated and the limit shrinks toward what actually ran. */
export const SHRINK_ABOVE = 0.995;

export interface RunningLimit {
  /** How many requests may run now. */
  current(): number;
  /** A request started; `running` counts it. */
  started(running: number): void;
  /** A request ready to start was held back because `current()` were running. */
  heldBack(): void;
  /** Reconsider the limit after a window, from the event loop's busy share during it (0–1); `running` run now. */
  adjust(utilization: number, running: number): void;
}

/**
 * `fixed()` > 0 fixes the limit (OPSORCH_MAX_RUNNING_REQUESTS); 0 adapts it, window by window:
 * - requests waited for a slot while the loop was idle part of the time: the limit grows by a quarter;
 * - the loop was saturated: it shrinks to an eighth below the most that ran (not below MIN_RUNNING);
 * - in between it stays.
 */
export function createRunningLimit(fixed: () => number): RunningLimit {
  let limit = START_RUNNING;
  let peak = 0;
  let held = false;
  return {
    current: () => fixed() || limit,
    started(running) {
      if (running > peak) peak = running;
    },
    heldBack() {
      held = true;
    },
    adjust(utilization, running) {
      if (held && utilization < GROW_BELOW) limit = Math.min(MAX_RUNNING, Math.ceil(limit * 1.25));
      else if (utilization > SHRINK_ABOVE) {
        const ran = Math.min(limit, peak);
        limit = Math.max(MIN_RUNNING, ran - Math.max(1, Math.floor(ran / 8)));
      }
      held = false;
      peak = running;
    },
  };
}
