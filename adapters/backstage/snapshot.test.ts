import { describe, expect, it } from 'vitest';
import type { ProviderContext } from '../src/context.ts';
import { Snapshot } from './snapshot.ts';

const ctx = {} as ProviderContext;

describe('Snapshot', () => {
  it('shares one read between concurrent callers and reuses it until it expires', async () => {
    let reads = 0;
    const snapshot = new Snapshot(async () => ++reads, 50);
    expect(await Promise.all([snapshot.get(ctx), snapshot.get(ctx), snapshot.get(ctx)])).toEqual([1, 1, 1]);
    expect(await snapshot.get(ctx)).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(await snapshot.get(ctx)).toBe(2);
  });

  it('keeps no failed read: the next caller asks again', async () => {
    let calls = 0;
    const snapshot = new Snapshot(async () => {
      calls++;
      if (calls === 1) throw new Error('catalog down');
      return 'ok';
    }, 60_000);
    await expect(snapshot.get(ctx)).rejects.toThrow('catalog down');
    expect(await snapshot.get(ctx)).toBe('ok');
  });

  it('reads every time with a time to live of 0', async () => {
    let reads = 0;
    const snapshot = new Snapshot(async () => ++reads, 0);
    await snapshot.get(ctx);
    await snapshot.get(ctx);
    expect(reads).toBe(2);
  });
});
