// The product under attack: `opsorch start` as its own process (so a crash is seen as an exit, not as a
// failed test runner), with a preload that reports its memory after a full garbage collection.
import { join } from 'node:path';
import { spawnOpsOrch, type SpawnedServer } from '../gateway/test/harness.ts';

export interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface Target {
  server: SpawnedServer;
  /** http://127.0.0.1:<port> */
  base: string;
  graphqlUrl: string;
  mcpUrl: string;
  /** The process's memory now; `collect` runs a full garbage collection first. */
  memory(collect: boolean): Promise<Memory>;
  /** Why the process is gone (exit code or signal), or undefined while it runs. */
  exited(): string | undefined;
  /** The process's log lines (JSON), for the reason behind an INTERNAL answer. */
  logs(): string[];
  stop(): Promise<void>;
}

export interface TargetOptions {
  env?: Record<string, string>;
  /** Serve the console at / (its probes need it; it builds on the first request). Default off. */
  console?: boolean;
}

/** Waits until the console answers its home page (it builds after the first start or a change). */
async function consoleReady(base: string, timeoutMs = 240_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const status = await fetch(`${base}/`, { redirect: 'manual' }).then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`the console at ${base}/ did not answer 200 within ${timeoutMs / 1000} s`);
}

/** Starts `opsorch start` on a free loopback port with MCP writes enabled, the demo world everywhere. */
export async function startTarget(options: TargetOptions = {}): Promise<Target> {
  const server = await spawnOpsOrch(
    ['start', '--port', '0', '--host', '127.0.0.1'],
    { OPSORCH_CONSOLE: options.console ? 'on' : 'off', OPSORCH_MCP_ENABLE_WRITES: 'true', ...options.env },
    60_000,
    { nodeArgs: ['--expose-gc', '--import', join(import.meta.dirname, 'memory-probe.mjs')], ipc: true },
  );
  let exit: string | undefined;
  server.process.once('exit', (code, signal) => (exit = signal ? `killed by ${signal}` : `exited with code ${code}`));
  const base = server.url.replace(/\/graphql$/, '');
  if (options.console) await consoleReady(base);
  let asked = 0;
  return {
    server,
    base,
    graphqlUrl: `${base}/graphql`,
    mcpUrl: `${base}/mcp`,
    memory(collect) {
      const id = ++asked;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the process under test did not report its memory within 30 s')), 30_000);
        const onMessage = (message: Memory & { type?: string; id?: number }) => {
          if (message?.type !== 'memory' || message.id !== id) return;
          clearTimeout(timer);
          server.process.off('message', onMessage);
          resolve(message);
        };
        server.process.on('message', onMessage);
        server.process.send({ type: 'memory', id, collect });
      });
    },
    exited: () => exit,
    logs: () => server.output.join('').split('\n').filter((line) => line.startsWith('{')),
    stop: () => server.stop(),
  };
}
