// `npm run bench:event-loop`: the longest one request holds the gateway's event loop. Runs the most expensive
// log, metric and graph queries the default limits accept (each with fresh alias names, so query planning is
// measured too) against a real `opsorch start`, while a probe asks /healthz every 10 ms: the slowest probe
// answer during a query is how long the loop was held. Prints per query: answer time, size, the slowest probe,
// and at the end the server's own event-loop delay histogram (opsorch_event_loop_lag_seconds, max and p99).
import { spawnOpsOrch } from '../test/harness.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
let variant = 0;
const aliases = (n: number, field: (i: number) => string) => Array.from({ length: n }, (_, i) => `q${variant}_${i}: ${field(i)}`).join(' ');

/** The worst queries the default limits let through (cost 50000, 100 aliases, 100 fields, 100,000 metric points, 32 MiB). */
const QUERIES: Record<string, () => string> = {
  // The noise floor: what the probe sees when the request itself costs nothing (a busy machine shows here).
  'baseline: { __typename }': () => `{ ${aliases(1, () => '__typename')} }`,
  'logs: 10 text searches, 30 days': () => `{ ${aliases(10, (i) => `logs(query: { text: "no-such-text-${i}" }, range: { from: "now-30d" }, first: 200) { nodes { id message fields { key value } } }`)} }`,
  'logs: 9 regex searches (size 1000)': () =>
    `{ ${aliases(9, (i) => `logs(query: { filters: [{ field: "trace_id", op: REGEX, value: "[0-9a-f]{990}x${i}" }] }, range: { from: "now-30d" }, first: 200) { nodes { id } } }`)} }`,
  'logs: 200 lines x 90 fields': () => `{ logs(query: {}, range: { from: "now-1h" }, first: 200) { nodes { ${Array.from({ length: 90 }, (_, i) => `f${variant}_${i}: message`).join(' ')} } } }`,
  'logVolume: 4 filtered, 30 days': () => `{ ${aliases(4, (i) => `logVolume(query: { text: "zz${i}" }, range: { from: "now-30d" }, buckets: 1000) { total buckets { start total counts { level count } } }`)} }`,
  'metrics: ~60k points, 7 days': () =>
    `{ ${aliases(1, () => 'metricSeries(query: { name: "http_requests_total", groupBy: ["service", "route"] }, range: { from: "now-7d" }, maxPoints: 2000) { series { labels { name value } points { timestamp value } } }')} }`,
  'metrics: golden signals x 18': () =>
    `{ services(first: 18) { nodes { ${aliases(1, () => 'goldenSignals(range: { from: "now-7d" }, maxPoints: 2000) { latencyP99 { points { timestamp value } } errorRate { points { value } } requestRate { points { value } } saturation { points { value } } }')} } } }`,
  'graph: 33 six-hop walks': () =>
    `{ service(id: "checkout") { ${aliases(33, () => 'dependencyGraph(depth: 6) { nodes { distance service { id name tier } } edges { from to } }')} } }`,
};

const server = await spawnOpsOrch(['start'], { OPSORCH_CONSOLE: 'off', OPSORCH_MCP: 'off', OPSORCH_AUDIT_SINKS: 'off', PORT: '0', HOST: '127.0.0.1' });
const health = new URL('/healthz', server.url);

let probing = false;
let slowestProbe = 0;
async function probe() {
  while (probing) {
    const started = performance.now();
    await (await fetch(health)).arrayBuffer();
    slowestProbe = Math.max(slowestProbe, performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const worst = { name: '', ms: 0 };
console.log(`${'query'.padEnd(36)} ${'answer'.padStart(9)} ${'status'.padStart(6)} ${'bytes'.padStart(9)} ${'slowest /healthz'.padStart(17)}`);
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, build] of Object.entries(QUERIES)) {
      variant++;
      probing = true;
      slowestProbe = 0;
      const prober = probe();
      const started = performance.now();
      const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: build() }) });
      const body = await response.text();
      const tookMs = performance.now() - started;
      probing = false;
      await prober;
      const codes = [...new Set([...body.matchAll(/"code":"([A-Z_]+)"/g)].map((m) => m[1]))].join(',');
      console.log(`${name.padEnd(36)} ${tookMs.toFixed(0).padStart(6)} ms ${String(response.status).padStart(6)} ${String(body.length).padStart(9)} ${slowestProbe.toFixed(1).padStart(14)} ms${codes ? `  (${codes})` : ''}`);
      if (slowestProbe > worst.ms) Object.assign(worst, { name, ms: slowestProbe });
    }
  }
  const metrics = await (await fetch(new URL('/metrics', server.url))).text();
  const lag = (stat: string) => Number(new RegExp(`^opsorch_event_loop_lag_seconds\\{stat="${stat}"[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1]) * 1000;
  console.log(`longest /healthz wait during one request: ${worst.ms.toFixed(1)} ms (${worst.name})`);
  console.log(`server's event-loop delay over its last 10-20 s: max ${lag('max').toFixed(1)} ms, p99 ${lag('p99').toFixed(1)} ms`);
} finally {
  await server.stop();
}
