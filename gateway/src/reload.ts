// Hot reload (decision 005): everything built from configuration — provider registry, security, supergraph,
// Apollo server — is one generation. A reload builds the next generation beside the current one and swaps
// the pointer new requests read; requests already running finish on the generation they started on, which is
// closed once its last request ends. A reload that fails leaves the current generation serving.
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '@opsorch/adapters';

export interface Closeable {
  close(): Promise<void>;
}

interface Slot<T> {
  value: T;
  generation: number;
  loadedAt: Date;
  inflight: number;
  retired: boolean;
  closed: Promise<void> | null;
}

export interface GenerationsHooks {
  logger: Logger;
  /** Told after every reload attempt (metrics). */
  onReload?(result: 'ok' | 'error', generation: number): void;
}

/** The current generation of a server's configuration-built parts, and the ones still finishing requests. */
export class Generations<T extends Closeable> {
  private slot: Slot<T>;
  private readonly retiring = new Set<Slot<T>>();
  private pending: Promise<number> | null = null;
  private queued = false;
  private entered = 0;

  private constructor(
    private readonly build: (generation: number) => Promise<T>,
    private readonly hooks: GenerationsHooks,
    first: T,
  ) {
    this.slot = { value: first, generation: 1, loadedAt: new Date(), inflight: 0, retired: false, closed: null };
  }

  static async start<T extends Closeable>(build: (generation: number) => Promise<T>, hooks: GenerationsHooks): Promise<Generations<T>> {
    return new Generations(build, hooks, await build(1));
  }

  get current(): T {
    return this.slot.value;
  }

  get generation(): number {
    return this.slot.generation;
  }

  get loadedAt(): Date {
    return this.slot.loadedAt;
  }

  /** Requests still running on older generations. */
  get retiringRequests(): number {
    return [...this.retiring].reduce((sum, slot) => sum + slot.inflight, 0);
  }

  /** Requests entered so far, and how many are running on any generation (what releaseMemoryWhenIdle in heap.ts watches). */
  get activity(): { entered: number; inflight: number } {
    return { entered: this.entered, inflight: this.slot.inflight + this.retiringRequests };
  }

  /** Pins the current generation for one response: it stays open until the response ends. */
  enter(res: ServerResponse): T {
    const slot = this.slot;
    this.entered++;
    // A response whose connection already closed emits neither event again: counted, it would hold its generation
    // open (and a shutdown waiting for it) forever.
    if (res.destroyed) return slot.value;
    slot.inflight++;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      slot.inflight--;
      if (slot.retired && slot.inflight === 0) void this.closeSlot(slot);
    };
    res.once('finish', leave);
    res.once('close', leave);
    return slot.value;
  }

  /**
   * Builds and swaps in the next generation. Concurrent reloads coalesce: one more build runs after the current
   * one, so the last change is never missed. Rejects (and keeps the current generation) when the build fails.
   */
  reload(reason: string): Promise<number> {
    if (this.pending) {
      this.queued = true;
      return this.pending;
    }
    this.pending = this.reloadOnce(reason).finally(() => {
      this.pending = null;
      if (this.queued) {
        this.queued = false;
        void this.reload(reason).catch(() => {});
      }
    });
    return this.pending;
  }

  private async reloadOnce(reason: string): Promise<number> {
    const generation = this.slot.generation + 1;
    const started = performance.now();
    this.hooks.logger.info({ reason, generation }, 'reloading configuration');
    let next: T;
    try {
      next = await this.build(generation);
    } catch (error) {
      this.hooks.logger.error(
        { reason, generation, err: (error as Error).message, serving: this.slot.generation },
        'reload failed; the current configuration keeps serving',
      );
      this.hooks.onReload?.('error', this.slot.generation);
      throw error;
    }
    const previous = this.slot;
    this.slot = { value: next, generation, loadedAt: new Date(), inflight: 0, retired: false, closed: null };
    previous.retired = true;
    this.retiring.add(previous);
    this.hooks.logger.info(
      { reason, generation, tookMs: Math.round(performance.now() - started), finishingOnPrevious: previous.inflight },
      'reloaded: new requests use the new configuration',
    );
    this.hooks.onReload?.('ok', generation);
    if (previous.inflight === 0) void this.closeSlot(previous);
    return generation;
  }

  private closeSlot(slot: Slot<T>): Promise<void> {
    slot.closed ??= slot.value
      .close()
      .catch((error: unknown) => this.hooks.logger.warn({ generation: slot.generation, err: (error as Error).message }, 'closing a retired generation failed'))
      .finally(() => this.retiring.delete(slot));
    return slot.closed;
  }

  /** Waits for every request to finish (the server no longer accepts any), then closes every generation. */
  async close(): Promise<void> {
    await this.pending?.catch(() => {});
    this.slot.retired = true;
    const all = [this.slot, ...this.retiring];
    await Promise.all(
      all.map(
        (slot) =>
          new Promise<void>((resolveClosed) => {
            if (slot.inflight === 0) return void this.closeSlot(slot).then(resolveClosed);
            const poll = setInterval(() => {
              if (slot.inflight === 0) {
                clearInterval(poll);
                void this.closeSlot(slot).then(resolveClosed);
              }
            }, 20);
          }),
      ),
    );
  }
}

/**
 * Stops accepting connections and waits for open requests, closing keep-alive connections as they go idle;
 * after `graceMs` the remaining connections (long streams) are cut.
 */
export async function drainHttpServer(server: Server, graceMs = 10_000): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolveClosed) => server.close(() => resolveClosed()));
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  const grace = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(grace);
  }
}

/**
 * Calls `onChange` when any of the files changes content (debounced). Folders are watched rather than files,
 * because Kubernetes updates a mounted ConfigMap by swapping a symlink, which a watch on the file would miss.
 */
export function watchFiles(paths: readonly string[], onChange: (changed: string[]) => void, logger: Logger, debounceMs = 250): () => void {
  const files = [...new Set(paths.map((p) => resolve(p)))];
  const digest = (file: string) => {
    try {
      return createHash('sha256').update(readFileSync(file)).digest('hex');
    } catch {
      return 'missing';
    }
  };
  const seen = new Map(files.map((file) => [file, digest(file)]));
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const changed = files.filter((file) => {
      const now = digest(file);
      if (now === seen.get(file)) return false;
      seen.set(file, now);
      return true;
    });
    if (changed.length > 0) onChange(changed);
  };
  const watchers: FSWatcher[] = [];
  for (const folder of new Set(files.map((file) => dirname(file)))) {
    const names = new Set(files.filter((file) => dirname(file) === folder).map((file) => basename(file)));
    try {
      const watcher = watch(folder, (_event, name) => {
        // Symlink swaps (`..data`) report other names: check on any event in a folder with a ConfigMap layout.
        if (name && !names.has(String(name)) && !String(name).startsWith('..')) return;
        clearTimeout(timer);
        timer = setTimeout(check, debounceMs);
      });
      watcher.on('error', (error) => logger.warn({ folder, err: error.message }, 'cannot watch configuration folder'));
      watchers.push(watcher);
    } catch (error) {
      logger.warn({ folder, err: (error as Error).message }, 'cannot watch configuration folder');
    }
  }
  logger.info({ files }, 'watching configuration files for changes');
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
