import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as PROVIDERS from '../providers.ts';
import { CAPABILITIES, capabilityEnvPrefix } from './capabilities.ts';
import { describeDemo, KNOWN_VARIABLES, readSettings, resolveSettingsSync, type Settings } from './settings.ts';

function fileWith(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'opsorch-settings-')), 'opsorch.yaml');
  writeFileSync(path, yaml);
  return path;
}

const gateway = z.strictObject({ auth: z.strictObject({ apiKeys: z.array(z.string()).optional() }).optional() });
const read = (env: Record<string, string>): Settings => readSettings({ env, providers: PROVIDERS, sections: { gateway } });
const failure = (env: Record<string, string>): string => {
  try {
    read(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the settings to be refused');
};

const PROMETHEUS_FILE = `capabilities:\n  metrics:\n    - instance: prom\n      provider: prometheus\n      config:\n        url: http://prometheus:9090\n`;

describe('settings are read once and strictly', () => {
  it('a misspelled top-level key is an error with the key it meant, never a silent demo world', () => {
    // The bug this module exists for: `capabilites:` parsed as "nothing configured" and served made-up data.
    const file = fileWith(PROMETHEUS_FILE.replace('capabilities:', 'capabilites:'));
    expect(failure({ OPSORCH_CONFIG: file })).toBe(
      `invalid configuration at ${file}: capabilites: unknown key "capabilites"; did you mean "capabilities"?`,
    );
    const right = read({ OPSORCH_CONFIG: fileWith(PROMETHEUS_FILE) });
    expect(right.capabilities.metrics).toEqual([expect.objectContaining({ instance: 'prom', kind: 'prometheus', origin: 'file' })]);
    expect(right.demo.map((d) => d.capability)).not.toContain('metrics');
  });

  it('errors name the exact key inside a provider configuration, in the file and in variables', () => {
    const file = fileWith(PROMETHEUS_FILE.replace('url: http://prometheus:9090', 'url: not a url\n        serviceLable: app'));
    const message = failure({ OPSORCH_CONFIG: file });
    expect(message).toContain(`${file}: capabilities.metrics[0].config.serviceLable: unknown key "serviceLable"; did you mean "serviceLabel"?`);
    expect(message).toContain(`${file}: capabilities.metrics[0].config.url: Invalid URL`);
    expect(failure({ OPSORCH_METRICS_PROVIDER: 'prometheus', OPSORCH_METRICS_CONFIG: '{"url":"http://p:9090","scrapeInterval":"often"}' })).toContain(
      'OPSORCH_METRICS_CONFIG.scrapeInterval: ',
    );
    expect(failure({ OPSORCH_METRICS_PROVIDER: 'prom=prometheus,b=prometheus', OPSORCH_METRICS_CONFIG: '{"prom":{"url":"http://p:9090"},"b":{"url":"x"}}' })).toContain(
      'OPSORCH_METRICS_CONFIG.b.url: Invalid URL',
    );
    expect(failure({ OPSORCH_METRICS_PROVIDER: 'prom=prometheus,b=prometheus', OPSORCH_METRICS_CONFIG: '{"porm":{}}' })).toContain('did you mean "prom"?');
    // A setting left out says so.
    expect(failure({ OPSORCH_METRICS_PROVIDER: 'prometheus' })).toBe('invalid configuration at OPSORCH_METRICS_CONFIG.url: missing; a string is required');
  });

  it('unknown provider kinds, kinds that do not serve the capability and unknown sections say what would work', () => {
    // The known kinds come from providers.ts, so a new vendor needs no edit here.
    expect(failure({ OPSORCH_METRICS_PROVIDER: 'promethues' })).toBe(
      `invalid configuration at OPSORCH_METRICS_PROVIDER: unknown provider kind "promethues"; did you mean "prometheus"? (known kinds: ${Object.keys(PROVIDERS).sort().join(', ')})`,
    );
    expect(failure({ OPSORCH_LOGS_PROVIDER: 'alertmanager' })).toContain('provider "alertmanager" does not serve logs (it serves: alerts)');
    const file = fileWith('capabilities:\n  metrics:\n    - provider: prometheus\n      confg: { url: "http://p:9090" }\n');
    expect(failure({ OPSORCH_CONFIG: file })).toContain('capabilities.metrics[0].confg: unknown key "confg"; did you mean "config"?');
    expect(failure({ OPSORCH_CONFIG: fileWith('gatway:\n  auth: {}\n') })).toContain('unknown key "gatway"; did you mean "gateway"?');
    expect(failure({ OPSORCH_CONFIG: fileWith('gateway:\n  auht: {}\n') })).toContain('gateway.auht: unknown key "auht"; did you mean "auth"?');
    expect(failure({ OPSORCH_CONFIG: fileWith('capabilities:\n  incident: []\n') })).toContain('did you mean "incidents"?');
  });

  it('a capability variable never falls back to the demo world: misspelled, or settings without a provider', () => {
    expect(failure({ OPSORCH_METRIC_PROVIDER: 'prometheus' })).toBe(
      'invalid configuration at OPSORCH_METRIC_PROVIDER: unknown variable; did you mean OPSORCH_METRICS_PROVIDER?',
    );
    expect(failure({ OPSORCH_METRICS_CONFIG: '{"url":"http://p:9090"}' })).toContain(
      'OPSORCH_METRICS_CONFIG: it is set but OPSORCH_METRICS_PROVIDER is not',
    );
    // Other variables nobody reads are worth a warning, not a refusal (another tool may share the prefix).
    expect(read({ OPSORCH_LOG_LEVL: 'debug' }).warnings).toEqual(['OPSORCH_LOG_LEVL is not an OpsOrch variable and is ignored; did you mean OPSORCH_LOG_LEVEL?']);
  });

  it('says which capabilities run on demo data, and strict mode refuses to start while any does', () => {
    const settings = read({ OPSORCH_CONFIG: fileWith(PROMETHEUS_FILE), OPSORCH_INCIDENTS_PROVIDER: 'demo' });
    expect(settings.demo).toContainEqual({ capability: 'incidents', chosen: true });
    expect(settings.demo).toContainEqual({ capability: 'logs', chosen: false });
    expect(settings.demo.map((d) => d.capability)).not.toContain('metrics');
    expect(describeDemo(settings.demo)).toMatch(/^DEMO DATA: alerts, logs, .* \(nothing configured\); incidents \(demo chosen\) answer from the built-in demo world/);
    expect(failure({ OPSORCH_STRICT: 'true', OPSORCH_CONFIG: fileWith(PROMETHEUS_FILE) })).toMatch(
      /^invalid configuration at OPSORCH_STRICT: strict mode refuses to serve demo data, and these capabilities would: incidents \(nothing configured\), alerts/,
    );
    expect(failure({ OPSORCH_CONFIG: fileWith(`strict: true\n${PROMETHEUS_FILE}`) })).toContain(': strict: strict mode refuses');
    const everything = Object.fromEntries(
      ['INCIDENTS', 'ALERTS', 'LOGS', 'METRICS', 'TICKETS', 'MESSAGING', 'SERVICES', 'TEAMS', 'DEPLOYMENTS', 'ORCHESTRATION'].map((c) => [
        `OPSORCH_${c}_PROVIDER`,
        'plugin',
      ]),
    );
    const configs = Object.fromEntries(Object.keys(everything).map((k) => [k.replace('_PROVIDER', '_CONFIG'), '{"command":"true"}']));
    expect(read({ ...everything, ...configs, OPSORCH_STRICT: 'true' }).demo).toEqual([]);
  });

  it('secret references are checked once resolved, and never appear in the error', () => {
    const env = { OPSORCH_METRICS_PROVIDER: 'prometheus', OPSORCH_METRICS_CONFIG: '{"url":"secret://env/PROM_URL"}', PROM_URL: 'http://prometheus:9090' };
    const config = resolveSettingsSync(read(env), PROVIDERS, env);
    expect(config.metrics[0]!.settings).toMatchObject({ url: 'http://prometheus:9090', serviceLabel: 'service' });
    const bad = { ...env, PROM_URL: 'not-a-url-s3cr3t' };
    expect(() => resolveSettingsSync(read(bad), PROVIDERS, bad)).toThrow(/^invalid configuration at OPSORCH_METRICS_CONFIG\.url: Invalid URL$/);
  });

  it('every OPSORCH_* variable the product reads is a known one, so setting it never draws an "unknown variable" warning', () => {
    const root = join(import.meta.dirname, '..', '..');
    const known = new Set([...KNOWN_VARIABLES, ...CAPABILITIES.flatMap((c) => [`${capabilityEnvPrefix(c)}_PROVIDER`, `${capabilityEnvPrefix(c)}_CONFIG`])]);
    const sources = ['adapters', 'gateway/src', 'subgraphs', 'mcp/src', 'copilot/src', 'console/server', 'console/app', 'deploy'].flatMap((dir) =>
      (readdirSync(join(root, dir), { recursive: true }) as string[])
        .filter((file) => /\.(ts|tsx|mjs)$/.test(file) && !/(\.test|\.e2e|\.bench)\.ts$|(^|\/)(test|node_modules|build)\//.test(file))
        .map((file) => join(root, dir, file)),
    );
    const unknown = new Set<string>();
    for (const file of sources) {
      // A name ending in `_` is a prefix (`OPSORCH_CONSOLE_`), not a variable.
      for (const [name] of readFileSync(file, 'utf8').matchAll(/OPSORCH_[A-Z0-9_]*[A-Z0-9]\b/g)) {
        if (!known.has(name)) unknown.add(`${name} (${relative(root, file)})`);
      }
    }
    expect([...unknown]).toEqual([]);
  });
});
