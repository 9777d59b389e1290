// Out-of-process providers: any program speaking JSON-RPC 2.0 over stdio (LSP framing, via vscode-jsonrpc).
// Protocol: adapters/plugins/PROTOCOL.md. One child process per configured instance.
import type { ChildProcess } from 'node:child_process';
import {
  CancellationTokenSource,
  createMessageConnection,
  ErrorCodes,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { z } from 'zod';
import type { Capability } from '../src/capabilities.ts';
import type { Logger, ProviderContext } from '../src/context.ts';
import { isErrorCode, OpsOrchError } from '../src/errors.ts';
import type { ProviderDeps } from '../src/provider.ts';
import { redactSecrets } from '../src/secrets.ts';
import type { ProviderMap } from '../src/spi/index.ts';
import { PLUGIN_METHODS } from './methods.ts';
import { processSettingsShape, SupervisedProcess } from '../kit/process.ts';

/** The protocol version OpsOrch speaks; sent in `initialize`. */
export const PLUGIN_PROTOCOL_VERSION = 1;

/** Settings of the `plugin` provider kind. */
export const pluginSettingsSchema = z
  .object({
    ...processSettingsShape,
    /** Settings passed to the plugin in `initialize` (secrets resolved). */
    settings: z.record(z.string(), z.unknown()).default({}),
    /** Per-call timeout in ms; the call is cancelled (`$/cancelRequest`) when it passes (default: the instance timeout). */
    callTimeoutMs: z.number().int().positive().optional(),
    /** How long `initialize` may take, in ms (default 10000). */
    startTimeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();
export type PluginSettings = z.infer<typeof pluginSettingsSchema>;

/** What `initialize` answers. */
interface InitializeResult {
  name?: string;
  version?: string;
}

/** Turns a JSON-RPC error into OpsOrch's codes: `data.code` when the plugin names one, else by the JSON-RPC code. */
function toOpsOrchError(error: unknown, what: string): OpsOrchError {
  if (error instanceof OpsOrchError) return error;
  if (error instanceof ResponseError) {
    const named = (error.data as { code?: unknown } | undefined)?.code;
    if (isErrorCode(named)) return new OpsOrchError(named, redactSecrets(error.message));
    if (error.code === ErrorCodes.MethodNotFound) return new OpsOrchError('NOT_SUPPORTED', `${what}: the plugin does not implement it`);
    if (error.code === ErrorCodes.InvalidParams) return new OpsOrchError('BAD_USER_INPUT', redactSecrets(error.message));
    return new OpsOrchError('PROVIDER_UNAVAILABLE', redactSecrets(`${what} failed in the plugin: ${error.message}`));
  }
  return new OpsOrchError('PROVIDER_UNAVAILABLE', redactSecrets(`${what}: ${(error as Error).message ?? String(error)}`));
}

/**
 * One plugin child process (a SupervisedProcess: restarted with backoff after a crash, its stderr in our log)
 * and its JSON-RPC connection. Calls made while it is down fail fast with PROVIDER_UNAVAILABLE naming when the
 * next start is due; calls in flight when it dies fail the same way.
 */
export class PluginProcess {
  private readonly process: SupervisedProcess;
  private connection: MessageConnection | null = null;
  private ready: Promise<void> | null = null;
  private failStart: (reason: string) => void = () => {};
  /** Rejecters of the calls in flight, failed at once when the process exits (one exit listener for them all). */
  private readonly inFlight = new Set<(error: OpsOrchError) => void>();
  info: InitializeResult = {};

  constructor(
    private readonly settings: PluginSettings,
    private readonly capability: Capability,
    private readonly instance: string,
    private readonly logger: Logger,
    private readonly defaultTimeoutMs: number,
  ) {
    this.process = new SupervisedProcess(settings, instance, logger, {
      onStart: (child) => this.connect(child),
      onExit: (_child, reason) => this.disconnect(reason),
    });
    this.process.start();
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Number of times the process was (re)started. */
  get starts(): number {
    return this.process.starts;
  }

  private connect(child: ChildProcess): void {
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    this.connection = connection;
    connection.onError(([error]) => this.logger.warn({ plugin: this.instance, err: error.message }, 'plugin connection error'));
    connection.listen();

    const exit = new Promise<never>((_, reject) => {
      this.failStart = (reason) => reject(new OpsOrchError('PROVIDER_UNAVAILABLE', `plugin ${this.instance} ${reason} before it was ready`));
    });
    exit.catch(() => {});
    const initialize = connection.sendRequest<InitializeResult>('initialize', {
      protocolVersion: PLUGIN_PROTOCOL_VERSION,
      capability: this.capability,
      instance: this.instance,
      settings: this.settings.settings,
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new OpsOrchError('PROVIDER_TIMEOUT', `plugin ${this.instance} did not answer initialize within ${this.settings.startTimeoutMs} ms`)),
        this.settings.startTimeoutMs,
      );
    });
    this.ready = Promise.race([initialize, exit, timeout])
      .then((info) => {
        this.info = info ?? {};
        this.logger.info({ plugin: this.instance, pid: child.pid, name: this.info.name, version: this.info.version }, 'plugin ready');
      })
      .catch((error: unknown) => {
        const failure = toOpsOrchError(error, `plugin ${this.instance} initialize`);
        this.logger.warn({ plugin: this.instance, err: failure.message }, 'plugin failed to start');
        if (this.process.current === child && child.exitCode === null) child.kill('SIGKILL');
        throw failure;
      })
      .finally(() => clearTimeout(timer));
    this.ready.catch(() => {});
  }

  private disconnect(reason: string): void {
    this.failStart(reason);
    for (const reject of this.inFlight) reject(new OpsOrchError('PROVIDER_UNAVAILABLE', `the plugin ${reason} during the call`));
    this.connection?.dispose();
    this.connection = null;
    this.ready = null;
  }

  /** Sends one request; cancelled (`$/cancelRequest`) when `signal` aborts or the per-call timeout passes. */
  async request<T>(method: string, params: unknown, signal?: AbortSignal): Promise<T> {
    const what = `${method} on plugin ${this.instance}`;
    if (this.process.stopped) throw new OpsOrchError('PROVIDER_UNAVAILABLE', `${what}: the plugin is shut down`);
    if (!this.ready) {
      const inMs = Math.max(0, this.process.nextStartAt - Date.now());
      throw new OpsOrchError('PROVIDER_UNAVAILABLE', `${what}: the plugin ${this.process.lastExit}; restarting in ${inMs} ms`);
    }
    await this.ready;
    const connection = this.connection!;
    const child = this.process.current!;
    const source = new CancellationTokenSource();
    const timeoutMs = this.settings.callTimeoutMs ?? this.defaultTimeoutMs;
    let rejectCall: (error: OpsOrchError) => void = () => {};
    const cut = new Promise<never>((_, reject) => (rejectCall = reject));
    const timer = setTimeout(() => {
      source.cancel();
      rejectCall(new OpsOrchError('PROVIDER_TIMEOUT', `${what} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onAbort = () => {
      source.cancel();
      rejectCall(new OpsOrchError('PROVIDER_TIMEOUT', `${what} was cancelled`));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const onExit = (error: OpsOrchError) => rejectCall(new OpsOrchError(error.code, `${what}: ${error.message}`));
    this.inFlight.add(onExit);
    try {
      return await Promise.race([connection.sendRequest<T>(method, params, source.token), cut]);
    } catch (error) {
      if (error instanceof OpsOrchError) throw error;
      // The connection drops its pending calls when stdout closes, a moment before `exit` says why.
      if (child.exitCode === null && child.signalCode === null) {
        await Promise.race([new Promise((resolve) => child.once('exit', resolve)), new Promise((resolve) => setTimeout(resolve, 300))]);
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new OpsOrchError('PROVIDER_UNAVAILABLE', `${what}: the plugin ${this.process.lastExit} during the call`);
      }
      throw toOpsOrchError(error, what);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.inFlight.delete(onExit);
      source.dispose();
    }
  }

  /** Stops the process: stdin closes (a well-behaved plugin exits), then SIGTERM, then SIGKILL. */
  async close(): Promise<void> {
    await this.process.close(() => this.connection?.dispose());
  }
}

/** The request context as a plugin sees it: plain JSON, no signal or logger. */
function wireContext(ctx: ProviderContext) {
  return { requestId: ctx.requestId, actor: ctx.actor, now: ctx.now.toISOString(), environment: ctx.environment ?? null };
}

/**
 * A provider of `capability` whose every SPI method is a JSON-RPC request `<capability>.<method>` with params
 * `{ args: [...the SPI arguments but the context], context }`. Optional writes the plugin lacks answer
 * NOT_SUPPORTED (JSON-RPC MethodNotFound).
 */
export function createPluginProvider<C extends Capability>(capability: C, settings: PluginSettings, deps: ProviderDeps): ProviderMap[C] {
  const process = new PluginProcess(settings, capability, deps.instance, deps.logger, deps.timeoutMs ?? 10_000);
  const provider: Record<string, unknown> = {
    kind: 'plugin',
    instance: deps.instance,
    plugin: process,
    async checkHealth(ctx: ProviderContext) {
      try {
        await process.request('health', { context: wireContext(ctx) }, ctx.signal);
      } catch (error) {
        // A plugin without a `health` method is healthy when it answers at all (it just did: MethodNotFound).
        if (!(error instanceof OpsOrchError && error.code === 'NOT_SUPPORTED')) throw error;
      }
    },
    close: () => process.close(),
  };
  for (const method of Object.keys(PLUGIN_METHODS[capability])) {
    provider[method] = (...args: unknown[]) => {
      const ctx = args[args.length - 1] as ProviderContext;
      return process.request(`${capability}.${method}`, { args: args.slice(0, -1), context: wireContext(ctx) }, ctx.signal);
    };
  }
  return provider as unknown as ProviderMap[C];
}
