import { defineSubgraph } from '../shared/subgraph.ts';
import { messagingResolvers } from './resolvers.ts';

/** Messaging: chat channels (team channels and incident war rooms), their messages, and posting. */
export const messagingSubgraph = defineSubgraph('messaging', messagingResolvers);
