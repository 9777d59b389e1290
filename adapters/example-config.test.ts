// opsorch.example.yaml stays a configuration OpsOrch accepts: every section is checked with its kind's settings
// schema, secret references filled with placeholders, and every real provider kind appears in it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as PROVIDERS from './providers.ts';
import { readSettings, resolveSettingsSync } from './src/settings.ts';

const FILE = join(import.meta.dirname, '..', 'opsorch.example.yaml');
/** Kinds that are not a vendor's tool: the built-in world and the two plugin protocols (README documents them). */
const NOT_VENDORS = new Set(['demo', 'plugin', 'core-plugin']);

describe('opsorch.example.yaml', () => {
  it('is valid for every provider kind it configures, and configures every real provider kind', () => {
    const env: Record<string, string> = { OPSORCH_CONFIG: FILE };
    for (const [, name] of readFileSync(FILE, 'utf8').matchAll(/secret:\/\/env\/([A-Za-z_][A-Za-z0-9_]*)/g)) env[name!] = `placeholder-${name}`;
    const settings = readSettings({ env, providers: PROVIDERS });
    const config = resolveSettingsSync(settings, PROVIDERS, env);
    const kinds = new Set(Object.values(config).flatMap((instances) => instances.map((i) => i.kind)));
    expect([...kinds].sort()).toEqual(Object.keys(PROVIDERS).filter((kind) => !NOT_VENDORS.has(kind)).sort());
    // Datadog is configured once (a YAML anchor) for every capability it serves.
    for (const capability of ['metrics', 'logs', 'alerts', 'incidents', 'services'] as const) {
      expect(config[capability].map((i) => [i.instance, i.kind])).toContainEqual(['dd', 'datadog']);
    }
  });
});
