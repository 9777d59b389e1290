// Error answers of `opsorch start` with the console mounted are OpsOrch's own: a path outside the assets folder,
// a missing asset, an unknown page and an undecodable body show no stack trace and no file path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, spawnOpsOrch, type SpawnedServer } from '../../gateway/test/harness.ts';
import { ensureConsoleBuild } from '../server/build.ts';

describe('error pages of the console and the gateway', () => {
  let server: SpawnedServer;
  let base: string;

  beforeAll(async () => {
    await ensureConsoleBuild();
    server = await spawnOpsOrch(['start', '--port', '0', '--host', '127.0.0.1']);
    base = server.url.replace(/\/graphql$/, '');
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('answers with a status and a short message, never a stack or a path', async () => {
    const probes: [string, RequestInit, number][] = [
      ['/assets/..%2f..%2fpackage.json', { headers: { accept: 'text/html' } }, 403],
      ['/assets/%2e%2e/%2e%2e/package.json', {}, 404],
      ['/assets/missing-0123.js', { headers: { accept: 'text/html' } }, 404],
      ['/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'not gzip' }, 400],
      ['/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' }, body: 'not deflate' }, 400],
    ];
    for (const [path, init, status] of probes) {
      const response = await fetch(base + path, init);
      const text = await response.text();
      expect(response.status, path).toBe(status);
      expect(text, path).not.toMatch(/\n\s+at |node_modules|incorrect header check|package\.json"/);
      expect(text, path).not.toContain(ROOT);
    }
  });
});
