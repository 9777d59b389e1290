import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { createTurns, underPath, waitedMs } from './turns.ts';

const request = (destroyed = false) => ({ socket: { destroyed }, headers: {} }) as unknown as Request;
const response = () => Object.assign(new EventEmitter(), { destroyed: false, writableEnded: false }) as unknown as Response;
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('turns', () => {
  it('start requests in arrival order, one per turn of the event loop', async () => {
    const turns = createTurns({ maxWaitMs: () => 30_000 });
    const started: string[] = [];
    for (const name of ['a', 'b', 'c']) turns.middleware(request(), response(), () => started.push(name));
    expect(started).toEqual([]);
    expect(turns.waiting()).toBe(3);
    await turn();
    expect(started).toEqual(['a']);
    await turn();
    await turn();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(turns.waiting()).toBe(0);
  });

  it('do not start a request whose client went away while it waited', async () => {
    const turns = createTurns({ maxWaitMs: () => 30_000 });
    const started: string[] = [];
    const gone = response();
    turns.middleware(request(), gone, () => started.push('gone'));
    turns.middleware(request(true), response(), () => started.push('closed socket'));
    turns.middleware(request(), response(), () => started.push('still here'));
    (gone as { destroyed: boolean }).destroyed = true;
    for (let i = 0; i < 3; i++) await turn();
    expect(started).toEqual(['still here']);
  });

  it('refuse a request that waited past its deadline, and tell the others how long they waited', async () => {
    let clock = 1_000;
    const turns = createTurns({ maxWaitMs: () => 5_000, now: () => clock });
    const sent: { status?: number; headers: Record<string, string>; body?: string } = { headers: {} };
    const refused = Object.assign(new EventEmitter(), {
      destroyed: false,
      writableEnded: false,
      status(code: number) {
        sent.status = code;
        return this;
      },
      setHeader(name: string, value: string) {
        sent.headers[name] = value;
      },
      end(body: string) {
        sent.body = body;
      },
    }) as unknown as Response;
    const started: string[] = [];
    const late = request();
    turns.middleware(late, refused, () => started.push('late'));
    clock += 5_000;
    await turn();
    expect(started).toEqual([]);
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe('1');
    expect(JSON.parse(sent.body!).errors[0]).toMatchObject({
      message: expect.stringMatching(/waited 5000 ms to start, past its deadline of 5000 ms \(OPSORCH_REQUEST_TIMEOUT_MS\)/),
      extensions: { code: 'RATE_LIMITED', reason: 'GATEWAY_BUSY', retryAfter: 1 },
    });
    const prompt = request();
    turns.middleware(prompt, response(), () => started.push('prompt'));
    clock += 1_200;
    await turn();
    expect(started).toEqual(['prompt']);
    expect(waitedMs(prompt)).toBe(1_200);
  });

  it('queue requests to the APIs at the server, before the app sees them, and admit them without a second wait', async () => {
    let clock = 0;
    const turns = createTurns({ maxWaitMs: () => 30_000, now: () => clock });
    const seen: string[] = [];
    const admitted: string[] = [];
    const app = (req: IncomingMessage, res: ServerResponse) => {
      seen.push(req.url!);
      turns.middleware(req as Request, res as Response, () => admitted.push(req.url!));
    };
    const listener = turns.serve(app, (url) => underPath(url, '/graphql'));
    const at = (url: string) => ({ ...request(), url }) as unknown as IncomingMessage;
    const first = at('/graphql');
    listener(first, response() as unknown as ServerResponse);
    listener(at('/healthz'), response() as unknown as ServerResponse);
    listener(at('/graphql?query=%7B__typename%7D'), response() as unknown as ServerResponse);
    // Not queued: the app sees it at once; it waits its turn where it is admitted.
    expect(seen).toEqual(['/healthz']);
    expect(admitted).toEqual([]);
    clock += 40;
    await turn();
    // The first API request: seen and admitted in the same turn, its wait counted from its arrival.
    expect(seen).toEqual(['/healthz', '/graphql']);
    expect(admitted).toEqual(['/graphql']);
    expect(waitedMs(first)).toBe(40);
    await turn();
    await turn();
    expect(seen).toEqual(['/healthz', '/graphql', '/graphql?query=%7B__typename%7D']);
    expect(admitted).toEqual(['/graphql', '/healthz', '/graphql?query=%7B__typename%7D']);
  });

  it("run at most the limit at once: the next request starts when a running one's response closes", async () => {
    const turns = createTurns({ maxWaitMs: () => 30_000, maxRunning: () => 2 });
    const started: string[] = [];
    const responses = new Map<string, Response>();
    for (const name of ['a', 'b', 'c', 'd']) {
      const res = response();
      responses.set(name, res);
      turns.middleware(request(), res, () => started.push(name));
    }
    for (let i = 0; i < 4; i++) await turn();
    expect(started).toEqual(['a', 'b']);
    expect(turns.running()).toBe(2);
    expect(turns.waiting()).toBe(2);
    // Answered, or its client went away: either closes the response and frees its slot.
    responses.get('b')!.emit('close');
    for (let i = 0; i < 3; i++) await turn();
    expect(started).toEqual(['a', 'b', 'c']);
    responses.get('a')!.emit('close');
    responses.get('c')!.emit('close');
    for (let i = 0; i < 3; i++) await turn();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    expect(turns.running()).toBe(1);
    expect(turns.waiting()).toBe(0);
  });

  it('give no slot to a request whose response closed while it waited', async () => {
    const turns = createTurns({ maxWaitMs: () => 30_000, maxRunning: () => 1 });
    const started: string[] = [];
    const gone = response();
    turns.middleware(request(), gone, () => started.push('gone'));
    turns.middleware(request(), response(), () => started.push('still here'));
    (gone as { destroyed: boolean }).destroyed = true;
    gone.emit('close');
    for (let i = 0; i < 3; i++) await turn();
    expect(started).toEqual(['still here']);
    expect(turns.running()).toBe(1);
  });

  it('count a request under a path as Express mounts it', () => {
    expect(underPath('/graphql', '/graphql')).toBe(true);
    expect(underPath('/graphql/', '/graphql')).toBe(true);
    expect(underPath('/graphql?x=1', '/graphql')).toBe(true);
    expect(underPath('/api/v1/incidents', '/api/v1')).toBe(true);
    expect(underPath('/graphqlx', '/graphql')).toBe(false);
    expect(underPath('/', '/graphql')).toBe(false);
  });
});
