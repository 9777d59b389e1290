// The gateway's own answer to every request that failed outside GraphQL (a body that cannot be decoded, an asset
// that is missing or outside its folder, an unknown path, a bug): a status, a short message and the request id,
// never a stack trace, a file path or what a library put in its error.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { redactSecrets, type Logger } from '@opsorch/adapters';
import { requestIdOf } from './observability/request-scope.ts';

const MESSAGES: Record<number, string> = {
  400: 'The request could not be read.',
  403: 'That path is not served.',
  404: 'Nothing is served at this path.',
  405: 'That method is not allowed here.',
  413: 'The request body is too large.',
  415: 'The request body is in an encoding OpsOrch does not read.',
};
const INTERNAL = 'Internal error in OpsOrch; it has been logged with the request id.';

function statusOf(error: unknown): number {
  const status = Number((error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode);
  return Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function answer(req: Request, res: Response, status: number, message: string): void {
  const requestId = String(res.getHeader('x-request-id') ?? '');
  res.status(status).setHeader('cache-control', 'no-store');
  const wantsHtml = !req.path.startsWith('/graphql') && !req.path.startsWith('/mcp') && (req.headers.accept ?? '').includes('text/html');
  if (wantsHtml) {
    res
      .type('html')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>OpsOrch — ${status}</title></head>` +
          `<body style="font:14px system-ui,sans-serif;margin:3rem"><h1>${status}</h1><p>${escapeHtml(message)}</p>` +
          `<p><small>Request id ${escapeHtml(requestId)}</small></p><p><a href="/">OpsOrch</a></p></body></html>`,
      );
    return;
  }
  const code = status === 404 ? 'NOT_FOUND' : status === 403 ? 'FORBIDDEN' : status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL';
  res.json({ errors: [{ message, extensions: { code, requestId } }] });
}

/** Last handler for paths nobody serves. */
export function notFoundPage(): RequestHandler {
  return (req, res) => answer(req, res, 404, MESSAGES[404]!);
}

/** Last error handler of the app: the product's own error page or GraphQL-shaped error, logged by request id. */
export function errorPages(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = statusOf(error);
    const detail = redactSecrets(String((error as Error | null)?.message ?? error));
    const line = { err: detail, path: req.path, status, requestId: requestIdOf(req) };
    if (status >= 500) logger.error(line, 'request failed');
    else logger.info(line, 'request refused');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    answer(req, res, status, MESSAGES[status] ?? (status >= 500 ? INTERNAL : MESSAGES[400]!));
  };
}
