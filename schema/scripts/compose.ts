// Writes schema/supergraph.graphql and schema/generated/api.graphql from the subgraph SDLs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { API_SCHEMA_PATH, composeSupergraph, SUPERGRAPH_PATH } from '../src/index.ts';

const { supergraphSdl, apiSchemaSdl } = composeSupergraph();
writeFileSync(SUPERGRAPH_PATH, supergraphSdl);
mkdirSync(dirname(API_SCHEMA_PATH), { recursive: true });
writeFileSync(API_SCHEMA_PATH, apiSchemaSdl);
console.log(`wrote ${SUPERGRAPH_PATH} and ${API_SCHEMA_PATH}`);
