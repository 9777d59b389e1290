import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { clockKey } from '@opsorch/adapters';
import type { RequestContext } from '@opsorch/subgraphs';
import { injectTraceContext } from './observability/index.ts';
import { ENVIRONMENT_DENIALS_EXTENSION, FORWARDED_HEADERS } from './request-context.ts';
import { operationHash } from './security/gateway-token.ts';
import type { Security } from './security/index.ts';

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

  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly security: Security,
    private readonly onShared?: (shared: boolean) => void,
  ) {
    // Node's own fetch (undici: pooled keep-alive connections) instead of Apollo's default make-fetch-happen,
    // whose agent reads an Error's stack on every request to tell http from https (decision 021).
    // Apollo sends its JSON body as a string, which RequestInit takes.
    super({ url, fetcher: (target, init) => fetch(target, init as RequestInit) });
  }

  override async process(options: GraphQLDataSourceProcessOptions<RequestContext>): Promise<Response> {
    const context = options.context as RequestContext | undefined;
    const key = this.sharingKey(options);
    if (key === null) {
      const response = await super.process(options);
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
