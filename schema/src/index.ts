import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parse, printSchema, type DocumentNode } from 'graphql';
import { SUBGRAPH_NAMES, type SubgraphName } from './capabilities.ts';

/** Folder holding `common.graphql`, one `<capability>.graphql` per subgraph, and the composed outputs. */
export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SUPERGRAPH_PATH = join(SCHEMA_DIR, 'supergraph.graphql');
export const API_SCHEMA_PATH = join(SCHEMA_DIR, 'generated', 'api.graphql');

export * from './capabilities.ts';

/** A subgraph's full SDL: the shared definitions followed by its capability's own. */
export function subgraphSdl(name: SubgraphName): string {
  const common = readFileSync(join(SCHEMA_DIR, 'common.graphql'), 'utf8');
  const own = readFileSync(join(SCHEMA_DIR, `${name}.graphql`), 'utf8');
  return `${common}\n${own}`;
}

export function subgraphTypeDefs(name: SubgraphName): DocumentNode {
  return parse(subgraphSdl(name));
}

/** Default URL of a subgraph when run distributed; the gateway's configuration overrides it. */
export function defaultSubgraphUrl(name: SubgraphName): string {
  return `http://opsorch-${name}:4000/graphql`;
}

export interface Composition {
  /** The supergraph SDL the gateway plans with (`schema/supergraph.graphql`). */
  supergraphSdl: string;
  /** The client-facing API schema, printed for codegen and documentation. */
  apiSchemaSdl: string;
}

/** Composes every subgraph with @apollo/composition; throws with every composition error listed. */
export function composeSupergraph(): Composition {
  // Loaded here, not with the module: servers read the composed supergraph and never compose (decision 044).
  const { composeServices } = createRequire(import.meta.url)('@apollo/composition') as typeof import('@apollo/composition');
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => ({ name, typeDefs: subgraphTypeDefs(name), url: defaultSubgraphUrl(name) })),
  );
  if (result.errors) {
    throw new Error(`composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
  return {
    supergraphSdl: result.supergraphSdl,
    apiSchemaSdl: `${printSchema(result.schema.toAPISchema().toGraphQLJSSchema())}\n`,
  };
}

export function readSupergraphSdl(): string {
  return readFileSync(SUPERGRAPH_PATH, 'utf8');
}
export type * from '../generated/types.ts';
