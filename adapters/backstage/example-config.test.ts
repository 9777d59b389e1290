// opsorch.example.yaml's Backstage sections are valid settings of this kind (a renamed setting fails here).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { backstageSettingsSchema } from './settings.ts';

describe('opsorch.example.yaml', () => {
  it('configures Backstage for services and teams with settings its schema accepts', () => {
    const file = parse(readFileSync(join(import.meta.dirname, '..', '..', 'opsorch.example.yaml'), 'utf8')) as {
      capabilities: Record<string, { provider: string; config: unknown }[]>;
    };
    const sections = Object.entries(file.capabilities).flatMap(([capability, list]) => list.filter((e) => e.provider === 'backstage').map((e) => [capability, e.config] as const));
    expect(sections.map(([capability]) => capability).sort()).toEqual(['services', 'teams']);
    for (const [, config] of sections) expect(backstageSettingsSchema.safeParse(config).error).toBeUndefined();
  });
});
