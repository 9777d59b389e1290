// Keeps the capability manifest and docs/capability-guide.md honest: every file the guide says a capability
// needs exists for every capability, every list the guide names holds every capability, and what is typed
// against the manifest is said to be.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES, capabilityEnvPrefix, SUBGRAPH_NAMES } from './src/capabilities.ts';

const ROOT = join(import.meta.dirname, '..');
const guide = readFileSync(join(ROOT, 'docs', 'capability-guide.md'), 'utf8');

/** The steps table of the guide: step number, file, and how a forgotten step shows. */
const steps = [...guide.matchAll(/^\| (\d+) \| `([^`]+)`[^|]*\| [^|]+ \| ([^|]+) \|$/gm)].map((m) => ({ step: Number(m[1]), file: m[2]!, check: m[3]!.trim() }));

describe('the capability manifest', () => {
  it('is the one list of capabilities, in composition order, with the platform subgraph last', () => {
    expect(SUBGRAPH_NAMES).toEqual([...CAPABILITIES, 'platform']);
    expect(new Set(CAPABILITIES).size).toBe(CAPABILITIES.length);
  });

  it('docs/capability-guide.md lists the steps in order', () => {
    expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i + 1));
    expect(steps[0]!.file).toBe('schema/src/capabilities.ts');
  });

  it('every per-capability file the guide names exists for every capability', () => {
    for (const { file } of steps.filter((s) => s.file.includes('<capability>'))) {
      for (const capability of CAPABILITIES) {
        expect(existsSync(join(ROOT, file.replaceAll('<capability>', capability))), `${file} for ${capability}`).toBe(true);
      }
    }
  });

  it('every shared file the guide names holds every capability, and is checked as the guide says', () => {
    for (const { file, check } of steps.filter((s) => !s.file.includes('<capability>') && s.step > 1)) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const capability of CAPABILITIES) {
        if (file === 'README.md') expect(text, `README names ${capabilityEnvPrefix(capability)}`).toContain(`\`${capability.toUpperCase()}\``);
        else expect(text, `${file} lists ${capability}`).toMatch(new RegExp(`\\b${capability}: `));
      }
      if (check.startsWith('typecheck')) expect(text, `${file} is typed against the manifest`).toMatch(/Capability|SubgraphName|everyCapabilityHasAnSpi/);
    }
  });
});
