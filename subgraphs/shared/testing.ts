// Helpers for subgraph tests: run a subgraph's schema directly against a registry of providers.
import { silentLogger, type Env, type ProviderModule, type ProviderRegistry } from '@opsorch/adapters';
import { graphql, type ExecutionResult } from 'graphql';
// Test code reaches up to the composition root, so subgraph tests build providers exactly as the gateway does.
import { createRuntimeSync } from '../../gateway/src/runtime.ts';
import { createRequestContext, type RequestContext } from './context.ts';
import { IdempotencyStore } from './idempotency.ts';
import { buildSchemaOf, type SubgraphModule } from './subgraph.ts';

/** A registry built like production's from env-style settings; demo everywhere by default. */
export function testRegistry(env: Env = {}, extraModules: Record<string, ProviderModule> = {}): ProviderRegistry {
  return createRuntimeSync({ env, logger: silentLogger, extraProviders: extraModules }).registry;
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
