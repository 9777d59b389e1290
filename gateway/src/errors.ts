import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { boundMessage, isErrorCode, redactSecrets, type Logger } from '@opsorch/adapters';

/** The request an error was raised in, set on the error object by `errorRequestIds` for the formatter's log line. */
const REQUEST_ID = Symbol('opsorch.requestId');

/**
 * Apollo plugin: marks each error of a request with the request's id. Apollo hands the same error objects to
 * `formatError` right after, which has no request of its own to name in the "unexpected error" line.
 */
export const errorRequestIds: ApolloServerPlugin<object> = {
  async requestDidStart({ request }) {
    const requestId = request.http?.headers.get('x-request-id');
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) Object.defineProperty(error, REQUEST_ID, { value: requestId, configurable: true });
      },
    };
  },
};

/** Apollo's own codes for malformed requests, reported under OpsOrch's single list as BAD_USER_INPUT. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** graphql-js's refusal of a document past `parseOptions.maxTokens` (16.x spells it "more that"). */
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more tha[nt] (\d+) tokens\./;

/**
 * Shapes every error a client sees: a code from OpsOrch's list in `extensions.code` (Apollo's request
 * codes kept as `extensions.reason`), `capability`/`provider` when known, no stack trace, no secret, no message
 * past MAX_MESSAGE_LENGTH, and no internal detail for unexpected errors (those are logged with the request id instead).
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const { stacktrace: _stacktrace, serviceName, exception: _exception, ...extensions } = (formatted.extensions ?? {}) as Record<
      string,
      unknown
    >;
    let code = extensions.code;
    let message = redactSecrets(formatted.message);
    const tooManyTokens = TOO_MANY_TOKENS.exec(message);
    if (tooManyTokens) {
      extensions.reason = 'MAX_TOKENS';
      extensions.limit = Number(tooManyTokens[1]);
      code = 'BAD_USER_INPUT';
      message = `The operation has more than ${tooManyTokens[1]} tokens (names, punctuation, values); the limit is ${tooManyTokens[1]} (gateway.limits.maxTokens). Split it into smaller operations.`;
    } else if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
      extensions.reason = code;
      code = 'BAD_USER_INPUT';
    } else if (!isErrorCode(code)) {
      const requestId = (error as { [REQUEST_ID]?: string } | null)?.[REQUEST_ID];
      logger.error({ err: message, code, path: formatted.path, subgraph: serviceName, requestId }, 'unexpected error');
      code = 'INTERNAL';
      message = 'Internal error in OpsOrch; it has been logged with the request id.';
    }
    if (typeof serviceName === 'string' && extensions.capability === undefined) extensions.capability = serviceName;
    return { ...formatted, message: boundMessage(message), extensions: { ...extensions, code } };
  };
}
