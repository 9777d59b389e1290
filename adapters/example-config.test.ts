// opsorch.example.yaml stays a configuration OpsOrch accepts: every section is checked with its kind's settings
// schema, secret references filled with placeholders.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as PROVIDERS from './providers.ts';
import { readSettings, resolveSettingsSync } from './src/settings.ts';

const FILE = join(import.meta.dirname, '..', 'opsorch.example.yaml');

describe('opsorch.example.yaml', () => {
  it('is valid for every provider kind it configures', () => {
    const env: Record<string, string> = { OPSORCH_CONFIG: FILE };
    for (const [, name] of readFileSync(FILE, 'utf8').matchAll(/secret:\/\/env\/([A-Za-z_][A-Za-z0-9_]*)/g)) env[name!] = `placeholder-${name}`;
    const settings = readSettings({ env, providers: PROVIDERS });
    const config = resolveSettingsSync(settings, PROVIDERS, env);
    const kinds = Object.values(config).flatMap((instances) => instances.map((i) => i.kind));
    expect(kinds).toEqual(expect.arrayContaining(['jira', 'slack']));
  });
});
