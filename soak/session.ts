// One soak: the gateway in its own process with faults injected into its providers (soak/faults.ts), readers
// and writers hammering it through warm-up, faults and calm, then the checks: every acknowledged write is
// visible exactly once, no write is applied twice, circuits opened during the faults and closed after them,
// no request outlived its deadline, and memory came back. Used by `npm run soak` and its short run in npm test.
import { join } from 'node:path';
import { ROOT, spawnOpsOrch, type SpawnedServer } from '../gateway/test/harness.ts';
import type { Memory } from '../fuzz/target.ts';
import type { FaultKind } from './faults.ts';

export interface SoakSettings {
  seed: number;
  warmupMs: number;
  faultsMs: number;
  /** After the faults stop: long enough for every circuit's cool-down and probe. */
  calmMs: number;
  readers: number;
  writers: number;
  /** Per provider call (OPSORCH_PROVIDER_TIMEOUT_MS). */
  providerTimeoutMs: number;
  breakerCooldownMs: number;
  outageEveryMs: number;
  outageMs: number;
  log(line: string): void;
}

/** One request as a client saw it. */
interface Sample {
  at: number;
  ms: number;
  phase: Phase;
  ok: boolean;
  status: number;
  codes: string[];
}

type Phase = 'warmup' | 'faults' | 'calm';

export interface SoakReport {
  seed: number;
  durationMs: number;
  requests: Record<Phase, number>;
  /** Error codes seen by clients (GraphQL `extensions.code`, or HTTP status / no answer). */
  errorCodes: Record<string, number>;
  injected: Record<FaultKind, number>;
  writes: { attempted: number; acknowledged: number; visible: number; lost: string[]; duplicated: string[]; unacknowledgedButApplied: number; attempts: number };
  breaker: { opened: number; closed: number; notClosedAtEnd: string[] };
  latency: Record<Phase, { p50: number; p99: number; max: number }>;
  deadline: { boundMs: number; longestMs: number; over: number };
  memory: { start: Memory; end: Memory; peakRss: number; peakHeapUsed: number };
  /** Answers that are bugs whatever the faults: 5xx statuses and INTERNAL errors. */
  serverErrors: number;
  internalErrors: number;
  /** What the server logged behind its INTERNAL answers (distinct messages). */
  internalCauses: string[];
}

const READS: { name: string; query: string }[] = [
  {
    name: 'open incidents with owners on call (demo and plugin merged)',
    query: '{ incidents(first: 20, filter: { statuses: [TRIGGERED, ACKNOWLEDGED] }) { nodes { id title service { id owner { name onCall { user { name } } } } } providerErrors { provider code } } }',
  },
  {
    name: 'war room',
    query: '{ incident(id: "demo:Q3VW8TR") { title service { id alerts(states: [FIRING]) { nodes { name } } dependencies { id health { status } } } deploymentsBefore(within: "1h") { version } timeline(first: 5) { nodes { kind message } } } }',
  },
  { name: 'alerts', query: '{ alerts(first: 25) { nodes { id name severity state } providerErrors { provider code } } }' },
  { name: 'logs', query: '{ logs(query: { scope: { service: "checkout" } }, range: { from: "now-5m" }, first: 50) { nodes { timestamp message } } }' },
  { name: 'metrics', query: '{ metricSeries(query: { name: "http_requests_total", scope: { service: "checkout" } }, range: { from: "now-30m" }) { series { labels { name value } } } }' },
  { name: 'deployments', query: '{ deployments(first: 10) { nodes { version service { id } } } }' },
  { name: 'plugin incident by id', query: '{ incident(id: "tracker:TRK-7") { title status timeline(first: 3) { nodes { message } } } }' },
];

/** Incidents the writers annotate (the demo world's). */
const NOTED_INCIDENTS = ['demo:Q3VW8TR', 'demo:Q5TJ2NB', 'demo:Q2HD7YC'];

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  body?: { data?: Record<string, any>; errors?: { message: string; extensions?: { code?: string } }[] };
  failure?: string;
}

