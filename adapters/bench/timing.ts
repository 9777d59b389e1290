// Timing helpers the provider benchmarks share: warm up, then time each call; medians and p99 in milliseconds.
import { performance } from 'node:perf_hooks';
import { ANONYMOUS, silentLogger, type ProviderContext } from '../src/context.ts';

export interface Timing {
  median: number;
  p99: number;
}

/** A fresh provider context (its own request id, so the registry shares nothing between calls). */
export function benchContext(): ProviderContext {
  return { signal: new AbortController().signal, logger: silentLogger, actor: ANONYMOUS, requestId: crypto.randomUUID(), now: new Date() };
}

export function stats(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return { median: at(0.5), p99: at(0.99) };
}

/** Runs `call` a few times to warm up, then `runs` times one after another. */
export async function time(runs: number, call: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < Math.min(50, runs); i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return stats(samples);
}

export const fmt = (s: Timing) => `median ${(s.median * 1000).toFixed(0)} µs, p99 ${(s.p99 * 1000).toFixed(0)} µs`;
