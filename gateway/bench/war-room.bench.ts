// `npm run bench`: cold start of `opsorch start`, war-room latency in-process (ours vs stock
// LocalGraphQLDataSource in the same run), and provider calls for N=10 and N=100 incidents.
import { performance } from 'node:perf_hooks';
import { services } from '../../adapters/demo/world.ts';
import { startGateway, type RunningGateway } from '../src/index.ts';
import { captureLogs, gql, spawnOpsOrch } from '../test/harness.ts';
import { WAR_ROOM } from '../test/queries.ts';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function coldStart(): Promise<number> {
  const started = performance.now();
  const server = await spawnOpsOrch(['start', '--port', '0', '--host', '127.0.0.1']);
  for (;;) {
    const answer = await gql(server.url, '{ __typename }').catch(() => null);
    if (answer?.data) break;
  }
  const elapsed = performance.now() - started;
  await server.stop();
  return elapsed;
}

async function latency(gateway: RunningGateway, runs: number) {
  for (let i = 0; i < 20; i++) await gql(gateway.url, WAR_ROOM);
  const timings: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const body = await gql(gateway.url, WAR_ROOM);
    timings.push(performance.now() - t);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
  }
  timings.sort((a, b) => a - b);
  return { p50: percentile(timings, 50), p99: percentile(timings, 99) };
}

async function providerCalls(gateway: RunningGateway) {
  const fields = Array.from({ length: 100 }, (_, i) =>
    `i${i}: createIncident(input: { title: "Bench ${i}", serviceId: "${services[i % services.length]!.id}", severity: SEV4 }) { id }`,
  );
  await gql(gateway.url, `mutation { ${fields.join('\n')} }`);
  const result: Record<number, number> = {};
  for (const n of [10, 100]) {
    gateway.registry.resetCallCounts();
    await gql(gateway.url, WAR_ROOM, { first: n });
    result[n] = Object.values(gateway.registry.callCounts()).reduce((a, b) => a + b, 0);
  }
  return result;
}

const quiet = () => captureLogs().logger;
const cold = [await coldStart(), await coldStart(), await coldStart()].sort((a, b) => a - b);
console.log(`cold start of opsorch start until /graphql answers: median ${cold[1]!.toFixed(0)} ms (runs: ${cold.map((c) => c.toFixed(0)).join(', ')})`);

const ours = await startGateway({ port: 0, host: '127.0.0.1', env: {}, logger: quiet() });
const stock = await startGateway({ port: 0, host: '127.0.0.1', env: {}, logger: quiet(), stockLocalDataSource: true });
const oursLatency = await latency(ours, 200);
const stockLatency = await latency(stock, 200);
console.log(`war-room in-process, 200 runs: p50 ${oursLatency.p50.toFixed(1)} ms, p99 ${oursLatency.p99.toFixed(1)} ms`);
console.log(
  `  stock LocalGraphQLDataSource, same run: p50 ${stockLatency.p50.toFixed(1)} ms, p99 ${stockLatency.p99.toFixed(1)} ms (ratio p50 ${(stockLatency.p50 / oursLatency.p50).toFixed(2)}x)`,
);
const calls = await providerCalls(ours);
console.log(`provider calls for the war-room query: N=10 → ${calls[10]}, N=100 → ${calls[100]}`);
await Promise.all([ours.close(), stock.close()]);
