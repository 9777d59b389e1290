import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, heapPolicyFlags, YOUNG_GENERATION_FLAG } from './heap.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the heap policy of the servers', () => {
  const growth = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;

  it('grows the old space by the policy percentage past the live heap, and pretenures nothing', () => {
    expect(heapPolicyFlags([])).toEqual([growth, '--no-allocation-site-pretenuring']);
    expect(heapPolicyFlags(['--enable-source-maps', '--max-old-space-size=2048'])).toEqual([growth, '--no-allocation-site-pretenuring']);
  });

  it("leaves an operator's own choice alone, in either spelling", () => {
    expect(heapPolicyFlags(['--heap-growing-percent=100'])).toEqual(['--no-allocation-site-pretenuring']);
    expect(heapPolicyFlags(['--heap_growing_percent=20'])).toEqual(['--no-allocation-site-pretenuring']);
    expect(heapPolicyFlags(['--allocation-site-pretenuring'])).toEqual([growth]);
    expect(heapPolicyFlags(['--no_allocation_site_pretenuring', '--heap-growing-percent=80'])).toEqual([]);
  });

  it('caps the young generation where `npm start` starts node (the image: deploy.test.ts)', () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.start).toBe(`node ${YOUNG_GENERATION_FLAG} bin/opsorch.mjs start`);
  });
});
