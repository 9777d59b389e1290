// Bugs the fuzzer found, each kept as the reproduction it printed, against `opsorch start` as its own process.
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, type Target } from './target.ts';

let target: Target;

beforeAll(async () => {
  target = await startTarget();
}, 90_000);

afterAll(() => target?.stop());

/** POSTs over `agent`; a reset is an answer too (status 0 and the error's code). */
function postOver(agent: Agent, url: string, body: string): Promise<{ status: number; connection?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, error: error.code ?? error.message }));
    req.end(body);
  });
}

describe('an oversized body', () => {
  // Found by the MCP phase (seed 1): after a 413 on a kept-alive connection, the client sent its next tool call
  // on that socket and the server reset it: an innocent request failed with ECONNRESET.
  it.each([
    ['/graphql', '{"query":"{ __typename }"}'],
    ['/mcp', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'regression', version: '1' } } })],
  ])('on %s is refused with Connection: close, and the next request on a kept-alive client is answered', async (path, small) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const big = JSON.stringify({ query: '{ __typename }', variables: { padding: 'a'.repeat(1_200_000) } });
    try {
      for (let round = 0; round < 3; round++) {
        const refused = await postOver(agent, target.base + path, big);
        if (refused.status !== 0) expect(refused).toMatchObject({ status: 413, connection: 'close' });
        expect(await postOver(agent, target.base + path, small)).toMatchObject({ status: 200 });
      }
    } finally {
      agent.destroy();
    }
  });
});
