// A provider kind the test steers while the gateway runs: it answers like the demo world, or fails, hangs,
// answers slowly, or is rate limited, as `control.mode` says at the moment of each call.
import { CAPABILITIES, OpsOrchError, type Capability, type ProviderContext, type ProviderModule } from '@opsorch/adapters';
import { demo } from '@opsorch/adapters/providers';

export type Mode =
  | { kind: 'ok' }
  | { kind: 'fail' }
  | { kind: 'hang' }
  | { kind: 'slow'; delayMs: number }
  /** Answers once `released` resolves. */
  | { kind: 'held'; released: Promise<void> }
  | { kind: 'rate-limited'; retryAfter: number }
  /** Does the call at once, then answers `delayMs` later whatever its AbortSignal says (a tool that applied a write but answers late). */
  | { kind: 'late'; delayMs: number }
  /** Answers pages whose records carry a status (state) no schema knows (a provider bug: an unexpected error). */
  | { kind: 'malformed' };

export interface Control {
  mode: Mode;
  /** Calls that reached the provider, per method. */
  calls: Record<string, number>;
  /** What `checkHealth` does (absent: no check). */
  health?: 'up' | 'down';
  /** How many of its instances were closed (the server stopped or a reload retired them). */
  closed?: number;
}

export function controlled(control: Control): ProviderModule {
  const factories = Object.fromEntries(
    CAPABILITIES.map((capability: Capability) => [
      capability,
      (settings: Record<string, unknown>, deps: { instance: string; kind: string }) => {
        const real = (demo.factories[capability] as unknown as (s: Record<string, unknown>, d: unknown) => Record<string, unknown>)(settings, deps);
        return new Proxy(real, {
          get(target, property, receiver) {
            if (property === 'checkHealth') {
              if (!control.health) return undefined;
              return async () => {
                if (control.health === 'down') throw new OpsOrchError('PROVIDER_UNAVAILABLE', 'connect ECONNREFUSED 10.0.0.9:443');
              };
            }
            if (property === 'close') return async () => void (control.closed = (control.closed ?? 0) + 1);
            const value = Reflect.get(target, property, receiver) as unknown;
            if (typeof value !== 'function' || typeof property !== 'string') return value;
            return async (...args: unknown[]) => {
              control.calls[property] = (control.calls[property] ?? 0) + 1;
              const mode = control.mode;
              const ctx = args[args.length - 1] as ProviderContext;
              if (mode.kind === 'fail') throw new Error('connect ECONNREFUSED 10.0.0.9:443');
              if (mode.kind === 'hang') return new Promise(() => {});
              if (mode.kind === 'rate-limited') throw new OpsOrchError('PROVIDER_RATE_LIMITED', 'tool answered 429', { retryAfter: mode.retryAfter });
              if (mode.kind === 'held') await mode.released;
              if (mode.kind === 'slow') {
                await new Promise((resolve, reject) => {
                  const timer = setTimeout(resolve, mode.delayMs);
                  ctx.signal.addEventListener('abort', () => (clearTimeout(timer), reject(ctx.signal.reason)), { once: true });
                });
              }
              const answer = await (value as (...a: unknown[]) => unknown).apply(target, args);
              if (mode.kind === 'late') await new Promise((resolve) => setTimeout(resolve, mode.delayMs));
              if (mode.kind === 'malformed' && answer && typeof answer === 'object' && Array.isArray((answer as { items?: unknown }).items)) {
                const page = answer as { items: object[] };
                return { ...page, items: page.items.map((item) => ({ ...item, status: 'NOT_A_VALUE', state: 'NOT_A_VALUE' })) };
              }
              return answer;
            };
          },
        });
      },
    ]),
  );
  return { label: 'Controlled', factories } as ProviderModule;
}
