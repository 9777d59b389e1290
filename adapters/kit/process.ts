// The child process of an out-of-process provider, whatever protocol it speaks on stdio: the JSON-RPC plugins
// (adapters/plugins) and OpsOrch Core's plugins (adapters/core-plugin) share it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { Logger } from '../src/context.ts';
import { redactSecrets } from '../src/secrets.ts';

/** Settings every plugin provider kind has: how to run its program and how fast to restart it. */
export const processSettingsShape = {
  /** Program to run, for example `python3` or a plugin binary (required). */
  command: z.string().min(1),
  /** Its arguments, for example `["adapters/examples/incidents_plugin.py"]`. */
  args: z.array(z.string()).default([]),
  /** Working directory (default: OpsOrch's). */
  cwd: z.string().optional(),
  /** Extra environment variables for the plugin (values may be `secret://` references). */
  env: z.record(z.string(), z.string()).default({}),
  /** First restart delay after a crash, doubled per crash up to `maxRestartDelayMs` (defaults 250 and 30000). */
  restartDelayMs: z.number().int().positive().default(250),
  maxRestartDelayMs: z.number().int().positive().default(30_000),
  /** The instance's call timeout in ms (the registry's; a plugin kind may cut calls sooner). */
  timeoutMs: z.number().int().positive().optional(),
};

export type ProcessSettings = z.infer<z.ZodObject<typeof processSettingsShape>>;

/** What the protocol on top does when a process starts and when it is gone. */
export interface ProcessHooks {
  /** A new child is running: connect to its stdin and stdout. */
  onStart(child: ChildProcess): void;
  /** The child is gone (`reason` says how): fail what waits on it. */
  onExit(child: ChildProcess, reason: string): void;
}

/** A crash that stayed up less than this counts as "still crashing": the backoff keeps growing. */
const STABLE_AFTER_MS = 10_000;
/** stderr lines kept to explain a crash. */
const TAIL_LINES = 20;

/**
 * One plugin child process: spawned with its settings, its stderr forwarded line by line to our log (scrubbed of
 * secrets, the last lines kept to explain a crash), restarted with exponential backoff after it exits, and
 * stopped gently (stdin closed, then SIGTERM, then SIGKILL).
 */
export class SupervisedProcess {
  private child: ChildProcess | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private delayMs: number;
  private startedAt = 0;
  private stopping = false;
  private readonly tail: string[] = [];
  /** When the next start is due while the process is down (ms since the epoch). */
  nextStartAt = 0;
  /** How the last process ended, for error messages: `exited with code 2`, `was killed by SIGKILL`... */
  lastExit = '';
  /** Number of times a process was started. */
  starts = 0;

  constructor(
    private readonly settings: ProcessSettings,
    private readonly name: string,
    private readonly logger: Logger,
    private readonly hooks: ProcessHooks,
  ) {
    this.delayMs = settings.restartDelayMs;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The running child, if any. */
  get current(): ChildProcess | null {
    return this.child;
  }

  get stopped(): boolean {
    return this.stopping;
  }


  /** The last lines the plugin wrote to stderr, for an error message. */
  stderrTail(lines = 3): string {
    return this.tail.slice(-lines).join(' | ');
  }

  start(): ChildProcess {
    this.restartTimer = null;
    this.starts++;
    this.startedAt = Date.now();
    const child = spawn(this.settings.command, this.settings.args, {
      cwd: this.settings.cwd,
      env: { ...process.env, ...this.settings.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (!line.trim()) return;
      const clean = redactSecrets(line);
      this.tail.push(clean.slice(0, 500));
      if (this.tail.length > TAIL_LINES) this.tail.shift();
      this.logger.info({ plugin: this.name, pid: child.pid, stream: 'stderr' }, clean);
    });
    // A write after the child died raises EPIPE on stdin; the exit handler reports it.
    child.stdin!.on('error', () => {});
    child.once('error', (error) => {
      this.lastExit = `cannot run "${this.settings.command}": ${error.message}`;
      this.exited(child);
    });
    child.once('exit', (code, signal) => {
      this.lastExit = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.exited(child);
    });
    this.hooks.onStart(child);
    return child;
  }

  private exited(child: ChildProcess): void {
    if (this.child !== child) return;
    this.child = null;
    this.hooks.onExit(child, this.lastExit);
    if (this.stopping) return;
    if (Date.now() - this.startedAt > STABLE_AFTER_MS) this.delayMs = this.settings.restartDelayMs;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.settings.maxRestartDelayMs);
    this.nextStartAt = Date.now() + delay;
    const tail = this.stderrTail();
    this.logger.warn({ plugin: this.name, restartInMs: delay, reason: this.lastExit, ...(tail ? { stderr: tail } : {}) }, 'plugin stopped; restarting');
    this.restartTimer = setTimeout(() => this.start(), delay);
    this.restartTimer.unref();
  }

  /**
   * For plugins started on demand: starts the process when none runs and no backoff is being waited out
   * (a scheduled restart that is due is brought forward). Returns whether one runs now.
   */
  ensureStarted(): boolean {
    if (this.child) return true;
    if (this.stopping || Date.now() < this.nextStartAt) return false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.start();
    return this.child !== null;
  }

  /**
   * Stops a running process that can no longer be trusted (a call it never answered, output out of protocol).
   * It is forgotten at once, so the next call starts a fresh one instead of writing to the dying one.
   */
  kill(reason: string): void {
    const child = this.child;
    if (!child) return;
    this.child = null;
    this.nextStartAt = 0;
    this.lastExit = reason;
    child.kill('SIGKILL');
    this.hooks.onExit(child, reason);
  }

  /** Stops the process: stdin closes (a well-behaved plugin exits), then SIGTERM, then SIGKILL. */
  async close(beforeStop?: () => void): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    beforeStop?.();
    child.stdin?.end();
    const term = setTimeout(() => child.kill('SIGTERM'), 1_000);
    const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(term);
    clearTimeout(kill);
  }
}
