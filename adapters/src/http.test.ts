import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OpsOrchError } from './errors.ts';
import { HttpClient, parseRetryAfter } from './http.ts';
import { rememberSecret } from './secrets.ts';

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

async function failure(promise: Promise<unknown>): Promise<OpsOrchError> {
  try {
    await promise;
  } catch (error) {
    return error as OpsOrchError;
  }
  throw new Error('expected a failure');
}

describe('HttpClient', () => {
  it('asks once by default: the registry owns retries of provider reads', async () => {
    const server = await scripted([json(503, { error: 'busy' }), json(200, { ok: true })]);
    const error = await failure(new HttpClient({ baseUrl: server.url, tool: 'Tool', backoffMs: 1 }).json({ path: '/x' }));
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(server.seen).toHaveLength(1);
  });

  it('with readAttempts, retries a read on 503 and 429 (honouring Retry-After) and answers the first success', async () => {
    const server = await scripted([json(503, { error: 'busy' }), json(429, { error: 'slow down' }, { 'retry-after': '0' }), json(200, { ok: true })]);
    const client = new HttpClient({ baseUrl: server.url, tool: 'Tool', backoffMs: 1, readAttempts: 3 });
    expect(await client.json({ path: '/x', query: { 'match[]': ['a', 'b'], skip: undefined } })).toEqual({ ok: true });
    expect(server.seen).toHaveLength(3);
    expect(server.seen[0]!.url).toBe('/x?match%5B%5D=a&match%5B%5D=b');
  });

  it('gives up after its attempts with the code of the last status; a long Retry-After fails at once with retryAfter', async () => {
    const down = await scripted([json(502, { error: 'bad gateway' })]);
    const error = await failure(new HttpClient({ baseUrl: down.url, tool: 'Tool', backoffMs: 1, readAttempts: 3 }).json({ path: '/x' }));
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: 'Tool answered 502 to GET /x', detail: 'bad gateway' });
    expect(down.seen).toHaveLength(3);
    await close!();

    const limited = await scripted([json(429, { message: 'quota' }, { 'retry-after': '120' })]);
    const rate = await failure(new HttpClient({ baseUrl: limited.url, tool: 'Tool', readAttempts: 3 }).json({ path: '/x' }));
    expect(rate).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfter: 120 });
    expect(limited.seen).toHaveLength(1);
  });

  it('never retries writes, and maps 4xx through codeForHttpStatus without retrying', async () => {
    const server = await scripted([json(503, 'no')]);
    const client = new HttpClient({ baseUrl: server.url, tool: 'Tool', backoffMs: 1 });
    expect(await failure(client.json({ method: 'POST', path: '/w', json: { a: 1 } }))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]!.body).toBe('{"a":1}');
    await close!();
    for (const [status, code] of [[401, 'PROVIDER_AUTH_FAILED'], [403, 'PROVIDER_AUTH_FAILED'], [404, 'NOT_FOUND'], [400, 'BAD_USER_INPUT']] as const) {
      const s = await scripted([json(status, { error: 'nope' })]);
      expect(await failure(new HttpClient({ baseUrl: s.url, tool: 'Tool' }).json({ path: '/r' }))).toMatchObject({ code });
      expect(s.seen).toHaveLength(1);
      await close!();
    }
    close = null;
  });

  it('sends basic or bearer auth; the error never carries the tool\'s body, and the logged detail has echoed credentials scrubbed', async () => {
    rememberSecret('s3cret-bearer-token');
    const server = await scripted([
      (req, res) => res.writeHead(401).end(`denied for ${req.headers.authorization}`),
      (req, res) => res.writeHead(401).end(`authorization=${encodeURIComponent(String(req.headers.authorization))}`),
    ]);
    const bearer = await failure(new HttpClient({ baseUrl: server.url, tool: 'Tool', auth: { bearerToken: 's3cret-bearer-token' } }).json({ path: '/' }));
    expect(server.seen[0]!.headers.authorization).toBe('Bearer s3cret-bearer-token');
    expect(bearer.message).toBe('Tool answered 401 to GET /: the credentials configured for it were refused (see the server log for its answer)');
    expect(bearer.detail).toBe('denied for Bearer [REDACTED]');
    expect(JSON.stringify(bearer)).not.toContain('denied for');
    const basic = await failure(new HttpClient({ baseUrl: server.url, tool: 'Tool', auth: { username: 'ops', password: 'pw-unknown-to-the-scrubber' } }).json({ path: '/' }));
    const header = `Basic ${Buffer.from('ops:pw-unknown-to-the-scrubber').toString('base64')}`;
    expect(server.seen[1]!.headers.authorization).toBe(header);
    expect(basic.detail).not.toContain(Buffer.from('ops:pw-unknown-to-the-scrubber').toString('base64'));
    expect(basic.detail).not.toContain(encodeURIComponent(header));
  });

  it('an unreachable tool is PROVIDER_UNAVAILABLE naming it; the caller aborting wins over retries', async () => {
    const unreachable = await failure(new HttpClient({ baseUrl: 'http://127.0.0.1:9', tool: 'Tool', backoffMs: 1 }).json({ path: '/' }));
    expect(unreachable).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining('cannot reach Tool at http://127.0.0.1:9') });
    const server = await scripted([json(503, 'no')]);
    const controller = new AbortController();
    const pending = new HttpClient({ baseUrl: server.url, tool: 'Tool', backoffMs: 5_000, readAttempts: 3 }).json({ path: '/', signal: controller.signal });
    setTimeout(() => controller.abort(new Error('request over')), 100);
    await expect(pending).rejects.toThrow('request over');
    expect(server.seen).toHaveLength(1);
  });

  it('refuses credentials in the URL and says where they go', () => {
    expect(() => new HttpClient({ baseUrl: 'http://user:pw@host', tool: 'Tool' })).toThrow('put credentials in "auth"');
    expect(() => new HttpClient({ baseUrl: 'not a url', tool: 'Tool' })).toThrow('is not a URL');
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString(), Date.now())).toBeGreaterThan(8000);
    expect(parseRetryAfter(null)).toBeNull();
  });
});
