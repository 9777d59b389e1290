import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { badInput, CAPABILITIES, isCapability, type InstanceHealth } from '@opsorch/adapters';
import type { QueryProvidersArgs } from '@opsorch/schema';
import type { RequestContext } from '../shared/index.ts';

/** A status page polled every few seconds must not turn into a health-check storm against the tools. */
const HEALTH_REUSE_MS = 5_000;

function toStatus(health: InstanceHealth) {
  const lastError = health.error
    ? { ...health.error, at: health.checkedAt.toISOString() }
    : health.stats.lastError
      ? { ...health.stats.lastError, at: health.stats.lastError.at.toISOString() }
      : null;
  return {
    capability: health.capability,
    provider: health.kind,
    label: health.label,
    instance: health.instance,
    health: health.status === 'DOWN' ? 'DOWN' : 'UP',
    checked: health.checked,
    latencyMs: health.latencyMs === null ? null : Math.round(health.latencyMs * 100) / 100,
    checkedAt: health.checkedAt.toISOString(),
    lastError,
    lastSuccessAt: health.stats.lastSuccessAt?.toISOString() ?? null,
    calls: health.stats.calls,
    failures: health.stats.failures,
    timeoutMs: health.timeoutMs,
  };
}

export const resolvers: GraphQLResolverMap<RequestContext> = {
  Query: {
    async providers(_: unknown, args: QueryProvidersArgs, ctx: RequestContext) {
      const capability = args.capability?.trim();
      if (capability && !isCapability(capability)) {
        throw badInput(`capability "${capability}" is not one of ${CAPABILITIES.join(', ')}`);
      }
      const all = await ctx.registry.checkHealth({ maxAgeMs: HEALTH_REUSE_MS, requestId: ctx.provider.requestId });
      return all.filter((h) => !capability || h.capability === capability).map(toStatus);
    },
  },
};
