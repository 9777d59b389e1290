// `npm run bench:load`: throughput, latency and memory of the gateway under load, against stock @apollo/gateway
// and Hive Gateway in the same run (issue 15, decision 021).
//
// Each variant is its own process, pinned to core 0 with taskset; this process (autocannon) and, in distributed
// mode, the eleven `opsorch subgraph` processes run on core 1:
//   ours                 OpsOrch's gateway, subgraphs in-process
//   stock                the same process and settings with @apollo/gateway's LocalGraphQLDataSource and result shaping
//   ours-distributed     OpsOrch's gateway, every subgraph over HTTP (OPSORCH_SUBGRAPH_URLS)
//   stock-distributed    stock @apollo/gateway + @apollo/server over the same subgraphs
//   hive-distributed     Hive Gateway (`hive-gateway supergraph`, stock settings) over the same subgraphs; installed
//                        at bench time into a cache folder outside the repository, never a dependency of OpsOrch
// Before the first distributed variant, a gateway that is not measured drives the scenarios through the freshly started
// subgraph processes, so no variant pays their cold start.
// Every process serves the same world (the demo world plus open incidents, bench/load/world.ts) with the demo clock
// pinned. Each answer is checked: the first answer of every variant must equal the others byte for byte, and every
// response under load must equal it (a difference counts as an error). Prints one Markdown table and the ratios.
//
//   npm run bench:load -- [--duration 20] [--warmup 5] [--variants ours,stock] [--scenarios war-room-50,light]
//                         [--rounds 1 | --interleave <s>] [--cpu-prof <dir>] [--heap-snapshot <dir>] [--json <file>]
//                         [--node-args="--trace-gc ..."]   (Node flags for every gateway process under test)
// With --rounds N every variant runs N times, the variants taking turns (ours, stock, ours, stock...), and the table
// shows each variant's median: on a machine whose speed drifts, one variant must not get all the fast minutes.
// With --interleave S every variant is started at once and they take turns every S seconds within one run: the
// finest way to compare them while the machine drifts (RSS 10 s after and a fresh process's first seconds are not
// measured then, and OpsOrch's processes do not give memory back when quiet).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, homedir, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import { SUBGRAPH_NAMES, SUPERGRAPH_PATH } from '@opsorch/schema';
import { INCIDENTS_WITH_SERVICE, WAR_ROOM } from '../test/queries.ts';
import { YOUNG_GENERATION_FLAG } from '../src/heap.ts';
import { summarizeProfile } from './load/profile.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SERVE = join(import.meta.dirname, 'load', 'serve.ts');
// The source map policy of the `opsorch` command (decision 028), for every process serve.ts runs.
const SOURCE_MAPS = join(ROOT, 'bin', 'source-maps.mjs');
const HIVE_VERSION = '2.15.1';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    variants: { type: 'string', default: 'ours,stock,ours-distributed,stock-distributed,hive-distributed' },
    scenarios: { type: 'string', default: 'war-room-50,light,war-room-25' },
    'extra-incidents': { type: 'string', default: '100' },
    'cpu-prof': { type: 'string' },
    'heap-snapshot': { type: 'string' },
    json: { type: 'string' },
    connections: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    interleave: { type: 'string' },
    'hive-dir': { type: 'string' },
    'node-args': { type: 'string' },
  },
});
const DURATION = Number(flags.duration);
const WARMUP = Number(flags.warmup);
const ROUNDS = Number(flags.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds: expected a whole number of at least 1, got "${flags.rounds}"`);
const SLICE = flags.interleave === undefined ? 0 : Number(flags.interleave);
if (flags.interleave !== undefined && !(Number.isInteger(SLICE) && SLICE >= 1 && SLICE <= DURATION)) {
  throw new Error(`--interleave: expected whole seconds from 1 to --duration (${DURATION}), got "${flags.interleave}"`);
}
if (SLICE > 0 && ROUNDS > 1) throw new Error('--interleave and --rounds are two ways of taking turns: choose one');

interface Scenario {
  id: string;
  label: string;
  body: string;
  connections: number;
  /** Run only against the distributed variants. */
  distributedOnly?: boolean;
  /** Asks no subgraph anything. */
  noSubgraph?: boolean;
}

const SCENARIOS: Scenario[] = [
  { id: 'war-room-50', label: 'war-room `first: 50`', body: JSON.stringify({ query: WAR_ROOM, variables: { first: 50 } }), connections: 50 },
  { id: 'light', label: '10 incidents with their service', body: JSON.stringify({ query: INCIDENTS_WITH_SERVICE }), connections: 50 },
  {
    id: 'war-room-25',
    label: 'war-room `first: 25`, 20 connections',
    body: JSON.stringify({ query: WAR_ROOM, variables: { first: 25 } }),
    connections: 20,
    distributedOnly: true,
  },
  // Only when --scenarios names it: what every request pays before any field resolves (HTTP, Express, the security checks,
  // Apollo Server, logging, metrics), the floor under the light query's ratio.
  { id: 'pipeline', label: '`{ __typename }`, the request pipeline alone', body: JSON.stringify({ query: '{ __typename }' }), connections: 50, noSubgraph: true },
];

type VariantId = 'ours' | 'stock' | 'ours-distributed' | 'stock-distributed' | 'hive-distributed';
const VARIANTS: Record<VariantId, { label: string; distributed: boolean }> = {
  ours: { label: 'OpsOrch, in-process', distributed: false },
  stock: { label: 'stock `LocalGraphQLDataSource`, in-process', distributed: false },
  'ours-distributed': { label: 'OpsOrch, distributed', distributed: true },
  'stock-distributed': { label: 'stock @apollo/gateway + @apollo/server, distributed', distributed: true },
  'hive-distributed': { label: `Hive Gateway ${HIVE_VERSION}, distributed`, distributed: true },
};

const variantIds = flags.variants.split(',').map((v) => v.trim()) as VariantId[];
for (const id of variantIds) if (!VARIANTS[id]) throw new Error(`--variants: unknown variant "${id}"; known: ${Object.keys(VARIANTS).join(', ')}`);
const scenarios = flags.scenarios.split(',').map((id) => {
  const scenario = SCENARIOS.find((s) => s.id === id.trim());
  if (!scenario) throw new Error(`--scenarios: unknown scenario "${id}"; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  return flags.connections ? { ...scenario, connections: Number(flags.connections) } : scenario;
});

