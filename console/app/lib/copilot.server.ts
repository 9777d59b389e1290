// The copilot panel's way to the copilot: its API on the same gateway (/copilot), called from the console's
// server with the same person and credential as every GraphQL call (apiHeaders), never from the browser.
import type { AppLoadContext } from '@remix-run/node';
import { apiHeaders, graphqlUrlOf } from './api.server.ts';

/** Largest JSON body the panel forwards (a question, an approval). */
const MAX_BODY = 16_000;

function copilotUrl(context: AppLoadContext, path: string): string {
  return new URL(`/copilot${path}`, graphqlUrlOf(context)).toString();
}

/**
 * Forwards one call to the copilot's API and hands its answer back as is (status, JSON or an event stream).
 * The browser's disconnect reaches the copilot through `request.signal`, so a closed panel stops watching.
 */
export async function copilotFetch(request: Request, context: AppLoadContext, path: string, init: { method?: string; body?: unknown; eventStream?: boolean } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(await apiHeaders(request, context)) };
  let body: string | undefined;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    if (body.length > MAX_BODY) return Response.json({ error: { code: 'BAD_USER_INPUT', message: 'The request is too large.' } }, { status: 413 });
    headers['content-type'] = 'application/json';
  }
  if (init.eventStream) {
    headers.accept = 'text/event-stream';
    const lastEventId = request.headers.get('last-event-id');
    if (lastEventId) headers['last-event-id'] = lastEventId;
  }
  let upstream: Response;
  try {
    upstream = await fetch(copilotUrl(context, path), { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, signal: request.signal });
  } catch (error) {
    if (request.signal.aborted) return new Response(null, { status: 499 });
    return Response.json({ error: { code: 'UNAVAILABLE', message: `The copilot did not answer: ${(error as Error).message}` } }, { status: 503 });
  }
  const type = upstream.headers.get('content-type') ?? 'application/json';
  // no-transform: the console's compression must not buffer a stream of events.
  return new Response(upstream.body, { status: upstream.status, headers: { 'content-type': type, 'cache-control': 'no-cache, no-transform' } });
}

/** The JSON body the panel sent, or an empty object. */
export async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.length > MAX_BODY) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
