import type { Request, Response } from 'express';

/**
 * Codes of refusals the gateway answers before GraphQL runs. UNAUTHENTICATED and FORBIDDEN are OpsOrch's
 * own; RATE_LIMITED (HTTP 429) only ever comes from the gateway, never from inside `data`. Limits that
 * the caller fixes by changing the request are BAD_USER_INPUT with a `reason`.
 */
export type RefusalCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'RATE_LIMITED' | 'BAD_USER_INPUT';

/** Answers a refused request with a GraphQL-shaped JSON body, as a client of /graphql expects. */
export function sendRefusal(
  req: Request,
  res: Response,
  status: number,
  code: RefusalCode,
  message: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  const accept = req.headers.accept ?? '';
  const type = accept.includes('application/graphql-response+json') ? 'application/graphql-response+json' : 'application/json';
  res.status(status);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-type', `${type}; charset=utf-8`);
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] }));
}