async function graphql(url: string, query: string, variables: Record<string, unknown>, timeoutMs: number): Promise<Answer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as Answer['body'] };
    } catch {
      return { status: response.status, failure: `not JSON: ${text.slice(0, 100)}` };
    }
  } catch (error) {
    return { status: 0, failure: (error as Error).name === 'TimeoutError' ? 'CLIENT_TIMEOUT' : 'NO_ANSWER' };
  }
}

/**
 * The request deadline the soak server runs with (OPSORCH_REQUEST_TIMEOUT_MS when set, else room for a read's
 * three attempts): the gateway stops every request at it, and the soak checks that none outlives it.
 */
function requestDeadlineMs(settings: SoakSettings): number {
  return Number(process.env.OPSORCH_REQUEST_TIMEOUT_MS ?? 0) || settings.providerTimeoutMs * 3;
}

/** Starts the soak server (soak/server.ts) with the faulty providers over the demo world and the Python plugin. */
async function startSoakServer(settings: SoakSettings): Promise<SpawnedServer> {
  const plugin = { command: 'python3', args: [join(ROOT, 'adapters', 'examples', 'incidents_plugin.py')], settings: { delayMs: 20 }, restartDelayMs: 100, maxRestartDelayMs: 1_000 };
  const faulty = JSON.stringify({ inner: 'demo' });
  return spawnOpsOrch(
    [],
    {
      SOAK_SEED: String(settings.seed),
      SOAK_OUTAGE_EVERY_MS: String(settings.outageEveryMs),
      SOAK_OUTAGE_MS: String(settings.outageMs),
      OPSORCH_INCIDENTS_PROVIDER: 'demo=faulty,tracker=faulty',
      OPSORCH_INCIDENTS_CONFIG: JSON.stringify({ demo: { inner: 'demo' }, tracker: { inner: 'plugin', settings: plugin } }),
      OPSORCH_ALERTS_PROVIDER: 'demo=faulty',
      OPSORCH_ALERTS_CONFIG: faulty,
      OPSORCH_DEPLOYMENTS_PROVIDER: 'demo=faulty',
      OPSORCH_DEPLOYMENTS_CONFIG: faulty,
      OPSORCH_LOGS_PROVIDER: 'demo=faulty',
      OPSORCH_LOGS_CONFIG: faulty,
      OPSORCH_METRICS_PROVIDER: 'demo=faulty',
      OPSORCH_METRICS_CONFIG: faulty,
      OPSORCH_PROVIDER_TIMEOUT_MS: String(settings.providerTimeoutMs),
      OPSORCH_BREAKER_FAILURES: '5',
      OPSORCH_BREAKER_COOLDOWN_MS: String(settings.breakerCooldownMs),
      OPSORCH_AUDIT_SINKS: 'off',
    },
    60_000,
    { script: join(import.meta.dirname, 'server.ts'), nodeArgs: ['--expose-gc', '--import', 'tsx', '--import', join(ROOT, 'fuzz', 'memory-probe.mjs')], ipc: true },
  );
}

/** Asks the server process over IPC and waits for its answer. */
function ask<T>(server: SpawnedServer, type: string, extra: Record<string, unknown> = {}): Promise<T> {
  const id = Math.random();
  return new Promise((resolve, reject) => {
    if (!server.process.connected) return reject(new Error(`the soak server is gone (${server.process.exitCode ?? server.process.signalCode})`));
    const timer = setTimeout(() => reject(new Error(`the soak server did not answer "${type}"`)), 30_000);
    const onMessage = (message: { type?: string; id?: number }) => {
      if (message?.type !== type || message.id !== id) return;
      clearTimeout(timer);
      server.process.off('message', onMessage);
      resolve(message as T);
    };
    server.process.on('message', onMessage);
    server.process.send({ type, id, ...extra }, (error) => error && reject(error));
  });
}

