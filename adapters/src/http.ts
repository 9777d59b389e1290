// The one HTTP client every vendor adapter uses: base URL, auth, JSON, error mapping through
// codeForHttpStatus, and retries with backoff for reads. Node's fetch (undici) keeps connections alive.
import { z } from 'zod';
import { codeForHttpStatus, OpsOrchError } from './errors.ts';
import { redactSecrets, rememberSecret } from './secrets.ts';

/** How an adapter authenticates to its tool; secrets arrive already resolved from `secret://` references. */
export const httpAuthSchema = z.union([
  z.object({
    /** HTTP basic auth user name. */
    username: z.string().min(1),
    /** HTTP basic auth password (use a `secret://` reference). */
    password: z.string(),
  }),
  z.object({
    /** Sent as `Authorization: Bearer <token>` (use a `secret://` reference). */
    bearerToken: z.string().min(1),
  }),
]);
export type HttpAuth = z.infer<typeof httpAuthSchema>;

export interface HttpClientOptions {
  /** Base URL of the tool's API, for example `http://prometheus:9090`. */
  baseUrl: string;
  /** Names the tool in error messages, for example `Prometheus`. */
  tool: string;
  auth?: HttpAuth;
  /** Extra headers on every request (tenant ids, org ids). */
  headers?: Record<string, string>;
  /**
   * Attempts for a read that meets 429, 5xx or a network error (default 1). The registry already retries
   * provider reads with backoff and counts failures for the circuit breaker (decision 008); retrying here too
   * would multiply the calls a dead tool receives. Raise it only for a client used outside the registry.
   */
  readAttempts?: number;
  /** First backoff in ms, doubled per attempt with jitter (default 100). */
  backoffMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails PROVIDER_RATE_LIMITED at once (default 2000). */
  maxRetryAfterMs?: number;
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Query parameters; arrays repeat the key (`match[]=a&match[]=b`); undefined values are left out. */
  query?: Record<string, string | number | readonly string[] | undefined>;
  /** JSON body. */
  json?: unknown;
  /** Form body (`application/x-www-form-urlencoded`), for APIs that take long queries by POST. */
  form?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Reads are retried on 429/5xx/network errors; writes never are unless told (they may have happened). */
  retry?: boolean;
  headers?: Record<string, string>;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

/** What to check, by code, in place of the tool's own words. */
const HINTS: Partial<Record<OpsOrchError['code'], string>> = {
  PROVIDER_AUTH_FAILED: ': the credentials configured for it were refused (see the server log for its answer)',
  BAD_USER_INPUT: ': it refused the request (see the server log for its answer)',
  NOT_FOUND: ': not found',
};

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Seconds or an HTTP date, as RFC 9110 allows; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * The tool's own error text from a JSON or text body, shortened (Prometheus `error`, Vault `errors`, Alertmanager
 * strings): for the server log only, since a tool may echo the request's headers in it.
 */
function upstreamMessage(body: string): string {
  let text = body.trim();
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === 'string') text = parsed;
    else if (parsed && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      if (typeof o.error === 'string') text = o.error;
      else if (typeof o.message === 'string') text = o.message;
      else if (Array.isArray(o.errors)) text = o.errors.join('; ');
    }
  } catch {
    // not JSON: keep the text
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * A small JSON-over-HTTP client bound to one tool. Every failure becomes an OpsOrchError: HTTP statuses through
 * `codeForHttpStatus`, unreachable hosts as PROVIDER_UNAVAILABLE, and the caller's abort as itself (the registry
 * turns it into PROVIDER_TIMEOUT). Messages never carry credentials.
 */
export class HttpClient {
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: HttpClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new OpsOrchError('BAD_USER_INPUT', `${options.tool}: "${options.baseUrl}" is not a URL; use for example http://localhost:9090`);
    }
    if (url.username || url.password) {
      throw new OpsOrchError('BAD_USER_INPUT', `${options.tool}: put credentials in "auth", not in the URL`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.headers = { accept: 'application/json', ...options.headers };
    const auth = options.auth;
    if (auth && 'bearerToken' in auth) this.headers.authorization = `Bearer ${auth.bearerToken}`;
    else if (auth) {
      const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
      // The header value is as secret as the password it encodes: scrubbed wherever an upstream echoes it.
      rememberSecret(basic);
      this.headers.authorization = `Basic ${basic}`;
    }
  }

  /** The absolute URL of a path with its query, as sent. */
  url(path: string, query?: HttpRequest['query']): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) params.append(key, v);
      else params.append(key, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  async json<T>(request: HttpRequest): Promise<T> {
    const { text } = await this.send(request);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new OpsOrchError('PROVIDER_UNAVAILABLE', `${this.options.tool} answered ${request.method ?? 'GET'} ${request.path} with something that is not JSON: ${text.slice(0, 120)}`);
    }
  }

  /** Sends one request, retrying reads; answers the status and body text of a 2xx response. */
  async send(request: HttpRequest): Promise<{ status: number; text: string }> {
    const method = request.method ?? 'GET';
    const retry = request.retry ?? method === 'GET';
    const attempts = retry ? Math.max(1, this.options.readAttempts ?? 1) : 1;
    const backoff = this.options.backoffMs ?? 100;
    const what = `${method} ${request.path}`;
    let lastError: OpsOrchError | undefined;
    let retryAfterMs: number | null = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(retryAfterMs ?? backoff * 2 ** (attempt - 2) * (0.5 + Math.random()), request.signal);
      retryAfterMs = null;
      let response: Response;
      try {
        const headers: Record<string, string> = { ...this.headers, ...request.headers };
        let body: string | undefined;
        if (request.json !== undefined) {
          headers['content-type'] = 'application/json';
          body = JSON.stringify(request.json);
        } else if (request.form) {
          headers['content-type'] = 'application/x-www-form-urlencoded';
          body = new URLSearchParams(Object.entries(request.form).filter((e): e is [string, string] => e[1] !== undefined)).toString();
        }
        response = await fetch(this.url(request.path, request.query), { method, headers, body, signal: request.signal });
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason ?? error;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        lastError = new OpsOrchError(
          'PROVIDER_UNAVAILABLE',
          redactSecrets(`cannot reach ${this.options.tool} at ${this.baseUrl} (${what}): ${cause?.code ?? cause?.message ?? (error as Error).message}`),
          { cause: error },
        );
        continue;
      }
      const text = await response.text();
      if (response.ok) return { status: response.status, text };
      const code = codeForHttpStatus(response.status);
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      // The client learns the status and what to check; the tool's words go to the log only (OpsOrchError.detail).
      const message = `${this.options.tool} answered ${response.status} to ${what}${HINTS[code] ?? ''}`;
      const detail = redactSecrets(upstreamMessage(text) || response.statusText);
      lastError = new OpsOrchError(code, message, { detail, ...(retryAfterMs === null ? {} : { retryAfter: Math.ceil(retryAfterMs / 1000) }) });
      if (!RETRY_STATUSES.has(response.status)) throw lastError;
      if (retryAfterMs !== null && retryAfterMs > (this.options.maxRetryAfterMs ?? 2000)) throw lastError;
    }
    throw lastError!;
  }
}
