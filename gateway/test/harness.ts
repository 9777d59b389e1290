// Starts real OpsOrch processes and servers on ephemeral ports and talks HTTP to them.
import { spawn, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import type { ProviderModule } from '@opsorch/adapters';
import { createLogger, startGateway, type RunningGateway } from '../src/index.ts';
import type { Env } from '@opsorch/adapters';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

/** Polls `check` until it holds (audit lines and other writes that never make a request wait land just after it). */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(what ? `timed out waiting for ${what()}` : 'condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The value on the first line of a /metrics text that starts with `series` (`name{` or `name{label="value"`); NaN when none does. */
export function metricSample(metrics: string, series: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(series));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

/** Runs GraphQL Code Generator for one config file in memory: what it would write now, per file. */
export async function regenerate(configFile: string): Promise<{ filename: string; content: string }[]> {
  const { generate } = await import('@graphql-codegen/cli');
  const { parse } = await import('yaml');
  const { readFileSync } = await import('node:fs');
  const config = parse(readFileSync(join(ROOT, configFile), 'utf8'));
  const previous = process.cwd();
  process.chdir(ROOT);
  try {
    return await generate({ ...config, silent: true }, false);
  } finally {
    process.chdir(previous);
  }
}

/** POSTs one GraphQL operation and returns the parsed body (and the status). */
export async function gql<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T> & { status: number }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  try {
    return { status: response.status, ...(JSON.parse(text) as GraphQLResponse<T>) };
  } catch {
    throw new Error(`expected a JSON answer from ${url}, got ${response.status}: ${text.slice(0, 500)}`);
  }
}

/** Collects every log line a server writes, for assertions (for example that no secret is ever logged). */
export function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  return { lines, logger: createLogger('debug', stream) };
}

export interface TestGatewayOptions {
  env?: Env;
  extraProviders?: Record<string, ProviderModule>;
  subgraphUrls?: Record<string, string>;
  logger?: ReturnType<typeof createLogger>;
}

/** The gateway in this process on a free loopback port. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<RunningGateway> {
  return startGateway({
    port: 0,
    host: '127.0.0.1',
    env: options.env ?? {},
    extraProviders: options.extraProviders,
    subgraphUrls: options.subgraphUrls,
    logger: options.logger ?? captureLogs().logger,
  });
}

export interface SpawnedServer {
  url: string;
  process: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Run this script instead of bin/opsorch.mjs (a test's own server; give `--import tsx` for TypeScript). */
  script?: string;
  /** Options for node before the script, e.g. `--expose-gc` or `--import <preload>`. */
  nodeArgs?: string[];
  /** Open an IPC channel to the process (`process.send` works in it). */
  ipc?: boolean;
}

/**
 * Runs `opsorch <args>` as its own process with `node` (so the pid we stop is the server's), and waits for
 * the log line that carries its URL.
 */
export async function spawnOpsOrch(args: string[], env: Env = {}, timeoutMs = 60_000, spawnOptions: SpawnOptions = {}): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [...(spawnOptions.nodeArgs ?? []), spawnOptions.script ?? join(ROOT, 'bin', 'opsorch.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', ...(spawnOptions.ipc ? (['ipc'] as const) : [])],
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A process that did not start in time is stopped, never left running after the test.
      child.kill('SIGKILL');
      reject(new Error(`opsorch ${args.join(' ')} did not start within ${timeoutMs} ms:\n${output.join('')}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output.push(String(chunk));
      for (const line of String(chunk).split('\n')) {
        try {
          const parsed = JSON.parse(line) as { url?: string; msg?: string };
          if (parsed.url && parsed.msg?.includes('listening')) {
            clearTimeout(timer);
            resolve(parsed.url);
          }
        } catch {
          // not a JSON log line
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => output.push(String(chunk)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`opsorch ${args.join(' ')} exited with ${code}:\n${output.join('')}`));
    });
  });
  return {
    url,
    process: child,
    output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
