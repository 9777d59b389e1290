import { defineSubgraph } from '../shared/subgraph.ts';
import { resolvers } from './resolvers.ts';

/** Log search, volume and field suggestions; adds `logs` to `Service`. */
export const logsSubgraph = defineSubgraph('logs', resolvers);
