// Provider doubles for failure tests: they serve any capability and fail in one chosen way.
import type { Capability, ProviderModule } from '@opsorch/adapters';
import { CAPABILITIES, OpsOrchError, type ErrorCode } from '@opsorch/adapters';

type Behaviour = (settings: Record<string, unknown>) => (...args: unknown[]) => Promise<never>;

function providerModule(label: string, behaviour: Behaviour): ProviderModule {
  const factories = Object.fromEntries(
    CAPABILITIES.map((capability: Capability) => [
      capability,
      (settings: Record<string, unknown>, deps: { instance: string }) =>
        new Proxy({ kind: label, instance: deps.instance } as Record<string | symbol, unknown>, {
          get(target, property) {
            if (property in target) return target[property];
            // Optional hooks stay absent, so health checks and shutdown do not meet the chosen failure.
            if (property === 'then' || typeof property === 'symbol' || property === 'checkHealth' || property === 'close') return undefined;
            return behaviour(settings);
          },
        }),
    ]),
  );
  return { label, factories } as ProviderModule;
}

/** Every call fails like an unreachable upstream. */
export const failing = providerModule('failing', () => async () => {
  throw new Error('connect ECONNREFUSED 127.0.0.1:9');
});

/** Every call hangs forever and ignores its AbortSignal, like a wedged upstream. */
export const hanging = providerModule('hanging', () => () => new Promise<never>(() => {}));

/** Every call fails with an upstream message that echoes the configured token. */
export const leaky = providerModule('leaky', (settings) => async () => {
  throw new Error(`upstream answered 401 for Authorization: Bearer ${String(settings.apiToken)}`);
});

/** Every call fails with one of OpsOrch's codes, as an adapter maps its tool's answer (PROVIDER_AUTH_FAILED, NOT_SUPPORTED...). */
export function failingWith(code: ErrorCode): ProviderModule {
  return providerModule(code, () => async () => {
    throw new OpsOrchError(code, code === 'NOT_SUPPORTED' ? 'the tool cannot do this' : `the tool answered ${code}`);
  });
}
