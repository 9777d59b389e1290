import { destination as pinoDestination, pino, type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import { redactSecrets, type Logger } from '@opsorch/adapters';
import { activeTraceIds } from './observability/tracing.ts';

/**
 * JSON-lines logger on stdout. Every line is scrubbed of resolved secret values and credential shapes as it is
 * written, whatever put them there (a message, a field, a serialized error), so a provider error that echoes a token
 * cannot leak it into logs. When tracing, a line written inside a span carries its `traceId`/`spanId`; lines about a
 * request name its `requestId` (observability/request-scope.ts).
 */
export function createLogger(level = process.env.OPSORCH_LOG_LEVEL ?? 'info', destination?: DestinationStream): PinoLogger {
  const options: LoggerOptions = {
    level,
    base: { service: 'opsorch' },
    mixin() {
      return activeTraceIds() ?? NO_TRACE;
    },
    // pino's own strategy copies every field of the line into the mixin's object, trace ids or not.
    mixinMergeStrategy(line, mixed) {
      return mixed === NO_TRACE ? line : Object.assign(mixed, line);
    },
    // One pass over the line as pino wrote it (decision 045): scrubbing the fields before pino serialized them
    // serialized each line twice, and missed what pino's serializers added after (an error's message and stack).
    hooks: { streamWrite: redactSecrets },
  };
  return pino(options, destination ?? batchedStdout());
}

/** What the mixin adds to a line outside a traced span: nothing, and pino copies nothing. */
const NO_TRACE = Object.freeze({});

/** An info or debug line waits this long for others to share its write (and longer only while a write is under way). */
const STDOUT_LINGER_MS = 100;
/** A warning or an error waits no longer than this: it is what an operator watches for, and what a crash must not lose. */
const STDOUT_LINGER_WARN_MS = 10;
/** pino's number for `warn`. */
const WARN = 40;
/** What is buffered is written at once when it reaches this size (sonic-boom's largest write is 16 KB). */
const STDOUT_BATCH_BYTES = 12 * 1024;

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
 * logged (STDOUT_LINGER_WARN_MS for a warning or an error), with whatever else was logged meanwhile, or, when a
 * write was under way then, that long after the write ends. Under load a write per access-log line cost 5–8 % of a
 * small request's CPU (decision 030), and a write every 10 ms still cost 6 % of the request pipeline's (decision
 * 045). An idle process sets no timer at all (sonic-boom's own periodic flush wrote an empty string ten times a
 * second). What is buffered when the process exits (normally, from a signal's handler or after an uncaught
 * exception) is written synchronously by pino's exit hook.
 */
export function batchedStdout(stdout: BufferedStdout = pinoDestination({ dest: 1, sync: false, minLength: STDOUT_BATCH_BYTES })): DestinationStream {
  /** The pending flush's timer and when it fires (performance.now()); none while nothing waits. */
  let timer: NodeJS.Timeout | undefined;
  let due = Infinity;
  /** The shortest wait of a line handed over since the last write ended: it may be waiting in the buffer. */
  let handed = Infinity;
  const flush = () => {
    timer = undefined;
    due = Infinity;
    try {
      stdout.flush();
    } catch {
      // Ended by pino's exit hook: everything was written synchronously then.
    }
  };
  const schedule = (lingerMs: number) => {
    const at = performance.now() + lingerMs;
    if (at >= due) return;
    clearTimeout(timer);
    due = at;
    timer = setTimeout(flush, lingerMs).unref();
  };
  // A flush during a write does nothing, so lines handed over around a write get one more flush once it ends; the
  // last one finds nothing new and stops.
  stdout.on('drain', () => {
    if (handed === Infinity) return;
    const lingerMs = handed;
    handed = Infinity;
    schedule(lingerMs);
  });
  return {
    // pino sets `lastLevel` (and its other `last*` fields) on a destination that asks for them, before each write.
    [Symbol.for('pino.metadata')]: true,
    lastLevel: 0,
    write(this: { lastLevel: number }, line: string) {
      stdout.write(line);
      const lingerMs = this.lastLevel >= WARN ? STDOUT_LINGER_WARN_MS : STDOUT_LINGER_MS;
      handed = Math.min(handed, lingerMs);
      schedule(lingerMs);
    },
    /** `logger.flush(callback)`: the callback runs once everything logged so far is written. */
    flush: (callback?: (error?: Error) => void) => stdout.flush(callback),
  } as unknown as DestinationStream;
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
