import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { withoutSourceMapComment } from './source-maps.mjs';

const ROOT = join(import.meta.dirname, '..');

describe('source maps', () => {
  it("keep OpsOrch's own, so stack traces name .ts lines, and never a package's", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--import', './bin/source-maps.mjs', 'bin/test/source-maps-probe.ts'],
      { cwd: ROOT },
    );
    // The transpiled JavaScript has `new Error('probe')` on another line (all on line 1 without source maps).
    const errorLine = readFileSync(join(ROOT, 'bin/test/source-maps-probe.ts'), 'utf8').split('\n').findIndex((l) => l.includes("new Error('probe')")) + 1;
    expect(errorLine).toBeGreaterThan(1);
    expect(JSON.parse(stdout)).toEqual({ packageMapKept: false, errorLine });
  });

  it('drop the comment naming a map only where a compiler puts it, on the last line', () => {
    const code = 'exports.a = 1;\n';
    expect(withoutSourceMapComment(`${code}//# sourceMappingURL=index.js.map`)).toBe(code);
    expect(withoutSourceMapComment(`${code}//# sourceMappingURL=index.js.map\n\n`)).toBe(code);
    // A module that mentions the comment in its code (a source map library) keeps all of it.
    const mentions = `const MAGIC = '\\n//# sourceMappingURL=';\n${code}`;
    expect(withoutSourceMapComment(mentions)).toBe(mentions);
    expect(withoutSourceMapComment(code)).toBe(code);
    expect(withoutSourceMapComment('')).toBe('');
  });
});
