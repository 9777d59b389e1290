// `npm run bench:logs`: for each log provider (Loki, Elasticsearch), against its contract fake: lines per second
// through `logs` (10,000 lines, paged 200 at a time, newest first) and the latency the gateway and the adapter add
// over the fake's own time (median of 500 `logs(first: 50)` calls, minus the median of 500 direct calls to the fake
// with the exact request the adapter sent).
import { performance } from 'node:perf_hooks';
import { gql, startTestGateway } from '../../gateway/test/harness.ts';
import { startFakeElasticsearch, type FakeDoc } from '../elasticsearch/fake-elasticsearch.ts';
import { startFakeLoki, type FakeStream } from '../loki/fake-loki.ts';
import type { ContractFake } from '../kit/contract-fake.ts';

const LINES = Number(process.env.BENCH_LINES ?? 10_000);
const CALLS = Number(process.env.BENCH_CALLS ?? 500);
const NOW = Math.floor(Date.now() / 1000) * 1000;
const BASE = NOW - 3_600_000;
const SERVICES = ['checkout', 'cart', 'payments-api', 'inventory'];
const LEVELS = ['info', 'info', 'info', 'warn', 'error', 'debug'];

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

async function timed(runs: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

const RANGE = `{ from: "${new Date(BASE).toISOString()}", to: "${new Date(NOW).toISOString()}" }`;

async function measure(name: string, fake: ContractFake, env: Record<string, string>) {
  const gateway = await startTestGateway({ env: { ...env, OPSORCH_PROVIDER_TIMEOUT_MS: '30000' } });
  try {
    // Throughput: every line, 200 per page.
    let after: string | null = null;
    let lines = 0;
    let pages = 0;
    const started = performance.now();
    do {
      const body: any = await gql(gateway.url, `query($after: String) { logs(query: {}, range: ${RANGE}, first: 200, after: $after) { nodes { id timestamp level message service { id } fields { key value } url } pageInfo { hasNextPage endCursor } } }`, { after });
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      lines += body.data.logs.nodes.length;
      pages++;
      after = body.data.logs.pageInfo.hasNextPage ? body.data.logs.pageInfo.endCursor : null;
    } while (after);
    const seconds = (performance.now() - started) / 1000;
    if (lines !== LINES) throw new Error(`${name}: walked ${lines} lines, expected ${LINES}`);
    // Added latency: the same first page through the gateway, and straight from the fake.
    const query = `{ logs(query: {}, range: ${RANGE}, first: 50) { nodes { id timestamp level message service { id } url } } }`;
    fake.requests.length = 0;
    const viaGateway = await timed(CALLS, () => gql(gateway.url, query));
    if (fake.requests.length !== CALLS + 20) throw new Error(`${name}: ${fake.requests.length} tool requests for ${CALLS + 20} calls`);
    const sent = fake.requests.at(-1)!;
    const direct = `${fake.url}${sent.path}?${sent.query.toString()}`;
    const init: RequestInit = { method: sent.method, headers: { 'content-type': 'application/json', authorization: String(sent.headers.authorization ?? '') }, ...(sent.method === 'POST' ? { body: JSON.stringify(sent.body) } : {}) };
    const fakeOnly = await timed(CALLS, async () => (await fetch(direct, init)).text());
    fake.requests.length = 0;
    console.log(
      `${name}: ${LINES} lines in ${pages} pages, ${seconds.toFixed(2)} s = ${Math.round(LINES / seconds)} lines/s; ` +
        `logs(first: 50) median ${viaGateway.toFixed(2)} ms via the gateway, ${fakeOnly.toFixed(2)} ms from the fake alone: added ${(viaGateway - fakeOnly).toFixed(2)} ms (median of ${CALLS})`,
    );
  } finally {
    await gateway.close();
  }
}

// Loki: four services × two pods, lines 0.36 s apart on average, some sharing a nanosecond.
const streams: FakeStream[] = SERVICES.flatMap((service) => [1, 2].map((pod) => ({ labels: { service_name: service, env: 'production', pod: `${service}-${pod}` }, entries: [] as [bigint, string][] })));
for (let i = 0; i < LINES; i++) {
  const stream = streams[i % streams.length]!;
  const ms = BASE + Math.floor((i * 3_600_000) / LINES);
  stream.entries.push([BigInt(ms) * 1_000_000n + BigInt(i % 4 === 0 ? 0 : i), JSON.stringify({ level: LEVELS[i % LEVELS.length], message: `request ${i} served`, http: { status: 200 }, trace_id: i.toString(16).padStart(32, '0') })]);
}
const ONLY = process.env.BENCH_ONLY; // `loki` or `elasticsearch`: one provider
if (ONLY !== 'elasticsearch') {
  const loki = await startFakeLoki(streams);
  await measure('loki', loki.fake, {
    OPSORCH_LOGS_PROVIDER: 'lk=loki',
    OPSORCH_LOGS_CONFIG: JSON.stringify({ url: loki.fake.url, tenant: 'bench', catalogSystem: 'prometheus', grafanaUrl: 'https://grafana.example' }),
  });
  await loki.close();
}

const docs: FakeDoc[] = [];
for (let i = 0; i < LINES; i++) {
  const service = SERVICES[i % SERVICES.length]!;
  docs.push({
    _index: `logs-${service}`,
    _id: String(i),
    _source: { '@timestamp': new Date(BASE + Math.floor((i * 3_600_000) / LINES)).toISOString(), message: `request ${i} served`, log: { level: LEVELS[i % LEVELS.length] }, service: { name: service, environment: 'production' }, trace: { id: i.toString(16).padStart(32, '0') } },
  });
}
if (ONLY !== 'loki') {
  const es = await startFakeElasticsearch(docs);
  await measure('elasticsearch', es.fake, {
    OPSORCH_LOGS_PROVIDER: 'es=elasticsearch',
    OPSORCH_LOGS_CONFIG: JSON.stringify({ url: es.fake.url, apiKey: 'bench-key', catalogSystem: 'prometheus', dashboardsUrl: 'https://kibana.example' }),
  });
  await es.close();
}
