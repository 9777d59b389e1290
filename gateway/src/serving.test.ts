import { EventEmitter, once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { createHardenedServer, requestAbandon, servingSettingsFrom } from './serving.ts';

describe('requestAbandon', () => {
  it('counts the time the request waited for its turn, and names the whole deadline when it passes', async () => {
    const res = Object.assign(new EventEmitter(), { writableFinished: false }) as unknown as ServerResponse;
    const signal = requestAbandon(res, 10_000, undefined, 9_990).signal;
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    expect((signal.reason as Error).message).toMatch(/ran past its deadline of 10000 ms \(OPSORCH_REQUEST_TIMEOUT_MS\)/);
  });

  it('is abandoned when the client leaves before the answer is sent, and not when it leaves after', () => {
    const leaving = Object.assign(new EventEmitter(), { writableFinished: false }) as unknown as ServerResponse;
    const left = requestAbandon(leaving, 10_000);
    const answered = Object.assign(new EventEmitter(), { writableFinished: true }) as unknown as ServerResponse;
    const done = requestAbandon(answered, 10_000);
    leaving.emit('close');
    answered.emit('close');
    expect(left.aborted).toBe(true);
    expect((left.reason as Error).message).toBe('client disconnected');
    expect(left.signal.aborted).toBe(true);
    expect(done.aborted).toBe(false);
  });
});

describe('createHardenedServer', () => {
  it("makes requests and responses with the app's prototypes, so Express need not change them, and Express works as before", async () => {
    const app = express();
    app.get('/echo', (req, res) => {
      res.locals.seen = req.get('x-probe');
      res.status(201).json({ query: req.query, app: req.app === app, probe: res.locals.seen, hostname: req.hostname });
    });
    const server = createHardenedServer(app, servingSettingsFrom({}).http, createLogger('silent'));
    // Before Express sees them: what Node's HTTP server made.
    const born: { request: boolean; response: boolean }[] = [];
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      born.push({ request: Object.getPrototypeOf(req) === app.request, response: Object.getPrototypeOf(res) === app.response });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/echo?first=2`, { headers: { 'x-probe': 'yes' } });
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ query: { first: '2' }, app: true, probe: 'yes', hostname: '127.0.0.1' });
      expect(born).toEqual([{ request: true, response: true }]);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
