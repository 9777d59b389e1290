/** The only error codes OpsOrch puts in `extensions.code` (DESIGN.md). */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'NOT_SUPPORTED',
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_TIMEOUT',
  'PROVIDER_RATE_LIMITED',
  'PROVIDER_AUTH_FAILED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** The longest error message a client gets; past it, the middle is cut out (see `boundMessage`). */
export const MAX_MESSAGE_LENGTH = 1000;

/**
 * `message` as a client should get it: an overlong one (a 300 KB argument echoed back in "... is not a time")
 * keeps its start, which names what was wrong, and its end, which says what to do, and counts what was cut.
 */
export function boundMessage(message: string, max = MAX_MESSAGE_LENGTH): string {
  if (message.length <= max) return message;
  let head = Math.ceil(max * 0.6);
  let tail = message.length - Math.floor(max * 0.4);
  // Never cut between the two halves of a surrogate pair (an emoji), which would leave invalid text.
  if (isHighSurrogate(message.charCodeAt(head - 1))) head--;
  if (isLowSurrogate(message.charCodeAt(tail))) tail++;
  return `${message.slice(0, head)}… [${(tail - head).toLocaleString('en-US')} characters cut] …${message.slice(tail)}`;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

export interface OpsOrchErrorOptions {
  capability?: string;
  provider?: string;
  /** Seconds the caller should wait before retrying (PROVIDER_RATE_LIMITED). */
  retryAfter?: number;
  /** Narrows the code for clients that act on it, for example `IDEMPOTENCY_KEY_REUSED` (HTTP 409 over REST). */
  reason?: string;
  cause?: unknown;
  /**
   * What the tool said (its error body), for the server log only: never part of the message, so it never reaches a
   * client, `providers { lastError }` or the audit log (an upstream may echo the credentials it was sent).
   */
  detail?: string;
}

/**
 * An error with one of OpsOrch's codes. graphql-js copies `extensions` of a thrown error onto the
 * GraphQL error it reports, so throwing this from a resolver or provider yields `extensions.code`,
 * `extensions.capability` and `extensions.provider` in the response.
 */
export class OpsOrchError extends Error {
  readonly code: ErrorCode;
  readonly capability?: string;
  readonly provider?: string;
  readonly retryAfter?: number;
  readonly reason?: string;
  /** The tool's own words, for the server log only (see OpsOrchErrorOptions.detail). */
  readonly detail?: string;

  constructor(code: ErrorCode, message: string, options: OpsOrchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpsOrchError';
    this.code = code;
    this.capability = options.capability;
    this.provider = options.provider;
    this.retryAfter = options.retryAfter;
    this.reason = options.reason;
    // Not enumerable: nothing that serializes the error (GraphQL, JSON logs of the error object) carries it.
    if (options.detail !== undefined) Object.defineProperty(this, 'detail', { value: options.detail, enumerable: false });
  }

  get extensions(): Record<string, unknown> {
    const extensions: Record<string, unknown> = { code: this.code };
    if (this.capability) extensions.capability = this.capability;
    if (this.provider) extensions.provider = this.provider;
    if (this.retryAfter !== undefined) extensions.retryAfter = this.retryAfter;
    if (this.reason !== undefined) extensions.reason = this.reason;
    return extensions;
  }

  /** The same error attributed to a capability and provider instance (kept when already set). */
  attributedTo(capability: string, provider: string): OpsOrchError {
    if (this.capability && this.provider) return this;
    return new OpsOrchError(this.code, this.message, {
      capability: this.capability ?? capability,
      provider: this.provider ?? provider,
      retryAfter: this.retryAfter,
      reason: this.reason,
      cause: this.cause,
      detail: this.detail,
    });
  }
}

export function badInput(message: string): OpsOrchError {
  return new OpsOrchError('BAD_USER_INPUT', message);
}

export function notFound(message: string): OpsOrchError {
  return new OpsOrchError('NOT_FOUND', message);
}

/**
 * Maps an upstream HTTP status to OpsOrch's code, in one place for every adapter:
 * 401/403 mean our credentials for the tool are wrong, 404 is the caller's to fix, 429 and 5xx are the tool's.
 */
export function codeForHttpStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'PROVIDER_AUTH_FAILED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 400 || status === 422) return 'BAD_USER_INPUT';
  if (status === 408 || status === 504) return 'PROVIDER_TIMEOUT';
  if (status === 429) return 'PROVIDER_RATE_LIMITED';
  if (status >= 500) return 'PROVIDER_UNAVAILABLE';
  return 'INTERNAL';
}

/** Normalizes anything thrown by a provider into an attributed OpsOrchError. */
export function toOpsOrchError(error: unknown, capability: string, provider: string): OpsOrchError {
  if (error instanceof OpsOrchError) return error.attributedTo(capability, provider);
  if (error instanceof Error && error.name === 'AbortError') {
    return new OpsOrchError('PROVIDER_TIMEOUT', `${capability} provider ${provider} was aborted before it answered`, {
      capability,
      provider,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new OpsOrchError('PROVIDER_UNAVAILABLE', `${capability} provider ${provider} failed: ${message}`, {
    capability,
    provider,
    cause: error,
  });
}