/** Sums a Prometheus counter or gauge over the series whose labels include `match`. */
async function metric(base: string, name: string, match: string): Promise<{ total: number; series: string[] }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const series = text.split('\n').filter((line) => line.startsWith(`${name}{`) && line.includes(match));
  return { total: series.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0), series };
}

/** Runs one soak and answers its figures (soakVerdict says whether they pass). */
export async function runSoak(settings: SoakSettings): Promise<SoakReport> {
  const server = await startSoakServer(settings);
  const base = server.url.replace(/\/graphql$/, '');
  const url = `${base}/graphql`;
  const started = Date.now();
  const runId = `${settings.seed}-${started.toString(36)}`;
  const samples: Sample[] = [];
  let phase: Phase = 'warmup';
  let stopping = false;
  const clientTimeoutMs = settings.providerTimeoutMs * 10;
  // The deadline, plus a second for the answer to be written and read on a busy machine.
  const deadlineBoundMs = requestDeadlineMs(settings) + 1_000;
  let peakRss = 0;
  let peakHeapUsed = 0;

  const record = (answer: Answer, began: number, ok: boolean) => {
    const codes = answer.failure ? [answer.failure] : (answer.body?.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE');
    if (answer.status >= 500) codes.push(`HTTP_${answer.status}`);
    samples.push({ at: began, ms: Date.now() - began, phase, ok, status: answer.status, codes });
  };

  const reader = async (n: number) => {
    for (let i = n; !stopping; i++) {
      const read = READS[i % READS.length]!;
      const began = Date.now();
      const answer = await graphql(url, read.query, {}, clientTimeoutMs);
      record(answer, began, answer.status === 200 && Boolean(answer.body?.data));
    }
  };

  const acknowledged = new Map<string, string>();
  const givenUp = new Map<string, string>();
  let attempts = 0;
  const writer = async (w: number) => {
    for (let i = 0; !stopping; i++) {
      const incident = NOTED_INCIDENTS[(w + i) % NOTED_INCIDENTS.length]!;
      const body = `soak ${runId} note ${w}-${i}`;
      const key = `soak-${runId}-${w}-${i}`;
      let done = false;
      // A client that lost an answer retries with the same idempotency key, as clients are told to.
      for (let attempt = 0; attempt < 10 && !done; attempt++) {
        attempts++;
        const began = Date.now();
        const answer = await graphql(
          url,
          'mutation Note($id: ID!, $body: String!, $key: String) { addIncidentNote(incidentId: $id, body: $body, idempotencyKey: $key) { id } }',
          { id: incident, body, key },
          clientTimeoutMs,
        );
        done = answer.status === 200 && Boolean(answer.body?.data?.addIncidentNote) && !answer.body?.errors?.length;
        record(answer, began, done);
        if (!done) await sleep(100 * (attempt + 1));
      }
      (done ? acknowledged : givenUp).set(body, incident);
    }
  };

  const sampler = setInterval(() => {
    void ask<Memory>(server, 'memory', { collect: false })
      .then((m) => {
        peakRss = Math.max(peakRss, m.rss);
        peakHeapUsed = Math.max(peakHeapUsed, m.heapUsed);
      })
      .catch(() => {});
  }, 1_000);

  // A server that dies under the faults is the finding: say so with what it printed last.
  server.process.once('exit', (code, signal) => {
    if (stopping) return;
    settings.log(`soak: THE SERVER EXITED (${signal ?? code}) during the ${phase} phase; its last output:\n${server.output.join('').split('\n').slice(-40).join('\n')}`);
  });
  const clients = [...Array.from({ length: settings.readers }, (_, n) => reader(n)), ...Array.from({ length: settings.writers }, (_, w) => writer(w))];
  try {
    await sleep(settings.warmupMs);
    const start = await ask<Memory>(server, 'memory', { collect: true });
    settings.log(`soak: faults on for ${settings.faultsMs / 1000} s (${settings.readers} readers, ${settings.writers} writers)`);
    phase = 'faults';
    server.process.send({ type: 'faults', on: true }, () => {});
    await sleep(settings.faultsMs);
    server.process.send({ type: 'faults', on: false }, () => {});
    phase = 'calm';
    settings.log(`soak: faults off; calm for ${settings.calmMs / 1000} s`);
    await sleep(settings.calmMs);
    stopping = true;
    await Promise.all(clients);
    clearInterval(sampler);
    // Late answers of writes applied during the faults have all arrived by now (they wait at most 2 timeouts).
    await sleep(settings.providerTimeoutMs * 2);

    // Every note on the annotated incidents, all pages of each timeline.
    const seen = new Map<string, number>();
    for (const incident of NOTED_INCIDENTS) {
      let after: string | null = null;
      do {
        const answer = await graphql(
          url,
          'query Notes($id: ID!, $after: String) { incident(id: $id) { timeline(first: 200, after: $after) { nodes { kind message } pageInfo { hasNextPage endCursor } } } }',
          { id: incident, after },
          clientTimeoutMs,
        );
        const timeline = answer.body?.data?.incident?.timeline;
        if (!timeline) throw new Error(`cannot read the timeline of ${incident} after the soak: ${JSON.stringify(answer).slice(0, 300)}`);
        for (const node of timeline.nodes as { message: string }[]) {
          if (node.message.startsWith(`soak ${runId} `)) seen.set(node.message, (seen.get(node.message) ?? 0) + 1);
        }
        after = timeline.pageInfo.hasNextPage ? timeline.pageInfo.endCursor : null;
      } while (after);
    }

    const opened = await metric(base, 'opsorch_provider_circuit_transitions_total', 'state="open"');
    const closed = await metric(base, 'opsorch_provider_circuit_transitions_total', 'state="closed"');
    const closedNow = await metric(base, 'opsorch_provider_circuit_state', 'state="closed"');
    const injected = (await ask<{ injected: Record<FaultKind, number> }>(server, 'injected')).injected;
    const end = await ask<Memory>(server, 'memory', { collect: true });

    const byPhase = (p: Phase) => samples.filter((s) => s.phase === p);
    const latency = (p: Phase) => {
      const ms = byPhase(p).map((s) => s.ms);
      return { p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms.length ? Math.max(...ms) : 0 };
    };
    const errorCodes: Record<string, number> = {};
    for (const s of samples) for (const code of s.codes) errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    return {
      seed: settings.seed,
      durationMs: Date.now() - started,
      requests: { warmup: byPhase('warmup').length, faults: byPhase('faults').length, calm: byPhase('calm').length },
      errorCodes,
      injected,
      writes: {
        attempted: acknowledged.size + givenUp.size,
        acknowledged: acknowledged.size,
        visible: [...acknowledged.keys()].filter((body) => seen.has(body)).length,
        lost: [...acknowledged.keys()].filter((body) => !seen.has(body)),
        duplicated: [...seen].filter(([, n]) => n > 1).map(([body, n]) => `${body} ×${n}`),
        unacknowledgedButApplied: [...givenUp.keys()].filter((body) => seen.has(body)).length,
        attempts,
      },
      breaker: { opened: opened.total, closed: closed.total, notClosedAtEnd: closedNow.series.filter((line) => line.endsWith(' 0')) },
      latency: { warmup: latency('warmup'), faults: latency('faults'), calm: latency('calm') },
      deadline: { boundMs: deadlineBoundMs, longestMs: Math.max(0, ...samples.map((s) => s.ms)), over: samples.filter((s) => s.ms > deadlineBoundMs).length },
      memory: { start, end, peakRss: Math.max(peakRss, end.rss), peakHeapUsed: Math.max(peakHeapUsed, end.heapUsed) },
      serverErrors: samples.filter((s) => s.status >= 500).length,
      internalErrors: samples.filter((s) => s.codes.includes('INTERNAL')).length,
      internalCauses: [
        ...new Set(
          server.output
            .join('')
            .split('\n')
            .filter((line) => line.includes('"unexpected error"'))
            .map((line) => String((JSON.parse(line) as { err?: string }).err).slice(0, 200)),
        ),
      ],
    };
  } finally {
    stopping = true;
    clearInterval(sampler);
    await server.stop();
  }
}

/** Why a soak failed (empty: it passed). */
export function soakVerdict(report: SoakReport): string[] {
  const reasons: string[] = [];
  const { writes, breaker, deadline } = report;
  if (writes.lost.length) reasons.push(`${writes.lost.length} acknowledged writes are not visible (first: ${writes.lost[0]})`);
  if (writes.duplicated.length) reasons.push(`${writes.duplicated.length} writes were applied more than once (first: ${writes.duplicated[0]})`);
  if (writes.acknowledged === 0) reasons.push('no write was acknowledged');
  if (breaker.opened === 0) reasons.push('no circuit opened during the outages');
  if (breaker.closed === 0 || breaker.notClosedAtEnd.length) reasons.push(`circuits did not all close after the faults: ${breaker.notClosedAtEnd.join(', ')}`);
  if (deadline.over) reasons.push(`${deadline.over} requests outlived the ${deadline.boundMs} ms deadline (longest ${deadline.longestMs} ms)`);
  if (report.serverErrors) reasons.push(`${report.serverErrors} answers with a 5xx status`);
  const growth = report.memory.end.heapUsed - report.memory.start.heapUsed;
  if (growth > Math.max(64 * 2 ** 20, report.memory.start.heapUsed * 0.5)) reasons.push(`the heap grew by ${(growth / 2 ** 20).toFixed(0)} MiB`);
  return reasons;
}

const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export function summarizeSoak(report: SoakReport): string {
  const { writes, breaker, latency, deadline, memory } = report;
  return [
    `soak seed ${report.seed}: ${report.requests.warmup + report.requests.faults + report.requests.calm} requests in ${(report.durationMs / 1000).toFixed(0)} s (warm-up ${report.requests.warmup}, faults ${report.requests.faults}, calm ${report.requests.calm})`,
    `  faults injected: ${Object.entries(report.injected).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  writes: ${writes.acknowledged} acknowledged, ${writes.visible} visible afterwards, ${writes.lost.length} lost, ${writes.duplicated.length} applied twice; ${writes.attempted - writes.acknowledged} given up (${writes.unacknowledgedButApplied} of them applied once); ${writes.attempts} attempts`,
    `  circuits: opened ${breaker.opened} times, closed ${breaker.closed} times; still open at the end: ${breaker.notClosedAtEnd.length}`,
    `  latency ms (p50/p99/max): warm-up ${latency.warmup.p50}/${latency.warmup.p99}/${latency.warmup.max}, during faults ${latency.faults.p50}/${latency.faults.p99}/${latency.faults.max}, calm ${latency.calm.p50}/${latency.calm.p99}/${latency.calm.max}`,
    `  deadline ${deadline.boundMs} ms: longest request ${deadline.longestMs} ms, ${deadline.over} over`,
    `  memory: heap after GC ${MiB(memory.start.heapUsed)} → ${MiB(memory.end.heapUsed)}; peak heap ${MiB(memory.peakHeapUsed)}, peak RSS ${MiB(memory.peakRss)}`,
    `  client-side errors: ${JSON.stringify(report.errorCodes)}; 5xx ${report.serverErrors}; INTERNAL ${report.internalErrors}`,
    ...report.internalCauses.slice(0, 8).map((cause) => `    behind INTERNAL: ${cause}`),
  ].join('\n');
}
