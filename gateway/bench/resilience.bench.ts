// `npm run bench:resilience`: how fast a provider instance's circuit reacts to an outage under steady load
// through the real gateway (HTTP, in-process subgraphs), and what requests cost once it is open.
//   reaction: outage start → circuit open      recovery: tool back → circuit closed
//   latency before (healthy), during the outage before the circuit opened, and with the circuit open.
import { performance } from 'node:perf_hooks';
import { startGateway } from '../src/index.ts';
import { controlled, type Control, type Mode } from '../test/controlled-provider.ts';
import { captureLogs, gql } from '../test/harness.ts';

const QUERY = `query Health { services(first: 5) { nodes { id health { status } } } }`;
const CLIENTS = 8;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function scenario(label: string, outage: Mode, env: Record<string, string>) {
  const alerts: Control = { mode: { kind: 'ok' }, calls: {} };
  const gateway = await startGateway({
    port: 0,
    host: '127.0.0.1',
    env: { OPSORCH_ALERTS_PROVIDER: 'ctl', ...env },
    extraProviders: { ctl: controlled(alerts) },
    logger: captureLogs().logger,
  });
  const state = () => gateway.registry.breakerStates().find((b) => b.capability === 'alerts')!.state;
  const samples: { at: number; ms: number; phase: string }[] = [];
  let phase = 'healthy';
  let running = true;
  const clients = Array.from({ length: CLIENTS }, async () => {
    while (running) {
      const started = performance.now();
      const current = phase;
      await gql(gateway.url, QUERY);
      samples.push({ at: started, ms: performance.now() - started, phase: current });
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  const callsBefore = alerts.calls.healthOfServices ?? 0;
  const outageAt = performance.now();
  alerts.mode = outage;
  phase = 'outage';
  while (state() !== 'open') await new Promise((resolve) => setTimeout(resolve, 1));
  const openedAt = performance.now();
  const callsAtOpen = alerts.calls.healthOfServices ?? 0;
  phase = 'open';
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const callsWhileOpen = (alerts.calls.healthOfServices ?? 0) - callsAtOpen;

  alerts.mode = { kind: 'ok' };
  const recoveredAt = performance.now();
  phase = 'recovering';
  while (state() !== 'closed') await new Promise((resolve) => setTimeout(resolve, 1));
  const closedAt = performance.now();
  running = false;
  await Promise.all(clients);
  await gateway.close();

  const of = (p: string) => samples.filter((s) => s.phase === p).map((s) => s.ms);
  const openSamples = samples.filter((s) => s.phase === 'open');
  return {
    scenario: label,
    'reaction ms': Math.round(openedAt - outageAt),
    'upstream calls before open': callsAtOpen - callsBefore,
    'upstream calls while open (1 s)': callsWhileOpen,
    'recovery ms': Math.round(closedAt - recoveredAt),
    'healthy p50 ms': Math.round(percentile(of('healthy'), 50)),
    'outage p50 ms': Math.round(percentile(of('outage'), 50)),
    'open p50 ms': Math.round(percentile(openSamples.map((s) => s.ms), 50)),
    'open p99 ms': Math.round(percentile(openSamples.map((s) => s.ms), 99)),
    'requests while open': openSamples.length,
  };
}

const defaults = { OPSORCH_BREAKER_COOLDOWN_MS: '2000' };
const rows = [
  await scenario('refused (ECONNREFUSED), defaults: 5 failures, 3 attempts', { kind: 'fail' }, defaults),
  await scenario('refused, no retries (OPSORCH_PROVIDER_READ_ATTEMPTS=1)', { kind: 'fail' }, { ...defaults, OPSORCH_PROVIDER_READ_ATTEMPTS: '1' }),
  await scenario('hanging, timeout 1000 ms', { kind: 'hang' }, { ...defaults, OPSORCH_PROVIDER_TIMEOUT_MS: '1000' }),
];
console.log(`\nCircuit breaker reaction (${CLIENTS} concurrent clients, cool-down 2000 ms)`);
console.table(rows);
