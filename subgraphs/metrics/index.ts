import { defineSubgraph } from '../shared/subgraph.ts';
import { resolvers } from './resolvers.ts';

/** The metric catalog and series; adds `goldenSignals` to `Service`. */
export const metricsSubgraph = defineSubgraph('metrics', resolvers);
