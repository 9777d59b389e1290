// /healthz (the process is alive) and /readyz (it can answer: supergraph loaded, not draining, the event loop
// not held up, providers reachable through each provider's optional checkHealth, their circuits).
import type { Express } from 'express';
import type { Capability, Env, InstanceHealth, ProviderRegistry } from '@opsorch/adapters';
import type { EventLoopLag } from './event-loop.ts';

export interface ReadinessSource {
  /** The registry serving new requests (it changes on reload). */
  registry(): ProviderRegistry;
  /** Whether the supergraph (or the subgraph's schema) is loaded, and which configuration generation serves. */
  schema(): { loaded: boolean; generation: number; loadedAt: Date | null };
  /** True once shutdown has begun: the load balancer should stop sending requests. */
  draining(): boolean;
  /** Only these capabilities' providers decide readiness (a subgraph server's own); default: all. */
  capabilities?: readonly Capability[];
  /** Event-loop lag, and the most that still counts as ready (0: reported, never decisive). */
  eventLoop?: { lag: EventLoopLag; maxLagMs: number };
}

/** How long a provider check is reused: probes every few seconds must not hammer the tools. */
const CHECK_MAX_AGE_MS = 5_000;
/** /readyz answers within this, whatever the tools do. */
const READY_DEADLINE_MS = 5_000;

/**
 * OPSORCH_READYZ_PROVIDERS: `require` (default) makes an unreachable provider fail readiness; `report` only
 * lists it (for fleets where one tool's outage must not take every replica out of the load balancer).
 */
export function readinessPolicyFrom(env: Env): 'require' | 'report' {
  const value = env.OPSORCH_READYZ_PROVIDERS ?? 'require';
  if (value !== 'require' && value !== 'report') throw new Error(`OPSORCH_READYZ_PROVIDERS: expected "require" or "report", got "${value}"`);
  return value;
}

export function mountHealth(app: Express, source: ReadinessSource, policy: 'require' | 'report'): void {
  const startedAt = Date.now();
  app.get('/healthz', (_req, res) => {
    res.set('cache-control', 'no-store').json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
  });
  app.get('/readyz', async (_req, res) => {
    const schema = source.schema();
    const registry = source.registry();
    const breakers = new Map(registry.breakerStates().map((b) => [`${b.capability}/${b.instance}`, b.state]));
    let checks: InstanceHealth[] | null = null;
    let checkError: string | null = null;
    let timer: NodeJS.Timeout | undefined;
    try {
      checks = await Promise.race([
        registry.checkHealth({ maxAgeMs: CHECK_MAX_AGE_MS, requestId: 'readyz' }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`provider checks did not finish within ${READY_DEADLINE_MS} ms`)), READY_DEADLINE_MS);
        }),
      ]);
    } catch (error) {
      checkError = (error as Error).message;
    } finally {
      clearTimeout(timer);
    }
    const wanted = (c: Capability) => !source.capabilities || source.capabilities.includes(c);
    const providers = (checks ?? [])
      .filter((c) => wanted(c.capability))
      .map((c) => ({
        capability: c.capability,
        instance: c.instance,
        kind: c.kind,
        status: c.status,
        circuit: breakers.get(`${c.capability}/${c.instance}`) ?? 'closed',
        latencyMs: c.latencyMs === null ? null : Math.round(c.latencyMs),
        // The code only: /readyz is unauthenticated, and a tool's error may name internal hosts.
        // `opsorch check` and the providers query show the message.
        error: c.error ? { code: c.error.code } : null,
      }));
    const down = providers.filter((p) => p.status === 'DOWN' || p.circuit === 'open');
    const reasons: string[] = [];
    if (source.draining()) reasons.push('shutting down');
    if (!schema.loaded) reasons.push('supergraph not loaded');
    const lag = source.eventLoop?.lag.recent();
    const maxLagMs = source.eventLoop?.maxLagMs ?? 0;
    if (lag && maxLagMs > 0 && lag.maxMs > maxLagMs) {
      reasons.push(`event loop lagged ${Math.round(lag.maxMs)} ms within the last ${lag.windowMs / 1000} s (limit ${maxLagMs} ms, OPSORCH_READYZ_MAX_EVENT_LOOP_LAG_MS)`);
    }
    if (policy === 'require') {
      if (checkError) reasons.push(checkError);
      for (const p of down) reasons.push(`${p.capability} provider ${p.instance} is unreachable${p.error ? `: ${p.error.code}` : ` (circuit ${p.circuit})`}`);
    }
    const ready = reasons.length === 0;
    res
      .status(ready ? 200 : 503)
      .set('cache-control', 'no-store')
      .json({
        status: ready ? 'ready' : 'not ready',
        reasons,
        supergraph: { loaded: schema.loaded, generation: schema.generation, loadedAt: schema.loadedAt?.toISOString() ?? null },
        ...(lag ? { eventLoop: { lagMaxMs: lag.maxMs, lagP99Ms: lag.p99Ms, windowSeconds: lag.windowMs / 1000, limitMs: maxLagMs } } : {}),
        providers,
        policy,
      });
  });
}
