// Configuration through the real gateway and `opsorch check`: a misspelled file is refused (never the demo
// world in its place), and demo data is announced, reported and refused in strict mode.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_EXIT, runCheck } from '../src/check.ts';
import { captureLogs, gql, startTestGateway } from './harness.ts';

function configFile(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'opsorch-settings-')), 'opsorch.yaml');
  writeFileSync(path, yaml);
  return path;
}

const PLUGIN_INCIDENTS = `capabilities:
  incidents:
    - instance: tracker
      provider: plugin
      config: { command: python3, args: [${JSON.stringify(join(import.meta.dirname, '..', '..', 'adapters', 'examples', 'incidents_plugin.py'))}] }
`;

async function check(env: Record<string, string>, json = false): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCheck({ env, json, write: (text) => (out += text) });
  return { code, out };
}

describe('configuration, strictly', () => {
  it('a misspelled `capabilities:` stops the gateway and `opsorch check` instead of serving the demo world', async () => {
    const file = configFile(PLUGIN_INCIDENTS.replace('capabilities:', 'capabilites:'));
    await expect(startTestGateway({ env: { OPSORCH_CONFIG: file } })).rejects.toThrow(
      `invalid configuration at ${file}: capabilites: unknown key "capabilites"; did you mean "capabilities"?`,
    );
    const { code, out } = await check({ OPSORCH_CONFIG: file });
    expect(code).toBe(CHECK_EXIT.badConfiguration);
    expect(out).toContain('did you mean "capabilities"?');
  });

  it('a misspelled key of the console: section stops the gateway and `opsorch check` before anything is served', async () => {
    // The console's section is read by the same settings module as the rest of the file (decision 012).
    const file = configFile('console:\n  signin:\n    issuer: https://login.example.com\n');
    await expect(startTestGateway({ env: { OPSORCH_CONFIG: file } })).rejects.toThrow(
      `invalid configuration at ${file}: console.signin: unknown key "signin"; did you mean "signIn"?`,
    );
    const { code, out } = await check({ OPSORCH_CONFIG: file });
    expect(code).toBe(CHECK_EXIT.badConfiguration);
    expect(out).toContain('console.signin: unknown key "signin"; did you mean "signIn"?');
  });

  it('start-up and `opsorch check` say which capabilities answer with demo data; strict mode refuses them', async () => {
    const file = configFile(PLUGIN_INCIDENTS);
    const { lines, logger } = captureLogs();
    const gateway = await startTestGateway({ env: { OPSORCH_CONFIG: file }, logger });
    try {
      const body = await gql(gateway.url, '{ incidents(first: 1) { nodes { id } } }');
      expect(body.data.incidents.nodes[0].id).toMatch(/^tracker:/);
      const demo = lines.map((l) => JSON.parse(l)).find((l) => l.demoCapabilities);
      expect(demo).toMatchObject({ level: 40, demoCapabilities: ['alerts', 'logs', 'metrics', 'tickets', 'messaging', 'services', 'teams', 'deployments', 'orchestration'] });
      expect(demo.msg).toMatch(/^DEMO DATA: alerts, logs, .*, orchestration \(nothing configured\) answer from the built-in demo world/);
    } finally {
      await gateway.close();
    }

    const text = await check({ OPSORCH_CONFIG: file });
    expect(text.out).toMatch(/DEMO DATA: alerts, .* \(nothing configured\)/);
    const json = JSON.parse((await check({ OPSORCH_CONFIG: file }, true)).out);
    expect(json.demo).toContainEqual({ capability: 'logs', chosen: false });
    expect(json.demo.map((d: { capability: string }) => d.capability)).not.toContain('incidents');

    const strict = await check({ OPSORCH_CONFIG: file, OPSORCH_STRICT: 'true' });
    expect(strict.code).toBe(CHECK_EXIT.badConfiguration);
    expect(strict.out).toContain('strict mode refuses to serve demo data, and these capabilities would: alerts (nothing configured)');
    await expect(startTestGateway({ env: { OPSORCH_CONFIG: file, OPSORCH_STRICT: 'true' } })).rejects.toThrow(/strict mode refuses to serve demo data/);
  });
});
