import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { clockKey, OpsOrchError, type Logger } from '@opsorch/adapters';
import type { RequestContext } from '@opsorch/subgraphs';
import { injectTraceContext } from './observability/index.ts';
import { ENVIRONMENT_DENIALS_EXTENSION, FORWARDED_HEADERS } from './request-context.ts';
import { operationHash } from './security/gateway-token.ts';
import type { Security } from './security/index.ts';
import { SubgraphFetchError, type SubgraphFetcher } from './subgraph-fetcher.ts';

type Response = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

/** A query fetch on its way to the subgraph, which identical fetches made meanwhile wait for. */
interface InFlight {
  response: Promise<Response>;
  /** The answer's JSON text: every other caller gets its own parse of it. */
  text?: string;
  /** The objects the subgraph hid for their environment, handed to every caller's audit. */
  denials?: unknown[];
}

/** The objects the subgraph hid for their environment, taken out of the answer (the client never sees them). */
function takeDenials(response: Response): unknown[] | undefined {
  const denials = response.extensions?.[ENVIRONMENT_DENIALS_EXTENSION];
  if (response.extensions) delete response.extensions[ENVIRONMENT_DENIALS_EXTENSION];
  return Array.isArray(denials) ? denials : undefined;
}

/** Content types of a JSON answer, as @apollo/gateway reads them. */
const isJson = (type: string | null) => type !== null && (type.startsWith('application/json') || type.startsWith('application/graphql-response+json'));

