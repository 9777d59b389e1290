import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { API_SCHEMA_PATH, composeSupergraph, SCHEMA_DIR, SUPERGRAPH_PATH } from './src/index.ts';

const ROOT = join(SCHEMA_DIR, '..');

describe('generated schema artifacts', () => {
  const composition = composeSupergraph();

  it('schema/supergraph.graphql matches the subgraph SDLs (run `npm run compose` after changing them)', () => {
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(composition.supergraphSdl);
  });

  it('schema/generated/api.graphql matches the composition (run `npm run compose`)', () => {
    expect(readFileSync(API_SCHEMA_PATH, 'utf8')).toBe(composition.apiSchemaSdl);
  });

  it('schema/generated/types.ts matches codegen output (run `npm run codegen`)', async () => {
    const config = parseYaml(readFileSync(join(ROOT, 'codegen.yml'), 'utf8'));
    const previous = process.cwd();
    process.chdir(ROOT);
    try {
      const outputs = await generate({ ...config, silent: true }, false);
      expect(outputs.length).toBeGreaterThan(0);
      for (const output of outputs) {
        expect(readFileSync(join(ROOT, output.filename), 'utf8'), `${output.filename} is stale`).toBe(output.content);
      }
    } finally {
      process.chdir(previous);
    }
  });

  it('describes every type, field, argument and enum value of the API schema', () => {
    const document = parse(composition.apiSchemaSdl);
    const missing: string[] = [];
    for (const definition of document.definitions) {
      if (!('name' in definition) || !definition.name) continue;
      const typeName = definition.name.value;
      if ('description' in definition && !definition.description && !['Query', 'Mutation'].includes(typeName)) missing.push(typeName);
      const members = [
        ...('fields' in definition && definition.fields ? definition.fields : []),
        ...('values' in definition && definition.values ? definition.values : []),
      ];
      for (const member of members) {
        if (!member.description) missing.push(`${typeName}.${member.name.value}`);
        for (const arg of 'arguments' in member && member.arguments ? member.arguments : []) {
          if (!arg.description) missing.push(`${typeName}.${member.name.value}(${arg.name.value})`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
