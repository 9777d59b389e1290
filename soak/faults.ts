// A fault-injecting provider kind for the soak: `faulty` wraps a real provider kind (the demo world, a JSON-RPC
// plugin...) and, while faults are on, makes its calls slow, fail, hang, answer malformed data, apply a write
// and then answer late, or kills the plugin process under a call in flight. Now and then one instance has an
// outage (every call fails) long enough to open its circuit. The seeded schedule makes a run repeatable up
// to timing.
import { CAPABILITIES, isWriteMethod, type Capability, type ProviderContext, type ProviderDeps, type ProviderModule } from '@opsorch/adapters';
import { mulberry32 } from '@opsorch/adapters/demo/random.ts';

export type FaultKind = 'latency' | 'error' | 'hang' | 'malformed' | 'late-answer' | 'plugin-killed' | 'outage';

/** Probability of each fault per call while faults are on (the rest of the calls pass untouched). */
export interface FaultRates {
  latency: number;
  error: number;
  hang: number;
  /** Reads only: an answer of the wrong shape. */
  malformed: number;
  /** Writes only: the write is applied, then the answer comes too late for the deadline. */
  lateAnswer: number;
  /** Plugin instances only: the plugin process is killed while the call is in flight. */
  pluginKilled: number;
}

export const DEFAULT_RATES: FaultRates = { latency: 0.15, error: 0.08, hang: 0.02, malformed: 0.03, lateAnswer: 0.05, pluginKilled: 0.05 };

export interface FaultControl {
  /** Faults are injected only while this is true. */
  on: boolean;
  /**
   * When faults were last switched on (epoch ms): the outage schedule counts from here, so the same instances go
   * down in every run whatever the start-up took (counted from start-up, a slow machine shifted the outages onto
   * instances the workload seldom calls, and no circuit opened).
   */
  onSince: number;
  rates: FaultRates;
  /** Every `outageEveryMs`, one instance (in turn) fails every call for `outageMs`. */
  outageEveryMs: number;
  outageMs: number;
  /** Longest injected latency, in ms (a late answer waits up to twice the instance timeout). */
  maxLatencyMs: number;
  /** Faults injected so far, by kind. */
  injected: Record<FaultKind, number>;
  seed: number;
}

export function faultControl(seed: number, overrides: Partial<FaultControl> = {}): FaultControl {
  return {
    on: false,
    onSince: 0,
    rates: DEFAULT_RATES,
    outageEveryMs: 20_000,
    outageMs: 5_000,
    maxLatencyMs: 1_500,
    injected: { latency: 0, error: 0, hang: 0, malformed: 0, 'late-answer': 0, 'plugin-killed': 0, outage: 0 },
    seed,
    ...overrides,
  };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** Answers that break the SPI's contract: a page without items, records of the wrong shape, a batch of the wrong length. */
const MALFORMED = [null, {}, { items: null }, { items: [{ id: 42 }], nextCursor: 7 }, [{ unexpected: true }], 'not json at all', [null, null, null, null, null]];

/**
 * The `faulty` provider kind: settings `{ inner: <kind>, settings: <inner settings> }`. `modules` are the kinds
 * it may wrap; `control` steers it from the soak.
 */
export function faultyProviders(modules: Readonly<Record<string, ProviderModule>>, control: FaultControl): ProviderModule {
  const next = mulberry32(control.seed);
  const instances: string[] = [];
  /** The instance in an outage now, if any. */
  const inOutage = () => {
    const elapsed = Date.now() - control.onSince;
    const slot = Math.floor(elapsed / control.outageEveryMs);
    const within = elapsed % control.outageEveryMs < control.outageMs;
    return within && instances.length ? instances[slot % instances.length] : undefined;
  };
  const factories = Object.fromEntries(
    CAPABILITIES.map((capability: Capability) => [
      capability,
      (settings: Record<string, unknown>, deps: ProviderDeps) => {
        const kind = String(settings.inner ?? 'demo');
        const module = modules[kind];
        const factory = module?.factories[capability] as ((s: unknown, d: ProviderDeps) => Record<string, unknown>) | undefined;
        if (!factory) throw new Error(`faulty provider "${deps.instance}": no ${capability} provider of kind "${kind}" to wrap`);
        // The wrapped kind gets its settings as the settings module would give them: parsed by its own schema.
        const raw = (settings.settings as Record<string, unknown> | undefined) ?? {};
        const inner = factory(module!.settings ? module!.settings.parse(raw) : raw, { ...deps, kind });
        const name = `${capability}/${deps.instance}`;
        instances.push(name);
        return new Proxy(inner, {
          get(target, property, receiver) {
            const value = Reflect.get(target, property, receiver) as unknown;
            if (typeof value !== 'function' || typeof property !== 'string' || ['checkHealth', 'close'].includes(property)) return value;
            const call = (args: unknown[]) => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            const write = isWriteMethod(capability, property);
            return async (...args: unknown[]) => {
              if (!control.on) return call(args);
              const ctx = args[args.length - 1] as ProviderContext;
              const count = (fault: FaultKind) => void control.injected[fault]++;
              if (inOutage() === name) {
                count('outage');
                throw new Error(`connect ECONNREFUSED (injected outage of ${name})`);
              }
              const { rates } = control;
              let roll = next();
              const hit = (rate: number) => (roll < rate ? true : ((roll -= rate), false));
              if (hit(rates.latency)) {
                count('latency');
                await sleep(next() * control.maxLatencyMs, ctx.signal);
                return call(args);
              }
              if (hit(rates.error)) {
                count('error');
                throw new Error('socket hang up (injected)');
              }
              if (hit(rates.hang)) {
                count('hang');
                return new Promise(() => {});
              }
              if (!write && hit(rates.malformed)) {
                count('malformed');
                return MALFORMED[Math.floor(next() * MALFORMED.length)];
              }
              if (write && hit(rates.lateAnswer)) {
                count('late-answer');
                const answer = await call(args);
                await sleep(next() * 2 * (deps.timeoutMs ?? 10_000));
                return answer;
              }
              const plugin = (target as { plugin?: { pid?: number } }).plugin;
              if (plugin?.pid && hit(rates.pluginKilled)) {
                count('plugin-killed');
                const pid = plugin.pid;
                const answer = call(args);
                setTimeout(() => {
                  try {
                    process.kill(pid, 'SIGKILL');
                  } catch {
                    // already gone
                  }
                }, next() * 20);
                return answer;
              }
              return call(args);
            };
          },
        });
      },
    ]),
  );
  return { label: 'Fault-injecting wrapper (soak)', factories } as ProviderModule;
}
