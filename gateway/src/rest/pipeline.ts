import { HeaderMap, type ApolloServer } from '@apollo/server';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import type { RequestContext } from '@opsorch/subgraphs';
import type { Security } from '../security/index.ts';

/** A GraphQL answer as the gateway produced it. */
export interface GraphQLAnswer {
  status: number;
  data: Record<string, unknown> | null;
  errors: GraphQLFormattedError[];
}

/** One named operation to run with the request's variables. */
export interface OperationCall {
  document: string;
  operationName: string;
  variables: Record<string, unknown>;
}

/** Writes a refusal of the security layer (GraphQL-shaped: `{message, extensions}`) in the API's own form. */
export type RefusalRenderer = (res: Response, status: number, error: { message: string; extensions?: Record<string, unknown> }) => void;

export interface OperationPipelineOptions {
  security: Security;
  server: ApolloServer<RequestContext>;
  /** The GraphQL context of a request, built exactly as /graphql builds it. */
  context(req: Request, res: Response): Promise<RequestContext> | RequestContext;
  /** Admits a request after its turn, shared with /graphql (src/turns.ts): one that did not wait at the server waits here. */
  turns: RequestHandler;
}

/**
 * The gateway's /graphql pipeline for APIs that are not GraphQL on the wire (REST, the OpsOrch Core routes):
 * the same security middlewares admit the request (request id, authentication, rate limit, body size), and the
 * operation runs through the same Apollo Server (authorization by scope and environment, limits, audit, error
 * formatting), so none of it is implemented twice. Refusals, which the security layer writes GraphQL-shaped,
 * are handed to the API's renderer (problem details, Core's `{code, message}`).
 */
export function createOperationPipeline(options: OperationPipelineOptions) {
  const { security, server } = options;
  const json = express.json({ limit: security.maxBodyBytes });
  // The body stage's error handlers (too large, not JSON, wrong encoding); the persisted-operations check of
  // /graphql is left out: these APIs send only their own generated documents, which are in the manifest.
  const bodyErrors = security.afterBody.filter((handler) => handler.length === 4) as ErrorRequestHandler[];

  /** Express handlers admitting a request as /graphql admits one; refusals go to `render`. */
  function admission(render: RefusalRenderer): (RequestHandler | ErrorRequestHandler)[] {
    const restores = new WeakMap<Response, () => void>();
    const start: RequestHandler = (_req, res, next) => {
      restores.set(res, renderRefusals(res, render));
      next();
    };
    const stop: RequestHandler = (_req, res, next) => {
      restores.get(res)?.();
      next();
    };
    return [start, ...security.beforeBody, json, ...bodyErrors, options.turns, stop];
  }

  /** Runs one operation for the admitted request through Apollo Server, as /graphql would. */
  async function run(req: Request, res: Response, call: OperationCall): Promise<GraphQLAnswer> {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/json');
    headers.delete('content-length');
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: 'POST',
        headers,
        search: '',
        body: { query: call.document, operationName: call.operationName, variables: call.variables },
      },
      context: async () => options.context(req, res),
    });
    let text = '';
    if (response.body.kind === 'complete') text = response.body.string;
    else for await (const chunk of response.body.asyncIterator) text += chunk;
    const body = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: GraphQLFormattedError[] };
    return { status: response.status ?? 200, data: body.data ?? null, errors: body.errors ?? [] };
  }

  return { admission, run };
}

export type OperationPipeline = ReturnType<typeof createOperationPipeline>;

/**
 * Until the returned function is called, a JSON error answer written to `res` (the security layer's refusals)
 * is handed to `render` instead of being sent as it is.
 */
function renderRefusals(res: Response, render: RefusalRenderer): () => void {
  const end = res.end;
  const restore = () => {
    res.end = end;
  };
  res.end = function (this: Response, chunk?: unknown, ...rest: unknown[]) {
    restore();
    if (res.statusCode >= 400 && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
      let error: { message: string; extensions?: Record<string, unknown> } | undefined;
      try {
        error = (JSON.parse(String(chunk)) as { errors?: { message: string; extensions?: Record<string, unknown> }[] }).errors?.[0];
      } catch {
        error = undefined;
      }
      if (error) {
        res.removeHeader('content-length');
        render(res, res.statusCode, error);
        return res;
      }
    }
    return (end as (...args: unknown[]) => Response).call(this, chunk, ...rest);
  } as Response['end'];
  return restore;
}