const workDir = mkdtempSync(join(tmpdir(), 'opsorch-bench-load-'));
const demoNow = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
const baseEnv: NodeJS.ProcessEnv = {
  ...process.env,
  OPSORCH_DEMO_NOW: demoNow,
  BENCH_EXTRA_INCIDENTS: flags['extra-incidents'],
  NODE_ENV: 'production',
  // Stock @apollo/gateway and Hive Gateway cannot sign subgraph requests (decision 014), and every distributed
  // variant reaches the same subgraph processes: they trust the forwarded headers, so no variant pays for signing.
  OPSORCH_SUBGRAPH_TRUST: 'network',
};

// Cores: the gateway under test alone on core 0; this process, autocannon and the subgraphs on core 1.
const CORES = availableParallelism();
const pinned = CORES >= 2 && existsSync('/usr/bin/taskset');
const GATEWAY_CORE = '0';
const LOAD_CORE = '1';
if (pinned) execFileSync('taskset', ['-a', '-pc', LOAD_CORE, String(process.pid)], { stdio: 'ignore' });

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  name: string;
  child: ChildProcess;
  url: string;
  log: string;
  /** When the process was started (performance.now()), to find the measured load in its CPU profile. */
  startedAt: number;
  /** Spans of measured load, in ms since the process started. */
  measured: [number, number][];
}

