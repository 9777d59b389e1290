import { destination as pinoDestination, pino, type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import { redactSecrets, type Logger } from '@opsorch/adapters';
import { activeTraceIds } from './observability/tracing.ts';

/**
 * JSON-lines logger on stdout. Every string argument is scrubbed of resolved secret values before it is
 * written, so a provider error that echoes a token cannot leak it into logs. When tracing, a line written inside a
 * span carries its `traceId`/`spanId`; lines about a request name its `requestId` (observability/request-scope.ts).
 */
export function createLogger(level = process.env.OPSORCH_LOG_LEVEL ?? 'info', destination?: DestinationStream): PinoLogger {
  const options: LoggerOptions = {
    level,
    base: { service: 'opsorch' },
    mixin() {
      return activeTraceIds() ?? {};
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg));
        return method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
    formatters: {
      log(object) {
        const json = JSON.stringify(object);
        const scrubbed = redactSecrets(json);
        return scrubbed === json ? object : (JSON.parse(scrubbed) as Record<string, unknown>);
      },
    },
  };
  return pino(options, destination ?? batchedStdout());
}

/** A line waits this long for others to share its write (and longer only while a write is under way). */
const STDOUT_LINGER_MS = 10;
/** What is buffered is written at once when it reaches this size. */
const STDOUT_BATCH_BYTES = 4096;

/** What batchedStdout needs of sonic-boom (pino's destination): lines in, a flush, and `drain` after each write. */
export interface BufferedStdout {
  write(line: string): unknown;
  /** Writes what is buffered, unless a write is under way (then it does nothing). */
  flush(callback?: (error?: Error) => void): void;
  /** Emitted each time a write ends with less than STDOUT_BATCH_BYTES left buffered. */
  on(event: 'drain', listener: () => void): unknown;
}

/**
 * stdout in batches instead of one write per line: a line is written at most STDOUT_LINGER_MS after it was
 * logged, with whatever else was logged meanwhile, or, when a write was under way then, STDOUT_LINGER_MS after that
 * write ends. Under load a write per access-log line cost 5–8 % of a small request's CPU (decision 030). An idle
 * process sets no timer at all (sonic-boom's own periodic flush wrote an empty string ten times a second). What is
 * buffered when the process exits (normally, from a signal's handler or after an uncaught exception) is written
 * synchronously by pino's exit hook.
 */
export function batchedStdout(stdout: BufferedStdout = pinoDestination({ dest: 1, sync: false, minLength: STDOUT_BATCH_BYTES })): DestinationStream {
  let scheduled = false;
  /** A line was handed over since the last write ended: it may be waiting in the buffer. */
  let handed = false;
  const flush = () => {
    scheduled = false;
    try {
      stdout.flush();
    } catch {
      // Ended by pino's exit hook: everything was written synchronously then.
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(flush, STDOUT_LINGER_MS).unref();
  };
  // A flush during a write does nothing, so lines handed over around a write get one more flush once it ends; the
  // last one finds nothing new and stops.
  stdout.on('drain', () => {
    if (!handed) return;
    handed = false;
    schedule();
  });
  return {
    write(line: string) {
      stdout.write(line);
      handed = true;
      schedule();
    },
    /** `logger.flush(callback)`: the callback runs once everything logged so far is written. */
    flush: (callback?: (error?: Error) => void) => stdout.flush(callback),
  } as DestinationStream;
}

/**
 * A child logger made on its first line. The registry gives every provider call a child logger naming the
 * provider, and most calls log nothing: making pino's child only when a line is written saves a child per call.
 */
export function lazyChild(make: () => Logger): Logger {
  return new LazyChild(make);
}

/**
 * A logger that writes through another, which a subclass names: a class rather than an object of closures, so a
 * wrapper made per provider call is one allocation, not seven.
 */
export abstract class ForwardingLogger implements Logger {
  protected abstract get target(): Logger;
  abstract child(bindings: Record<string, unknown>): Logger;
  debug(obj: object | string, msg?: string): void {
    this.target.debug(obj, msg);
  }
  info(obj: object | string, msg?: string): void {
    this.target.info(obj, msg);
  }
  warn(obj: object | string, msg?: string): void {
    this.target.warn(obj, msg);
  }
  error(obj: object | string, msg?: string): void {
    this.target.error(obj, msg);
  }
}

class LazyChild extends ForwardingLogger {
  private made: Logger | undefined;
  constructor(private readonly make: () => Logger) {
    super();
  }
  protected get target(): Logger {
    return (this.made ??= this.make());
  }
  child(bindings: Record<string, unknown>): Logger {
    // A child of a child not made yet is not made either until it writes.
    return lazyChild(() => this.target.child(bindings));
  }
}
