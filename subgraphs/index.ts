import { alertsSubgraph } from './alerts/index.ts';
import { deploymentsSubgraph } from './deployments/index.ts';
import { incidentsSubgraph } from './incidents/index.ts';
import { logsSubgraph } from './logs/index.ts';
import { messagingSubgraph } from './messaging/index.ts';
import { metricsSubgraph } from './metrics/index.ts';
import { orchestrationSubgraph } from './orchestration/index.ts';
import { platformSubgraph } from './platform/index.ts';
import { servicesSubgraph } from './services/index.ts';
import { teamsSubgraph } from './teams/index.ts';
import { ticketsSubgraph } from './tickets/index.ts';
import type { SubgraphModule } from './shared/subgraph.ts';

export * from './shared/index.ts';
export { MAX_GRAPH_NODES } from './services/resolvers.ts';

/** Every capability's subgraph, in the order of SUBGRAPH_NAMES. */
export const SUBGRAPHS: readonly SubgraphModule[] = [
  incidentsSubgraph,
  alertsSubgraph,
  logsSubgraph,
  metricsSubgraph,
  ticketsSubgraph,
  messagingSubgraph,
  servicesSubgraph,
  teamsSubgraph,
  deploymentsSubgraph,
  orchestrationSubgraph,
  platformSubgraph,
];
