import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Abandon, ANONYMOUS, silentLogger } from '@opsorch/adapters';
import { IdempotencyStore, loadersFor } from '@opsorch/subgraphs';
import { describe, expect, it } from 'vitest';
import { contextFor } from './request-context.ts';
import { createRuntimeSync } from './runtime.ts';

describe('contextFor', () => {
  it("lets the request's loaders go when its response ends, and makes fresh ones for work that outlives it", () => {
    const response = new EventEmitter() as unknown as ServerResponse;
    const context = contextFor({
      registry: createRuntimeSync({ env: {}, logger: silentLogger }).registry,
      idempotency: new IdempotencyStore(),
      logger: silentLogger,
      abandon: new Abandon(),
      identity: { actor: ANONYMOUS, requestId: 'r-1', now: new Date() },
      response,
    });
    const first = loadersFor(context, 'incidents', () => ({ cache: new Map([['a', 1]]) }));
    expect(loadersFor(context, 'incidents', () => ({ cache: new Map() }))).toBe(first);

    response.emit('close');
    expect(context.loaders.size).toBe(0);
    const after = loadersFor(context, 'incidents', () => ({ cache: new Map() }));
    expect(after).not.toBe(first);
    expect(after.cache.size).toBe(0);
  });
});