/** Starts `node <args>` on a core, output to a log file; resolves when `url` answers a GraphQL request. */
async function startProcess(name: string, core: string, nodeArgs: string[], env: NodeJS.ProcessEnv, url?: string, cwd = ROOT): Promise<Proc> {
  const log = join(workDir, `${name}.log`);
  const startedAt = performance.now();
  const readyFile = join(workDir, `${name}.url`);
  rmSync(readyFile, { force: true });
  const out = openSync(log, 'w');
  const command = pinned ? 'taskset' : process.execPath;
  const args = pinned ? ['-c', core, process.execPath, ...nodeArgs] : nodeArgs;
  const child = spawn(command, args, { cwd, env: { ...env, BENCH_READY_FILE: readyFile }, stdio: ['ignore', out, out] });
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; see ${log}:\n${readFileSync(log, 'utf8').slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${name} did not start within 180 s; see ${log}`);
    const target = url ?? (existsSync(readyFile) ? readFileSync(readyFile, 'utf8').trim() : undefined);
    if (target && (await post(target, JSON.stringify({ query: '{ __typename }' })).catch(() => null))?.status === 200) {
      return { name, child, url: target, log, startedAt, measured: [] };
    }
    await sleep(200);
  }
}

async function stopProcess(proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null) return;
  const exited = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
}

const tsNode = (...args: string[]) => ['--import', 'tsx', '--import', SOURCE_MAPS, ...args];
/**
 * OpsOrch's processes (and stock in-process, which shares ours but for the data source) start as `npm start` does;
 * --node-args come after, so they can override it.
 */
const opsorchNode = (variant: string, ...args: string[]) => [YOUNG_GENERATION_FLAG, ...profiling(variant), ...tsNode(...args)];
const profiling = (variant: string): string[] => {
  const args = flags['node-args']?.split(' ').filter(Boolean) ?? [];
  if (flags['cpu-prof']) {
    const dir = resolve(flags['cpu-prof'], variant);
    mkdirSync(dir, { recursive: true });
    args.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  if (flags['heap-snapshot']) {
    const dir = resolve(flags['heap-snapshot'], variant);
    mkdirSync(dir, { recursive: true });
    // Without a diagnostic directory Node writes the snapshot into the working directory, the checkout.
    args.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`);
  }
  return args;
};

async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, text: await response.text() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** CPU time (user + system) of a process and its descendants so far, in ms. */
function treeCpuMs(pid: number): number {
  let ticks = 0;
  const visit = (p: number) => {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        for (const child of children ? children.split(/\s+/) : []) visit(Number(child));
      }
    } catch {
      // the process ended
    }
  };
  visit(pid);
  return ticks * CLOCK_TICK_MS;
}
/** Kernel clock ticks are 1/100 s on Linux (USER_HZ). */
const CLOCK_TICK_MS = 10;

/** RSS of a process and its descendants, in MiB (Hive Gateway may fork workers). */
function treeRssMiB(pid: number): number {
  let kib = 0;
  const visit = (p: number) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        for (const child of children ? children.split(/\s+/) : []) visit(Number(child));
      }
    } catch {
      // the process ended
    }
  };
  visit(pid);
  return kib / 1024;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** The supergraph with every subgraph's URL replaced by the running subgraph's. */
function supergraphFor(urls: Record<string, string>): string {
  const sdl = readFileSync(SUPERGRAPH_PATH, 'utf8').replace(
    /@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g,
    (_all, name: string) => `@join__graph(name: "${name}", url: "${urls[name]}")`,
  );
  const file = join(workDir, 'supergraph.graphql');
  writeFileSync(file, sdl);
  return file;
}

/** Hive Gateway, installed once into a cache folder outside the repository (never an OpsOrch dependency). */
function hiveGatewayBin(): string {
  const dir = flags['hive-dir'] ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'opsorch', 'bench', `hive-gateway-${HIVE_VERSION}`);
  const bin = join(dir, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');
  if (!existsSync(bin)) {
    console.error(`installing @graphql-hive/gateway@${HIVE_VERSION} into ${dir} (benchmark only)...`);
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `@graphql-hive/gateway@${HIVE_VERSION}`], {
      stdio: 'inherit',
    });
  }
  if (!existsSync(bin)) throw new Error(`Hive Gateway is not at ${bin} after installing it`);
  return bin;
}

interface Run {
  variant: VariantId;
  scenario: string;
  /** 1-based; every variant runs once per round. */
  round: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  requests: number;
  /** CPU time the gateway process spent per answered request during the measured load (stable on a busy machine). */
  cpuMsPerRequest: number;
  idleRss: number;
  peakRss: number;
  afterRss: number;
  /** Requests answered in each of the first seconds of load on the freshly started process. */
  freshSeconds: number[];
  /** The gateway's major (mark-compact) collections during the measured load; NaN for a gateway without OpsOrch's /metrics. */
  majorGcs: number;
  /** Its main thread's collection pauses over the measured load, in ms (every kind). */
  gcPauseMs: number;
}

