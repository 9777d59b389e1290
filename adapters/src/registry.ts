import { CAPABILITIES, type Capability } from './capabilities.ts';
import type { InstanceConfig, OpsOrchConfig } from './config.ts';
import { silentLogger, type Logger, type ProviderContext } from './context.ts';
import { OpsOrchError, toOpsOrchError } from './errors.ts';
import { parseId } from './ids.ts';
import type { ProviderMap } from './spi/index.ts';

/** What a factory gets besides its settings. */
export interface ProviderDeps {
  instance: string;
  kind: string;
  /** A child logger named after the instance. */
  logger: Logger;
}

export type ProviderFactory<C extends Capability> = (settings: Record<string, unknown>, deps: ProviderDeps) => ProviderMap[C];

/** One provider kind: a label and a factory for each capability it serves. */
export interface ProviderModule {
  readonly label: string;
  readonly factories: { readonly [C in Capability]?: ProviderFactory<C> };
}

/** Counts of provider calls, per `capability/instance.method`. */
export type CallCounts = Record<string, number>;

export interface RegistryOptions {
  config: OpsOrchConfig;
  /** Provider kinds by name; the built-in kinds plus any plugins. */
  modules: Readonly<Record<string, ProviderModule>>;
  logger?: Logger;
}

export interface InstanceInfo {
  capability: Capability;
  instance: string;
  kind: string;
  timeoutMs: number;
}

/**
 * Builds every configured provider once at start-up and hands out instrumented instances: each call
 * is counted, cut at the instance's timeout (PROVIDER_TIMEOUT, even when the provider ignores its
 * AbortSignal), and any failure is turned into an OpsOrchError naming the capability and instance.
 */
export class ProviderRegistry {
  private readonly providers = new Map<Capability, ProviderMap[Capability][]>();
  private readonly info: InstanceInfo[] = [];
  private counts: CallCounts = {};

  constructor(options: RegistryOptions) {
    const logger = options.logger ?? silentLogger;
    for (const capability of CAPABILITIES) {
      const instances = options.config[capability];
      this.providers.set(
        capability,
        instances.map((instanceConfig) => this.build(capability, instanceConfig, options.modules, logger)),
      );
    }
  }

  private build<C extends Capability>(
    capability: C,
    config: InstanceConfig,
    modules: Readonly<Record<string, ProviderModule>>,
    logger: Logger,
  ): ProviderMap[C] {
    const module = modules[config.kind];
    if (!module) {
      throw new OpsOrchError(
        'BAD_USER_INPUT',
        `OPSORCH_${capability.toUpperCase()}_PROVIDER: unknown provider kind "${config.kind}"; known kinds: ${Object.keys(modules).join(', ')}`,
      );
    }
    const factory = module.factories[capability] as ProviderFactory<C> | undefined;
    if (!factory) {
      const serves = Object.keys(module.factories).join(', ');
      throw new OpsOrchError(
        'BAD_USER_INPUT',
        `OPSORCH_${capability.toUpperCase()}_PROVIDER: provider "${config.kind}" does not serve ${capability} (it serves: ${serves})`,
      );
    }
    const provider = factory(config.settings, {
      instance: config.instance,
      kind: config.kind,
      logger: logger.child({ capability, provider: config.instance }),
    });
    this.info.push({ capability, instance: config.instance, kind: config.kind, timeoutMs: config.timeoutMs });
    return this.instrument(capability, config, provider);
  }

