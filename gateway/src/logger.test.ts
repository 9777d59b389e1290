import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { rememberSecret } from '@opsorch/adapters';
import { batchedStdout, createLogger, lazyChild, type BufferedStdout } from './logger.ts';

const WRITER = join(import.meta.dirname, '..', 'test', 'log-writer.ts');

/** Runs log-writer.ts; resolves with its stdout once `until` holds for it or the process ended. */
function runWriter(lines: number, ending: 'crash' | 'exit' | 'stay', until?: (stdout: string) => boolean) {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, String(lines), ending], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  return new Promise<{ stdout: string; code: number | null }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`log-writer ${ending}: gave up after 20 s with ${stdout.split('\n').length - 1} lines`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += String(chunk);
      if (until?.(stdout)) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve({ stdout, code: null });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, code });
    });
  });
}

const linesOf = (stdout: string) => stdout.split('\n').filter((line) => line.includes('"msg":"line"'));

describe('the stdout logger', () => {
  it('writes every line logged before an uncaught exception or process.exit', async () => {
    const crashed = await runWriter(500, 'crash');
    expect(crashed.code).not.toBe(0);
    expect(linesOf(crashed.stdout)).toHaveLength(500);
    const exited = await runWriter(500, 'exit');
    expect(exited.code).toBe(3);
    expect(linesOf(exited.stdout)).toHaveLength(500);
  });

  it('hands a line to stdout while the process keeps running, without waiting for more lines', async () => {
    const { stdout } = await runWriter(1, 'stay', (out) => linesOf(out).length === 1);
    expect(JSON.parse(linesOf(stdout)[0]!)).toMatchObject({ i: 0, msg: 'line', service: 'opsorch' });
  });
});

/** sonic-boom as batchedStdout relies on it: a flush during a write does nothing; `drain` when a write ends. */
class SlowStdout extends EventEmitter implements BufferedStdout {
  buffered: string[] = [];
  written: string[] = [];
  flushes = 0;
  private writing = false;
  constructor(private readonly writeMs: number) {
    super();
  }
  write(line: string) {
    this.buffered.push(line);
  }
  flush() {
    this.flushes++;
    if (this.writing) return;
    const batch = this.buffered.splice(0);
    this.writing = true;
    setTimeout(() => {
      this.written.push(...batch);
      this.writing = false;
      this.emit('drain');
    }, this.writeMs);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('batched stdout', () => {
  it('writes a line logged while a write was under way once that write ends, then stops looking', async () => {
    const stdout = new SlowStdout(150);
    const destination = batchedStdout(stdout);
    destination.write('first\n');
    await sleep(125); // the first line's write (from 100 ms to 250 ms) is under way
    destination.write('second\n');
    await sleep(500);
    expect(stdout.written).toEqual(['first\n', 'second\n']);
    const flushes = stdout.flushes;
    await sleep(300);
    expect(stdout.flushes).toBe(flushes);
  });

  it('lets info lines wait for company, and writes a warning or an error within 10 ms', async () => {
    const stdout = new SlowStdout(1);
    const destination = batchedStdout(stdout) as unknown as { lastLevel: number; write(line: string): void };
    destination.lastLevel = 30; // as pino sets it before each write
    destination.write('info\n');
    await sleep(40);
    expect(stdout.written).toEqual([]);
    destination.lastLevel = 50;
    destination.write('error\n');
    await sleep(40);
    expect(stdout.written).toEqual(['info\n', 'error\n']);
    destination.lastLevel = 30;
    destination.write('later\n');
    await sleep(40);
    expect(stdout.written).toHaveLength(2);
    await sleep(150);
    expect(stdout.written).toEqual(['info\n', 'error\n', 'later\n']);
  });

  it('sets no timer while nothing is logged', async () => {
    const stdout = new SlowStdout(1);
    batchedStdout(stdout);
    await sleep(150);
    expect(stdout.flushes).toBe(0);
  });
});

describe('log lines', () => {
  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        callback();
      },
    });
    return { lines, logger: createLogger('debug', stream) };
  };

  it('never carry a credential, and lines without one are written as logged', () => {
    const { lines, logger } = capture();
    logger.info({ upstream: 'Authorization: Bearer abcdef123456' }, 'echoed');
    logger.info({ path: '/graphql', status: 200 }, 'clean');
    expect(JSON.stringify(lines[0])).not.toContain('abcdef123456');
    expect(lines[1]).toMatchObject({ path: '/graphql', status: 200, msg: 'clean' });
  });

  it('never carry a resolved secret, wherever in the line it is: a field, the message, a serialized error', () => {
    const { lines, logger } = capture();
    const secret = 'sk-"quoted"\\back\tslash-9f8e7d';
    rememberSecret(secret);
    logger.info({ upstream: `echo ${secret}` }, 'field');
    logger.warn('interpolated %s', secret);
    logger.error({ err: new Error(`refused token ${secret}`) }, 'error');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(JSON.stringify(line)).not.toContain('9f8e7d');
    expect(lines.map((line) => line.msg)).toEqual(['field', 'interpolated [REDACTED]', 'error']);
    expect((lines[2]!.err as { message: string; stack: string }).message).toBe('refused token [REDACTED]');
    expect((lines[2]!.err as { message: string; stack: string }).stack).toContain('refused token [REDACTED]');
  });

  it('a lazy child is made on its first line, and its lines carry its bindings', () => {
    const { lines, logger } = capture();
    let made = 0;
    const child = lazyChild(() => {
      made++;
      return logger.child({ provider: 'demo' });
    });
    expect(made).toBe(0);
    child.warn({ code: 'TIMEOUT' }, 'slow');
    child.info('again');
    expect(made).toBe(1);
    expect(lines.map((line) => [line.msg, line.provider])).toEqual([
      ['slow', 'demo'],
      ['again', 'demo'],
    ]);
  });

  it("a lazy child's child is made on its first line too, carrying both children's bindings", () => {
    const { lines, logger } = capture();
    let made = 0;
    const request = lazyChild(() => {
      made++;
      return logger.child({ requestId: 'r1' });
    });
    const call = request.child({ capability: 'alerts', provider: 'demo' });
    request.child({ capability: 'teams', provider: 'demo' });
    expect(made).toBe(0);
    call.warn({ code: 'TIMEOUT' }, 'slow');
    expect(made).toBe(1);
    expect(lines).toMatchObject([{ msg: 'slow', requestId: 'r1', capability: 'alerts', provider: 'demo', code: 'TIMEOUT' }]);
  });
});