function cannon(url: string, scenario: Scenario, seconds: number, expectBody: string | undefined, onTick?: (count: number) => void) {
  return new Promise<autocannon.Result>((resolveRun, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: scenario.body,
        connections: scenario.connections,
        duration: seconds,
        timeout: 30,
        expectBody,
      },
      (error, result) => (error ? reject(error) : resolveRun(result)),
    );
    // autocannon passes each second's counts to 'tick' (its typings omit the argument).
    if (onTick) (instance as unknown as NodeJS.EventEmitter).on('tick', ({ counter }: { counter: number }) => onTick(counter));
  });
}

const references = new Map<string, { variant: VariantId; text: string }>();
const failures: string[] = [];

/** The variants whose gateway is OpsOrch's own process (stock in-process swaps only its data source). */
const OPSORCH_PROCESSES = new Set(['ours', 'stock', 'ours-distributed']);

/**
 * The collector's work so far in one of OpsOrch's processes, from prom-client's `nodejs_gc_duration_seconds` on its
 * /metrics; NaN for the other gateways. A distributed run's tail follows the gateway's major collections: each one's
 * marking shares the one core with the requests for about 0.15 s, so the count explains a p99 that moved between runs.
 */
async function gcSoFar(proc: Proc): Promise<{ majors: number; pauseMs: number }> {
  if (!OPSORCH_PROCESSES.has(proc.name)) return { majors: NaN, pauseMs: NaN };
  const text = await fetch(new URL('/metrics', proc.url)).then((r) => r.text());
  let majors = 0;
  let pauseSeconds = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('nodejs_gc_duration_seconds_')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith('nodejs_gc_duration_seconds_sum{')) pauseSeconds += value;
    else if (line.startsWith('nodejs_gc_duration_seconds_count{') && line.includes('kind="major"')) majors += value;
  }
  return { majors, pauseMs: pauseSeconds * 1000 };
}

/** Load that counts: the gateway's CPU time, peak RSS and collections over it, its span noted for the CPU profile's summary. */
async function measuredLoad(proc: Proc, scenario: Scenario, seconds: number, expectBody: string) {
  const pid = proc.child.pid!;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, treeRssMiB(pid))), 250);
  const gcBefore = await gcSoFar(proc);
  const from = performance.now() - proc.startedAt;
  const cpuBefore = treeCpuMs(pid);
  const result = await cannon(proc.url, scenario, seconds, expectBody);
  const cpuMs = treeCpuMs(pid) - cpuBefore;
  proc.measured.push([from, performance.now() - proc.startedAt]);
  clearInterval(sampler);
  const gcAfter = await gcSoFar(proc);
  const gc = { majors: gcAfter.majors - gcBefore.majors, pauseMs: gcAfter.pauseMs - gcBefore.pauseMs };
  return { result, cpuMs, gc, peakRss: Math.max(peakRss, treeRssMiB(pid)) };
}

/** The answer must be error-free and the same as every other variant's; returns it (every answer under load must equal it). */
async function checkAnswer(variant: VariantId, proc: Proc, scenario: Scenario): Promise<{ text: string }> {
  const first = await post(proc.url, scenario.body);
  writeFileSync(join(workDir, `${variant}.${scenario.id}.json`), first.text);
  const parsed = JSON.parse(first.text) as { errors?: unknown[] };
  if (first.status !== 200 || parsed.errors) failures.push(`${variant} ${scenario.id}: answered ${first.status} ${first.text.slice(0, 300)}`);
  const reference = references.get(scenario.id);
  if (!reference) references.set(scenario.id, { variant, text: first.text });
  // A trailing newline is framing (Apollo Server ends its body with one, Hive Gateway does not), not the answer.
  else if (reference.text.trimEnd() !== first.text.trimEnd()) {
    const same = isDeepStrictEqual(JSON.parse(reference.text), parsed);
    failures.push(`${variant} ${scenario.id}: the answer differs from ${reference.variant}'s${same ? ' in its bytes only (same JSON value)' : ''}`);
  }
  return first;
}

