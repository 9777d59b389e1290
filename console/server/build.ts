// Builds the console on demand: `npm ci && npm start` on a fresh machine has no build yet, and a pulled
// change makes the old one stale. The build runs `remix vite:build` in a child process into a temporary
// directory that is swapped in when complete, under a lock so concurrent starts build once.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { join, relative } from 'node:path';

/** The console workspace (this file lives in console/server/). */
export const CONSOLE_DIR = join(import.meta.dirname, '..');
export const BUILD_DIR = join(CONSOLE_DIR, 'build');
const LOCK_DIR = join(CONSOLE_DIR, '.build-lock');
const STAMP_FILE = 'opsorch-build.json';
/** Inputs of the build besides app/: a change to any of them makes the build stale. */
const INPUT_FILES = ['vite.config.ts', 'package.json', 'tsconfig.json'];
/** Installed packages whose version changes the output. */
const TOOL_PACKAGES = ['@remix-run/dev', '@remix-run/react', 'vite', 'react', 'react-dom', '@xyflow/react'];

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (!/\.test\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** A hash of everything the build is made from: sources, configuration and tool versions. */
export function sourceHash(consoleDir = CONSOLE_DIR): string {
  const hash = createHash('sha256');
  const files = [...listFiles(join(consoleDir, 'app')), ...INPUT_FILES.map((f) => join(consoleDir, f))].sort();
  for (const file of files) {
    hash.update(relative(consoleDir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  const require = createRequire(join(consoleDir, 'package.json'));
  for (const name of TOOL_PACKAGES) {
    const pkg = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string };
    hash.update(`${name}@${pkg.version}\0`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** The hash the current build was made from, or null when there is no complete build. */
export function builtHash(buildDir = BUILD_DIR): string | null {
  try {
    const stamp = JSON.parse(readFileSync(join(buildDir, STAMP_FILE), 'utf8')) as { hash?: string };
    return existsSync(join(buildDir, 'server', 'index.js')) ? (stamp.hash ?? null) : null;
  } catch {
    return null;
  }
}

export function buildIsFresh(): boolean {
  return builtHash() === sourceHash();
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the build lock, waiting while another live process holds it. Returns false if we waited instead. */
async function acquireLock(): Promise<boolean> {
  let waited = false;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
      return !waited;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner = Number.NaN;
    try {
      owner = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8'));
    } catch {
      // the owner has not written its pid yet, or just released the lock
    }
    const age = (() => {
      try {
        return Date.now() - statSync(LOCK_DIR).mtimeMs;
      } catch {
        return 0;
      }
    })();
    if ((Number.isInteger(owner) && !pidIsAlive(owner)) || (!Number.isInteger(owner) && age > 10_000)) {
      rmSync(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function releaseLock(): void {
  rmSync(LOCK_DIR, { recursive: true, force: true });
}

export interface BuildLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

function runViteBuild(outDir: string): Promise<void> {
  const require = createRequire(join(CONSOLE_DIR, 'package.json'));
  const devPkgPath = require.resolve('@remix-run/dev/package.json');
  const devPkg = JSON.parse(readFileSync(devPkgPath, 'utf8')) as { bin: Record<string, string> };
  const cli = join(devPkgPath, '..', devPkg.bin.remix!);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'vite:build'], {
      cwd: CONSOLE_DIR,
      env: { ...process.env, OPSORCH_CONSOLE_BUILD_DIR: relative(CONSOLE_DIR, outDir), NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      // Below the gateway: answering API requests matters more than finishing the build a bit sooner.
      if (child.pid) setPriority(child.pid, 10);
    } catch {
      // not permitted here; fine
    }
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(String(chunk)));
    child.stderr.on('data', (chunk: Buffer) => output.push(String(chunk)));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`remix vite:build failed (${signal ?? `exit ${code}`}):\n${output.join('').slice(-4000)}`));
    });
  });
}

/**
 * Makes sure console/build matches the sources, building when it is missing or stale. Safe to call from
 * several processes at once: one builds, the others wait and reuse its build.
 */
export async function ensureConsoleBuild(log?: BuildLog): Promise<{ built: boolean; ms: number; hash: string }> {
  const started = Date.now();
  let hash = sourceHash();
  if (builtHash() === hash) return { built: false, ms: 0, hash };
  const weBuild = await acquireLock();
  try {
    hash = sourceHash();
    if (builtHash() === hash) return { built: false, ms: Date.now() - started, hash };
    if (!weBuild) log?.info({}, 'console: another process built an older console; rebuilding');
    log?.info({ hash }, 'console: building the web console (first start or changed sources)');
    const outDir = join(CONSOLE_DIR, `build.tmp-${process.pid}-${Date.now()}`);
    try {
      await runViteBuild(outDir);
      writeFileSync(join(outDir, STAMP_FILE), JSON.stringify({ hash, builtAt: new Date().toISOString() }));
      const old = join(CONSOLE_DIR, `build.old-${process.pid}-${Date.now()}`);
      if (existsSync(BUILD_DIR)) renameSync(BUILD_DIR, old);
      renameSync(outDir, BUILD_DIR);
      rmSync(old, { recursive: true, force: true });
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
    const ms = Date.now() - started;
    log?.info({ hash, ms }, 'console: build ready');
    return { built: true, ms, hash };
  } finally {
    releaseLock();
  }
}
