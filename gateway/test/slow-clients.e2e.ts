// Hundreds of slow sockets (slowloris: headers or a body a byte at a time) must not starve other clients:
// the server cuts them at its header and body timeouts, and refuses a client's connections past its limit.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { gql, startTestGateway } from './harness.ts';
import { openSlowSocket, openSlowSockets, type SlowSocket } from './slow-clients.ts';

describe('slow and abusive clients', () => {
  let gateway: RunningGateway;
  const open: SlowSocket[] = [];
  beforeAll(async () => {
    gateway = await startTestGateway({
      env: {
        OPSORCH_HTTP_HEADERS_TIMEOUT_MS: '2000',
        OPSORCH_HTTP_REQUEST_TIMEOUT_MS: '3000',
        OPSORCH_HTTP_MAX_CONNECTIONS_PER_CLIENT: '60',
        OPSORCH_AUDIT_SINKS: 'off',
      },
    });
  });
  afterAll(async () => {
    for (const socket of open) socket.stop();
    await gateway?.close();
  });

  it('answers a normal client while 300 slow sockets are open, and cuts them at the header and body timeouts', async () => {
    const attackers = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];
    open.push(...(await openSlowSockets(gateway.port, 300, attackers)));
    expect(open.filter((s) => s.closedByServer)).toHaveLength(0);

    const answer = await gql(gateway.url, '{ services(first: 3) { nodes { id } } }');
    expect(answer.status).toBe(200);
    expect(answer.data.services.nodes).toHaveLength(3);

    // Headers must arrive within 2 s, the whole request within 3 s: every slow socket is closed, with a 408.
    await vi.waitFor(() => expect(open.filter((s) => !s.closedByServer)).toHaveLength(0), { timeout: 15_000, interval: 200 });
    expect(open.filter((s) => s.answer.startsWith('HTTP/1.1 408')).length).toBeGreaterThan(0);
  });

  it('refuses a client’s connections past its limit, leaving other clients alone', async () => {
    const flood = await Promise.all(Array.from({ length: 80 }, () => openSlowSocket({ port: gateway.port, from: '127.0.0.9', kind: 'headers' })));
    open.push(...flood);
    // 60 are held (until the header timeout), 20 are closed on arrival.
    await vi.waitFor(() => expect(flood.filter((s) => s.closedByServer)).toHaveLength(20), { timeout: 1_500, interval: 50 });
    const answer = await gql(gateway.url, '{ __typename }');
    expect(answer.data).toEqual({ __typename: 'Query' });
    const metrics = await (await fetch(new URL('/metrics', gateway.url))).text();
    expect(metrics).toMatch(/^opsorch_http_connections_refused_total\{reason="per_client",component="gateway"\} 20$/m);
  });
});
