import { INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { CAPABILITIES, type Capability } from './capabilities.ts';
import type { ProviderFactory, ProviderModule, ServiceCatalog } from './provider.ts';
import type { InstanceConfig, OpsOrchConfig } from './settings.ts';
import { silentLogger, type Logger, type ProviderContext } from './context.ts';
import { OpsOrchError, toOpsOrchError } from './errors.ts';
import { askEachInstance } from './fan-out.ts';
import { parseId } from './ids.ts';
import { checkCreated, checkWrite, hideOtherEnvironments, type ReadById } from './isolation.ts';
import {
  Abandon,
  dedupKey,
  DEFAULT_RESILIENCE,
  InstanceResilience,
  isWriteMethod,
  withAbandon,
  type BreakerState,
  type ProviderObserver,
  type ResilienceOptions,
} from './resilience.ts';
import { redactSecrets } from './secrets.ts';
import { tracingRegistered } from './tracing.ts';
import type { ProviderMap } from './spi/index.ts';

export type { ProviderDeps, ProviderFactory, ProviderModule, ServiceCatalog } from './provider.ts';

/** Counts of provider calls, per `capability/instance.method`. */
export type CallCounts = Record<string, number>;

export interface RegistryOptions {
  config: OpsOrchConfig;
  /** Provider kinds by name; the built-in kinds plus any plugins. */
  modules: Readonly<Record<string, ProviderModule>>;
  logger?: Logger;
  /** Retries, circuit breakers and dedup of provider calls (see `resilienceFromEnv`); defaults in DEFAULT_RESILIENCE. */
  resilience?: Partial<ResilienceOptions>;
  /** Told about every provider call, retry, dedup and circuit change (metrics). */
  observer?: ProviderObserver;
}

export interface InstanceInfo {
  capability: Capability;
  instance: string;
  kind: string;
  timeoutMs: number;
}

/** Codes that say something about the provider itself; BAD_USER_INPUT or NOT_FOUND are the caller's. */
const PROVIDER_FAULTS = new Set(['PROVIDER_UNAVAILABLE', 'PROVIDER_TIMEOUT', 'PROVIDER_RATE_LIMITED', 'PROVIDER_AUTH_FAILED', 'INTERNAL']);

/**
 * What the registry keeps of one instance, reached from its instrumented methods without building a key per call.
 * Times are epoch milliseconds, made Dates only when read (`statsOf`).
 */
interface Slot {
  capability: Capability;
  config: InstanceConfig;
  resilience: InstanceResilience;
  stats: {
    calls: number;
    failures: number;
    lastCallAt: number | null;
    lastLatencyMs: number | null;
    lastSuccessAt: number | null;
    lastError: { code: string; message: string; at: number } | null;
  };
  /** Calls that reached the provider since the last reset, by method. */
  counts: Map<string, number>;
}

/**
 * The context of one attempt: the caller's, with the provider's logger, and a signal that fires when the attempt is
 * abandoned, made only if the provider reads it (most in-process providers never do; decision 032).
 */
function attemptContext(ctx: ProviderContext, logger: Logger, abandon: Abandon): ProviderContext {
  // Every field but the caller's signal, which is not read: a caller's context made by withAbandon would make its
  // AbortSignal on that read, once per request (a rest pattern reads the key it leaves out).
  const attempt = {} as Record<string, unknown>;
  for (const key in ctx) if (key !== 'signal') attempt[key] = ctx[key as keyof ProviderContext];
  attempt.logger = logger;
  return withAbandon(attempt as unknown as ProviderContext, abandon);
}

/** What the registry saw of one instance's calls since start. */
export interface InstanceStats {
  calls: number;
  /** Calls that failed for a reason of the provider's own (see PROVIDER_FAULTS). */
  failures: number;
  lastCallAt: Date | null;
  lastLatencyMs: number | null;
  lastSuccessAt: Date | null;
  lastError: { code: string; message: string; at: Date } | null;
}

/** The result of actively checking one instance (`checkHealth`, or its recent calls when it has no check). */
export interface InstanceHealth extends InstanceInfo {
  /** Label of the provider kind, for example `Prometheus`. */
  label: string;
  /** UP: the check passed; DOWN: it failed; UNKNOWN: no check and no call yet. */
  status: 'UP' | 'DOWN' | 'UNKNOWN';
  /** Whether a health check ran (false: judged from recent calls, for in-process providers). */
  checked: boolean;
  /** How long the check took. */
  latencyMs: number | null;
  checkedAt: Date;
  /** Why the check failed, secrets scrubbed; null when UP. */
  error: { code: string; message: string } | null;
  stats: InstanceStats;
}

const tracer = trace.getTracer('@opsorch/adapters');
/** What a provider call records on while no tracing SDK is registered: the API's own no-op span. */
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Builds every configured provider once at start-up and hands out instrumented instances: each call
 * is counted, traced, cut at the instance's timeout (PROVIDER_TIMEOUT, even when the provider ignores its
 * AbortSignal), retried when it is a read that failed transiently, refused at once while the instance's
 * circuit is open, shared with identical concurrent reads of the same auth scope (src/resilience.ts), and
 * any failure is turned into an OpsOrchError naming the capability and instance.
 */
