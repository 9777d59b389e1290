import { defineSubgraph } from '../shared/subgraph.ts';
import { ticketResolvers } from './resolvers.ts';

/** Tickets: the Ticket entity, ticket writes, and the tickets of services and incidents. */
export const ticketsSubgraph = defineSubgraph('tickets', ticketResolvers);