/**
 * `--interleave <s>`: every variant is started at once, each pinned to the gateway core, and loaded in turns of `s`
 * seconds (the order reversed every other turn) until each has had `--duration` seconds. A machine whose speed drifts
 * then slows every variant alike, where `--rounds` gives each a whole run at a time. RPS is each variant's requests
 * over its seconds; p50/p90/p99 the medians of its turns'; RSS 10 s after is left out.
 */
async function measureInterleaved(procs: [VariantId, Proc][]): Promise<Run[]> {
  const runs: Run[] = [];
  const turns = Math.max(1, Math.round(DURATION / SLICE));
  for (const scenario of scenarios) {
    const active = procs.filter(([variant]) => !scenario.distributedOnly || VARIANTS[variant].distributed);
    if (active.length === 0) continue;
    const state = new Map<
      VariantId,
      { expect: string; idleRss: number; peakRss: number; requests: number; seconds: number; cpuMs: number; majorGcs: number; gcPauseMs: number; errors: number; p50: number[]; p90: number[]; p99: number[] }
    >();
    for (const [variant, proc] of active) {
      const first = await checkAnswer(variant, proc, scenario);
      state.set(variant, { expect: first.text, idleRss: treeRssMiB(proc.child.pid!), peakRss: 0, requests: 0, seconds: 0, cpuMs: 0, majorGcs: 0, gcPauseMs: 0, errors: 0, p50: [], p90: [], p99: [] });
    }
    for (const [variant, proc] of active) await cannon(proc.url, scenario, WARMUP, state.get(variant)!.expect);
    for (let turn = 0; turn < turns; turn++) {
      for (const [variant, proc] of turn % 2 ? [...active].reverse() : active) {
        const s = state.get(variant)!;
        const { result, cpuMs, gc, peakRss } = await measuredLoad(proc, scenario, SLICE, s.expect);
        s.cpuMs += cpuMs;
        s.majorGcs += gc.majors;
        s.gcPauseMs += gc.pauseMs;
        s.peakRss = Math.max(s.peakRss, peakRss);
        s.requests += result.requests.total;
        s.seconds += SLICE;
        s.errors += result.errors + result.non2xx + result.mismatches;
        s.p50.push(result.latency.p50);
        s.p90.push(result.latency.p90);
        s.p99.push(result.latency.p99);
      }
    }
    for (const [variant] of active) {
      const s = state.get(variant)!;
      if (s.errors > 0) failures.push(`${variant} ${scenario.id}: ${s.errors} connection errors, non-2xx answers or answers that differ`);
      const run: Run = {
        variant,
        scenario: scenario.id,
        round: 1,
        rps: s.requests / s.seconds,
        p50: median(s.p50),
        p90: median(s.p90),
        p99: median(s.p99),
        errors: s.errors,
        requests: s.requests,
        cpuMsPerRequest: s.cpuMs / Math.max(1, s.requests),
        idleRss: s.idleRss,
        peakRss: s.peakRss,
        afterRss: NaN,
        freshSeconds: [],
        majorGcs: s.majorGcs,
        gcPauseMs: s.gcPauseMs,
      };
      console.error(`  ${variant} ${scenario.id}: ${run.rps.toFixed(1)} req/s over ${turns} turns of ${SLICE} s, ${run.cpuMsPerRequest.toFixed(1)} CPU ms/req, p50 ${run.p50} ms, p99 ${run.p99} ms`);
      runs.push(run);
    }
  }
  return runs;
}

