// `npm run start:local`: a local Prometheus and Alertmanager (Debian's packages) with the example rules, the example
// exporter for a few catalog services, and OpsOrch with metrics and alerts on them; everything else on the demo world.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startExporter } from './exporter.ts';
import { ensurePrometheusInstalled, freePort, startPrometheusStack } from './prometheus-stack.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The wanted port when it is free, else any free one (a second start:local, or a Prometheus already running). */
async function portNear(wanted: number): Promise<number> {
  const free = await new Promise<boolean>((resolve) => {
    import('node:net').then(({ createServer }) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(wanted, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
  });
  return free ? wanted : freePort();
}

ensurePrometheusInstalled();
const exporter = await startExporter(await portNear(9464));
const stack = await startPrometheusStack({
  exporterTargets: [`127.0.0.1:${exporter.port}`],
  rules: readFileSync(join(import.meta.dirname, 'prometheus', 'rules.yml'), 'utf8'),
  interval: '5s',
  prometheusPort: await portNear(9090),
  alertmanagerPort: await portNear(9093),
});
console.log(`Prometheus   ${stack.prometheusUrl}  (scraping itself and the example exporter on :${exporter.port})`);
console.log(`Alertmanager ${stack.alertmanagerUrl}`);

// The exporter labels the payments API `payments`; the catalog calls it payments-api.
const aliases = { payments: 'payments-api' };
const gateway = spawn(process.execPath, [join(ROOT, 'bin', 'opsorch.mjs'), 'start'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: {
    ...process.env,
    OPSORCH_METRICS_PROVIDER: 'prometheus',
    OPSORCH_METRICS_CONFIG: JSON.stringify({ url: stack.prometheusUrl, scrapeInterval: '5s', serviceAliases: aliases }),
    OPSORCH_ALERTS_PROVIDER: 'alertmanager',
    OPSORCH_ALERTS_CONFIG: JSON.stringify({ url: stack.alertmanagerUrl, serviceAliases: aliases }),
  },
});

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (gateway.exitCode === null) {
    gateway.kill('SIGTERM');
    await new Promise((resolve) => gateway.once('exit', resolve));
  }
  await stack.stop();
  exporter.server.close();
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
gateway.once('exit', (code) => void stop(code ?? 1));
