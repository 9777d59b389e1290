import type { GraphQLRequestContext } from '@apollo/server';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { analyzeOperation, type AnalysisOptions, type OperationAnalysis } from './analysis.ts';
import { ownershipFromSupergraph, type Ownership } from './ownership.ts';

/**
 * The schema and capability ownership the security plugins check against, following the gateway's
 * supergraph (also when it is reloaded), and the analysis of each request's operation, computed once.
 */
export function createOperationKnowledge(model: AnalysisOptions) {
  let schema: GraphQLSchema | null = null;
  let ownership: Ownership = new Map();
  const analyses = new WeakMap<object, OperationAnalysis>();

  return {
    /** Apollo plugin: learns the API schema and ownership on every (re)load of the supergraph. */
    plugin: {
      async serverWillStart() {
        return {
          schemaDidLoadOrUpdate({ apiSchema, coreSupergraphSdl }: { apiSchema: GraphQLSchema; coreSupergraphSdl?: string }) {
            schema = apiSchema;
            if (coreSupergraphSdl) ownership = ownershipFromSupergraph(coreSupergraphSdl);
          },
        };
      },
    },
    /** The analysis of the request's resolved operation (null before the operation is resolved). */
    analysisOf(requestContext: GraphQLRequestContext<object>): OperationAnalysis | null {
      const key = requestContext.request;
      let analysis = analyses.get(key);
      if (!analysis && schema && requestContext.operation && requestContext.document) {
        const fragments = Object.fromEntries(
          requestContext.document.definitions.flatMap((d) => (d.kind === 'FragmentDefinition' ? [[d.name.value, d]] : [])),
        );
        analysis = analyzeOperation(schema, ownership, requestContext.operation, fragments, requestContext.request.variables ?? {}, model);
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