export class ProviderRegistry {
  private readonly providers = new Map<Capability, ProviderMap[Capability][]>();
  private readonly raw: { info: InstanceInfo; label: string; provider: ProviderMap[Capability] }[] = [];
  private readonly info: InstanceInfo[] = [];
  /** Every instance's resilience, statistics and call counts, by `capability/instance`. */
  private readonly slots = new Map<string, Slot>();
  private readonly logger: Logger;
  private readonly resilienceOptions: ResilienceOptions;
  private readonly observer: ProviderObserver;
  /** A health check answered within this window is reused, so a busy status page does not hammer the tools. */
  private healthCache: { at: number; result: Promise<InstanceHealth[]> } | null = null;

  /** The catalog other providers map their service references through. */
  readonly catalog: ServiceCatalog = {
    resolveExternalRefs: (refs, ctx) => this.firstKnown(refs, (p, own) => p.resolveExternalRefs(own, ctx)),
    getMany: (ids, ctx) => this.firstKnown(ids, (p, own) => p.getMany(own, ctx)),
    servicesOwnedBy: async (teamIds, ctx) => {
      const answers = await askEachInstance('services', this.all('services').map((provider) => ({ provider, keys: teamIds })), (p, keys) => p.servicesOwnedBy(keys, ctx));
      const failed = answers.find((a) => a.error);
      if (failed?.error) throw failed.error;
      return teamIds.map((_, i) => [...new Set(answers.flatMap((a) => (a.values?.[i] ?? []).map((s) => s.id)))]);
    },
  };

  /** Asks the catalog instances in configuration order, each only for the keys no earlier one knew. */
  private async firstKnown<K, T>(keys: readonly K[], call: (provider: ProviderMap['services'], keys: K[]) => Promise<readonly (T | null)[]>): Promise<(T | null)[]> {
    const answers: (T | null)[] = keys.map(() => null);
    for (const provider of this.all('services')) {
      const missing = answers.flatMap((a, i) => (a === null ? [i] : []));
      if (missing.length === 0) break;
      const [answer] = await askEachInstance('services', [{ provider, keys: missing.map((i) => keys[i]!) }], call);
      if (answer!.error) throw answer!.error;
      missing.forEach((position, j) => (answers[position] = answer!.values![j] ?? null));
    }
    return answers;
  }

