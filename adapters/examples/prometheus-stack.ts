// Runs Debian's Prometheus and Alertmanager on loopback with configs written here: for `npm run start:local`
// and the tests against the real servers. Both are started with `spawn` (no shell), so the pids we stop are theirs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Installs Debian packages that are missing (as root, serialized with the other sessions' apt through
 * /tmp/opsorch-apt.lock). `binaries` maps each package to the command that proves it is there.
 */
export function ensureDebianPackages(binaries: Record<string, string>): void {
  const missing = Object.entries(binaries).filter(([, command]) => !onPath(command)).map(([pkg]) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing ${missing.join(', ')}: install them with sudo apt-get install -y ${missing.join(' ')}`);
  }
  execFileSync(
    'flock',
    ['/tmp/opsorch-apt.lock', 'sh', '-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing.join(' ')}`],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 },
  );
}

export function ensurePrometheusInstalled(): void {
  ensureDebianPackages({ prometheus: PROMETHEUS_BIN, 'prometheus-alertmanager': ALERTMANAGER_BIN });
}

/** A port free right now on loopback (the server binds it a moment later; a clash fails loudly at start). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface StackOptions {
  /** `host:port` targets Prometheus scrapes besides itself (job `exporter`). */
  exporterTargets: string[];
  /** Alerting rules (YAML text). */
  rules: string;
  /** Scrape and rule evaluation interval (default `1s`: tests want data fast). */
  interval?: string;
  /** Where output goes (default: kept in memory for error messages). */
  log?: (line: string) => void;
  prometheusPort?: number;
  alertmanagerPort?: number;
}

export interface RunningStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  prometheusPid: number;
  alertmanagerPid: number;
  dir: string;
  output: string[];
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, output: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode} before it was ready:\n${output.slice(-20).join('')}`);
    const ok = await fetch(url).then((r) => r.ok).catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms:\n${output.slice(-20).join('')}`);
}

async function stopPid(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid!, 'SIGTERM');
  const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Starts Alertmanager, then Prometheus pointed at it, and waits until both answer `/-/ready`. */
export async function startPrometheusStack(options: StackOptions): Promise<RunningStack> {
  const dir = mkdtempSync(join(tmpdir(), 'opsorch-prometheus-'));
  const interval = options.interval ?? '1s';
  const [promPort, amPort] = [options.prometheusPort ?? (await freePort()), options.alertmanagerPort ?? (await freePort())];
  const output: string[] = [];
  const log = options.log ?? ((line: string) => output.push(line));

  writeFileSync(
    join(dir, 'alertmanager.yml'),
    [
      'route:',
      '  receiver: "null"',
      '  group_by: [alertname, service]',
      '  group_wait: 1s',
      '  group_interval: 5s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: "null"',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'rules.yml'), options.rules);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      `  scrape_interval: ${interval}`,
      `  evaluation_interval: ${interval}`,
      'rule_files:',
      `  - ${join(dir, 'rules.yml')}`,
      'alerting:',
      '  alertmanagers:',
      '    - static_configs:',
      `        - targets: ["127.0.0.1:${amPort}"]`,
      'scrape_configs:',
      '  - job_name: prometheus',
      '    static_configs:',
      `      - targets: ["127.0.0.1:${promPort}"]`,
      '  - job_name: exporter',
      '    static_configs:',
      `      - targets: [${options.exporterTargets.map((t) => `"${t}"`).join(', ')}]`,
      '',
    ].join('\n'),
  );

  const run = (bin: string, args: string[]) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => log(String(chunk)));
    child.stderr!.on('data', (chunk: Buffer) => log(String(chunk)));
    return child;
  };
  const alertmanager = run(ALERTMANAGER_BIN, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'alertmanager-data')}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    // No HA gossip: it would bind port 9094 on every interface.
    '--cluster.listen-address=',
  ]);
  const prometheus = run(PROMETHEUS_BIN, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    // Without it Prometheus waits a minute between sends to Alertmanager (DESIGN.md, known traps).
    '--rules.alert.resend-delay=2s',
  ]);
  const stack: RunningStack = {
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    alertmanagerUrl: `http://127.0.0.1:${amPort}`,
    prometheusPid: prometheus.pid!,
    alertmanagerPid: alertmanager.pid!,
    dir,
    output,
    async stop() {
      await Promise.all([stopPid(prometheus), stopPid(alertmanager)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all([
      waitReady(`${stack.alertmanagerUrl}/-/ready`, alertmanager, output),
      waitReady(`${stack.prometheusUrl}/-/ready`, prometheus, output),
    ]);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

/** Polls `probe` until it answers something truthy. */
export async function eventually<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}
