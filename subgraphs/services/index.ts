import { defineSubgraph } from '../shared/subgraph.ts';
import { resolvers } from './resolvers.ts';

export const servicesSubgraph = defineSubgraph('services', resolvers);