  private instrument<C extends Capability>(capability: C, config: InstanceConfig, provider: ProviderMap[C]): ProviderMap[C] {
    const registry = this;
    return new Proxy(provider, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return (...args: unknown[]) => registry.call(capability, config, property, () => value, target, args);
      },
    });
  }

  private async call(
    capability: Capability,
    config: InstanceConfig,
    method: string,
    resolve: () => unknown,
    target: unknown,
    args: unknown[],
  ): Promise<unknown> {
    const key = `${capability}/${config.instance}.${method}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    const ctx = args[args.length - 1] as ProviderContext | undefined;
    const controller = new AbortController();
    const onRequestAbort = () => controller.abort(ctx?.signal?.reason);
    ctx?.signal?.addEventListener('abort', onRequestAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new OpsOrchError(
          'PROVIDER_TIMEOUT',
          `${capability} provider ${config.instance} did not answer ${method} within ${config.timeoutMs} ms`,
          { capability, provider: config.instance },
        );
        controller.abort(error);
        reject(error);
      }, config.timeoutMs);
    });
    const callArgs = ctx
      ? [...args.slice(0, -1), { ...ctx, signal: controller.signal, logger: ctx.logger.child({ capability, provider: config.instance }) }]
      : args;
    try {
      const fn = resolve() as (...a: unknown[]) => unknown;
      return await Promise.race([Promise.resolve().then(() => fn.apply(target, callArgs)), timedOut]);
    } catch (error) {
      const failure = toOpsOrchError(error, capability, config.instance);
      ctx?.logger.warn(
        { capability, provider: config.instance, method, code: failure.code, err: failure.message, requestId: ctx.requestId },
        'provider call failed',
      );
      throw failure;
    } finally {
      clearTimeout(timer);
      ctx?.signal?.removeEventListener('abort', onRequestAbort);
    }
  }

  /** Every instance of a capability, in configuration order. */
  all<C extends Capability>(capability: C): ProviderMap[C][] {
    return this.providers.get(capability) as ProviderMap[C][];
  }

  /** The instance that issued `id` (`<instance>:<nativeId>`); NOT_FOUND when no such instance is configured. */
  forId<C extends Capability>(capability: C, id: string): ProviderMap[C] {
    const { instance } = parseId(id);
    const provider = this.all(capability).find((p) => p.instance === instance);
    if (!provider) {
      const known = this.all(capability).map((p) => p.instance).join(', ');
      throw new OpsOrchError('NOT_FOUND', `no ${capability} provider instance "${instance}" for id "${id}" (configured: ${known})`, {
        capability,
      });
    }
    return provider;
  }

  /**
   * Answers a batch of ids in key order by asking each owning instance once for its ids. A bad id or a
   * failing instance becomes an Error in its own slots only (DataLoader's per-key failure), never a failed batch.
   */
  async getMany<C extends Capability, T>(
    capability: C,
    ids: readonly string[],
    call: (provider: ProviderMap[C], ids: string[]) => Promise<readonly (T | null)[]>,
  ): Promise<(T | null | Error)[]> {
    const results: (T | null | Error)[] = new Array(ids.length).fill(null);
    const groups = new Map<string, { provider: ProviderMap[C]; ids: string[]; positions: number[] }>();
    ids.forEach((id, position) => {
      try {
        const provider = this.forId(capability, id);
        const group = groups.get(provider.instance) ?? { provider, ids: [], positions: [] };
        group.ids.push(id);
        group.positions.push(position);
        groups.set(provider.instance, group);
      } catch (error) {
        results[position] = error as Error;
      }
    });
    await Promise.all(
      [...groups.values()].map(async (group) => {
        try {
          const answer = await call(group.provider, group.ids);
          if (answer.length !== group.ids.length) {
            throw new OpsOrchError(
              'INTERNAL',
              `${capability} provider ${group.provider.instance} broke the batch contract: expected ${group.ids.length} results in key order, got ${answer.length}`,
              { capability, provider: group.provider.instance },
            );
          }
          group.positions.forEach((position, i) => (results[position] = answer[i] ?? null));
        } catch (error) {
          const failure = toOpsOrchError(error, capability, group.provider.instance);
          group.positions.forEach((position) => (results[position] = failure));
        }
      }),
    );
    return results;
  }

  instances(): InstanceInfo[] {
    return [...this.info];
  }

  /** Provider calls made since the last reset, per `capability/instance.method`. */
  callCounts(): CallCounts {
    return { ...this.counts };
  }

  resetCallCounts(): void {
    this.counts = {};
  }
}
