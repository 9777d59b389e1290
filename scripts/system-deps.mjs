// Installs the Debian packages the test suite runs for real (Chromium for the console, Prometheus and
// Alertmanager for the real-server provider tests, Redis for APQ across replicas, Python for the sample
// plugin) before vitest starts, so a fresh machine pays the download once and outside any test timeout.
// Runs as `pretest`; the tests still install what is missing themselves when run on their own.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package → the file that proves it is installed. */
const PACKAGES = {
  chromium: '/usr/bin/chromium',
  'fonts-dejavu-core': '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  prometheus: '/usr/bin/prometheus',
  'prometheus-alertmanager': '/usr/bin/prometheus-alertmanager',
  'redis-server': '/usr/bin/redis-server',
};

function hasCommand(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const missing = Object.entries(PACKAGES)
  .filter(([, path]) => !existsSync(path))
  .map(([name]) => name);
if (!hasCommand('python3')) missing.push('python3');

if (missing.length === 0) process.exit(0);
if (process.getuid?.() !== 0 || !hasCommand('apt-get')) {
  console.warn(`system-deps: missing ${missing.join(', ')}; install them with: sudo apt-get install -y ${missing.join(' ')}`);
  process.exit(0);
}
console.log(`system-deps: installing ${missing.join(', ')} from Debian`);
// The same lock as the tests' own installs, so parallel runs never fight over dpkg.
execFileSync(
  'flock',
  ['/tmp/opsorch-apt.lock', 'sh', '-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`],
  { stdio: 'inherit' },
);
