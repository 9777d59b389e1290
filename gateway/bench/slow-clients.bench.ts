// `npm run bench:slow-clients`: a normal client's latency against a real `opsorch start`, without and with
// hundreds of slow sockets (slowloris: headers or a body a byte a second, from several loopback addresses), under
// the default HTTP limits and under Node's own defaults (what the gateway had before decision 013).
//   p50/p95/max: a normal client's sequential requests; then how many slow sockets the server still holds after its
//   header and request timeouts, and how many of 1,000 connections from one address it keeps.
import { performance } from 'node:perf_hooks';
import { spawnOpsOrch } from '../test/harness.ts';
import { openSlowSockets, type SlowSocket } from '../test/slow-clients.ts';

const QUERY = '{ services(first: 5) { nodes { id name } } }';
const REQUESTS = 150;
const SLOW_SOCKETS = Number(process.env.SLOW_SOCKETS ?? 600);
const ATTACKERS = Array.from({ length: 6 }, (_, i) => `127.0.0.${i + 2}`);

const NODE_DEFAULTS = {
  OPSORCH_HTTP_HEADERS_TIMEOUT_MS: '60000',
  OPSORCH_HTTP_REQUEST_TIMEOUT_MS: '300000',
  OPSORCH_HTTP_MAX_CONNECTIONS_PER_CLIENT: '0',
  OPSORCH_HTTP_MAX_CONNECTIONS: '1000000',
};

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function normalClient(url: string): Promise<{ p50: number; p95: number; max: number; failed: number }> {
  const times: number[] = [];
  let failed = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }), signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      if (!response.ok) failed++;
    } catch {
      failed++;
    }
    times.push(performance.now() - started);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), max: Math.max(...times), failed };
}

async function scenario(label: string, env: Record<string, string>) {
  const server = await spawnOpsOrch(['start'], { OPSORCH_CONSOLE: 'off', OPSORCH_MCP: 'off', OPSORCH_AUDIT_SINKS: 'off', PORT: '0', HOST: '127.0.0.1', ...env });
  const port = Number(new URL(server.url).port);
  let sockets: SlowSocket[] = [];
  try {
    await normalClient(server.url); // warm up: plans and caches
    const before = await normalClient(server.url);
    sockets = await openSlowSockets(port, SLOW_SOCKETS, ATTACKERS, 1_000);
    const during = await normalClient(server.url);
    const openedAt = performance.now();
    const heldAfter = async (seconds: number) => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, openedAt + seconds * 1000 - performance.now())));
      return sockets.filter((s) => !s.closedByServer).length;
    };
    // Past the default header timeout (10 s), then past the default whole-request timeout (30 s).
    const held12 = await heldAfter(12);
    const held32 = await heldAfter(32);
    for (const socket of sockets) socket.stop();
    // One address opening 1,000 connections: how many does the server keep?
    sockets = await openSlowSockets(port, 1_000, ['127.0.0.99'], 1_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const flood = sockets.filter((s) => !s.closedByServer).length;
    const row = (name: string, r: Awaited<ReturnType<typeof normalClient>>) =>
      `${label.padEnd(26)} ${name.padEnd(18)} p50 ${r.p50.toFixed(1).padStart(6)} ms  p95 ${r.p95.toFixed(1).padStart(6)} ms  max ${r.max.toFixed(1).padStart(7)} ms  failed ${r.failed}`;
    console.log(row('no slow sockets', before));
    console.log(row(`${SLOW_SOCKETS} slow sockets`, during));
    console.log(`${label.padEnd(26)} slow sockets still open after 12 s: ${held12}/${SLOW_SOCKETS}, after 32 s: ${held32}/${SLOW_SOCKETS}; one address opening 1000: ${flood} kept`);
  } finally {
    for (const socket of sockets) socket.stop();
    await server.stop();
  }
}

console.log(`normal client: ${REQUESTS} sequential requests of ${QUERY}; slow sockets from ${ATTACKERS.length} addresses, one byte a second`);
await scenario('default limits', {});
await scenario("Node's defaults (before)", NODE_DEFAULTS);
