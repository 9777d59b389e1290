import { defineSubgraph } from '../shared/subgraph.ts';
import { resolvers } from './resolvers.ts';

export const deploymentsSubgraph = defineSubgraph('deployments', resolvers);
