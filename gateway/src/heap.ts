import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from '@opsorch/adapters';

/**
 * How far V8 may grow the old space past what survived the last major collection, in percent. By default V8 lets it
 * grow to about four times the live heap while a server allocates fast: the gateway held 510–540 MiB under load with
 * 100–125 MiB live. At 50 % it peaked at 279 MiB at the same throughput (`npm run bench:load`, decision 028); at 30 %
 * it lost about 5 %. This is not a limit: the heap still grows with what is live.
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * V8 pretenures an allocation site (allocates its objects straight in the old space) once most of what it allocates
 * survives young collections, and that choice stays for the process's life. A gateway that starts against cold or
 * slow subgraphs sees its requests' objects survive, so their sites were pretenured, and from then on every request
 * filled the old space: 1.7–1.9 MB promoted per young collection instead of 90–150 KB, a major collection every
 * 1–1.5 s, and the distributed p99 at 6–7× the p50. A server's request data dies young once the load is steady;
 * without pretenuring it is judged by how long it lives now (decision 043).
 */
const NO_PRETENURING = '--no-allocation-site-pretenuring';

/**
 * The young generation's cap, on node's command line (`npm start`, the image's entrypoint, the load benchmark): V8
 * sizes it when the process starts, so `setFlagsFromString` cannot change it later. 16 MB per semi-space is the
 * default of Node 20 and 22, which every measurement of decisions 028–045 ran on; Node 24's V8 doubled it to 32 MB.
 * There the gateway idled at 242 MiB and peaked at 335 under the war-room load, against 184 and 242 with this cap,
 * for the same war-room throughput and about 15 % more CPU per light request (decision 047).
 */
export const YOUNG_GENERATION_FLAG = '--max-semi-space-size=16';

/** A flag's name as V8 accepts it in either spelling, without `--`, `no-` or a value. */
const flagName = (arg: string) => arg.replace(/^--(no[-_])?/, '').split('=')[0]!.replaceAll('_', '-');

