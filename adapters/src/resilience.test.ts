import { describe, expect, it } from 'vitest';
import { createRuntimeSync } from '../../gateway/src/runtime.ts';
import { ANONYMOUS, silentLogger, type Actor, type ProviderContext } from './context.ts';
import { OpsOrchError } from './errors.ts';
import type { ProviderModule } from './registry.ts';
import { Abandon, isWriteMethod, resilienceFromEnv, stableStringify, withAbandon, type BreakerState, type ProviderObserver, type ResilienceOptions } from './resilience.ts';

/** An alerts provider whose every call runs `behaviour`; it records what it was asked. */
function scripted(behaviour: (method: string, call: number, ctx: ProviderContext) => Promise<unknown>) {
  const calls: { method: string; actor: string }[] = [];
  const module: ProviderModule = {
    label: 'Scripted',
    factories: {
      alerts: (_settings, deps) =>
        new Proxy({ kind: 'scripted', instance: deps.instance } as Record<string | symbol, unknown>, {
          get(target, property) {
            if (property in target) return target[property];
            if (typeof property === 'symbol' || ['then', 'checkHealth', 'close'].includes(property)) return undefined;
            return (...args: unknown[]) => {
              const ctx = args[args.length - 1] as ProviderContext;
              calls.push({ method: property, actor: ctx.actor.id });
              return behaviour(property, calls.length, ctx);
            };
          },
        }) as never,
    },
  };
  return { module, calls };
}

function registryWith(module: ProviderModule, resilience: Partial<ResilienceOptions> = {}, timeoutMs = 2_000) {
  const events = { retries: [] as number[], breaker: [] as BreakerState[], dedupHits: 0 };
  const observer: ProviderObserver = {
    retry: (e) => events.retries.push(e.delayMs),
    breaker: (e) => events.breaker.push(e.state),
    dedup: (e) => (events.dedupHits += e.hit ? 1 : 0),
  };
  const { registry } = createRuntimeSync({
    env: { OPSORCH_ALERTS_PROVIDER: 'scripted', OPSORCH_PROVIDER_TIMEOUT_MS: String(timeoutMs) },
    logger: silentLogger,
    extraProviders: { scripted: module },
    resilience: { backoffMs: 5, maxBackoffMs: 20, ...resilience },
    observer,
  });
  return { registry, events, alerts: registry.all('alerts')[0]! };
}

function ctx(actor: Actor = ANONYMOUS, signal = new AbortController().signal): ProviderContext {
  return { signal, logger: silentLogger, actor, requestId: 'test', now: new Date() };
}

const unavailable = () => Promise.reject(new OpsOrchError('PROVIDER_UNAVAILABLE', 'upstream answered 503'));

