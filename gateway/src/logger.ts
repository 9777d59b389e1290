import { pino, type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import { redactSecrets } from '@opsorch/adapters';
import { requestScope } from './observability/request-scope.ts';
import { activeTraceIds } from './observability/tracing.ts';

/**
 * JSON-lines logger on stdout. Every string argument is scrubbed of resolved secret values before it is
 * written, so a provider error that echoes a token cannot leak it into logs. A line written while serving a
 * request carries its `requestId` (and `traceId`/`spanId` when tracing), whichever logger wrote it.
 */
export function createLogger(level = process.env.OPSORCH_LOG_LEVEL ?? 'info', destination?: DestinationStream): PinoLogger {
  const options: LoggerOptions = {
    level,
    base: { service: 'opsorch' },
    mixin(_object, _level, logger) {
      const scope = requestScope.getStore();
      const ids = activeTraceIds();
      if (!scope && !ids) return {};
      const extra: Record<string, string> = {};
      if (scope && !('requestId' in logger.bindings())) extra.requestId = scope.requestId;
      if (ids) Object.assign(extra, ids);
      return extra;
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg));
        return method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
    formatters: {
      log(object) {
        return JSON.parse(redactSecrets(JSON.stringify(object))) as Record<string, unknown>;
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
