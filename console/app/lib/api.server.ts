// The console's only way to the OpsOrch API: urql on the server, for loaders and actions alike, so first
// paint needs no client fetch and writes work without JavaScript.
import { Client, fetchExchange, type CombinedError, type AnyVariables, type TypedDocumentNode } from '@urql/core';
import type { AppLoadContext } from '@remix-run/node';
import { actorFromRequest } from './session.server.ts';
import type { ApiProblem } from './problems.ts';
import { CatalogChoicesDocument } from '../graphql/generated.ts';

/** Where the API answers when the console runs outside the gateway (vite dev): OPSORCH_GRAPHQL_URL. */
const DEFAULT_GRAPHQL_URL = process.env.OPSORCH_GRAPHQL_URL ?? 'http://127.0.0.1:4000/graphql';

/** What the gateway hands every console request (see server/index.ts). */
export interface ConsoleLoadContext {
  graphqlUrl: string;
  graphiqlUrl: string;
}

export function graphqlUrlOf(context: AppLoadContext): string {
  return (context as Partial<ConsoleLoadContext>).graphqlUrl ?? DEFAULT_GRAPHQL_URL;
}

export function graphiqlUrlOf(context: AppLoadContext): string {
  return (context as Partial<ConsoleLoadContext>).graphiqlUrl ?? '/graphql';
}

/** One answer: the data that arrived and every problem beside it (GraphQL errors, failed providers). */
export interface ApiResult<T> {
  data: T | undefined;
  problems: ApiProblem[];
}

function problemsOf(error: CombinedError | undefined): ApiProblem[] {
  if (!error) return [];
  if (error.networkError && !error.graphQLErrors.length) {
    // The error boundary says so instead of a blank page (a thrown Error would be masked in production).
    throw new Response(`The OpsOrch API did not answer: ${error.networkError.message}`, {
      status: 503,
      statusText: 'OpsOrch API unreachable',
    });
  }
  return error.graphQLErrors.map((e) => {
    const ext = (e.extensions ?? {}) as Record<string, unknown>;
    return {
      message: e.message,
      code: typeof ext.code === 'string' ? ext.code : undefined,
      capability: typeof ext.capability === 'string' ? ext.capability : undefined,
      provider: typeof ext.provider === 'string' ? ext.provider : undefined,
      path: e.path?.map(String),
    };
  });
}

/**
 * A urql client for one console request: it POSTs (Apollo's CSRF guard answers 400 to simple GETs) and says
 * who is acting, so timeline entries and audit name the person at the keyboard.
 */
export async function apiClient(request: Request, context: AppLoadContext): Promise<Client> {
  const actor = await actorFromRequest(request);
  const headers: Record<string, string> = {};
  if (actor) headers['x-opsorch-actor'] = `user:${actor}`;
  // Credentials: the browser's own bearer token when it sent one (a proxy in front may add it), else the
  // console's API key from OPSORCH_CONSOLE_API_KEY when the gateway requires one.
  const authorization = request.headers.get('authorization') ?? (process.env.OPSORCH_CONSOLE_API_KEY ? `Bearer ${process.env.OPSORCH_CONSOLE_API_KEY}` : null);
  if (authorization) headers.authorization = authorization;
  const requestId = request.headers.get('x-request-id');
  if (requestId) headers['x-request-id'] = requestId;
  return new Client({
    url: graphqlUrlOf(context),
    exchanges: [fetchExchange],
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: { headers, signal: request.signal },
  });
}

export async function query<Data, Variables extends AnyVariables>(
  request: Request,
  context: AppLoadContext,
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<ApiResult<Data>> {
  const result = await (await apiClient(request, context)).query(document, variables).toPromise();
  return { data: result.data ?? undefined, problems: problemsOf(result.error) };
}

export async function mutate<Data, Variables extends AnyVariables>(
  request: Request,
  context: AppLoadContext,
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<ApiResult<Data>> {
  const result = await (await apiClient(request, context)).mutation(document, variables).toPromise();
  return { data: result.data ?? undefined, problems: problemsOf(result.error) };
}

/** A new idempotency key for a form: submitting the same rendered form twice writes once. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** The services and teams the list pages' filter selects offer; empty lists when the catalog fails (the list itself still shows). */
export async function catalogChoices(request: Request, context: AppLoadContext) {
  const choices = await query(request, context, CatalogChoicesDocument, {});
  return { services: choices.data?.services?.nodes ?? [], teams: choices.data?.teams?.nodes ?? [] };
}
