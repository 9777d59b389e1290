// What a person sees when OpsOrch starts: a short line on a terminal with the URLs and what runs on demo data,
// and, while the console builds, a page that says so at once instead of holding the request.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { mountConsole } from '../../console/server/index.ts';
import { startupBanner } from '../src/banner.ts';
import { ROOT } from './harness.ts';

const stops: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

describe('start-up says where things are', () => {
  it('names the console, GraphiQL, MCP and metrics URLs and which capabilities answer with demo data', () => {
    const base = { baseUrl: 'http://localhost:4000', console: true, mcp: true };
    const all = startupBanner({ ...base, demo: ['incidents', 'alerts', 'logs', 'metrics', 'tickets', 'messaging', 'services', 'teams', 'deployments', 'orchestration'].map((capability) => ({ capability: capability as 'logs', chosen: false })) });
    expect(all).toBe(
      'OpsOrch is up: console http://localhost:4000/ · GraphiQL http://localhost:4000/graphql · MCP http://localhost:4000/mcp · metrics http://localhost:4000/metrics\n' +
        'Demo data: nothing is configured, every capability answers from the built-in demo world (README: Configuration).\n',
    );
    expect(startupBanner({ ...base, console: false, mcp: false, demo: [{ capability: 'logs', chosen: false }] })).toBe(
      'OpsOrch is up: GraphiQL http://localhost:4000/graphql · metrics http://localhost:4000/metrics\nDemo data: logs answer from the built-in demo world; the rest from your tools.\n',
    );
    expect(startupBanner({ ...base, demo: [] })).toContain('Every capability answers from your tools.');
  });

  it.skipIf(!existsSync('/usr/bin/script'))('`opsorch start` on a terminal prints the line beside its JSON log', async () => {
    // `script` gives the child a pseudo-terminal, as a person's shell would.
    const command = `${process.execPath} ${join(ROOT, 'bin', 'opsorch.mjs')} start --port 0 --host 127.0.0.1`;
    const child = spawn('/usr/bin/script', ['-qfec', command, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, OPSORCH_CONSOLE: 'off', OPSORCH_LOGS_PROVIDER: 'demo' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    stops.push(() => void child.kill('SIGTERM'));
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += String(chunk)));
    const deadline = Date.now() + 60_000;
    // The human line and the JSON line reach the terminal in either order, possibly in separate reads: wait for both.
    const both = () => output.includes('Demo data:') && output.includes('"msg":"DEMO DATA');
    while (!both() && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(output).toMatch(/OpsOrch is up: GraphiQL http:\/\/127\.0\.0\.1:\d+\/graphql · MCP http:\/\/127\.0\.0\.1:\d+\/mcp · metrics http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(output).toContain('Demo data: incidents, alerts, logs, metrics, tickets, messaging, services, teams, deployments, orchestration answer from the built-in demo world');
    // The JSON log still says the same for machines.
    expect(output).toContain('"msg":"DEMO DATA: incidents, alerts,');
  });

  it('while the console builds, `/` answers at once with a page that says so and refreshes itself', async () => {
    const app = express();
    let finish = () => {};
    mountConsole(app, {
      graphqlUrl: () => 'http://127.0.0.1:1/graphql',
      build: 'lazy',
      builder: { isFresh: () => false, ensure: () => new Promise<void>((resolve) => (finish = resolve)) },
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const started = performance.now();
    const answer = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/incidents`);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('3');
    const page = await answer.text();
    expect(page).toContain('<h1>Building the console…</h1>');
    expect(page).toContain('<meta http-equiv="refresh" content="3">');
    expect(page).toContain('The API already answers at <a href="/graphql">/graphql</a>');
    finish();
  });
});
