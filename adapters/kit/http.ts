// The one HTTP client every vendor adapter uses: base URL, auth headers, JSON, and vendor answers mapped to
// OpsOrch's codes in one place. Node's fetch (undici) keeps connections alive per origin. The client asks once:
// the registry owns retries of provider reads, the deadline and the circuit breaker (decisions 008 and 011).
import { z } from 'zod';
import type { Logger } from '../src/context.ts';
import { codeForHttpStatus, OpsOrchError } from '../src/errors.ts';
import { redactSecrets, rememberSecret } from '../src/secrets.ts';

/** How an adapter authenticates to its tool; secrets arrive already resolved from `secret://` references. */
export const httpAuthSchema = z.union([
  z.strictObject({
    /** HTTP basic auth user name. */
    username: z.string().min(1),
    /** HTTP basic auth password (use a `secret://` reference). */
    password: z.string(),
  }),
  z.strictObject({
    /** Sent as `Authorization: Bearer <token>` (use a `secret://` reference). */
    bearerToken: z.string().min(1),
  }),
]);
export type HttpAuth = z.infer<typeof httpAuthSchema>;

export interface HttpClientOptions {
  /** Base URL of the tool's API, for example `http://prometheus:9090` or `https://api.pagerduty.com`. */
  baseUrl: string;
  /** Names the tool in error messages, for example `Prometheus`. */
  tool: string;
  /** Basic or bearer auth; vendors with their own scheme pass it in `headers` (`Authorization: Token token=…`, `DD-API-KEY`). */
  auth?: HttpAuth;
  /** Headers on every request (auth schemes of the vendor's own, tenant ids, `From`). */
  headers?: Record<string, string>;
  /** Where the tool's own error text goes (never into a client-facing message): the instance's logger. */
  logger?: Logger;
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** Query parameters; arrays repeat the key (`match[]=a&match[]=b`); undefined values are left out. */
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  /** JSON body. */
  json?: unknown;
  /** Form body (`application/x-www-form-urlencoded`), for APIs that take long queries by POST. */
  form?: Record<string, string | undefined>;
  /** The call's deadline: pass the ProviderContext's `signal` (the registry cuts the call at its timeout through it). */
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** The request's logger (`ctx.logger`), so the tool's refusal is logged under the request id. */
  logger?: Logger;
}

/** A 2xx answer: its status, headers and body text. */
export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Seconds or an HTTP date, as RFC 9110 allows; milliseconds from `now`, or null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * How long a rate-limited answer asks to wait, in ms: `Retry-After`, else an exhausted `x-ratelimit-*` /
 * `ratelimit-*` budget's reset. Vendors give the reset as epoch seconds (GitHub) or as seconds from now
 * (Datadog); values past 1e9 are read as epoch seconds.
 */
export function rateLimitWaitMs(headers: Headers, now = Date.now()): number | null {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== null) return retryAfter;
  for (const prefix of ['x-ratelimit', 'ratelimit']) {
    const remaining = headers.get(`${prefix}-remaining`);
    const reset = headers.get(`${prefix}-reset`);
    if (remaining === null || reset === null || Number(remaining) > 0 || !/^\d+(\.\d+)?$/.test(reset.trim())) continue;
    const value = Number(reset);
    return Math.max(0, value > 1e9 ? value * 1000 - now : value * 1000);
  }
  return null;
}

/** What to check, by code, in place of the tool's own words (those go to the server log). */
const HINTS: Partial<Record<OpsOrchError['code'], string>> = {
  PROVIDER_AUTH_FAILED: ': the credentials configured for it were refused (see the server log for its answer)',
  BAD_USER_INPUT: ': it refused the request (see the server log for its answer)',
  NOT_FOUND: ': not found',
};

/** The path of a request as messages show it: never a query string (tokens travel there in some APIs). */
function pathOf(path: string): string {
  return /^https?:\/\//i.test(path) ? new URL(path).pathname : path.split('?')[0]!;
}

