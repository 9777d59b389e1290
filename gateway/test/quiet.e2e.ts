// OpsOrch's processes speak in JSON log lines and nothing else: no library notice on stdout, no warning on stderr
// (a usage report probing cloud metadata, an inline-tracing notice). Operators parse those streams.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { gql, spawnOpsOrch } from './harness.ts';
import { subgraphSigning } from './security-fixtures.ts';

/** What a process wrote that is not one of its JSON log lines. */
function stray(output: string[]): string[] {
  return output
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => {
      try {
        return typeof JSON.parse(line) !== 'object';
      } catch {
        return true;
      }
    });
}

describe('process output', { timeout: 90_000 }, () => {
  it('is JSON log lines only, for the gateway and for a subgraph server, and probes no cloud', async () => {
    // A stand-in for Google Cloud's metadata server (the SDKs honour GCE_METADATA_HOST) that refuses, as one did
    // when a usage reporter probed it: its warning was the stray line in every test run.
    const probes: string[] = [];
    const metadata = createServer((req, res) => {
      probes.push(req.url ?? '');
      res.writeHead(403).end();
    });
    metadata.listen(0, '127.0.0.1');
    await once(metadata, 'listening');
    const signing = subgraphSigning();
    const env = { ...signing.env, OPSORCH_CONSOLE: 'off', OPSORCH_MCP: 'off', GCE_METADATA_HOST: `127.0.0.1:${(metadata.address() as AddressInfo).port}` };
    const [gateway, subgraph] = await Promise.all([
      spawnOpsOrch(['start', '--port', '0', '--host', '127.0.0.1'], env),
      spawnOpsOrch(['subgraph', 'incidents', '--port', '0', '--host', '127.0.0.1'], env),
    ]);
    try {
      expect((await gql(gateway.url, '{ incidents(first: 1) { nodes { id } } }')).errors).toBeUndefined();
      const direct = '{ incidents(first: 1) { nodes { id } } }';
      expect((await gql(subgraph.url, direct, undefined, await signing.headers('incidents', direct))).errors).toBeUndefined();
      // Warnings of background work arrive late.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect(stray(gateway.output), 'opsorch start').toEqual([]);
      expect(stray(subgraph.output), 'opsorch subgraph').toEqual([]);
      expect(probes, 'requests to the cloud metadata service').toEqual([]);
    } finally {
      await Promise.all([gateway.stop(), subgraph.stop()]);
      metadata.close();
    }
  }, 60_000);
});
