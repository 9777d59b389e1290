import { createWriteStream, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Logger } from '@opsorch/adapters';
import type { AuditSinkConfig } from './config.ts';

/** Where audit records go. `write` never throws and never waits: a failing sink must not touch the request. */
export interface AuditSink {
  readonly name: string;
  write(line: string): void;
  /** Flushes what is buffered, within a deadline. */
  close(): Promise<void>;
}

/** Logs a sink's trouble at most once a minute, with how many records it dropped meanwhile. */
function troubleReporter(logger: Logger, sink: string) {
  let lastReport = 0;
  let dropped = 0;
  return {
    report(error: unknown, droppedNow = 0) {
      dropped += droppedNow;
      const now = Date.now();
      if (now - lastReport < 60_000) return;
      lastReport = now;
      logger.warn({ sink, err: String((error as Error)?.message ?? error), droppedRecords: dropped }, 'audit sink failing; requests go on');
      dropped = 0;
    },
  };
}

export function stdoutSink(stream: Writable = process.stdout): AuditSink {
  return {
    name: 'stdout',
    write(line) {
      try {
        stream.write(`${line}\n`);
      } catch {
        // stdout closed under us: nothing sensible left to do with the record.
      }
    },
    async close() {},
  };
}

/** Appends JSON lines to a file; if the file cannot be written, records are dropped (and counted) and opening is retried. */
export function fileSink(path: string, logger: Logger): AuditSink {
  const trouble = troubleReporter(logger, `file:${path}`);
  let stream: WriteStream | null = null;
  let brokenUntil = 0;
  const open = () => {
    const opened = createWriteStream(path, { flags: 'a' });
    opened.on('error', (error) => {
      trouble.report(error, opened.writableLength > 0 ? 1 : 0);
      if (stream === opened) stream = null;
      brokenUntil = Date.now() + 10_000;
      opened.destroy();
    });
    return opened;
  };
  return {
    name: `file:${path}`,
    write(line) {
      if (!stream) {
        if (Date.now() < brokenUntil) return trouble.report(new Error('file not writable'), 1);
        stream = open();
      }
      // A full buffer means the disk is slower than the traffic: drop rather than grow without bound.
      if (stream.writableLength > 16 * 1024 * 1024) return trouble.report(new Error('write buffer full'), 1);
      stream.write(`${line}\n`);
    },
    async close() {
      const current = stream;
      stream = null;
      if (!current) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        current.end(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/**
 * POSTs batches `{ "records": [...] }` to an HTTP endpoint (a SIEM, a log shipper). One POST in flight at a
 * time; a failed batch is kept and retried with backoff while the queue has room; beyond `maxQueue` the
 * oldest records are dropped and counted.
 */
export function webhookSink(config: Extract<AuditSinkConfig, { type: 'webhook' }>, logger: Logger): AuditSink {
  const trouble = troubleReporter(logger, `webhook:${new URL(config.url).origin}`);
  const queue: string[] = [];
  let sending: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let backoffMs = 0;

  const schedule = (delay: number) => {
    if (timer || sending) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, delay);
    timer.unref();
  };

  async function flush(): Promise<void> {
    if (sending || queue.length === 0) return;
    const batch = queue.splice(0, config.batchSize);
    sending = (async () => {
      try {
        const response = await fetch(config.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...config.headers },
          body: `{"records":[${batch.join(',')}]}`,
          signal: AbortSignal.timeout(config.timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) throw new Error(`webhook answered ${response.status}`);
        backoffMs = 0;
      } catch (error) {
        const room = config.maxQueue - queue.length;
        queue.unshift(...batch.slice(Math.max(0, batch.length - room)));
        trouble.report(error, Math.max(0, batch.length - room));
        backoffMs = Math.min(30_000, Math.max(500, backoffMs * 2));
      }
    })();
    await sending;
    sending = null;
    if (queue.length > 0) schedule(backoffMs || 0);
  }

  return {
    name: `webhook:${config.url}`,
    write(line) {
      if (queue.length >= config.maxQueue) {
        queue.shift();
        trouble.report(new Error('queue full'), 1);
      }
      queue.push(line);
      schedule(queue.length >= config.batchSize ? 0 : backoffMs || 200);
    },
    async close() {
      if (timer) clearTimeout(timer);
      timer = null;
      const deadline = Date.now() + Math.min(config.timeoutMs, 3000);
      while ((queue.length > 0 || sending) && Date.now() < deadline) {
        if (sending) await sending;
        else if (backoffMs > 0) break;
        else await flush();
      }
    },
  };
}

export function createSink(config: AuditSinkConfig, logger: Logger, stdout?: Writable): AuditSink {
  switch (config.type) {
    case 'stdout':
      return stdoutSink(stdout);
    case 'file':
      return fileSink(config.path, logger);
    case 'webhook':
      return webhookSink(config, logger);
  }
}