  constructor(options: RegistryOptions) {
    const logger = options.logger ?? silentLogger;
    this.logger = logger;
    this.resilienceOptions = { ...DEFAULT_RESILIENCE, ...options.resilience };
    this.observer = options.observer ?? {};
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
        `unknown provider kind "${config.kind}" for ${capability}; known kinds: ${Object.keys(modules).join(', ')}`,
      );
    }
    const factory = module.factories[capability] as ProviderFactory<C> | undefined;
    if (!factory) {
      const serves = Object.keys(module.factories).join(', ');
      throw new OpsOrchError(
        'BAD_USER_INPUT',
        `provider "${config.kind}" does not serve ${capability} (it serves: ${serves})`,
      );
    }
    const provider = factory(config.settings, {
      instance: config.instance,
      kind: config.kind,
      logger: logger.child({ capability, provider: config.instance }),
      catalog: this.catalog,
      timeoutMs: config.timeoutMs,
    });
    const info = { capability, instance: config.instance, kind: config.kind, timeoutMs: config.timeoutMs };
    this.info.push(info);
    this.raw.push({ info, label: module.label, provider });
    const slot: Slot = {
      capability,
      config,
      resilience: this.resilienceFor(capability, config.instance),
      stats: { calls: 0, failures: 0, lastCallAt: null, lastLatencyMs: null, lastSuccessAt: null, lastError: null },
      counts: new Map(),
    };
    this.slots.set(`${capability}/${config.instance}`, slot);
    return this.instrument(slot, provider);
  }

  private instrument<C extends Capability>(slot: Slot, provider: ProviderMap[C]): ProviderMap[C] {
    const registry = this;
    return new Proxy(provider, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return (...args: unknown[]) => registry.call(slot, property, value as (...a: unknown[]) => unknown, target, args);
      },
    });
  }

  private resilienceFor(capability: Capability, instance: string): InstanceResilience {
    const observer = this.observer;
    const logger = this.logger;
    return new InstanceResilience(capability, instance, this.resilienceOptions, {
      ...observer,
      retry(event) {
        logger.info({ ...event, provider: event.instance, instance: undefined }, 'retrying provider read');
        observer.retry?.(event);
      },
      breaker(event) {
        const message = event.state === 'open' ? 'circuit opened: calls fail fast' : `circuit ${event.state}`;
        logger[event.state === 'open' ? 'warn' : 'info']({ capability, provider: instance, state: event.state, requestId: event.requestId }, message);
        observer.breaker?.(event);
      },
    });
  }

  private call(slot: Slot, method: string, fn: (...a: unknown[]) => unknown, target: unknown, args: unknown[]): Promise<unknown> {
    const { capability, config } = slot;
    const ctx = args[args.length - 1] as ProviderContext | undefined;
    const write = isWriteMethod(capability, method);
    const key = !write && ctx && this.resilienceOptions.dedupReads ? dedupKey(method, args.slice(0, -1), ctx) : null;
    if (!tracingRegistered()) return this.callIn(NO_SPAN, slot, method, fn, target, args, ctx, write, key);
    const attributes = {
      'opsorch.capability': capability,
      'opsorch.provider': config.instance,
      'opsorch.provider.kind': config.kind,
      'opsorch.method': method,
      'opsorch.write': write,
      ...(ctx ? { 'opsorch.request_id': ctx.requestId } : {}),
    };
    return tracer.startActiveSpan(`provider ${capability}.${method}`, { kind: SpanKind.CLIENT, attributes }, (span) =>
      this.callIn(span, slot, method, fn, target, args, ctx, write, key),
    );
  }

  /** A provider call, recorded on `span`. */
  private async callIn(
    span: Span,
    slot: Slot,
    method: string,
    fn: (...a: unknown[]) => unknown,
    target: unknown,
    args: unknown[],
    ctx: ProviderContext | undefined,
    write: boolean,
    key: string | null,
  ): Promise<unknown> {
    const { capability, config, resilience } = slot;
    const started = performance.now();
    const progress = { attempts: 0 };
    let deduplicated = false;
    let code: OpsOrchError['code'] | null = null;
    // This caller leaving (its request ended) abandons its wait, and the upstream call once no one else waits.
    const caller = ctx ? Abandon.followingContext(ctx) : undefined;
    try {
      // Environment isolation (src/isolation.ts): a write on an object the caller may not see never reaches the tool,
      // and no record of another environment leaves a read.
      if (write) await checkWrite(capability, method, args, ctx, this.readById);
      let answer: unknown;
      if (key === null) answer = await this.upstream(slot, method, write, fn, target, args, caller, progress);
      else {
        const shared = await resilience.dedupe(key, method, caller, (callers) => this.upstream(slot, method, write, fn, target, args, callers, progress));
        deduplicated = shared.joined;
        answer = shared.value;
      }
      if (write) checkCreated(capability, method, answer, ctx);
      return write ? answer : hideOtherEnvironments(capability, method, answer, ctx);
    } catch (error) {
      const failure = toOpsOrchError(error, capability, config.instance);
      code = failure.code;
      span.setStatus({ code: SpanStatusCode.ERROR, message: redactSecrets(failure.message) });
      span.setAttribute('opsorch.error.code', failure.code);
      throw failure;
    } finally {
      caller?.unfollow();
      if (span.isRecording()) span.setAttributes({ 'opsorch.attempts': progress.attempts, 'opsorch.deduplicated': deduplicated });
      span.end();
      this.observer.call?.({
        capability,
        instance: config.instance,
        kind: config.kind,
        method,
        write,
        durationMs: performance.now() - started,
        attempts: progress.attempts,
        deduplicated,
        code,
      });
    }
  }

  /** One call that reaches the provider (a deduplicated read makes one for all its callers). */
  private async upstream(
    slot: Slot,
    method: string,
    write: boolean,
    fn: (...a: unknown[]) => unknown,
    target: unknown,
    args: unknown[],
    callers: Abandon | undefined,
    progress: { attempts: number },
  ): Promise<unknown> {
    const { capability, config, stats } = slot;
    slot.counts.set(method, (slot.counts.get(method) ?? 0) + 1);
    const started = performance.now();
    stats.calls++;
    stats.lastCallAt = Date.now();
    const ctx = args[args.length - 1] as ProviderContext | undefined;
    const logger = ctx?.logger.child({ capability, provider: config.instance });
    try {
      const answer = await slot.resilience.run(
        {
          method,
          write,
          timeoutMs: config.timeoutMs,
          callers,
          requestId: ctx?.requestId,
          attempt(abandon) {
            return fn.apply(target, ctx ? [...args.slice(0, -1), attemptContext(ctx, logger!, abandon)] : args) as Promise<unknown>;
          },
        },
        progress,
      );
      stats.lastLatencyMs = performance.now() - started;
      stats.lastSuccessAt = Date.now();
      return answer;
    } catch (error) {
      const failure = toOpsOrchError(error, capability, config.instance);
      stats.lastLatencyMs = performance.now() - started;
      // A call stopped because its request ended (deadline, client gone, shutdown) says nothing about the provider.
      if (PROVIDER_FAULTS.has(failure.code) && !callers?.aborted) {
        stats.failures++;
        stats.lastError = { code: failure.code, message: failure.message, at: Date.now() };
      }
      ctx?.logger.warn(
        {
          capability,
          provider: config.instance,
          method,
          code: failure.code,
          err: failure.message,
          ...(failure.detail ? { upstream: failure.detail } : {}),
          attempts: progress.attempts,
          requestId: ctx.requestId,
        },
        'provider call failed',
      );
      throw failure;
    }
  }

  /** One object by id through the instrumented provider (counted, isolated): how a write's target is checked. */
  private readonly readById: ReadById = async (capability, id, ctx) => {
    if (capability === 'orchestration') return (await this.forId(capability, id).getRuns([id], ctx))[0] ?? null;
    const provider = this.forId(capability, id) as { getMany(ids: string[], ctx: ProviderContext): Promise<unknown[]> };
    return (await provider.getMany([id], ctx))[0] ?? null;
  };

  /** The circuit state of every instance, in configuration order. */
  breakerStates(): { capability: Capability; instance: string; state: BreakerState }[] {
    return this.info.map(({ capability, instance }) => ({
      capability,
      instance,
      state: this.slots.get(`${capability}/${instance}`)!.resilience.breakerState,
    }));
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
    for (const answer of await askEachInstance(capability, [...groups.values()].map((g) => ({ provider: g.provider, keys: g.ids })), call)) {
      const { positions } = groups.get(answer.provider.instance)!;
      positions.forEach((position, i) => (results[position] = answer.error ?? answer.values[i] ?? null));
    }
    return results;
  }

  instances(): InstanceInfo[] {
    return [...this.info];
  }

  /** Call statistics of one instance (a copy). */
  statsOf(capability: Capability, instance: string): InstanceStats | null {
    const stats = this.slots.get(`${capability}/${instance}`)?.stats;
    if (!stats) return null;
    const date = (ms: number | null) => (ms === null ? null : new Date(ms));
    return {
      calls: stats.calls,
      failures: stats.failures,
      lastCallAt: date(stats.lastCallAt),
      lastLatencyMs: stats.lastLatencyMs,
      lastSuccessAt: date(stats.lastSuccessAt),
      lastError: stats.lastError && { code: stats.lastError.code, message: stats.lastError.message, at: new Date(stats.lastError.at) },
    };
  }

  /**
   * Reaches every instance at once through its `checkHealth` (cut at its timeout), in configuration order.
   * A provider without a check (in-process ones such as the demo world) is judged from its latest call.
   * Results younger than `maxAgeMs` are reused.
   */
  checkHealth(options: { maxAgeMs?: number; requestId?: string } = {}): Promise<InstanceHealth[]> {
    const maxAge = options.maxAgeMs ?? 0;
    if (this.healthCache && Date.now() - this.healthCache.at <= maxAge) return this.healthCache.result;
    const result = Promise.all(this.raw.map((entry) => this.checkOne(entry, options.requestId ?? 'health-check')));
    this.healthCache = { at: Date.now(), result };
    return result;
  }

  private async checkOne(
    entry: { info: InstanceInfo; label: string; provider: ProviderMap[Capability] },
    requestId: string,
  ): Promise<InstanceHealth> {
    const { info, label } = entry;
    const provider = this.all(info.capability).find((p) => p.instance === info.instance)!;
    const base = { ...info, label, checkedAt: new Date() };
    if (typeof entry.provider.checkHealth !== 'function') {
      const stats = this.statsOf(info.capability, info.instance)!;
      const failing = stats.lastError !== null && (stats.lastSuccessAt === null || stats.lastError.at > stats.lastSuccessAt);
      return {
        ...base,
        status: failing ? 'DOWN' : 'UP',
        checked: false,
        latencyMs: null,
        error: failing ? { code: stats.lastError!.code, message: stats.lastError!.message } : null,
        stats,
      };
    }
    const ctx: ProviderContext = {
      signal: new AbortController().signal,
      logger: this.logger,
      actor: { kind: 'service', id: 'opsorch-health' },
      requestId,
      now: new Date(),
    };
    const started = performance.now();
    try {
      await provider.checkHealth!(ctx);
      return { ...base, status: 'UP', checked: true, latencyMs: performance.now() - started, error: null, stats: this.statsOf(info.capability, info.instance)! };
    } catch (error) {
      const failure = toOpsOrchError(error, info.capability, info.instance);
      return {
        ...base,
        status: 'DOWN',
        checked: true,
        latencyMs: performance.now() - started,
        error: { code: failure.code, message: failure.message },
        stats: this.statsOf(info.capability, info.instance)!,
      };
    }
  }

  /** Stops what providers hold open (plugin processes, sockets); every provider's `close` is awaited. */
  async close(): Promise<void> {
    await Promise.allSettled(this.raw.map((entry) => entry.provider.close?.()));
  }

  /** Provider calls made since the last reset, per `capability/instance.method`. */
  callCounts(): CallCounts {
    const counts: CallCounts = {};
    for (const [instance, slot] of this.slots) for (const [method, count] of slot.counts) counts[`${instance}.${method}`] = count;
    return counts;
  }

  resetCallCounts(): void {
    for (const slot of this.slots.values()) slot.counts.clear();
  }
}