/** A subgraph operation that only reads: queries, entity fetches included (the planner writes `query` or `{`). */
const READ_OPERATION = /^\s*(?:query\b|\{)/;

/**
 * Sends a subgraph running in another process the request's identity, time, scopes and environments, signed
 * (security/gateway-token.ts): the subgraph trusts nothing else. Objects the subgraph hid from the caller for
 * their environment come back in a response extension, so the gateway's audit log records them.
 *
 * Identical read fetches in flight are sent once (decision 021): when many clients ask the same thing at once
 * (a dashboard on every on-call screen), the gateway asks each subgraph once and hands each caller its own copy
 * of the answer. Identical means the same operation text and variables for the same signed identity: actor,
 * acting agent, scopes, environments and clock (live, or the same pinned instant), so no answer crosses from one
 * caller to another. Writes are never shared.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<RequestContext> {
  private readonly inFlight = new Map<string, InFlight>();
  /** Answers' JSON texts by their HTTP response, from `parseBody` until `process` takes them for the sharers. */
  private readonly texts = new WeakMap<object, string>();

  /** Whether the last fetch failed: the log says when a subgraph stops answering and when it is back, not every failure. */
  private failing = false;

  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly security: Security,
    /** Pooled keep-alive connections (subgraph-fetcher.ts, decision 038), not Apollo's default make-fetch-happen. */
    fetcher: SubgraphFetcher,
    private readonly logger: Logger,
    private readonly onShared?: (shared: boolean) => void,
  ) {
    super({ url, fetcher });
  }

  /**
   * A subgraph that did not answer, or answered with an HTTP error, is that capability's outage: the client gets
   * the code and a message that says what to check, never the subgraph's address or body; the log gets both.
   */
  override didEncounterError(error: Error, _request: unknown, response?: { ok: boolean; status: number }): never {
    let failure: OpsOrchError;
    const capability = this.subgraph;
    if (error instanceof SubgraphFetchError) {
      failure =
        error.code === 'ETIMEDOUT'
          ? new OpsOrchError('PROVIDER_TIMEOUT', `The ${capability} subgraph did not answer: ${error.message}.`, { capability, reason: 'SUBGRAPH_TIMEOUT' })
          : new OpsOrchError(
              'PROVIDER_UNAVAILABLE',
              `The ${capability} subgraph is unreachable (${error.code}): check that \`opsorch subgraph ${capability}\` runs at its address in OPSORCH_SUBGRAPH_URLS.`,
              { capability, reason: 'SUBGRAPH_UNREACHABLE' },
            );
    } else if (response && !response.ok) {
      failure =
        response.status === 401 || response.status === 403
          ? new OpsOrchError(
              'PROVIDER_AUTH_FAILED',
              `The ${capability} subgraph refused the gateway's request (HTTP ${response.status}): the gateway and the subgraph must share gateway.subgraphs.signingKey.`,
              { capability, reason: 'SUBGRAPH_REFUSED' },
            )
          : new OpsOrchError('PROVIDER_UNAVAILABLE', `The ${capability} subgraph answered HTTP ${response.status}.`, { capability, reason: 'SUBGRAPH_HTTP_ERROR' });
    } else throw error;
    if (!this.failing) {
      this.failing = true;
      this.logger.warn({ subgraph: capability, url: this.address(), code: failure.code, status: response?.status, err: error.message }, 'subgraph stopped answering');
    }
    throw failure;
  }

  /** Called with every answer that came back: logs the subgraph's return after a failure. */
  private answered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.info({ subgraph: this.subgraph, url: this.address() }, 'subgraph answers again');
  }

  /** The subgraph's URL without credentials, for the log. */
  private address(): string {
    try {
      const url = new URL(this.url);
      return `${url.protocol}//${url.host}${url.pathname}`;
    } catch {
      return '(invalid URL)';
    }
  }

  override async process(options: GraphQLDataSourceProcessOptions<RequestContext>): Promise<Response> {
    const context = options.context as RequestContext | undefined;
    const key = this.sharingKey(options);
    if (key === null) {
      const response = await super.process(options);
      this.answered();
      this.takeText(response);
      this.report(takeDenials(response), context);
      return response;
    }
    const existing = this.inFlight.get(key);
    if (existing) {
      this.onShared?.(true);
      const { http, ...answer } = await existing.response;
      this.report(existing.denials, context);
      // Each caller gets its own copy, parsed again from the answer's text (cheaper than cloning the parsed answer):
      // the gateway merges later fetches into the objects of this answer. The HTTP response is shared as it is.
      const copy = existing.text === undefined ? structuredClone(answer) : (JSON.parse(existing.text) as Response);
      takeDenials(copy);
      return http ? { ...copy, http } : copy;
    }
    this.onShared?.(false);
    const flight: InFlight = {
      // Text and denials are taken before any caller resumes, so every caller sees the answer without them.
      response: super.process(options).then((response) => {
        this.answered();
        flight.text = this.takeText(response);
        flight.denials = takeDenials(response);
        return response;
      }),
    };
    this.inFlight.set(key, flight);
    try {
      const response = await flight.response;
      this.report(flight.denials, context);
      return response;
    } finally {
      if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
    }
  }

  /** What makes two fetches identical; null for a write, or a fetch without a request's identity. */
  private sharingKey({ request, context }: GraphQLDataSourceProcessOptions<RequestContext>): string | null {
    if (!context?.provider || !READ_OPERATION.test(request.query ?? '')) return null;
    const identity = this.security.subgraphClaims(context as RequestContext);
    // The variables as they go over the wire (@apollo/gateway sends them through JSON.stringify), so two fetches
    // share only when the subgraph would get the same request; the claims are built in one order every time.
    let variables: string;
    try {
      variables = JSON.stringify(request.variables ?? {});
    } catch {
      return null;
    }
    const scope = JSON.stringify({ ...identity, requestId: null, now: clockKey(identity.now) });
    return `${scope}\u0000${request.operationName ?? ''}\u0000${request.query}\u0000${variables}`;
  }

  /**
   * As @apollo/gateway parses an answer, keeping its JSON text until `process` takes it: callers sharing the
   * fetch each parse their own copy from it.
   */
  override async parseBody(fetchResponse: Parameters<RemoteGraphQLDataSource['parseBody']>[0]): Promise<object | string> {
    if (!isJson(fetchResponse.headers.get('Content-Type'))) return fetchResponse.text();
    const text = await fetchResponse.text();
    const body = JSON.parse(text) as object;
    this.texts.set(fetchResponse, text);
    return body;
  }

  /** The JSON text `parseBody` kept for this answer, no longer kept. */
  private takeText(response: Response): string | undefined {
    if (!response.http) return undefined;
    const text = this.texts.get(response.http);
    this.texts.delete(response.http);
    return text;
  }

  private report(denials: unknown[] | undefined, context: RequestContext | undefined) {
    if (!denials || !context?.provider?.onEnvironmentDenied) return;
    for (const denial of denials) context.provider.onEnvironmentDenied(denial as never);
  }

  override async willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<RequestContext>['willSendRequest']>>[0]) {
    const headers = request.http?.headers;
    if (!headers || !context?.provider) return;
    const token = await this.security.subgraphToken(this.subgraph, context as RequestContext, operationHash(request.query, request.variables));
    if (token) headers.set(FORWARDED_HEADERS.gatewayToken, token);
    else {
      // `gateway.subgraphs.trust: network`: the subgraph reads these headers (another router's convention).
      headers.set(FORWARDED_HEADERS.requestId, context.provider.requestId);
      headers.set(FORWARDED_HEADERS.actor, `${context.provider.actor.kind}:${context.provider.actor.id}`);
      headers.set(FORWARDED_HEADERS.now, context.provider.now.toISOString());
      if (context.provider.environment) headers.set(FORWARDED_HEADERS.environment, context.provider.environment);
    }
    injectTraceContext(headers);
  }
}
