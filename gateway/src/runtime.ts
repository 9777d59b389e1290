// The composition root (decision 012): the one place that turns configuration into a running OpsOrch. Settings
// are read once (adapters/src/settings.ts), secrets resolved, providers built into a registry with resilience,
// the gateway's security built from the same read, metrics and tracing attached. The gateway, `opsorch subgraph`,
// `opsorch check` and the tests all build their runtime here.
import {
  describeDemo,
  ProviderRegistry,
  readSettings,
  resolveSettings,
  resolveSettingsSync,
  type Capability,
  type Env,
  type Logger,
  type OpsOrchConfig,
  type ProviderModule,
  type ProviderObserver,
  type ResilienceOptions,
  type Settings,
} from '@opsorch/adapters';
import * as registered from '@opsorch/adapters/providers';
import { secretBackendsFromEnv } from '@opsorch/adapters/secrets';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Express, RequestHandler } from 'express';
import { createMetrics, monitorEventLoop, mountHealth, readinessPolicyFrom, requestIds, startTracing, type EventLoopLag, type Metrics, type Tracing } from './observability/index.ts';
import { servingSettingsFrom, type ServingSettings } from './serving.ts';
import { Generations } from './reload.ts';
import { collectOnceStarted, releaseMemoryWhenIdle } from './heap.ts';
import { consoleSettingsSchema } from '@opsorch/console/settings';
import { gatewaySectionSchema } from './security/config.ts';
import type { Security } from './security/index.ts';

/** Every registered provider kind (adapters/providers.ts), by the name configuration gives it. */
export const PROVIDERS: Readonly<Record<ProviderKind, ProviderModule>> = registered;
export type ProviderKind = keyof typeof registered;

/** The file's sections other than `capabilities`, each with the schema of the part that owns it. */
const SECTIONS = { gateway: gatewaySectionSchema, console: consoleSettingsSchema };

function providerModules(extra: Readonly<Record<string, ProviderModule>> = {}): Readonly<Record<string, ProviderModule>> {
  return { ...PROVIDERS, ...extra };
}

/** Reads and checks the configuration (no secret is resolved, nothing is built): what `opsorch check` reports first. */
export function readRuntimeSettings(env: Env, extraProviders?: Readonly<Record<string, ProviderModule>>): Settings {
  return readSettings({ env, providers: providerModules(extraProviders), sections: SECTIONS });
}

/**
 * The settings with every secret resolved (env, file, Vault, AWS Secrets Manager: each read once) and each
 * instance's settings parsed by its kind's schema: what providers are built from.
 */
export async function loadProviderConfig(env: Env, extraProviders?: Readonly<Record<string, ProviderModule>>): Promise<{ settings: Settings; config: OpsOrchConfig }> {
  const providers = providerModules(extraProviders);
  const settings = readSettings({ env, providers, sections: SECTIONS });
  return { settings, config: await resolveSettings(settings, providers, secretBackendsFromEnv(env)) };
}

export interface RuntimeOptions {
  env: Env;
  logger: Logger;
  /** Provider kinds beyond the registered ones (test doubles). */
  extraProviders?: Readonly<Record<string, ProviderModule>>;
  /**
   * The capabilities this process serves (a standalone subgraph server's own), for what start-up reports; every
   * capability's providers are still built, since resolvers and identity mapping reach other capabilities.
   */
  capabilities?: readonly Capability[];
  /** Told about every provider call (metrics). */
  observer?: ProviderObserver;
  /** Build the gateway's security from the `gateway:` section (the gateway only). */
  security?: boolean;
  /** Leave out the registry's retries, breaker and dedup (`opsorch check` asks each tool exactly once). */
  plainCalls?: boolean;
  /** Overrides of the configured resilience (tests tune backoff to milliseconds). */
  resilience?: Partial<ResilienceOptions>;
}

/** What one configuration builds: replaced whole on reload (gateway/src/reload.ts). */
export interface Runtime {
  settings: Settings;
  registry: ProviderRegistry;
  /** The gateway's security, when asked for. */
  security: Security | null;
  close(): Promise<void>;
}

function registryOf(config: OpsOrchConfig, settings: Settings, options: RuntimeOptions): ProviderRegistry {
  return new ProviderRegistry({
    config,
    modules: providerModules(options.extraProviders),
    logger: options.logger,
    resilience: options.plainCalls
      ? { readAttempts: 1, dedupReads: false, breakerFailures: Number.MAX_SAFE_INTEGER }
      : { ...settings.resilience, ...options.resilience },
    observer: options.observer,
  });
}

/** Says at start-up what deserves attention: capabilities on made-up data, variables nobody reads. */
function announce(settings: Settings, logger: Logger, capabilities: readonly Capability[] | undefined): void {
  for (const warning of settings.warnings) logger.warn({ configuration: settings.file ?? 'environment' }, warning);
  const demo = settings.demo.filter((d) => !capabilities || capabilities.includes(d.capability));
  const line = describeDemo(demo);
  if (line) logger.warn({ demoCapabilities: demo.map((d) => d.capability) }, line);
}

