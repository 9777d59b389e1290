// The suite without the browser tests, under the other Node versions users run (22 and 24), with binaries from
// the npm registry's `node-<platform>-<arch>` packages (no download from anywhere else), cached outside the
// repository. `npm test` runs this last; it acts in CI (CI=true) or when OPSORCH_TEST_NODES names versions
// (`OPSORCH_TEST_NODES=22` or `22,24`), and otherwise says it was skipped. OPSORCH_NODE_CACHE moves the cache.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** The exact releases tested; raise them deliberately (package-lock does not pin these). */
const RELEASES = { 22: '22.23.5', 24: '24.22.3' };
/**
 * vitest.config.ts's projects but `browser`: Node 20 runs the Chromium suites; the console's runtime is the same
 * code under every Node.
 */
const PROJECTS = ['--project', 'together', '--project', 'alone'];

const root = join(import.meta.dirname, '..');
const wanted = process.env.OPSORCH_TEST_NODES ?? (process.env.CI === 'true' ? Object.keys(RELEASES).join(',') : '');
if (!wanted.trim()) {
  console.log('other Node versions: skipped (CI=true or OPSORCH_TEST_NODES=22,24 runs the suite under Node 22 and 24 as well)');
  process.exit(0);
}

/** The node binary of `version`, from the cache or unpacked from the npm registry's platform package. */
function nodeBinary(version) {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const cache = process.env.OPSORCH_NODE_CACHE ?? join(homedir(), '.cache', 'opsorch', 'node');
  const dir = join(cache, `${version}-${platform}-${process.arch}`);
  const binary = join(dir, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (existsSync(binary)) return binary;
  const work = mkdtempSync(join(tmpdir(), 'opsorch-node-'));
  try {
    const pkg = `node-${platform}-${process.arch}@${version}`;
    console.log(`other Node versions: fetching ${pkg} from the npm registry into ${dir}`);
    const tarball = execFileSync('npm', ['pack', pkg, '--silent', '--pack-destination', work], { encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
    mkdirSync(dirname(dir), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(work, 'package'), dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}

// Node 20 has run every test already. With several other versions, each runs its share of the test files
// (vitest's --shard), so every test also runs under one of them and CI pays for one extra run, not two;
// OPSORCH_TEST_NODES_WHOLE=true runs the whole suite under each.
const versions = wanted.split(',').map((v) => v.trim()).filter(Boolean);
const whole = process.env.OPSORCH_TEST_NODES_WHOLE === 'true' || versions.length === 1;
const failures = [];
for (const [index, major] of versions.entries()) {
  const version = RELEASES[major] ?? major;
  const node = nodeBinary(version);
  const started = Date.now();
  const shard = whole ? [] : [`--shard=${index + 1}/${versions.length}`];
  console.log(`\nother Node versions: ${whole ? 'the suite' : `share ${index + 1} of ${versions.length} of the suite`} without the browser tests under Node ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}`);
  const child = spawn(node, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...PROJECTS, ...shard], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Child processes the tests start by name (`node`, tsx) are this Node too.
    env: { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH}` },
  });
  // Shown as it comes, and kept: a failure is repeated at the very end, where a CI log cut to its tail still shows it.
  const output = [];
  child.stdout.on('data', (chunk) => (process.stdout.write(chunk), output.push(chunk)));
  child.stderr.on('data', (chunk) => (process.stderr.write(chunk), output.push(chunk)));
  const [status] = await once(child, 'close');
  console.log(`other Node versions: Node ${version} ${status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
  if (status !== 0) failures.push({ version, output: Buffer.concat(output).toString('utf8') });
}
for (const { version, output } of failures) console.log(`\nother Node versions: what failed under Node ${version}\n${failureSummary(output)}`);
process.exit(failures.length ? 1 : 0);

/** Vitest's account of the failures (from its "Failed Tests" section on), without colours, at most 80 lines. */
function failureSummary(output) {
  const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const from = lines.findIndex((line) => /⎯ (Failed Tests|Failed Suites|Unhandled Errors?)( \d+)? ⎯/.test(line));
  const failed = lines.filter((line) => /^\s*(FAIL|×|❯ .*\(\d+ tests? \| \d+ failed\))/.test(line));
  const shown = from >= 0 ? lines.slice(from) : [...failed, ...lines.slice(-40)];
  return (shown.length > 80 ? [...shown.slice(0, 60), `  ... ${shown.length - 80} lines left out ...`, ...shown.slice(-20)] : shown).join('\n');
}