async function measure(variant: VariantId, proc: Proc, round: number): Promise<Run[]> {
  const runs: Run[] = [];
  const pid = proc.child.pid!;
  let fresh = true;
  for (const scenario of scenarios) {
    if (scenario.distributedOnly && !VARIANTS[variant].distributed) continue;
    const first = await checkAnswer(variant, proc, scenario);
    await sleep(1000);
    const idleRss = treeRssMiB(pid);
    const freshSeconds: number[] = [];
    // autocannon ticks once more as it stops; only the warm-up's own seconds are kept.
    await cannon(proc.url, scenario, WARMUP, first.text, fresh ? (count) => freshSeconds.length < WARMUP && freshSeconds.push(count) : undefined);
    fresh = false;
    const { result, cpuMs, gc, peakRss } = await measuredLoad(proc, scenario, DURATION, first.text);
    if (flags['heap-snapshot']) proc.child.kill('SIGUSR2');
    await sleep(10_000);
    const afterRss = treeRssMiB(pid);
    const errors = result.errors + result.non2xx + result.mismatches;
    if (errors > 0) failures.push(`${variant} ${scenario.id}: ${result.errors} connection errors, ${result.non2xx} non-2xx, ${result.mismatches} answers that differ`);
    const run: Run = {
      variant,
      scenario: scenario.id,
      round,
      rps: result.requests.average,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      errors,
      requests: result.requests.total,
      cpuMsPerRequest: cpuMs / Math.max(1, result.requests.total),
      idleRss,
      peakRss,
      afterRss,
      freshSeconds,
      majorGcs: gc.majors,
      gcPauseMs: gc.pauseMs,
    };
    const gcNote = Number.isFinite(gc.majors) ? `, ${gc.majors} major GCs` : '';
    console.error(`  ${scenario.id}: ${run.rps.toFixed(1)} req/s, ${run.cpuMsPerRequest.toFixed(1)} CPU ms/req, p50 ${run.p50} ms, p99 ${run.p99} ms${gcNote}, peak ${run.peakRss.toFixed(0)} MiB (load ${load()})`);
    runs.push(run);
  }
  return runs;
}

async function startVariant(variant: VariantId, subgraphUrls: Record<string, string> | null): Promise<Proc> {
  // Taking turns, each gateway is quiet while the others are loaded: giving its memory back then (two full
  // collections 3 s into each quiet spell, decision 041) would take the core from the one being measured.
  const env: NodeJS.ProcessEnv = SLICE > 0 ? { ...baseEnv, OPSORCH_RELEASE_MEMORY_AFTER_QUIET_MS: '0' } : { ...baseEnv };
  switch (variant) {
    case 'ours':
    case 'stock':
      return startProcess(variant, GATEWAY_CORE, opsorchNode(variant, SERVE, 'gateway', variant), env);
    case 'ours-distributed':
      env.OPSORCH_SUBGRAPH_URLS = subgraphUrlsVariable(subgraphUrls!);
      return startProcess(variant, GATEWAY_CORE, opsorchNode(variant, SERVE, 'gateway', 'ours'), env);
    case 'stock-distributed':
      return startProcess(variant, GATEWAY_CORE, [...profiling(variant), ...tsNode(SERVE, 'apollo', supergraphFor(subgraphUrls!))], env);
    case 'hive-distributed': {
      const bin = hiveGatewayBin();
      const port = await freePort();
      const supergraph = supergraphFor(subgraphUrls!);
      const cwd = join(workDir, 'hive');
      mkdirSync(cwd, { recursive: true });
      return startProcess(variant, GATEWAY_CORE, [...profiling(variant), bin, 'supergraph', supergraph, '--port', String(port), '--host', '127.0.0.1'], env, `http://127.0.0.1:${port}/graphql`, cwd);
    }
  }
}

/** Where the gateway's CPU went during the measured load (not start-up or warm-up), beside its profile. */
function printProfile(variant: VariantId, proc: Proc): void {
  const dir = resolve(flags['cpu-prof']!, variant);
  const newest = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort()
    .pop();
  if (!newest) return console.error(`${variant}: no CPU profile in ${dir}`);
  const summary = summarizeProfile(newest, { top: 40, windows: proc.measured });
  writeFileSync(newest.replace(/\.cpuprofile$/, '.summary.txt'), summary);
  console.error(summary);
}

console.error(`bench:load: ${DURATION} s measured after ${WARMUP} s warm-up per scenario; gateway on core ${GATEWAY_CORE}, load on core ${LOAD_CORE}${pinned ? '' : ' (NOT pinned: taskset or a second core is missing)'}`);
console.error(`load average at start: ${load()}; logs in ${workDir}`);
const loadAtStart = load();
const runs: Run[] = [];
let subgraphs: Proc[] = [];
/** The subgraph processes' URLs for a distributed variant (started on first need), null for an in-process one. */
async function subgraphUrlsFor(variant: VariantId): Promise<Record<string, string> | null> {
  if (!VARIANTS[variant].distributed) return null;
  if (subgraphs.length === 0) {
    console.error(`starting ${SUBGRAPH_NAMES.length} subgraph processes on core ${LOAD_CORE}...`);
    subgraphs = await Promise.all(SUBGRAPH_NAMES.map((name) => startProcess(`subgraph-${name}`, LOAD_CORE, [YOUNG_GENERATION_FLAG, ...tsNode(SERVE, 'subgraph', name)], baseEnv)));
    await warmSubgraphs(subgraphUrlsOf(subgraphs));
  }
  return subgraphUrlsOf(subgraphs);
}