/**
 * Builds one runtime from the environment: settings (read once), secrets (every backend, once), the provider
 * registry with resilience and, for the gateway, security. Throws BAD_USER_INPUT naming the key to fix.
 */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { settings, config } = await loadProviderConfig(options.env, options.extraProviders);
  const registry = registryOf(config, settings, options);
  let security: Security | null = null;
  try {
    // Loaded only where it runs (the gateway): subgraph servers and `opsorch check` start without it.
    if (options.security) {
      const { createSecurity } = await import('./security/index.ts');
      security = await createSecurity({ env: options.env, logger: options.logger, section: settings.sections.gateway });
    }
  } catch (error) {
    await registry.close();
    throw error;
  }
  announce(settings, options.logger, options.capabilities);
  return {
    settings,
    registry,
    security,
    async close() {
      await registry.close();
      await security?.close();
    },
  };
}

/**
 * The same runtime without network secret backends or security, built synchronously: for tests that execute a
 * subgraph against providers (`secret://env/` and `secret://file/` still resolve).
 */
export function createRuntimeSync(options: Omit<RuntimeOptions, 'security'>): Runtime {
  const providers = providerModules(options.extraProviders);
  const settings = readSettings({ env: options.env, providers, sections: SECTIONS });
  const registry = registryOf(resolveSettingsSync(settings, providers, options.env), settings, options);
  return { settings, registry, security: null, close: () => registry.close() };
}

export interface ServingRuntimeOptions extends Omit<RuntimeOptions, 'observer'> {
  /** `gateway` or `subgraph-<name>`: the metrics' component label. */
  component: string;
  /** `service.name` of the spans. */
  serviceName: string;
  /** Send spans here whatever OPSORCH_TRACING says (tests). */
  traceExporter?: SpanExporter;
  /** Give the heap back after load once the process is quiet (heap.ts). */
  releaseMemoryWhenIdle?: boolean;
  /** Requests to the APIs running and waiting, and the running limit (the gateway's turns), for /metrics. */
  requestSlots?: () => { running: number; waiting: number; limit: number };
}

/** A server's runtime: metrics and tracing for the process, and generations of runtimes that reload replaces. */
export interface ServingRuntime<G extends Runtime> {
  metrics: Metrics;
  tracing: Tracing;
  /** Request deadline, shutdown grace, event-loop lag bound and HTTP limits (decision 013). */
  servingSettings: ServingSettings;
  /** The process's event-loop lag: exported as a metric and reported by /readyz. */
  eventLoop: EventLoopLag;
  generations: Generations<G>;
  /**
   * Mounts what every OpsOrch server answers for operators: request ids on every request, /healthz and /readyz
   * (readiness from the current registry; `capabilities` narrows it to a subgraph server's own), /metrics.
   */
  mountOperations(
    app: Express,
    options: {
      draining: () => boolean;
      capabilities?: readonly Capability[];
      /** Runs after request ids and before every route mounted here (the gateway's Host/Origin allow-list). */
      guard?: RequestHandler;
    },
  ): void;
  close(): Promise<void>;
}

/**
 * Starts what a server (the gateway, `opsorch subgraph`) runs on: metrics and tracing, which outlive reloads, and
 * the first generation of the runtime, extended by `extend` (the gateway adds its Apollo server to each).
 */
export async function startServingRuntime<G extends Runtime>(
  options: ServingRuntimeOptions,
  extend: (runtime: Runtime, metrics: Metrics, servingSettings: ServingSettings) => Promise<G>,
): Promise<ServingRuntime<G>> {
  // Checked before anything is built, so a bad value stops start-up with nothing to close.
  const readinessPolicy = readinessPolicyFrom(options.env);
  const servingSettings = servingSettingsFrom(options.env);
  let generations: Generations<G> | undefined;
  const eventLoop = monitorEventLoop();
  const metrics = createMetrics({ component: options.component, breakerStates: () => generations?.current.registry.breakerStates() ?? [], eventLoop, requestSlots: options.requestSlots });
  const tracing = startTracing({ env: options.env, serviceName: options.serviceName, exporter: options.traceExporter });
  const build = async () => {
    const runtime = await createRuntime({ ...options, observer: metrics.providerObserver });
    try {
      return await extend(runtime, metrics, servingSettings);
    } catch (error) {
      await runtime.close();
      throw error;
    }
  };
  try {
    generations = await Generations.start(build, { logger: options.logger, onReload: (result, generation) => metrics.reloaded(result, generation) });
  } catch (error) {
    await tracing.close();
    eventLoop.close();
    throw error;
  }
  const current = generations;
  if (options.releaseMemoryWhenIdle) collectOnceStarted(options.logger);
  const idleMemory = releaseMemoryWhenIdle(() => current.activity, {
    quietMs: options.releaseMemoryWhenIdle ? servingSettings.releaseMemoryAfterQuietMs : 0,
    logger: options.logger,
    onRelease: () => metrics.memoryReleased(),
  });
  return {
    metrics,
    tracing,
    servingSettings,
    eventLoop,
    generations: current,
    mountOperations(app, { draining, capabilities, guard }) {
      app.use(requestIds({ logger: options.logger, metrics }));
      if (guard) app.use(guard);
      mountHealth(
        app,
        {
          registry: () => current.current.registry,
          // Generations.start resolved, so everything the generation builds (the gateway's supergraph) is loaded.
          schema: () => ({ loaded: true, generation: current.generation, loadedAt: current.loadedAt }),
          draining,
          capabilities,
          eventLoop: { lag: eventLoop, maxLagMs: servingSettings.maxEventLoopLagMs },
        },
        readinessPolicy,
      );
      app.get('/metrics', async (_req, res) => {
        const { contentType, body } = await metrics.render();
        res.type(contentType).send(body);
      });
    },
    async close() {
      idleMemory.close();
      await current.close();
      await tracing.close();
      eventLoop.close();
    },
  };
}
