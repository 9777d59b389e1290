import { defineSubgraph } from '../shared/subgraph.ts';
import { resolvers } from './resolvers.ts';

/** Alerts; adds `alerts` and `health` to `Service` and `alerts` to `Incident`. */
export const alertsSubgraph = defineSubgraph('alerts', resolvers);
