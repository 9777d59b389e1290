// Every GraphQL document in the repository (the subgraph SDLs, the supergraph, the operations of the console and of
// MCP) stays within Latin-1. V8 stores a file with one character above U+00FF two bytes per character, and the names
// graphql-js slices from it are interned that way: an answer holding such a name as a key is then serialized two
// bytes per character, counted and encoded again on the way out. One `→` in a description cost the war-room query a
// third of its throughput (decision 037).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { SCHEMA_DIR } from './src/index.ts';

const ROOT = join(SCHEMA_DIR, '..');
const SKIPPED = new Set(['node_modules', '.git', 'build', 'dist', 'test-artifacts', '.cache']);

function graphqlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : graphqlFiles(join(dir, entry.name));
    return entry.name.endsWith('.graphql') ? [join(dir, entry.name)] : [];
  });
}

it('keeps every GraphQL document within Latin-1, so the names read from it are one byte per character', () => {
  const files = graphqlFiles(ROOT);
  expect(files.map((file) => relative(ROOT, file))).toContain('schema/supergraph.graphql');
  const found: string[] = [];
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        const wide = [...line].filter((char) => char.codePointAt(0)! > 0xff);
        if (wide.length > 0) {
          const shown = [...new Set(wide)].map((char) => `"${char}" (U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`);
          found.push(`${relative(ROOT, file)}:${index + 1}: ${shown.join(', ')}; write it in ASCII (an arrow as "to", a dash as "-")`);
        }
      });
  }
  expect(found).toEqual([]);
});