/** The V8 flags to set: the policy's, less any the operator started node with themselves (either spelling). */
export function heapPolicyFlags(execArgv: readonly string[]): string[] {
  const given = new Set(execArgv.map(flagName));
  return [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`, NO_PRETENURING].filter((flag) => !given.has(flagName(flag)));
}

/** Applies the heap policy to this process (servers only: `opsorch start`, `opsorch subgraph`, `opsorch mcp`). */
export function applyHeapPolicy(execArgv: readonly string[] = process.execArgv): void {
  // V8 reads these at every collection, so setting them after start-up takes effect; NODE_OPTIONS cannot carry them.
  for (const flag of heapPolicyFlags(execArgv)) setFlagsFromString(flag);
}

// Giving memory back once a burst of load is over (decision 041).
/** What the releaser watches: requests started so far, and how many are running. */
export interface Activity {
  entered: number;
  inflight: number;
}

export interface IdleMemoryOptions {
  /** How long no request may have started or run before memory is given back (0 = never). */
  quietMs: number;
  logger: Logger;
  /** Told after each collection this runs (metrics). */
  onRelease?(): void;
}

/** How often the releaser looks: one wake-up a second is nothing, and a release comes at most this late. */
const CHECK_MS = 1_000;
/** The heap must have grown this much since the last release for another to be worth two full collections. */
const MIN_GROWTH_BYTES = 8 * 2 ** 20;

/**
 * V8 collects the old generation only when the program allocates, so a process that served a burst keeps its peak
 * heap, and the RSS with it, for as long as it stays quiet: nothing allocates, so nothing collects. Once no request
 * has started or run for `quietMs` (after start-up, or after the heap grew by MIN_GROWTH_BYTES since it last
 * settled), this runs one full collection, which frees what the burst left, and a second one a check later if it is
 * still quiet, which gives the pages the first one emptied back to the system. A request that arrives in between
 * cancels the second.
 * Each collection stops the process for about 0.1 s, which only a request arriving in that instant waits for.
 */
export function releaseMemoryWhenIdle(activity: () => Activity, options: IdleMemoryOptions): { close(): void } {
  if (options.quietMs <= 0) return { close() {} };
  const gc = exposedGc(options.logger);
  if (!gc) return { close() {} };
  let lastEntered = activity().entered;
  let quietSince = performance.now();
  // Zero: the first quiet moment after start-up collects too, and its second pass gives back the pages start-up left.
  let settledHeap = 0;
  let secondPass = false;
  const timer = setInterval(() => {
    const now = performance.now();
    const { entered, inflight } = activity();
    if (entered !== lastEntered || inflight > 0) {
      lastEntered = entered;
      quietSince = now;
      secondPass = false;
      return;
    }
    if (now - quietSince < options.quietMs) return;
    const before = getHeapStatistics().total_heap_size;
    if (!secondPass && before < settledHeap + MIN_GROWTH_BYTES) return;
    const started = performance.now();
    gc();
    options.onRelease?.();
    const after = getHeapStatistics().total_heap_size;
    if (secondPass) settledHeap = after;
    options.logger.debug(
      { pass: secondPass ? 2 : 1, heapBeforeMB: mb(before), heapAfterMB: mb(after), tookMs: Math.round(performance.now() - started) },
      'quiet after load: heap collected to give memory back',
    );
    secondPass = !secondPass;
  }, CHECK_MS);
  timer.unref();
  return {
    close() {
      clearInterval(timer);
    },
  };
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/**
 * One full collection when a server's start-up is done, before it listens, whatever
 * OPSORCH_RELEASE_MEMORY_AFTER_QUIET_MS says. Until its first major collection V8 lets the old space fill to its
 * initial limit whatever is live: a gateway loaded as soon as it started first collected at 175 MB of heap, with 72 MB
 * live, and its RSS peaked at 303 MiB under war-room `first: 50`. After one collection the limit follows what is live,
 * by HEAP_GROWING_PERCENT (decision 044). It costs start-up about a tenth of a second.
 */
export function collectOnceStarted(logger: Logger): void {
  const gc = exposedGc(logger);
  if (!gc) return;
  const before = getHeapStatistics();
  const started = performance.now();
  gc();
  const after = getHeapStatistics();
  logger.debug(
    { heapUsedBeforeMB: mb(before.used_heap_size), heapUsedAfterMB: mb(after.used_heap_size), tookMs: Math.round(performance.now() - started) },
    'start-up done: heap collected once, so the old space grows from what is live',
  );
}

/**
 * What the collections here ask of V8's `gc`: a full collection that gives the pages it empties back to the system
 * at once. Node 22 and 24 otherwise keep them in a pool: after a war-room load the gateway stayed at 241 MiB for 45 s
 * on Node 22 (two plain collections), and at 335 MiB for 10–15 s on Node 24, against 167 and 161 MiB once given back
 * (decision 047). Node 20's V8 (11.3) knows no `flavor`, and given `{ type: 'major' }` it skipped the full collection
 * (80 MB of garbage stayed), so it is called there without options, as before.
 */
const GIVE_BACK = { type: 'major', execution: 'sync', flavor: 'last-resort' } as const;
const GIVES_BACK_ON_REQUEST = Number(process.versions.v8.split('.')[0]) >= 12;

/** The process's `gc`, made once: start-up's collection and every server's releaser share it. */
let gcOnce: { gc: (() => void) | undefined } | undefined;

/**
 * V8's `gc` function without starting Node with `--expose-gc`: the flag makes V8 install it in contexts created
 * while it is set, so a throwaway context made then has it; the application's own global scope does not.
 */
function exposedGc(logger: Logger): (() => void) | undefined {
  if (gcOnce) return gcOnce.gc;
  gcOnce = { gc: undefined };
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    // Contexts made later (vm users) get no `gc` of their own.
    setFlagsFromString('--no-expose-gc');
    if (typeof gc === 'function') {
      const collect = gc as (options?: typeof GIVE_BACK) => void;
      gcOnce.gc = GIVES_BACK_ON_REQUEST ? () => collect(GIVE_BACK) : () => collect();
    }
  } catch (error) {
    logger.debug({ err: (error as Error).message }, 'memory is not given back after load: V8 gc unavailable');
  }
  return gcOnce.gc;
}
