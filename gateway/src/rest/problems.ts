// Errors of the REST API as RFC 9457 problem details, with OpsOrch's error codes and the HTTP status each one
// means. The same table feeds the OpenAPI document (its error responses) and the answers.

/** One kind of problem per HTTP status the REST API answers with. */
export interface ProblemKind {
  /** Name of the response in the OpenAPI document's components. */
  component: string;
  code: string;
  title: string;
  type: string;
  description: string;
  /** Answered with `Retry-After`. */
  retryAfter?: boolean;
  example: { detail: string; extra?: Record<string, unknown> };
}

const typeOf = (code: string) => `urn:opsorch:problem:${code.toLowerCase().replace(/_/g, '-')}`;

function kind(component: string, code: string, title: string, description: string, example: ProblemKind['example'], retryAfter = false): ProblemKind {
  return { component, code, title, type: typeOf(code), description, example, ...(retryAfter ? { retryAfter } : {}) };
}

/** By HTTP status. */
export const PROBLEMS: Record<string, ProblemKind> = {
  '400': kind('BadRequest', 'BAD_USER_INPUT', 'Bad request', 'A parameter or the body is invalid, or the operation exceeds a limit (`reason` MAX_COST, MAX_DEPTH...).', {
    detail: 'Query parameter "first" must be <= 50.',
    extra: { errors: [{ detail: 'must be <= 50', parameter: 'first' }] },
  }),
  '401': kind('Unauthorized', 'UNAUTHENTICATED', 'Unauthorized', 'No credential, or one that is not valid: send `Authorization: Bearer <API key or JWT>`.', {
    detail: 'Authentication required: send "Authorization: Bearer <API key or JWT>".',
    extra: { reason: 'CREDENTIALS_MISSING' },
  }),
  '403': kind('Forbidden', 'FORBIDDEN', 'Forbidden', 'The credential lacks a scope the operation needs (`missingScopes`): `<capability>:read|write` or `env:<name>`.', {
    detail: 'Missing scope incidents:write (for Mutation.acknowledgeIncident).',
    extra: { missingScopes: ['incidents:write'] },
  }),
  '404': kind('NotFound', 'NOT_FOUND', 'Not found', 'No such resource (or no such endpoint).', { detail: 'No incident with id demo:NOPE.' }),
  '409': kind('Conflict', 'BAD_USER_INPUT', 'Conflict', 'The `Idempotency-Key` was already used for a different request: use a new key for a new write.', {
    detail: 'idempotencyKey "k1" was already used for a different acknowledgeIncident request; use a new key for a new write',
    extra: { reason: 'IDEMPOTENCY_KEY_REUSED' },
  }),
  '413': kind('PayloadTooLarge', 'BAD_USER_INPUT', 'Payload too large', 'The body is larger than the gateway accepts (`gateway.limits.maxBodyBytes`).', {
    detail: 'The request body is larger than 1000000 bytes (gateway.limits.maxBodyBytes).',
    extra: { reason: 'BODY_TOO_LARGE', limit: 1_000_000 },
  }),
  '415': kind('UnsupportedMediaType', 'BAD_USER_INPUT', 'Unsupported media type', 'The body is not UTF-8 JSON (`Content-Type: application/json`).', {
    detail: 'Send the body as JSON with "Content-Type: application/json".',
    extra: { reason: 'UNSUPPORTED_MEDIA_TYPE' },
  }),
  '429': kind('TooManyRequests', 'RATE_LIMITED', 'Too many requests', 'The caller\'s rate limit is reached (`RATE_LIMITED`), or the tool behind OpsOrch limits OpsOrch (`PROVIDER_RATE_LIMITED`): retry after `Retry-After` seconds.', {
    detail: 'Rate limit of 600 requests a minute (burst 100) reached for user alice; retry in 2 s.',
    extra: { retryAfter: 2 },
  }, true),
  '500': kind('InternalError', 'INTERNAL', 'Internal error', 'Something failed inside OpsOrch; it is logged under the request id.', {
    detail: 'Internal error in OpsOrch; it has been logged with the request id.',
  }),
  '501': kind('NotSupported', 'NOT_SUPPORTED', 'Not supported', "The configured provider cannot do this (a tool without that write, for example).", {
    detail: 'The alertmanager provider cannot acknowledge alerts.',
    extra: { capability: 'alerts', provider: 'alertmanager:default' },
  }),
  '502': kind('BadGateway', 'PROVIDER_AUTH_FAILED', 'Bad gateway', 'The tool behind OpsOrch refused OpsOrch\'s credentials or answered something unusable.', {
    detail: 'PagerDuty refused the API token (401).',
    extra: { capability: 'incidents', provider: 'pagerduty:default' },
  }),
  '503': kind('ServiceUnavailable', 'PROVIDER_UNAVAILABLE', 'Service unavailable', 'The tool behind OpsOrch is unreachable or failing (its circuit may be open).', {
    detail: 'alertmanager:default is unavailable: connect ECONNREFUSED.',
    extra: { capability: 'alerts', provider: 'alertmanager:default' },
  }),
  '504': kind('GatewayTimeout', 'PROVIDER_TIMEOUT', 'Gateway timeout', 'The tool behind OpsOrch did not answer in time.', {
    detail: 'prometheus:default did not answer within 10000 ms.',
    extra: { capability: 'metrics', provider: 'prometheus:default' },
  }),
};

/** The HTTP status an error code (and its refusal reason) means. */
export function statusOf(code: string, reason?: unknown): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'RATE_LIMITED':
    case 'PROVIDER_RATE_LIMITED':
      return 429;
    case 'NOT_SUPPORTED':
      return 501;
    case 'PROVIDER_AUTH_FAILED':
      return 502;
    case 'PROVIDER_UNAVAILABLE':
      return 503;
    case 'PROVIDER_TIMEOUT':
      return 504;
    case 'BAD_USER_INPUT':
      if (reason === 'BODY_TOO_LARGE') return 413;
      if (reason === 'IDEMPOTENCY_KEY_REUSED') return 409;
      if (reason === 'UNSUPPORTED_ENCODING' || reason === 'UNSUPPORTED_MEDIA_TYPE') return 415;
      return 400;
    default:
      return 500;
  }
}

/** A problem details body (RFC 9457) with OpsOrch's members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  [member: string]: unknown;
}

/** Extension members never copied into a problem: transport details and anything internal. */
const PRIVATE_MEMBERS = new Set(['http', 'stacktrace', 'exception', 'serviceName', 'code']);

/** Builds the problem for an error code, its message and its GraphQL extensions. */
export function problemOf(status: number, code: string, detail: string, extensions: Record<string, unknown> = {}): Problem {
  const kind = PROBLEMS[String(status)];
  const problem: Problem = { type: typeOf(code), title: kind?.title ?? 'Error', status, detail, code };
  for (const [name, value] of Object.entries(extensions)) if (!PRIVATE_MEMBERS.has(name) && !(name in problem)) problem[name] = value;
  return problem;
}

/** Writes a problem, with `Retry-After` when the problem says when to retry. */
export function sendProblem(res: import('express').Response, problem: Problem): void {
  const requestId = res.getHeader('x-request-id');
  if (typeof requestId === 'string') problem.requestId ??= requestId;
  if (typeof problem.retryAfter === 'number') res.setHeader('retry-after', String(Math.max(0, Math.ceil(problem.retryAfter))));
  res.status(problem.status);
  res.setHeader('content-type', 'application/problem+json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(problem));
}
