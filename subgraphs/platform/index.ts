import { defineSubgraph } from '../shared/subgraph.ts';
import { resolvers } from './resolvers.ts';

/** OpsOrch's own runtime: the configured providers and their health. */
export const platformSubgraph = defineSubgraph('platform', resolvers);