/** The tool's own error text from a JSON or text body, shortened (for the log, never for the client). */
function upstreamText(body: string): string {
  const text = body.trim();
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/**
 * A small JSON-over-HTTP client bound to one tool. Every failure becomes an OpsOrchError: 401/403 →
 * PROVIDER_AUTH_FAILED, 404 → NOT_FOUND, 429 (or 403 with an exhausted rate-limit budget) →
 * PROVIDER_RATE_LIMITED with `retryAfter`, 5xx → PROVIDER_UNAVAILABLE (codeForHttpStatus), an unreachable tool →
 * PROVIDER_UNAVAILABLE, the signal firing → its reason (the registry's PROVIDER_TIMEOUT). Messages name the tool,
 * status, method and path: never the query string, a credential or the tool's answer, which go to the log.
 */
export class HttpClient {
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: HttpClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new OpsOrchError('BAD_USER_INPUT', `${options.tool}: "${options.baseUrl}" is not a URL; use for example https://api.example.com`);
    }
    if (url.username || url.password) {
      throw new OpsOrchError('BAD_USER_INPUT', `${options.tool}: put credentials in "auth", not in the URL`);
    }
    if (url.search) throw new OpsOrchError('BAD_USER_INPUT', `${options.tool}: the base URL must not carry a query string (tokens go in "auth")`);
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.headers = { accept: 'application/json', ...options.headers };
    const auth = options.auth;
    if (auth && 'bearerToken' in auth) this.headers.authorization = `Bearer ${auth.bearerToken}`;
    else if (auth) {
      const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
      // The header value is as secret as the password it encodes: scrubbed wherever a tool echoes it.
      rememberSecret(basic);
      this.headers.authorization = `Basic ${basic}`;
    }
  }

  /**
   * The absolute URL of a path with its query, as sent. `path` may also be an absolute URL the tool gave (a
   * `Link: <…>; rel="next"`), on the tool's own origin only: credentials never leave for another host.
   */
  url(path: string, query?: HttpRequest['query']): string {
    if (/^https?:\/\//i.test(path)) {
      const given = new URL(path);
      if (given.origin !== new URL(this.baseUrl).origin) {
        throw new OpsOrchError('PROVIDER_UNAVAILABLE', `${this.options.tool} pointed to another origin (${given.origin}); OpsOrch only follows links on ${new URL(this.baseUrl).origin}`);
      }
      for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) given.searchParams.set(key, String(value));
      return given.href;
    }
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) params.append(key, v);
      else params.append(key, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  /** Sends a request and parses its JSON answer (undefined for an empty body). */
  async json<T>(request: HttpRequest): Promise<T> {
    return (await this.jsonWithHeaders<T>(request)).body;
  }

  /** `json`, with the answer's headers (paging by `Link`, rate-limit budgets). */
  async jsonWithHeaders<T>(request: HttpRequest): Promise<{ body: T; headers: Headers }> {
    const { text, headers } = await this.send(request);
    if (!text) return { body: undefined as T, headers };
    try {
      return { body: JSON.parse(text) as T, headers };
    } catch {
      (request.logger ?? this.options.logger)?.warn({ tool: this.options.tool, path: request.path, answer: redactSecrets(upstreamText(text)) }, 'tool answered something that is not JSON');
      throw new OpsOrchError('PROVIDER_UNAVAILABLE', `${this.options.tool} answered ${request.method ?? 'GET'} ${pathOf(request.path)} with something that is not JSON`);
    }
  }

  /** Sends one request; answers a 2xx response, or throws the OpsOrchError its status means. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const method = request.method ?? 'GET';
    const what = `${method} ${pathOf(request.path)}`;
    const headers: Record<string, string> = { ...this.headers, ...request.headers };
    let body: string | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(Object.entries(request.form).filter((e): e is [string, string] => e[1] !== undefined)).toString();
    }
    let response: Response;
    try {
      response = await fetch(this.url(request.path, request.query), { method, headers, body, signal: request.signal });
    } catch (error) {
      // The deadline or the caller: the signal's reason says which (the registry makes it PROVIDER_TIMEOUT).
      if (request.signal?.aborted) throw request.signal.reason ?? error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new OpsOrchError(
        'PROVIDER_UNAVAILABLE',
        redactSecrets(`cannot reach ${this.options.tool} at ${this.baseUrl} (${what}): ${cause?.code ?? cause?.message ?? (error as Error).message}`),
        { cause: error },
      );
    }
    const text = await response.text();
    if (response.ok) return { status: response.status, headers: response.headers, text };
    const waitMs = response.status === 429 || response.status === 403 ? rateLimitWaitMs(response.headers) : null;
    // A 403 with an exhausted budget is a rate limit (GitHub's primary and secondary limits), not a credential problem.
    const code = waitMs !== null ? 'PROVIDER_RATE_LIMITED' : codeForHttpStatus(response.status);
    const answer = redactSecrets(upstreamText(text) || response.statusText);
    (request.logger ?? this.options.logger)?.warn({ tool: this.options.tool, request: what, status: response.status, code, answer }, 'tool refused the request');
    // The client learns the status and what to check; the tool's words go to the server log only (`detail`).
    const retry = waitMs === null ? '' : `; retry after ${Math.ceil(waitMs / 1000)} s`;
    throw new OpsOrchError(code, redactSecrets(`${this.options.tool} answered ${response.status} to ${what}${HINTS[code] ?? ''}${retry}`), {
      detail: answer,
      ...(waitMs === null ? {} : { retryAfter: Math.ceil(waitMs / 1000) }),
    });
  }
}
