// CPU-bound work shares the event loop with every other request (decision 013). A loop that may run for
// more than a few milliseconds (generating logs, computing metric points, scanning) works in slices: after
// each slice it yields, so other requests, timers, health probes and signals (SIGTERM) are served, and it
// stops as soon as its call is abandoned (the provider timeout, the request's deadline, the client leaving,
// shutdown), so the deadline bounds CPU work as it bounds waiting.

/** Longest stretch a cooperative loop runs before it yields, in milliseconds. */
export const CPU_SLICE_MS = 10;

// Every paused loop waits in one queue, and each turn of the event loop resumes only the first: however many
// loops run at once (twenty aliased searches in one request, many requests), the event loop is held for one
// slice between two looks at the network, not one slice per loop. They take turns in order.
const waiting: (() => void)[] = [];
let scheduled = false;

function resumeNext(): void {
  scheduled = false;
  const next = waiting.shift();
  // Scheduled from inside this callback, the next resume runs on the next turn, after I/O and timers.
  if (waiting.length > 0) schedule();
  next?.();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(resumeNext);
}

/** Resolves on a later turn of the event loop, or at once when `signal` aborts (the work is then dropped). */
function nextTurn(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let resumed = false;
    const resume = () => {
      if (resumed) return;
      resumed = true;
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      const index = waiting.indexOf(resume);
      if (index >= 0) waiting.splice(index, 1);
      resume();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    waiting.push(resume);
    schedule();
  });
}

/**
 * One cooperative loop's clock. Call `due()` in the loop and, when it says so, `await pause()`:
 *
 *     const work = new CpuSlices(ctx.signal);
 *     for (...) { if (work.due()) await work.pause(); ... }
 */
export class CpuSlices {
  private readonly started = performance.now();
  private sliceStarted = this.started;

  constructor(
    private readonly signal: AbortSignal,
    private readonly sliceMs = CPU_SLICE_MS,
  ) {
    signal.throwIfAborted();
  }

  /** Wall time since the work began, pauses included: work that may stop early (a page with a cursor) checks it. */
  elapsedMs(): number {
    return performance.now() - this.started;
  }

  /** True when the current slice has used its time: the caller should `await pause()` now. */
  due(): boolean {
    return performance.now() - this.sliceStarted >= this.sliceMs;
  }

  /** Lets the event loop run, then throws the abort reason if the work is no longer wanted. */
  async pause(): Promise<void> {
    this.signal.throwIfAborted();
    await nextTurn(this.signal);
    this.signal.throwIfAborted();
    this.sliceStarted = performance.now();
  }
}
