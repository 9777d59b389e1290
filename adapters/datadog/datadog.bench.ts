// `npm run bench:datadog`: a 24-hour series and a 2,000-point one through `metricSeries` against the Datadog fake: time through
// the gateway (median and p99 of 200 calls), the fake's own time for the same request (a direct POST), the points
// returned and the vendor calls each GraphQL request makes; and the demo world's series of the same size as a baseline.
import { performance } from 'node:perf_hooks';
import { gql, startTestGateway } from '../../gateway/test/harness.ts';
import { sampleWorld, startFakeDatadog } from './fake-datadog.ts';

const RUNS = 200;
const now = Date.now();
const fake = await startFakeDatadog(sampleWorld(now));
const config = JSON.stringify({ url: fake.url, apiKey: 'secret://env/DD_API_KEY', applicationKey: 'secret://env/DD_APP_KEY' });
const gateway = await startTestGateway({ env: { OPSORCH_METRICS_PROVIDER: 'dd=datadog', OPSORCH_METRICS_CONFIG: config, OPSORCH_SERVICES_PROVIDER: 'dd=datadog', OPSORCH_SERVICES_CONFIG: config, DD_API_KEY: 'bench-api-key', DD_APP_KEY: 'bench-app-key' } });

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return `median ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms`;
}

async function timed(call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return samples;
}

const day = { from: new Date(now - 86_400_000).toISOString(), to: new Date(now).toISOString() };
// The step policy's nice steps give 1,440 points over 24 hours (1m); 2,000 one-minute points span 2,000 minutes.
const twoThousandMinutes = { from: new Date(now - 2_000 * 60_000).toISOString(), to: new Date(now).toISOString() };
for (const [label, args] of [
  ['24 hours, maxPoints: 2000', { range: day, step: null, maxPoints: 2000 }],
  ['2,000 minutes, step: "1m"', { range: twoThousandMinutes, step: '1m', maxPoints: null }],
] as const) {
  const query = `query($range: TimeRangeInput, $step: String, $maxPoints: Int) { metricSeries(query: { name: "system.cpu.user", scope: { service: "checkout", environment: "production" } }, range: $range, step: $step, maxPoints: $maxPoints) { step series { points { timestamp value } } } }`;
  const variables = { ...args };
  const first = await gql(gateway.url, query, variables);
  if (first.errors || !first.data.metricSeries.series[0]) throw new Error(JSON.stringify(first));
  const points = first.data.metricSeries.series[0].points.length;
  const before = fake.requests().length;
  const through = await timed(() => gql(gateway.url, query, variables));
  const calls = (fake.requests().length - before) / (RUNS + 20);
  // The fake's own time for the same vendor request, sent directly.
  const sent = fake.requests().at(-1)!;
  const direct = await timed(() =>
    fetch(`${fake.url}/api/v2/query/timeseries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'dd-api-key': 'k', 'dd-application-key': 'a' },
      body: JSON.stringify(sent.body),
    }).then((r) => r.text()),
  );
  console.log(`${label}: step ${first.data.metricSeries.step}, ${points} points`);
  console.log(`  through the gateway: ${stats(through)}`);
  console.log(`  the fake alone:      ${stats(direct)}`);
  console.log(`  vendor calls per metricSeries: ${calls}`);
}

// Baseline: the demo world's series of the same shape through a gateway of its own: OpsOrch's own cost per point.
const demo = await startTestGateway({ env: {} });
const demoQuery = `query($range: TimeRangeInput) { metricSeries(query: { name: "cpu_usage_ratio", scope: { service: "checkout", environment: "production" }, groupBy: ["service"] }, range: $range, step: "1m") { series { points { timestamp value } } } }`;
const demoFirst = await gql(demo.url, demoQuery, { range: twoThousandMinutes });
if (demoFirst.errors) throw new Error(JSON.stringify(demoFirst.errors));
console.log(`demo world, 2,000 minutes, step 1m: ${demoFirst.data.metricSeries.series.map((x: { points: unknown[] }) => x.points.length).join(' + ')} points`);
console.log(`  through the gateway: ${stats(await timed(() => gql(demo.url, demoQuery, { range: twoThousandMinutes })))}`);

await demo.close();
await gateway.close();
await fake.close();
