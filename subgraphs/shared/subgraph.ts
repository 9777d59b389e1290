import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { subgraphTypeDefs, type SubgraphName } from '@opsorch/schema';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { RequestContext } from './context.ts';

/** One capability's subgraph: its name, SDL (shared definitions included) and resolvers. */
export interface SubgraphModule {
  name: SubgraphName;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<RequestContext>;
}

export function defineSubgraph(name: SubgraphName, resolvers: GraphQLResolverMap<RequestContext>): SubgraphModule {
  return { name, typeDefs: subgraphTypeDefs(name), resolvers };
}

export function buildSchemaOf(module: SubgraphModule): GraphQLSchema {
  // The resolver map is typed with our context; buildSubgraphSchema only knows `unknown` contexts.
  return buildSubgraphSchema({ typeDefs: module.typeDefs, resolvers: module.resolvers as GraphQLResolverMap<unknown> });
}
