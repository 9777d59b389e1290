// The console's only way to the OpsOrch API: urql on the server, for loaders and actions alike, so first
// paint needs no client fetch and writes work without JavaScript.
import { Client, fetchExchange, type CombinedError, type AnyVariables, type TypedDocumentNode } from '@urql/core';
import { redirectDocument, type AppLoadContext } from '@remix-run/node';
import type { ConsoleAccess, ConsoleLoadContext } from './context.ts';
import { actorFromRequest } from './session.server.ts';
import type { ApiProblem } from './problems.ts';
import { CatalogChoicesDocument } from '../graphql/generated.ts';

/** Where the API answers when the console runs outside the gateway (vite dev): OPSORCH_GRAPHQL_URL. */
const DEFAULT_GRAPHQL_URL = process.env.OPSORCH_GRAPHQL_URL ?? 'http://127.0.0.1:4000/graphql';

export function graphqlUrlOf(context: AppLoadContext): string {
  return (context as Partial<ConsoleLoadContext>).graphqlUrl ?? DEFAULT_GRAPHQL_URL;
}

export function graphiqlUrlOf(context: AppLoadContext): string {
  return (context as Partial<ConsoleLoadContext>).graphiqlUrl ?? '/graphql';
}

/** How this request reaches the API; outside the gateway (vite dev) the console acts anonymously. */
export function accessOf(context: AppLoadContext): ConsoleAccess {
  return (context as Partial<ConsoleLoadContext>).access ?? { mode: 'open' };
}

/** The page a person was on, for coming back to it after signing in (Remix's own `_data`/`index` parameters left out). */
function pageOf(request: Request): string {
  const url = new URL(request.url);
  url.searchParams.delete('_data');
  url.searchParams.delete('index');
  return url.pathname + url.search;
}

/**
 * With sign-in configured, a request without a signed-in person (never signed in, or the session ended)
 * goes to the identity provider and comes back to the same page. A full document navigation: sign-in
 * happens outside Remix.
 */
export function requireSignedIn(request: Request, context: AppLoadContext): void {
  const access = accessOf(context);
  if (access.mode === 'sign-in' && !access.person) throw redirectDocument(access.signInUrl(pageOf(request)));
}

/** One answer: the data that arrived and every problem beside it (GraphQL errors, failed providers). */
export interface ApiResult<T> {
  data: T | undefined;
  problems: ApiProblem[];
}

function problemsOf(request: Request, context: AppLoadContext, error: CombinedError | undefined): ApiProblem[] {
  if (!error) return [];
  // The gateway refused the person's token (revoked, or expired despite the refresh): sign in again.
  const access = accessOf(context);
  if (access.mode === 'sign-in' && error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
    throw redirectDocument(access.signInUrl(pageOf(request)));
  }
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

/** The credential and actor of an API call on behalf of whoever made `request`. */
async function credentialHeaders(request: Request, context: AppLoadContext): Promise<Record<string, string>> {
  const access = accessOf(context);
  switch (access.mode) {
    case 'sign-in':
      requireSignedIn(request, context);
      // The person's own token: the gateway takes their identity, scopes and environments from it.
      return { authorization: `Bearer ${access.bearer}` };
    case 'kiosk':
      return { authorization: `Bearer ${access.bearer}` };
    case 'open': {
      const headers: Record<string, string> = {};
      const actor = await actorFromRequest(request);
      if (actor) headers['x-opsorch-actor'] = `user:${actor}`;
      // A proxy in front (oauth2-proxy...) may add the person's bearer token itself.
      const authorization = request.headers.get('authorization');
      if (authorization) headers.authorization = authorization;
      return headers;
    }
  }
}

/**
 * Who the console acts as and with which credential, for every call it makes to the gateway (GraphQL and the
 * copilot alike).
 */
export async function apiHeaders(request: Request, context: AppLoadContext): Promise<Record<string, string>> {
  const headers = await credentialHeaders(request, context);
  const requestId = request.headers.get('x-request-id');
  if (requestId) headers['x-request-id'] = requestId;
  return headers;
}

/**
 * A urql client for one console request: it POSTs (Apollo's CSRF guard answers 400 to simple GETs) and says
 * who is acting, so timeline entries and audit name the person at the keyboard.
 */
export async function apiClient(request: Request, context: AppLoadContext): Promise<Client> {
  const headers = await apiHeaders(request, context);
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
  return { data: result.data ?? undefined, problems: problemsOf(request, context, result.error) };
}

export async function mutate<Data, Variables extends AnyVariables>(
  request: Request,
  context: AppLoadContext,
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<ApiResult<Data>> {
  const result = await (await apiClient(request, context)).mutation(document, variables).toPromise();
  return { data: result.data ?? undefined, problems: problemsOf(request, context, result.error) };
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