describe('reads and writes', () => {
  it('knows the declared writes and takes everything else for a read', () => {
    expect(isWriteMethod('incidents', 'acknowledgeIncident')).toBe(true);
    expect(isWriteMethod('orchestration', 'startRun')).toBe(true);
    expect(isWriteMethod('incidents', 'query')).toBe(false);
    expect(isWriteMethod('alerts', 'somethingNew')).toBe(false);
  });

  it('retries a read that fails transiently, with growing jittered delays, and answers', async () => {
    const { module, calls } = scripted((_m, n) => (n < 3 ? unavailable() : Promise.resolve(['ok'])));
    const { registry, events, alerts } = registryWith(module);
    await expect(alerts.healthOfServices(['checkout'], ctx())).resolves.toEqual(['ok']);
    expect(calls).toHaveLength(3);
    expect(events.retries).toHaveLength(2);
    for (const [i, delay] of events.retries.entries()) {
      const cap = Math.min(20, 5 * 2 ** i);
      expect(delay).toBeGreaterThanOrEqual(cap / 2);
      expect(delay).toBeLessThanOrEqual(cap);
    }
    // One logical call, whatever its attempts.
    expect(registry.callCounts()['alerts/scripted.healthOfServices']).toBe(1);
  });

  it('gives up after the configured attempts with the last error', async () => {
    const { module, calls } = scripted(() => unavailable());
    const { alerts } = registryWith(module, { readAttempts: 2 });
    await expect(alerts.healthOfServices(['checkout'], ctx())).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', provider: 'scripted' });
    expect(calls).toHaveLength(2);
  });

  it('never retries a write (it may have happened) nor a caller mistake', async () => {
    const { module, calls } = scripted((method) =>
      method === 'getMany' ? Promise.reject(new OpsOrchError('BAD_USER_INPUT', 'bad id')) : unavailable(),
    );
    const { alerts } = registryWith(module);
    await expect(alerts.acknowledgeAlert!('scripted:1', ctx())).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    await expect(alerts.getMany(['scripted:1'], ctx())).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(calls.map((c) => c.method)).toEqual(['acknowledgeAlert', 'getMany']);
  });

  it('a read that hangs on every attempt still ends at the instance timeout, not a multiple of it', async () => {
    const { module } = scripted(() => new Promise(() => {}));
    const { alerts } = registryWith(module, {}, 150);
    const started = Date.now();
    await expect(alerts.healthOfServices(['checkout'], ctx())).rejects.toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('429 Retry-After', () => {
  it('waits the Retry-After the tool asked for, then answers', async () => {
    const { module, calls } = scripted((_m, n) =>
      n === 1 ? Promise.reject(new OpsOrchError('PROVIDER_RATE_LIMITED', 'slow down', { retryAfter: 1 })) : Promise.resolve(['ok']),
    );
    const { alerts, events } = registryWith(module, {}, 3_000);
    const started = Date.now();
    await expect(alerts.healthOfServices(['checkout'], ctx())).resolves.toEqual(['ok']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(events.retries).toEqual([1_000]);
    expect(calls).toHaveLength(2);
  });

  it('a Retry-After beyond what it may wait fails at once with retryAfter, and holds back later calls until then', async () => {
    const { module, calls } = scripted(() => Promise.reject(new OpsOrchError('PROVIDER_RATE_LIMITED', 'slow down', { retryAfter: 30 })));
    const { alerts } = registryWith(module);
    const started = Date.now();
    await expect(alerts.healthOfServices(['checkout'], ctx())).rejects.toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryAfter: 30 });
    const second = alerts.query({} as never, { first: 5, after: null } as never, ctx());
    await expect(second).rejects.toMatchObject({ code: 'PROVIDER_RATE_LIMITED', message: expect.stringMatching(/retry after (29|30) s/) });
    expect(Date.now() - started).toBeLessThan(500);
    expect(calls).toHaveLength(1);
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive failures, answers PROVIDER_UNAVAILABLE at once, half-opens after the cool-down and closes on success', async () => {
    let healthy = false;
    const { module, calls } = scripted(() => (healthy ? Promise.resolve(['ok']) : unavailable()));
    const { registry, alerts, events } = registryWith(module, { readAttempts: 1, breakerFailures: 3, breakerCooldownMs: 300 });
    for (let i = 0; i < 3; i++) await expect(alerts.healthOfServices(['a'], ctx())).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(registry.breakerStates()).toContainEqual({ capability: 'alerts', instance: 'scripted', state: 'open' });

    const started = performance.now();
    const refused = await alerts.healthOfServices(['a'], ctx()).catch((e: OpsOrchError) => e);
    // At once: without asking the provider (the call count below) and long before the cool-down ends.
    expect(performance.now() - started).toBeLessThan(250);
    expect(refused).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', capability: 'alerts', provider: 'scripted' });
    expect((refused as OpsOrchError).message).toMatch(/circuit is open after 3 consecutive failures \(last failure: upstream answered 503\)/);
    expect((refused as OpsOrchError).retryAfter).toBeGreaterThanOrEqual(1);
    expect(calls).toHaveLength(3);

    await new Promise((resolve) => setTimeout(resolve, 350));
    healthy = true;
    await expect(alerts.healthOfServices(['a'], ctx())).resolves.toEqual(['ok']);
    expect(events.breaker).toEqual(['open', 'half-open', 'closed']);
    expect(registry.breakerStates()).toContainEqual({ capability: 'alerts', instance: 'scripted', state: 'closed' });
  });

  it('a failed probe opens the circuit again', async () => {
    const { module, calls } = scripted(() => unavailable());
    const { alerts, events } = registryWith(module, { readAttempts: 1, breakerFailures: 1, breakerCooldownMs: 100 });
    await expect(alerts.healthOfServices(['a'], ctx())).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 130));
    await expect(alerts.healthOfServices(['a'], ctx())).rejects.toThrow(/503/);
    await expect(alerts.healthOfServices(['a'], ctx())).rejects.toThrow(/circuit is open/);
    expect(calls).toHaveLength(2);
    expect(events.breaker).toEqual(['open', 'half-open', 'open']);
  });

  it('while the half-open probe is out, other calls are answered at once instead of waiting behind it', async () => {
    let hang = true;
    const { module, calls } = scripted(() => (hang ? new Promise(() => {}) : Promise.resolve(['ok'])));
    const { alerts } = registryWith(module, { readAttempts: 1, breakerFailures: 1, breakerCooldownMs: 100 }, 400);
    await expect(alerts.healthOfServices(['a'], ctx())).rejects.toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    await new Promise((resolve) => setTimeout(resolve, 130));
    const probe = alerts.healthOfServices(['a'], ctx());
    const started = performance.now();
    await expect(alerts.healthOfServices(['b'], ctx())).rejects.toThrow(/one probe call is checking whether it is back/);
    expect(performance.now() - started).toBeLessThan(50);
    await expect(probe).rejects.toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    expect(calls).toHaveLength(2);
    hang = false;
  });

  it('counts neither caller mistakes nor callers that went away', async () => {
    const { module } = scripted((method, _n, c) =>
      method === 'getMany'
        ? Promise.reject(new OpsOrchError('NOT_FOUND', 'no such alert'))
        : new Promise((_, reject) => c.signal.addEventListener('abort', () => reject(c.signal.reason))),
    );
    const { registry, alerts } = registryWith(module, { readAttempts: 1, breakerFailures: 2 });
    for (let i = 0; i < 3; i++) await expect(alerts.getMany(['scripted:x'], ctx())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    for (let i = 0; i < 3; i++) {
      const leaving = new AbortController();
      const call = alerts.healthOfServices([`s${i}`], ctx(ANONYMOUS, leaving.signal));
      leaving.abort(new Error('client disconnected'));
      await expect(call).rejects.toThrow();
    }
    expect(registry.breakerStates()).toContainEqual({ capability: 'alerts', instance: 'scripted', state: 'closed' });
  });
});

describe('in-flight dedup', () => {
  const alice: Actor = { kind: 'user', id: 'alice@example.com' };
  const bob: Actor = { kind: 'user', id: 'bob@example.com' };

  function slow() {
    return scripted(() => new Promise((resolve) => setTimeout(() => resolve(['ok']), 50)));
  }

  it('identical concurrent reads of one actor make one upstream call', async () => {
    const { module, calls } = slow();
    const { registry, alerts, events } = registryWith(module);
    const answers = await Promise.all([1, 2, 3].map(() => alerts.healthOfServices(['checkout'], ctx(alice))));
    expect(answers).toEqual([['ok'], ['ok'], ['ok']]);
    expect(calls).toHaveLength(1);
    expect(events.dedupHits).toBe(2);
    expect(registry.callCounts()['alerts/scripted.healthOfServices']).toBe(1);
  });

  it('never shares across actors, environments or arguments, and never shares writes', async () => {
    const { module, calls } = slow();
    const { alerts } = registryWith(module);
    await Promise.all([
      alerts.healthOfServices(['checkout'], ctx(alice)),
      alerts.healthOfServices(['checkout'], ctx(bob)),
      alerts.healthOfServices(['checkout'], { ...ctx(alice), environment: 'staging' }),
      alerts.healthOfServices(['payments'], ctx(alice)),
      alerts.acknowledgeAlert!('scripted:1', ctx(alice)),
      alerts.acknowledgeAlert!('scripted:1', ctx(alice)),
    ]);
    expect(calls).toHaveLength(6);
  });

  it('one caller leaving does not cancel the call the others wait for', async () => {
    const { module, calls } = slow();
    const { alerts } = registryWith(module);
    const leaving = new AbortController();
    const first = alerts.healthOfServices(['checkout'], ctx(alice, leaving.signal));
    const second = alerts.healthOfServices(['checkout'], ctx(alice));
    leaving.abort(new Error('client disconnected'));
    await expect(first).rejects.toThrow();
    await expect(second).resolves.toEqual(['ok']);
    expect(calls).toHaveLength(1);
  });

  it('keys arguments stably: key order and dates do not matter, functions opt out', () => {
    expect(stableStringify({ b: 1, a: [new Date(0), 'x'] })).toBe(stableStringify({ a: [new Date(0), 'x'], b: 1 }));
    expect(stableStringify({ f: () => 1 })).toBeNull();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(stableStringify(cycle)).toBeNull();
    // The same object twice is not a cycle; the text is fixed (idempotency fingerprints are made of it).
    const shared = { id: 'x', at: new Date(0) };
    expect(stableStringify({ z: [shared, shared, null, 1n, true], a: { 'quo"te': 'é\n', skipped: undefined } })).toBe(
      '{"a":{"quo\\"te":"é\\n"},"z":[{"at":"1970-01-01T00:00:00.000Z","id":"x"},{"at":"1970-01-01T00:00:00.000Z","id":"x"},null,1n,true]}',
    );
    expect(stableStringify([])).toBe('[]');
    expect(stableStringify([['a"b', 'é\n', ''], ['x', 1]])).toBe('[["a\\"b","é\\n",""],["x",1]]');
    expect(stableStringify({})).toBe('{}');
    expect(stableStringify([{ f: Symbol('s') }])).toBeNull();
    // A cycle found deep inside leaves nothing behind for the next call.
    const deep: Record<string, unknown> = { a: { b: {} } };
    (deep.a as Record<string, Record<string, unknown>>).b!.c = deep;
    expect(stableStringify(deep)).toBeNull();
    expect(stableStringify({ a: shared })).toBe('{"a":{"at":"1970-01-01T00:00:00.000Z","id":"x"}}');
  });
});

describe('the signal a provider sees', () => {
  it('fires when its attempt is abandoned: a failed attempt\'s signal is aborted, the retry gets a fresh one', async () => {
    const seen: AbortSignal[] = [];
    const { module } = scripted((_m, n, c) => {
      seen.push(c.signal);
      if (n === 1) return unavailable();
      expect(c.signal.aborted).toBe(false);
      return Promise.resolve(['ok']);
    });
    const { alerts } = registryWith(module);
    await expect(alerts.healthOfServices(['checkout'], ctx())).resolves.toEqual(['ok']);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.aborted).toBe(true);
    expect(seen[0]!.reason).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(seen[1]!.aborted).toBe(false);
  });

  it('is already aborted, with the timeout, when a provider first reads it after the deadline', async () => {
    let late: AbortSignal | undefined;
    const { module } = scripted(
      (_m, _n, c) =>
        new Promise((resolve) =>
          setTimeout(() => {
            late = c.signal;
            resolve(['too late']);
          }, 250),
        ),
    );
    const { alerts } = registryWith(module, { readAttempts: 1 }, 100);
    await expect(alerts.healthOfServices(['checkout'], ctx())).rejects.toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(late?.aborted).toBe(true);
    expect(late?.reason).toMatchObject({ code: 'PROVIDER_TIMEOUT' });
  });

  it('fires for listeners added before the deadline, and survives the provider copying its context', async () => {
    const events: string[] = [];
    const { module } = scripted((_m, _n, c) => {
      const copy = { ...c, now: new Date(0) };
      copy.signal.addEventListener('abort', () => events.push(`abort: ${(copy.signal.reason as OpsOrchError).code}`));
      return new Promise(() => {});
    });
    const { alerts } = registryWith(module, { readAttempts: 1 }, 100);
    await expect(alerts.healthOfServices(['checkout'], ctx())).rejects.toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    expect(events).toEqual(['abort: PROVIDER_TIMEOUT']);
  });

  it("stops when the caller's Abandon is abandoned; the caller's signal, read afterwards, carries the same reason", async () => {
    const seen: string[] = [];
    const { module } = scripted((_m, _n, c) => {
      const copy = { ...c };
      return new Promise((_, reject) => copy.signal.addEventListener('abort', () => (seen.push('provider stopped'), reject(copy.signal.reason))));
    });
    const { alerts } = registryWith(module, { readAttempts: 1 });
    const request = new Abandon();
    const caller = withAbandon({ logger: silentLogger, actor: ANONYMOUS, requestId: 'test', now: new Date() }, request);
    expect(Object.keys(caller)).toEqual(['logger', 'actor', 'requestId', 'now', 'signal']);
    const call = alerts.healthOfServices(['checkout'], caller);
    await new Promise((resolve) => setTimeout(resolve, 10));
    request.abort(new Error('client disconnected'));
    await expect(call).rejects.toThrow();
    expect(seen).toEqual(['provider stopped']);
    // Read after the fact, the caller's own signal is made already aborted, with the same reason.
    expect(caller.signal.aborted).toBe(true);
    expect((caller.signal.reason as Error).message).toBe('client disconnected');
    // A caller already gone never reaches the provider.
    await expect(alerts.healthOfServices(['other'], caller)).rejects.toThrow('client disconnected');
    expect(seen).toEqual(['provider stopped']);
  });

  it("is never made when nobody reads it, even for a caller whose own signal is made on demand", async () => {
    const { module } = scripted((_m, _n, c) => Promise.resolve([c.requestId]));
    const { alerts } = registryWith(module);
    const caller = withAbandon({ logger: silentLogger, actor: ANONYMOUS, requestId: 'req-1', now: new Date() }, new Abandon());
    const Original = globalThis.AbortController;
    let made = 0;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        made++;
      }
    };
    try {
      await expect(alerts.healthOfServices(['checkout'], caller)).resolves.toEqual(['req-1']);
    } finally {
      globalThis.AbortController = Original;
    }
    expect(made).toBe(0);
  });

  it('a shared read\'s signal fires only when its last caller has left, with that caller\'s reason', async () => {
    let upstream: AbortSignal | undefined;
    const { module, calls } = scripted((_m, _n, c) => {
      upstream = c.signal;
      return new Promise(() => {});
    });
    const { alerts } = registryWith(module, { readAttempts: 1 }, 5_000);
    const first = new AbortController();
    const second = new AbortController();
    const one = alerts.healthOfServices(['checkout'], ctx(ANONYMOUS, first.signal));
    const two = alerts.healthOfServices(['checkout'], ctx(ANONYMOUS, second.signal));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toHaveLength(1);
    first.abort(new Error('first client left'));
    await expect(one).rejects.toThrow(/first client left/);
    expect(upstream?.aborted).toBe(false);
    second.abort(new Error('second client left'));
    await expect(two).rejects.toThrow(/second client left/);
    expect(upstream?.aborted).toBe(true);
    expect((upstream?.reason as Error).message).toBe('second client left');
  });
});

describe('configuration', () => {
  it('reads the environment and names the variable to fix', () => {
    expect(resilienceFromEnv({ OPSORCH_PROVIDER_READ_ATTEMPTS: '5', OPSORCH_BREAKER_COOLDOWN_MS: '2500', OPSORCH_PROVIDER_DEDUP: 'false' })).toMatchObject({
      readAttempts: 5,
      breakerCooldownMs: 2500,
      dedupReads: false,
    });
    expect(() => resilienceFromEnv({ OPSORCH_BREAKER_FAILURES: '0' })).toThrow(/OPSORCH_BREAKER_FAILURES: expected an integer of at least 1, got "0"/);
    expect(() => resilienceFromEnv({ OPSORCH_PROVIDER_DEDUP: 'yes' })).toThrow(/OPSORCH_PROVIDER_DEDUP/);
  });
});
