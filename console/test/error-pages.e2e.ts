// Error answers of the gateway with the console mounted are OpsOrch's own: a path outside the assets folder,
// a missing asset, an unknown page and an undecodable body show no stack trace and no file path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { ROOT } from '../../gateway/test/harness.ts';
import { startConsoleInProcess } from './console-session.ts';

describe('error pages of the console and the gateway', () => {
  let gateway: RunningGateway;
  let base: string;

  beforeAll(async () => {
    ({ gateway, base } = await startConsoleInProcess());
  }, 300_000);
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers with a status and a short message, never a stack or a path', async () => {
    const probes: [string, RequestInit, number][] = [
      ['/assets/..%2f..%2fpackage.json', { headers: { accept: 'text/html' } }, 403],
      ['/assets/missing-0123.js', { headers: { accept: 'text/html' } }, 404],
      ['/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'not gzip' }, 400],
      ['/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' }, body: 'not deflate' }, 400],
    ];
    for (const [path, init, status] of probes) {
      const response = await fetch(base + path, init);
      const text = await response.text();
      expect(response.status, path).toBe(status);
      // No stack, no library's words, and certainly not the file asked for.
      expect(text, path).not.toMatch(/\n\s+at |node_modules|incorrect header check|"devDependencies"/);
      expect(text, path).not.toContain(ROOT);
    }
  });
});
