// Peer checks: the official MCP conformance suite and the MCP Inspector's CLI, run against our real server.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../gateway/test/harness.ts';
import { ALL_TOOLSETS } from '../src/toolsets.ts';
import { startMcpGateway, type McpTestServer } from './harness.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const CONFORMANCE = join(dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');
const INSPECTOR = join(dirname(require.resolve('@modelcontextprotocol/inspector/package.json')), 'clients', 'launcher', 'build', 'index.js');

/** Runs a node script and returns its exit code and output, whatever the exit code. */
async function node(args: string[], env: Record<string, string> = {}, timeout = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, timeout, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** `✓ name: 1 passed, 0 failed` lines of the suite's summary. */
function scenarios(output: string): Map<string, { passed: number; failed: number }> {
  const lines = [...output.matchAll(/^[✓✗] ([\w-]+): (\d+) passed, (\d+) failed$/gm)];
  return new Map(lines.map((m) => [m[1]!, { passed: Number(m[2]), failed: Number(m[3]) }]));
}

describe('MCP conformance suite (server mode)', () => {
  it('passes every scenario with the fixture tools, resources and prompts mounted (test flag)', async () => {
    const server = await startMcpGateway({ toolsets: ALL_TOOLSETS, conformanceFixtures: true });
    try {
      const result = await node([CONFORMANCE, 'server', '--url', server.mcpUrl, '--suite', 'all']);
      const summary = scenarios(result.stdout);
      expect(summary.size, result.stdout.slice(-3000)).toBeGreaterThanOrEqual(30);
      // Some of the suite's own scenarios (tools-call-sampling) race their client on a loaded 2-core machine:
      // a failed scenario is run once more on its own, and must pass then. A real failure fails both times.
      const failing = [...summary].filter(([, s]) => s.failed > 0).map(([name]) => name);
      const stillFailing: string[] = [];
      for (const name of failing) {
        const rerun = await node([CONFORMANCE, 'server', '--url', server.mcpUrl, '--scenario', name]);
        // A single scenario prints "Passed: N/N, 0 failed" rather than the suite's summary line.
        const passed = scenarios(rerun.stdout).get(name)?.failed === 0 || /Passed: (\d+)\/\1, 0 failed/.test(rerun.stdout);
        if (!passed) stillFailing.push(`${name}\n${rerun.stdout.slice(-2000)}`);
      }
      expect(stillFailing, result.stdout.slice(-3000)).toEqual([]);
    } finally {
      await server.close();
    }
  }, 180_000);

  it('fails only the fixture-dependent scenarios against the production tool set', async () => {
    const server = await startMcpGateway({ toolsets: ALL_TOOLSETS });
    try {
      const result = await node([CONFORMANCE, 'server', '--url', server.mcpUrl, '--suite', 'all', '--expected-failures', join(import.meta.dirname, 'conformance-expected-failures.yml')]);
      expect(result.stdout, result.stdout.slice(-3000)).toContain('Baseline check passed: all failures are expected.');
      expect(result.code).toBe(0);
      // The protocol itself passes with OpsOrch's own tools: handshake, listing, completion, DNS rebinding.
      const summary = scenarios(result.stdout);
      for (const name of ['server-initialize', 'ping', 'tools-list', 'resources-list', 'prompts-list', 'completion-complete', 'logging-set-level', 'dns-rebinding-protection', 'server-sse-multiple-streams']) {
        expect(summary.get(name), name).toMatchObject({ failed: 0 });
      }
    } finally {
      await server.close();
    }
  }, 180_000);
});

describe('MCP Inspector CLI', () => {
  let server: McpTestServer;
  beforeAll(async () => {
    server = await startMcpGateway({});
  });
  afterAll(async () => {
    await server?.close();
  });

  const inspectorEnv = () => ({ MCP_CATALOG_PATH: join(ROOT, 'node_modules', '.cache', 'opsorch-mcp-inspector.json') });

  it('lists and calls tools over Streamable HTTP', async () => {
    const listed = await node([INSPECTOR, '--cli', server.mcpUrl, '--method', 'tools/list', '--strict'], inspectorEnv());
    expect(listed.code, listed.stderr).toBe(0);
    const tools = (JSON.parse(listed.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['list_incidents', 'get_incident_war_room', 'search_logs']));
    const called = await node([INSPECTOR, '--cli', server.mcpUrl, '--method', 'tools/call', '--tool-name', 'who_is_on_call', '--tool-arg', 'team=payments'], inspectorEnv());
    expect(called.code, called.stderr).toBe(0);
    const result = JSON.parse(called.stdout) as { structuredContent: { onCallNow: { level: string }[] }; isError?: boolean };
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.onCallNow.map((s) => s.level)).toEqual(['PRIMARY', 'SECONDARY']);
  }, 60_000);

  it('lists and calls tools over stdio (opsorch mcp --stdio against the gateway)', async () => {
    const stdio = [process.execPath, join(ROOT, 'bin', 'opsorch.mjs'), 'mcp', '--stdio', '--gateway-url', server.gateway.url, '--toolsets', 'incidents,schema'];
    const listed = await node([INSPECTOR, '--cli', ...stdio, '--method', 'tools/list'], inspectorEnv());
    expect(listed.code, listed.stderr).toBe(0);
    const tools = (JSON.parse(listed.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(tools).toEqual(['get_incident', 'get_incident_timeline', 'get_incident_war_room', 'list_incidents', 'introspect', 'search_schema', 'validate', 'execute']);
    const called = await node([INSPECTOR, '--cli', ...stdio, '--method', 'tools/call', '--tool-name', 'get_incident', '--tool-arg', 'id=demo:Q3VW8TR'], inspectorEnv());
    expect(called.code, called.stderr).toBe(0);
    expect(JSON.parse(called.stdout).structuredContent.incident.number).toBe(1042);
  }, 90_000);
});
