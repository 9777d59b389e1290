// After a burst of load, a gateway left quiet gives the memory the burst used back (decision 041): V8 alone
// collects nothing while nothing allocates, so without this the process would sit at its peak.
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricSample, spawnOpsOrch, waitFor, type SpawnedServer } from './harness.ts';
import { WAR_ROOM } from './queries.ts';

describe('memory after load', () => {
  let gateway: SpawnedServer;
  const metrics = async () => (await fetch(new URL('/metrics', gateway.url))).text();
  const releases = async () => metricSample(await metrics(), 'opsorch_idle_memory_releases_total{');
  const releaseLines = () => gateway.output.join('').split('\n').filter((line) => line.includes('quiet after load'));
  /** Waits for `count` collections; a failure shows the ones that ran. */
  const releasesLogged = (count: number) =>
    waitFor(() => releaseLines().length >= count, 10_000).catch(() => {
      throw new Error(`expected ${count} collections, saw:\n${releaseLines().join('\n')}`);
    });

  beforeAll(async () => {
    gateway = await spawnOpsOrch(['start', '--port', '0', '--host', '127.0.0.1'], {
      OPSORCH_CONSOLE: 'off',
      OPSORCH_MCP: 'off',
      OPSORCH_AUDIT_SINKS: 'off',
      OPSORCH_LOG_LEVEL: 'debug',
      OPSORCH_RELEASE_MEMORY_AFTER_QUIET_MS: '1500',
    });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('is collected once when start-up is done, before the gateway listens', () => {
    // Until its first major collection V8 lets the old space fill to its initial limit, whatever is live (decision 044).
    const lines = gateway.output.join('').split('\n');
    const collected = lines.findIndex((line) => line.includes('start-up done: heap collected once'));
    const listening = lines.findIndex((line) => line.includes('OpsOrch gateway listening'));
    expect(collected, 'no start-up collection logged').toBeGreaterThanOrEqual(0);
    expect(listening).toBeGreaterThan(collected);
    const { heapUsedBeforeMB, heapUsedAfterMB } = JSON.parse(lines[collected]!) as { heapUsedBeforeMB: number; heapUsedAfterMB: number };
    expect(heapUsedAfterMB).toBeLessThan(heapUsedBeforeMB);
  });

  it('is given back once the gateway is quiet after start-up and after load, and not while requests keep coming', async () => {
    // What starting up left is collected at the first quiet moment.
    await releasesLogged(2);
    expect(await releases()).toBe(2);

    const load = await autocannon({
      url: gateway.url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: WAR_ROOM, variables: { first: 50 } }),
      connections: 20,
      // A number of requests, not a duration: the heap grows with the work done (19–26 MB for these), however slow the machine.
      amount: 1_500,
    });
    expect(load.errors).toBe(0);
    expect(load.non2xx).toBe(0);
    const afterLoad = await metrics();
    expect(metricSample(afterLoad, 'opsorch_idle_memory_releases_total{')).toBe(2);
    const heapAfterLoad = metricSample(afterLoad, 'nodejs_heap_size_total_bytes{');
    const rssAfterLoad = metricSample(afterLoad, 'process_resident_memory_bytes{');

    // One collection frees what the load left, the next gives the emptied pages back.
    await releasesLogged(4);
    expect(await releases()).toBe(4);
    const heapAfterRelease = metricSample(await metrics(), 'nodejs_heap_size_total_bytes{');
    expect(heapAfterRelease).toBeLessThan(heapAfterLoad - 4 * 2 ** 20);
    // Given back to the system, not kept in V8's page pool (Node 22 and 24 pool them unless asked; decision 047).
    const rssAfterRelease = metricSample(await metrics(), 'process_resident_memory_bytes{');
    const rss = `RSS ${Math.round(rssAfterLoad / 2 ** 20)} MiB after the load, ${Math.round(rssAfterRelease / 2 ** 20)} MiB once given back`;
    expect(rssAfterRelease, rss).toBeLessThan(rssAfterLoad - 4 * 2 ** 20);
    const [first, second] = releaseLines().slice(2).map((line) => JSON.parse(line) as { pass: number; heapBeforeMB: number; heapAfterMB: number });
    expect([first!.pass, second!.pass]).toEqual([1, 2]);
    expect(second!.heapAfterMB).toBeLessThan(first!.heapBeforeMB);

    // A request after that grows the heap by little: no further collection is worth it.
    const answer = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ incidents(first: 1) { nodes { id } } }' }),
    });
    expect(answer.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(await releases()).toBe(4);
  }, 90_000);
});