const subgraphUrlsOf = (procs: Proc[]) => Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, procs[i]!.url]));
/** OPSORCH_SUBGRAPH_URLS for those URLs. */
const subgraphUrlsVariable = (urls: Record<string, string>) => Object.entries(urls).map(([name, url]) => `${name}=${url}`).join(',');

/**
 * The subgraph processes start as cold as any process, and every distributed variant shares them: the first one
 * measured would pay their first seconds alone (its light p99 was 86 ms on fresh subgraphs, 44 ms a round later).
 * So a gateway that is never measured, on the gateway core and stopped before anything is, first drives every
 * scenario that reaches them for twice the warm-up (none with `--warmup 0`).
 */
async function warmSubgraphs(urls: Record<string, string>): Promise<void> {
  const reachingSubgraphs = scenarios.filter((scenario) => !scenario.noSubgraph);
  if (WARMUP <= 0 || reachingSubgraphs.length === 0) return;
  console.error(`warming the subgraph processes: ${reachingSubgraphs.map((s) => s.id).join(', ')} for ${2 * WARMUP} s each through a gateway that is not measured...`);
  const env = { ...baseEnv, OPSORCH_SUBGRAPH_URLS: subgraphUrlsVariable(urls), OPSORCH_RELEASE_MEMORY_AFTER_QUIET_MS: '0' };
  const proc = await startProcess('subgraph-warm-up', GATEWAY_CORE, [YOUNG_GENERATION_FLAG, ...tsNode(SERVE, 'gateway', 'ours')], env);
  try {
    for (const scenario of reachingSubgraphs) await cannon(proc.url, scenario, 2 * WARMUP, undefined);
  } finally {
    await stopProcess(proc);
  }
}

