// OpsOrch Core's plugin protocol (docs/core-compatibility.md): one JSON object per line on the plugin's stdin,
// `{"method","config","payload"}`, answered by one line on its stdout, `{"result":...}` or
// `{"error":{"code","message"}}`. A Core plugin answers one call at a time, in order.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { Logger } from '../src/context.ts';
import { OpsOrchError, type ErrorCode } from '../src/errors.ts';
import { redactSecrets } from '../src/secrets.ts';
import { processSettingsShape, SupervisedProcess } from '../kit/process.ts';

/** Settings of the `core-plugin` provider kind. */
export const corePluginSettingsSchema = z
  .object({
    ...processSettingsShape,
    /** Core's OPSORCH_<CAP>_CONFIG: sent with every call as `config` (values may be `secret://` references). */
    config: z.record(z.string(), z.unknown()).default({}),
    /** Plugin processes run side by side; each answers one call at a time, as in Core (default 1). */
    concurrency: z.number().int().min(1).max(32).default(1),
    /** Calls waiting for a free process beyond which a call fails at once with PROVIDER_UNAVAILABLE (default 100). */
    maxQueue: z.number().int().min(0).default(100),
    /** Per-call timeout in ms (default: the instance timeout). A call that passes it stops its process, which restarts. */
    callTimeoutMs: z.number().int().positive().optional(),
    /** Name of the tool behind the plugin, for `source.provider` and the catalog's externalRefs (default `core-plugin`). */
    tool: z.string().min(1).default('core-plugin'),
    /** The plugin's service names → canonical service ids; names not listed are looked up in the catalog's externalRefs. */
    serviceAliases: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export type CorePluginSettings = z.infer<typeof corePluginSettingsSchema>;

/** Core's error codes (and the ones its adapters use) as OpsOrch's. */
function codeOf(code: string | undefined): ErrorCode {
  switch ((code ?? '').toLowerCase()) {
    case 'not_found':
      return 'NOT_FOUND';
    case 'bad_request':
    case 'invalid_argument':
    case 'invalid_request':
      return 'BAD_USER_INPUT';
    case 'not_supported':
    case 'not_implemented':
    case 'unsupported':
      return 'NOT_SUPPORTED';
    case 'unauthorized':
    case 'forbidden':
      return 'PROVIDER_AUTH_FAILED';
    case 'rate_limited':
    case 'too_many_requests':
      return 'PROVIDER_RATE_LIMITED';
    case 'timeout':
    case 'deadline_exceeded':
      return 'PROVIDER_TIMEOUT';
    default:
      return 'PROVIDER_UNAVAILABLE';
  }
}

const responseSchema = z.object({ result: z.unknown().optional(), error: z.object({ code: z.string().optional(), message: z.string() }).nullish() });

interface Pending {
  resolve(value: unknown): void;
  reject(error: OpsOrchError): void;
}

/** One plugin process answering one call at a time. */
class Worker {
  readonly process: SupervisedProcess;
  private pending: Pending | null = null;
  busy = false;

  constructor(settings: CorePluginSettings, name: string, logger: Logger) {
    this.process = new SupervisedProcess(settings, name, logger, {
      onStart: (child) => this.listen(child, name, logger),
      onExit: (_child, reason) => {
        const tail = this.process.stderrTail();
        this.settle()?.reject(new OpsOrchError('PROVIDER_UNAVAILABLE', `the plugin ${reason} during the call${tail ? ` (stderr: ${tail})` : ''}`));
      },
    });
  }

  private settle(): Pending | null {
    const pending = this.pending;
    this.pending = null;
    return pending;
  }

  private listen(child: ChildProcess, name: string, logger: Logger): void {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // Lines of a process already given up on belong to no call.
      if (!line.trim() || this.process.current !== child) return;
      const pending = this.settle();
      let parsed: z.infer<typeof responseSchema>;
      try {
        parsed = responseSchema.parse(JSON.parse(line));
      } catch {
        // Not a protocol answer (a plugin printing to stdout): the stream can no longer be trusted.
        logger.warn({ plugin: name, line: redactSecrets(line.slice(0, 200)) }, 'plugin wrote something that is not a protocol answer; restarting it');
        pending?.reject(new OpsOrchError('PROVIDER_UNAVAILABLE', 'the plugin answered something that is not {"result"} or {"error"}'));
        this.process.kill('wrote output that is not the protocol');
        return;
      }
      if (!pending) return;
      if (parsed.error) pending.reject(new OpsOrchError(codeOf(parsed.error.code), redactSecrets(parsed.error.message)));
      else pending.resolve(parsed.result ?? null);
    });
  }

  /** Writes one request and waits for its line; the caller has made sure the worker is free. */
  send(line: string): Promise<unknown> {
    const child = this.process.ensureStarted() ? this.process.current : null;
    if (!child) {
      const inMs = Math.max(0, this.process.nextStartAt - Date.now());
      return Promise.reject(new OpsOrchError('PROVIDER_UNAVAILABLE', `the plugin ${this.process.lastExit}; restarting in ${inMs} ms`));
    }
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      child.stdin!.write(`${line}\n`);
    });
  }

  /** A call that will never be answered in order: drop it and restart the process. */
  abandon(): void {
    this.settle();
    this.process.kill('was stopped: it did not answer a call in time');
  }
}

