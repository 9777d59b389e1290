import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 may grow the old space past what survived the last major collection, in percent. By default V8 lets it
 * grow to about four times the live heap while a server allocates fast: the gateway held 510–540 MiB under load with
 * 100–125 MiB live. At 50 % it peaked at 279 MiB at the same throughput (`npm run bench:load`, decision 028); at 30 %
 * it lost about 5 %. This is not a limit: the heap still grows with what is live.
 */
export const HEAP_GROWING_PERCENT = 50;

/** The V8 flag to set, or undefined when the operator started node with their own `--heap-growing-percent`. */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  if (execArgv.some((arg) => arg.startsWith('--heap-growing-percent') || arg.startsWith('--heap_growing_percent'))) return undefined;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/** Applies the heap growth policy to this process (servers only: `opsorch start`, `opsorch subgraph`, `opsorch mcp`). */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  const flag = heapGrowthFlag(execArgv);
  // V8 reads this flag at every major collection, so setting it after start-up takes effect; NODE_OPTIONS cannot carry it.
  if (flag) setFlagsFromString(flag);
}