try {
  if (SLICE > 0) {
    const procs: [VariantId, Proc][] = [];
    try {
      for (const variant of variantIds) {
        console.error(`${variant}: starting (load ${load()})`);
        procs.push([variant, await startVariant(variant, await subgraphUrlsFor(variant))]);
      }
      runs.push(...(await measureInterleaved(procs)));
    } finally {
      await Promise.all(procs.map(([, proc]) => stopProcess(proc)));
    }
    if (flags['cpu-prof']) for (const [variant, proc] of procs) printProfile(variant, proc);
  } else for (let round = 1; round <= ROUNDS; round++) for (const variant of variantIds) {
    const subgraphUrls = await subgraphUrlsFor(variant);
    console.error(`${variant}${ROUNDS > 1 ? ` (round ${round} of ${ROUNDS})` : ''}: starting (load ${load()})`);
    const proc = await startVariant(variant, subgraphUrls);
    try {
      runs.push(...(await measure(variant, proc, round)));
    } finally {
      await stopProcess(proc);
    }
    if (flags['cpu-prof']) printProfile(variant, proc);
  }
} finally {
  await Promise.all(subgraphs.map(stopProcess));
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const lines: string[] = [];
lines.push(
  `| query | variant | RPS | CPU ms/req | p50 ms | p90 ms | p99 ms | p99/p50 | major GCs (pauses ms) | errors | idle RSS MiB | peak RSS MiB | RSS 10 s after MiB | fresh process, req/s in its first seconds |`,
);
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
const runsOf = (scenario: string, variant: VariantId) => runs.filter((r) => r.scenario === scenario && r.variant === variant);
// One row per variant and query: with several rounds, the median of each measure (peak RSS: the highest; errors: all
// of them; a fresh process's first seconds: each second's median, and the median share of its own round's steady
// rate that the last of them reached, since one fresh start on a drifting machine says little).
for (const { variant, scenario: scenarioId } of runs.filter((r) => r.round === 1)) {
  const all = runsOf(scenarioId, variant);
  const m = (pick: (run: Run) => number) => median(all.map(pick));
  const scenario = SCENARIOS.find((s) => s.id === scenarioId)!;
  const rps = all.length > 1 ? `${fmt(m((r) => r.rps), 1)} (${all.map((r) => fmt(r.rps, 1)).join(' / ')})` : fmt(all[0]!.rps, 1);
  const [p50, p90, p99] = [m((r) => r.p50), m((r) => r.p90), m((r) => r.p99)];
  const majors = m((r) => r.majorGcs);
  const gc = Number.isFinite(majors) ? `${fmt(majors)} (${fmt(m((r) => r.gcPauseMs))})` : '–';
  lines.push(
    `| ${scenario.label} | ${VARIANTS[variant].label} | ${rps} | ${fmt(m((r) => r.cpuMsPerRequest), 1)} | ${p50} | ${p90} | ${p99} | ${fmt(p99 / p50, 1)} | ${gc} | ${all.reduce((n, r) => n + r.errors, 0)} | ${fmt(m((r) => r.idleRss))} | ${fmt(Math.max(...all.map((r) => r.peakRss)))} | ${fmt(m((r) => r.afterRss))} | ${freshColumn(all)} |`,
  );
}
/** `57 / 155 / 222 / 272 / 296 (97 % of steady)`: per second, the median over rounds; the share, of each round's own rate. */
function freshColumn(all: Run[]): string {
  const fresh = all.filter((r) => r.freshSeconds.length > 0);
  if (fresh.length === 0) return '';
  const seconds = Math.min(...fresh.map((r) => r.freshSeconds.length));
  const perSecond = Array.from({ length: seconds }, (_, i) => fmt(median(fresh.map((r) => r.freshSeconds[i]!))));
  const share = median(fresh.map((r) => (100 * r.freshSeconds[seconds - 1]!) / r.rps));
  return `${perSecond.join(' / ')} (${fmt(share)} % of steady${fresh.length > 1 ? `, median of ${fresh.length} starts` : ''})`;
}
const ratio = (scenario: string, a: VariantId, b: VariantId) => {
  const pairs = runsOf(scenario, a).flatMap((x) => runsOf(scenario, b).filter((y) => y.round === x.round).map((y) => [x, y] as const));
  if (pairs.length === 0) return null;
  // Each round's ratio from the two runs side by side in it, then the median: drift between rounds cancels out.
  const rps = pairs.map(([x, y]) => x.rps / y.rps);
  // Requests per CPU-second too: on a machine shared with other work, it moves far less than RPS does.
  const cpu = pairs.map(([x, y]) => y.cpuMsPerRequest / x.cpuMsPerRequest);
  const byRound = pairs.length > 1 ? `; rounds ${rps.map((r) => `${fmt(r, 2)}×`).join(' / ')}` : '';
  return `${fmt(median(rps), 2)}× (per CPU-second ${fmt(median(cpu), 2)}×${byRound})`;
};
lines.push('');
for (const scenario of scenarios) {
  const parts = [
    ['OpsOrch / stock, in-process', ratio(scenario.id, 'ours', 'stock')],
    ['OpsOrch / stock, distributed', ratio(scenario.id, 'ours-distributed', 'stock-distributed')],
    ['OpsOrch / Hive Gateway, distributed', ratio(scenario.id, 'ours-distributed', 'hive-distributed')],
  ].filter(([, value]) => value !== null);
  if (parts.length > 0) lines.push(`- ${scenario.label}: RPS ratio ${parts.map(([name, value]) => `${name} ${value}`).join('; ')}`);
}
lines.push('');
lines.push(`Load average (1, 5, 15 min) at start: ${loadAtStart}; at end: ${load()}. Node ${process.version}, ${CORES} cores, ${DURATION} s per run after ${WARMUP} s warm-up${ROUNDS > 1 ? `, ${ROUNDS} rounds (medians)` : ''}${SLICE > 0 ? `, the variants loaded in turns of ${SLICE} s (latencies: medians of the turns')` : ''}.`);
console.log(lines.join('\n'));
if (flags.json) writeFileSync(flags.json, JSON.stringify({ loadAtStart, loadAtEnd: load(), runs, failures }, null, 2));
if (failures.length > 0) {
  console.log(`\nFAILED checks:\n${failures.map((f) => `- ${f}`).join('\n')}`);
  process.exitCode = 1;
}