/**
 * Runs an OpsOrch Core plugin binary unchanged: started on the first call (as Core does) and kept alive,
 * `concurrency` processes each answering one call at a time, calls queued (up to `maxQueue`) for a free one,
 * each call cut at its timeout (its process is stopped and restarted, since a late answer would arrive out of
 * order), crashes restarted with backoff, stderr in our log and in the error of a call the plugin died on.
 */
export class CorePluginClient {
  private readonly workers: Worker[];
  private readonly waiting: ((worker: Worker) => void)[] = [];
  private closed = false;

  constructor(
    private readonly settings: CorePluginSettings,
    private readonly instance: string,
    logger: Logger,
    private readonly defaultTimeoutMs: number,
  ) {
    this.workers = Array.from({ length: settings.concurrency }, (_, i) => new Worker(settings, settings.concurrency > 1 ? `${instance}#${i + 1}` : instance, logger));
  }

  /** Pids of the running processes. */
  get pids(): number[] {
    return this.workers.map((w) => w.process.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Number of process starts so far. */
  get starts(): number {
    return this.workers.reduce((sum, w) => sum + w.process.starts, 0);
  }

  private acquire(signal: AbortSignal | undefined, what: string): Promise<Worker> {
    const free = this.workers.find((w) => !w.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    if (this.waiting.length >= this.settings.maxQueue) {
      return Promise.reject(new OpsOrchError('PROVIDER_UNAVAILABLE', `${what}: ${this.waiting.length} calls already wait for the plugin (maxQueue)`));
    }
    return new Promise((resolve, reject) => {
      const take = (worker: Worker) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(worker);
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(take);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new OpsOrchError('PROVIDER_TIMEOUT', `${what} was cancelled while waiting for a free plugin process`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(take);
    });
  }

  private release(worker: Worker): void {
    const next = this.waiting.shift();
    if (next) next(worker);
    else worker.busy = false;
  }

  /** Calls `method` (Core's name, for example `incident.query`) with `payload`; the plugin's `result`. */
  async call<T = unknown>(method: string, payload: unknown, signal?: AbortSignal): Promise<T> {
    const what = `${method} on Core plugin ${this.instance}`;
    if (this.closed) throw new OpsOrchError('PROVIDER_UNAVAILABLE', `${what}: the plugin is shut down`);
    const timeoutMs = this.settings.callTimeoutMs ?? this.defaultTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const cut = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const worker = await this.acquire(cut, what);
    const line = JSON.stringify({ method, config: this.settings.config, payload });
    let onAbort: () => void = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        worker.abandon();
        reject(
          deadline.aborted
            ? new OpsOrchError('PROVIDER_TIMEOUT', `${what} did not answer within ${timeoutMs} ms`)
            : new OpsOrchError('PROVIDER_TIMEOUT', `${what} was cancelled`),
        );
      };
      if (cut.aborted) onAbort();
      else cut.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => {});
    try {
      return (await Promise.race([worker.send(line), aborted])) as T;
    } catch (error) {
      if (error instanceof OpsOrchError) throw new OpsOrchError(error.code, error.message.startsWith(what) ? error.message : `${what}: ${error.message}`, { cause: error });
      throw new OpsOrchError('PROVIDER_UNAVAILABLE', redactSecrets(`${what}: ${(error as Error).message}`));
    } finally {
      cut.removeEventListener('abort', onAbort);
      this.release(worker);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.process.close()));
  }
}
