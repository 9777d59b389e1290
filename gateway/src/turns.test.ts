import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { createTurns } from './turns.ts';

const request = (destroyed = false) => ({ socket: { destroyed } }) as unknown as Request;
const response = () => ({ destroyed: false, writableEnded: false }) as unknown as Response;
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('turns', () => {
  it('start requests in arrival order, one per turn of the event loop', async () => {
    const turns = createTurns();
    const started: string[] = [];
    for (const name of ['a', 'b', 'c']) turns.middleware(request(), response(), () => started.push(name));
    expect(started).toEqual([]);
    expect(turns.waiting()).toBe(3);
    await turn();
    expect(started).toEqual(['a']);
    await turn();
    await turn();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(turns.waiting()).toBe(0);
  });

  it('do not start a request whose client went away while it waited', async () => {
    const turns = createTurns();
    const started: string[] = [];
    const gone = response();
    turns.middleware(request(), gone, () => started.push('gone'));
    turns.middleware(request(true), response(), () => started.push('closed socket'));
    turns.middleware(request(), response(), () => started.push('still here'));
    (gone as { destroyed: boolean }).destroyed = true;
    for (let i = 0; i < 3; i++) await turn();
    expect(started).toEqual(['still here']);
  });
});
