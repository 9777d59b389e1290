import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('console operations', () => {
  it('app/graphql/generated.ts matches codegen output for the current operations and schema (run `npm run codegen`)', async () => {
    const config = parseYaml(readFileSync(join(ROOT, 'console', 'codegen.yml'), 'utf8'));
    const previous = process.cwd();
    process.chdir(ROOT);
    try {
      // Codegen validates every operation against schema/generated/api.graphql and fails on a bad one.
      const outputs = await generate({ ...config, silent: true }, false);
      expect(outputs.map((o: { filename: string }) => o.filename).sort()).toEqual(['console/app/graphql/explorer/generated.ts', 'console/app/graphql/generated.ts']);
      for (const output of outputs) {
        expect(readFileSync(join(ROOT, output.filename), 'utf8'), `${output.filename} is stale`).toBe(output.content);
      }
    } finally {
      process.chdir(previous);
    }
  });
});
