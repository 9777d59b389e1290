// Helpers for subgraph tests: run a subgraph's schema directly against a registry of providers.
import { loadConfig, ProviderRegistry, type ProviderModule } from '@opsorch/adapters';
import { BUILTIN_PROVIDERS } from '@opsorch/adapters/builtin';
import { graphql, type ExecutionResult } from 'graphql';
import { createRequestContext, type RequestContext } from './context.ts';
import { IdempotencyStore } from './idempotency.ts';
import { buildSchemaOf, type SubgraphModule } from './subgraph.ts';
import type { Env } from '@opsorch/adapters';

/** A registry built like production's from env-style settings; demo everywhere by default. */
export function testRegistry(env: Env = {}, extraModules: Record<string, ProviderModule> = {}): ProviderRegistry {
  return new ProviderRegistry({ config: loadConfig(env), modules: { ...BUILTIN_PROVIDERS, ...extraModules } });
}

/** Executes one operation against one subgraph; pass the same `ctx` to share loaders, or omit it for a fresh request. */
export function createSubgraphRunner(module: SubgraphModule, registry: ProviderRegistry = testRegistry()) {
  const schema = buildSchemaOf(module);
  const idempotency = new IdempotencyStore();
  return {
    registry,
    context: (): RequestContext => createRequestContext({ registry, idempotency }),
    async run(source: string, variableValues?: Record<string, unknown>, ctx?: RequestContext): Promise<ExecutionResult> {
      return graphql({ schema, source, variableValues, contextValue: ctx ?? createRequestContext({ registry, idempotency }) });
    },
  };
}
