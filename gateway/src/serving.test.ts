import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { requestSignal } from './serving.ts';

describe('requestSignal', () => {
  it('counts the time the request waited for its turn, and names the whole deadline when it passes', async () => {
    const res = Object.assign(new EventEmitter(), { writableFinished: false }) as unknown as ServerResponse;
    const signal = requestSignal(res, 10_000, undefined, 9_990);
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    expect((signal.reason as Error).message).toMatch(/ran past its deadline of 10000 ms \(OPSORCH_REQUEST_TIMEOUT_MS\)/);
  });
});
