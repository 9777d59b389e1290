import type { GraphQLRequestContext } from '@apollo/server';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { analyzeOperation, type AnalysisOptions, type OperationAnalysis } from './analysis.ts';
import { ownershipFromSupergraph, type Ownership } from './ownership.ts';

/** Analyses kept per operation, one per set of variables: a dashboard's few pages, not every id ever asked for. */
const VARIABLE_SETS_PER_OPERATION = 16;
/**
 * Variables longer than this (as JSON) are analysed on every request and never kept: Apollo bounds its cache of
 * operations by their text, not by what hangs off them, so a kept key must stay small (16 × 1 KB per operation).
 */
const MAX_KEPT_VARIABLES_CHARS = 1024;

/**
 * The schema and capability ownership the security plugins check against, following the gateway's
 * supergraph (also when it is reloaded), and the analysis of each request's operation, computed once.
 */
export function createOperationKnowledge(model: AnalysisOptions) {
  let schema: GraphQLSchema | null = null;
  let ownership: Ownership = new Map();
  const analyses = new WeakMap<object, OperationAnalysis>();
  // The analysis depends only on the schema, the operation and its variables: Apollo hands every request of one
  // query text the same parsed document, so the analysis is kept per operation node and variables (a few sets of
  // variables each, the newest kept), and forgotten with the schema on a reload.
  let byOperation = new WeakMap<object, Map<string, OperationAnalysis>>();

  return {
    /** Apollo plugin: learns the API schema and ownership on every (re)load of the supergraph. */
    plugin: {
      async serverWillStart() {
        return {
          schemaDidLoadOrUpdate({ apiSchema, coreSupergraphSdl }: { apiSchema: GraphQLSchema; coreSupergraphSdl?: string }) {
            schema = apiSchema;
            byOperation = new WeakMap();
            if (coreSupergraphSdl) ownership = ownershipFromSupergraph(coreSupergraphSdl);
          },
        };
      },
    },
    /** The analysis of the request's resolved operation (null before the operation is resolved). */
    analysisOf(requestContext: GraphQLRequestContext<object>): OperationAnalysis | null {
      const key = requestContext.request;
      let analysis = analyses.get(key);
      const { operation, document } = requestContext;
      if (!analysis && schema && operation && document) {
        const variables = requestContext.request.variables ?? {};
        const variablesKey = JSON.stringify(variables);
        let known = byOperation.get(operation);
        analysis = known?.get(variablesKey);
        if (!analysis) {
          const fragments = Object.fromEntries(document.definitions.flatMap((d) => (d.kind === 'FragmentDefinition' ? [[d.name.value, d]] : [])));
          analysis = analyzeOperation(schema, ownership, operation, fragments, variables, model);
          if (variablesKey.length <= MAX_KEPT_VARIABLES_CHARS) {
            if (!known) byOperation.set(operation, (known = new Map()));
            if (known.size >= VARIABLE_SETS_PER_OPERATION) known.delete(known.keys().next().value!);
            known.set(variablesKey, analysis);
          }
        }
        analyses.set(key, analysis);
      }
      return analysis ?? null;
    },
  };
}

export type OperationKnowledge = ReturnType<typeof createOperationKnowledge>;

/** A refusal raised while GraphQL processes a request; Apollo answers with its HTTP status. */
export function refusal(message: string, code: string, status: number, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status } } });
}
