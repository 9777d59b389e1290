import { randomUUID } from 'node:crypto';

/** One GraphQL request as the gateway takes it on POST /graphql. */
export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** One GraphQL error as the gateway formats it (codes in `extensions.code`, never stack traces). */
export interface GraphQLErrorLike {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLErrorLike[];
}

/** Who is calling, as the gateway is told on every request. */
export interface Caller {
  /** The MCP client's name; the gateway sees `X-OpsOrch-Actor: agent:<clientName>`. */
  clientName: string;
  /** `Authorization` to pass on (`Bearer ...`): the credential the MCP client presented, or the configured token. */
  authorization?: string;
  /**
   * The person the agent acts for, as `user:<email>`, when no credential says it (the open demo, where the
   * console's chosen person is a label too). Sent as `X-OpsOrch-On-Behalf-Of`; a credential always wins.
   */
  onBehalfOf?: string;
  requestId?: string;
  signal?: AbortSignal;
}

/** Runs a GraphQL operation against the gateway. */
export type GatewayClient = (request: GraphQLRequest, caller: Caller) => Promise<GraphQLResponse>;

/** Thrown when the gateway could not be reached or answered with something that is not GraphQL. */
export class GatewayUnavailableError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GatewayUnavailableError';
  }
}

/** Client names become part of an actor id: keep them short and plain (`Claude Desktop` → `claude-desktop`). */
export function agentName(clientName: string | undefined): string {
  const name = (clientName ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return name || 'mcp-client';
}

export interface HttpGatewayOptions {
  /** The gateway's GraphQL endpoint, for example `http://localhost:4000/graphql`. */
  url: string | (() => string);
  /** Bearer token sent when the caller brings no credential of its own (`opsorch mcp --token`, OPSORCH_TOKEN). */
  token?: string;
  /** Per-call timeout in milliseconds (default 30 s). */
  timeoutMs?: number;
}

/**
 * Talks to the gateway over HTTP exactly as any client does, so authentication, authorization, audit, limits
 * and trusted documents apply to agents too. Every call is marked `agent:<client>`.
 */
export function httpGatewayClient(options: HttpGatewayOptions): GatewayClient {
  const urlOf = typeof options.url === 'function' ? options.url : () => options.url as string;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return async (request, caller) => {
    const url = urlOf();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      'x-opsorch-actor': `agent:${agentName(caller.clientName)}`,
      'x-request-id': caller.requestId ?? randomUUID(),
    };
    const authorization = caller.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
    if (authorization) headers.authorization = authorization;
    if (caller.onBehalfOf) headers['x-opsorch-on-behalf-of'] = caller.onBehalfOf;
    const signals = [AbortSignal.timeout(timeoutMs), ...(caller.signal ? [caller.signal] : [])];
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(request), signal: AbortSignal.any(signals) });
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message;
      throw new GatewayUnavailableError(`The OpsOrch gateway at ${url} could not be reached (${reason}).`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new GatewayUnavailableError(`The OpsOrch gateway answered HTTP ${response.status} without a GraphQL body: ${text.slice(0, 200)}`, response.status);
    }
    if (!body || typeof body !== 'object' || (!('data' in body) && !('errors' in body))) {
      throw new GatewayUnavailableError(`The OpsOrch gateway answered HTTP ${response.status} with something that is not a GraphQL response.`, response.status);
    }
    return body as GraphQLResponse;
  };
}
