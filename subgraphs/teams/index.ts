import { defineSubgraph } from '../shared/subgraph.ts';
import { resolvers } from './resolvers.ts';

export const teamsSubgraph = defineSubgraph('teams', resolvers);
