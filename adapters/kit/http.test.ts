import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../src/context.ts';
import type { OpsOrchError } from '../src/errors.ts';
import { rememberSecret } from '../src/secrets.ts';
import { HttpClient, parseRetryAfter, rateLimitWaitMs } from './http.ts';

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

/** A server answering each request with the next scripted reply; records what it received. */
async function scripted(replies: ((req: IncomingMessage, res: ServerResponse) => void)[]) {
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    (replies[seen.length - 1] ?? replies.at(-1)!)(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (_: IncomingMessage, res: ServerResponse) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

/** The error a call fails with (and a failure of the test when it succeeds). */
const failure = (promise: Promise<unknown>): Promise<OpsOrchError> =>
  promise.then(
    () => Promise.reject(new Error('expected a failure')),
    (error: OpsOrchError) => error,
  );

/** A logger that keeps what it was told, to check what reaches the log and what reaches the client. */
function recording(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = { ...silentLogger, lines, warn: (obj: object | string, msg?: string) => void lines.push(JSON.stringify([obj, msg])), child: () => logger };
  return logger;
}

describe('HttpClient (the kit)', () => {
  it('asks once, whatever the status: the registry owns retries (decision 011)', async () => {
    const server = await scripted([json(503, { error: 'busy' }), json(200, { ok: true })]);
    const error = await failure(new HttpClient({ baseUrl: server.url, tool: 'Tool' }).json({ path: '/x', query: { 'match[]': ['a', 'b'], skip: undefined } }));
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: 'Tool answered 503 to GET /x' });
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]!.url).toBe('/x?match%5B%5D=a&match%5B%5D=b');
  });

  it('maps vendor statuses to the schema codes; writes send their JSON body', async () => {
    for (const [status, code] of [[401, 'PROVIDER_AUTH_FAILED'], [403, 'PROVIDER_AUTH_FAILED'], [404, 'NOT_FOUND'], [400, 'BAD_USER_INPUT'], [500, 'PROVIDER_UNAVAILABLE'], [502, 'PROVIDER_UNAVAILABLE']] as const) {
      const s = await scripted([json(status, { error: 'nope' })]);
      expect(await failure(new HttpClient({ baseUrl: s.url, tool: 'Tool' }).json({ method: 'POST', path: '/w', json: { a: 1 } }))).toMatchObject({ code });
      expect(s.seen).toHaveLength(1);
      expect(s.seen[0]!.body).toBe('{"a":1}');
      await close!();
    }
    close = null;
  });

  it('surfaces rate limits as PROVIDER_RATE_LIMITED with retryAfter: Retry-After, and an exhausted x-ratelimit budget on 403', async () => {
    const limited = await scripted([json(429, { message: 'quota' }, { 'retry-after': '120' })]);
    expect(await failure(new HttpClient({ baseUrl: limited.url, tool: 'Tool' }).json({ path: '/x' }))).toMatchObject({
      code: 'PROVIDER_RATE_LIMITED',
      retryAfter: 120,
      message: 'Tool answered 429 to GET /x; retry after 120 s',
    });
    await close!();
    // GitHub: 403 with the primary budget spent, reset as epoch seconds.
    const reset = Math.floor(Date.now() / 1000) + 30;
    const github = await scripted([json(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) })]);
    const spent = await failure(new HttpClient({ baseUrl: github.url, tool: 'GitHub' }).json({ path: '/repos/a/b/issues' }));
    expect(spent.code).toBe('PROVIDER_RATE_LIMITED');
    expect(spent.retryAfter).toBeGreaterThanOrEqual(29);
    expect(spent.retryAfter).toBeLessThanOrEqual(31);
    // Datadog: the reset is seconds from now.
    expect(rateLimitWaitMs(new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '7' }))).toBe(7000);
    // A 403 with budget left is a credential problem.
    expect(rateLimitWaitMs(new Headers({ 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '7' }))).toBeNull();
  });

  it('sends basic or bearer auth; neither a credential nor the tool\'s answer reaches the error, the answer is logged scrubbed', async () => {
    rememberSecret('s3cret-bearer-token');
    const server = await scripted([
      (req, res) => res.writeHead(401).end(`denied for ${req.headers.authorization}`),
      (req, res) => res.writeHead(401).end(`authorization=${encodeURIComponent(String(req.headers.authorization))}`),
    ]);
    const logger = recording();
    const bearer = await failure(new HttpClient({ baseUrl: server.url, tool: 'Tool', auth: { bearerToken: 's3cret-bearer-token' }, logger }).json({ path: '/me' }));
    expect(server.seen[0]!.headers.authorization).toBe('Bearer s3cret-bearer-token');
    expect(bearer.message).toBe('Tool answered 401 to GET /me: the credentials configured for it were refused (see the server log for its answer)');
    expect(bearer.detail).toBe('denied for Bearer [REDACTED]');
    expect(JSON.stringify(bearer)).not.toContain('denied for');
    expect(logger.lines.join('\n')).toContain('denied for Bearer [REDACTED]');
    expect(logger.lines.join('\n')).not.toContain('s3cret-bearer-token');
    // A Basic header is as secret as its password, in every form a tool may echo it.
    const basic = await failure(new HttpClient({ baseUrl: server.url, tool: 'Tool', auth: { username: 'ops', password: 'pw-unknown-to-the-scrubber' } }).json({ path: '/' }));
    const header = `Basic ${Buffer.from('ops:pw-unknown-to-the-scrubber').toString('base64')}`;
    expect(server.seen[1]!.headers.authorization).toBe(header);
    expect(basic.detail).not.toContain(Buffer.from('ops:pw-unknown-to-the-scrubber').toString('base64'));
    expect(basic.detail).not.toContain(encodeURIComponent(header));
  });

  it('never shows a query string in a message, and follows Link URLs only on its own origin', async () => {
    const server = await scripted([json(404, {}), json(200, { page: 2 })]);
    const client = new HttpClient({ baseUrl: server.url, tool: 'Tool' });
    const missing = await failure(client.json({ path: '/items', query: { token: 'abc-query-token' } }));
    expect(missing.message).toBe('Tool answered 404 to GET /items: not found');
    expect(await client.json({ path: `${server.url}/items?page=2&per_page=50` })).toEqual({ page: 2 });
    expect(server.seen[1]!.url).toBe('/items?page=2&per_page=50');
    expect(() => client.url('https://elsewhere.example/items')).toThrow('OpsOrch only follows links on');
  });

  it('an unreachable tool is PROVIDER_UNAVAILABLE naming it; the deadline firing answers its own reason', async () => {
    const unreachable = await failure(new HttpClient({ baseUrl: 'http://127.0.0.1:9', tool: 'Tool' }).json({ path: '/' }));
    expect(unreachable).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining('cannot reach Tool at http://127.0.0.1:9') });
    const server = await scripted([(_req, res) => setTimeout(() => res.writeHead(200).end('{}'), 5_000)]);
    const controller = new AbortController();
    const pending = new HttpClient({ baseUrl: server.url, tool: 'Tool' }).json({ path: '/', signal: controller.signal });
    setTimeout(() => controller.abort(new Error('deadline passed')), 100);
    await expect(pending).rejects.toThrow('deadline passed');
  });

  it('refuses credentials or a query string in the base URL and says where they go', () => {
    expect(() => new HttpClient({ baseUrl: 'http://user:pw@host', tool: 'Tool' })).toThrow('put credentials in "auth"');
    expect(() => new HttpClient({ baseUrl: 'http://host/?token=x', tool: 'Tool' })).toThrow('must not carry a query string');
    expect(() => new HttpClient({ baseUrl: 'not a url', tool: 'Tool' })).toThrow('is not a URL');
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString(), Date.now())).toBeGreaterThan(8000);
    expect(parseRetryAfter(null)).toBeNull();
  });
});
