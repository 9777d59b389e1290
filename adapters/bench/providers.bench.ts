// `npm run bench:providers`: provider-runtime overhead per call, in-process vs the stdio plugin (median of 1,000
// calls each), and the Prometheus provider's latency against a direct HTTP call for the same query.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchContext, fmt, time } from './timing.ts';
import { gql, startTestGateway } from '../../gateway/test/harness.ts';
import { startExporter } from '../examples/exporter.ts';
import { ensurePrometheusInstalled, eventually, startPrometheusStack } from '../examples/prometheus-stack.ts';
import { createRuntimeSync } from '../../gateway/src/runtime.ts';
import { silentLogger } from '../src/context.ts';
import { resolveTimeRange } from '../src/time.ts';

const CALLS = 1_000;

const ctx = benchContext;

// 1. The same SPI call, answered in-process (demo world) and by the Python plugin over JSON-RPC on stdio.
const { registry } = createRuntimeSync({
  env: {
    OPSORCH_INCIDENTS_PROVIDER: 'demo,tracker=plugin',
    OPSORCH_INCIDENTS_CONFIG: JSON.stringify({ tracker: { command: 'python3', args: [join(import.meta.dirname, '..', 'examples', 'incidents_plugin.py')] } }),
  },
  logger: silentLogger,
});
const [demo, plugin] = registry.all('incidents');
const demoId = (await demo!.query({}, { first: 1, after: null }, ctx())).items[0]!.id;
const inProcess = await time(CALLS, () => demo!.getMany([demoId], ctx()));
const overStdio = await time(CALLS, () => plugin!.getMany(['tracker:TRK-7'], ctx()));
console.log(`incidents.getMany of one id through the registry, ${CALLS} calls each:`);
console.log(`  in-process (demo):        ${fmt(inProcess)}`);
console.log(`  stdio plugin (Python):    ${fmt(overStdio)}`);
console.log(`  plugin overhead per call: ${((overStdio.median - inProcess.median) * 1000).toFixed(0)} µs (median)`);
const concurrent = performance.now();
// Distinct ids: identical concurrent reads would be shared by the registry and never reach the plugin.
await Promise.all(Array.from({ length: CALLS }, (_, i) => plugin!.getMany([`tracker:TRK-${i}`], ctx())));
console.log(`  ${CALLS} distinct plugin calls in flight at once: ${(performance.now() - concurrent).toFixed(0)} ms in all`);
await registry.close();

// 2. The Prometheus provider against a direct HTTP call for the same range query.
ensurePrometheusInstalled();
const exporter = await startExporter(0);
const stack = await startPrometheusStack({ exporterTargets: [`127.0.0.1:${exporter.port}`], rules: 'groups: []\n', interval: '1s' });
try {
  await eventually(async () => {
    const r = await (await fetch(`${stack.prometheusUrl}/api/v1/query?query=${encodeURIComponent('count_over_time(up{job="exporter"}[1m])')}`)).json();
    return Number(r.data.result[0]?.value[1] ?? 0) >= 40;
  }, 'forty scrapes');
  const env = { OPSORCH_METRICS_PROVIDER: 'prom=prometheus', OPSORCH_METRICS_CONFIG: JSON.stringify({ url: stack.prometheusUrl, scrapeInterval: '1s' }) };
  const prom = createRuntimeSync({ env, logger: silentLogger }).registry;
  const provider = prom.all('metrics')[0]!;
  const query = { name: 'http_requests_total', aggregation: 'RATE' as const, groupBy: ['service'] };
  const c = ctx();
  const range = resolveTimeRange({ from: 'now-30s' }, c.now);
  const first = await provider.series(query, range, '5s', c);
  const params = new URLSearchParams({
    query: first.query!,
    start: String(Math.ceil(range.from.getTime() / 5_000) * 5),
    end: String(Math.floor(range.to.getTime() / 5_000) * 5),
    step: '5',
  });
  const RUNS = 300;
  const directHttp = await time(RUNS, async () => {
    const response = await fetch(`${stack.prometheusUrl}/api/v1/query_range`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: params });
    await response.json();
  });
  const throughProvider = await time(RUNS, () => provider.series(query, range, '5s', ctx()));
  const gateway = await startTestGateway({ env });
  const throughGraphql = await time(RUNS, () =>
    gql(gateway.url, `{ metricSeries(query: { name: "http_requests_total", aggregation: RATE, groupBy: ["service"] }, range: { from: "now-30s" }, step: "5s") { series { labels { value } points { timestamp value } } } }`),
  );
  await gateway.close();
  await prom.close();
  console.log(`\nPrometheus range query "${first.query}" (30 s, 5 s step, ${first.series.length} series), ${RUNS} runs each:`);
  console.log(`  direct HTTP to Prometheus:           ${fmt(directHttp)}`);
  console.log(`  Prometheus provider (registry):      ${fmt(throughProvider)}  (${(throughProvider.median / directHttp.median).toFixed(2)}x direct)`);
  console.log(`  metricSeries through the gateway:    ${fmt(throughGraphql)}  (${(throughGraphql.median / directHttp.median).toFixed(2)}x direct)`);
} finally {
  await stack.stop();
  exporter.server.close();
}
