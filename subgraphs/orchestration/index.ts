import { defineSubgraph } from '../shared/subgraph.ts';
import { orchestrationResolvers } from './resolvers.ts';

/** Orchestration: runbooks with their step DAG, runs and manual steps, and the runbooks of alerts, incidents and services. */
export const orchestrationSubgraph = defineSubgraph('orchestration', orchestrationResolvers);
