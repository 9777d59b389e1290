// `npm run start:sandbox`: the console as an on-call engineer sees it against real tools' APIs. Contract fakes of
// PagerDuty, Opsgenie, Datadog, Jira, GitHub (Actions too), Slack and Backstage serve a sample shop
// (sandbox-world.ts), and OpsOrch with its console runs against them on PORT (default: a free port). Each fake still
// checks every request against the vendor's published API; a request the real API would refuse is printed here.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './prometheus-stack.ts';
import { SANDBOX_INCIDENT, SANDBOX_WAITING_RUN, startSandboxWorld } from './sandbox-world.ts';

const ROOT = join(import.meta.dirname, '..', '..');
// PORT=0 (or none) asks for any free port, which must be known before the gateway starts to print its URL.
const port = Number(process.env.PORT) || (await freePort());
const world = await startSandboxWorld();

// Violations are the point of the fakes: say them where the person running the sandbox looks.
const watch = setInterval(() => {
  for (const [vendor, fake] of Object.entries(world.fakes)) {
    for (const violation of fake.violations.splice(0)) process.stderr.write(`\n\x1b[41;97m CONTRACT VIOLATION \x1b[0m ${vendor}: ${violation}\n\n`);
  }
}, 500);

const gateway = spawn(process.execPath, [join(ROOT, 'bin', 'opsorch.mjs'), 'start', '--port', String(port), '--host', '127.0.0.1'], {
  cwd: ROOT,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, ...world.env, OPSORCH_LOG_LEVEL: process.env.OPSORCH_LOG_LEVEL ?? 'warn', PORT: String(port) },
});

const base = `http://127.0.0.1:${port}`;
for (let tries = 0; gateway.exitCode === null && tries < 600; tries++) {
  const ready = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
  if (ready) break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}
if (gateway.exitCode === null) {
  console.log(`OpsOrch console  ${base}/  (GraphQL at ${base}/graphql)`);
  console.log(`  an incident    ${base}/incidents/${encodeURIComponent(SANDBOX_INCIDENT)}`);
  console.log(`  waiting run    ${base}/runs/${encodeURIComponent(`gh:acme-shop/checkout/runs/${SANDBOX_WAITING_RUN}`)}`);
  console.log('Fakes: ' + Object.keys(world.fakes).join(', ') + ' (requests checked against each vendor\'s published API)');
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(watch);
  if (gateway.exitCode === null) {
    gateway.kill('SIGTERM');
    await new Promise((resolve) => gateway.once('exit', resolve));
  }
  await world.close();
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
gateway.once('exit', (code, signal) => {
  if (!stopping) process.stderr.write(`OpsOrch exited (${signal ?? `code ${code}`}); stopping the fakes\n`);
  void stop(code ?? 1);
});
