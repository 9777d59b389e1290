import { defineSubgraph } from '../shared/subgraph.ts';
import { resolvers } from './resolvers.ts';

/** Incidents and their timelines; adds `incidents` to `Service` and `Team`. */
export const incidentsSubgraph = defineSubgraph('incidents', resolvers);
