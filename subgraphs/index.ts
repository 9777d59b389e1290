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
import { SUBGRAPH_NAMES, type SubgraphName } from '@opsorch/schema/capabilities';
import type { SubgraphModule } from './shared/subgraph.ts';

export * from './shared/index.ts';
export { MAX_GRAPH_NODES } from './services/resolvers.ts';

/** One subgraph per name of the manifest (schema/src/capabilities.ts): a missing one is a type error. */
const BY_NAME: Record<SubgraphName, SubgraphModule> = {
  incidents: incidentsSubgraph,
  alerts: alertsSubgraph,
  logs: logsSubgraph,
  metrics: metricsSubgraph,
  tickets: ticketsSubgraph,
  messaging: messagingSubgraph,
  services: servicesSubgraph,
  teams: teamsSubgraph,
  deployments: deploymentsSubgraph,
  orchestration: orchestrationSubgraph,
  platform: platformSubgraph,
};

/** Every subgraph, in the order of SUBGRAPH_NAMES. */
export const SUBGRAPHS: readonly SubgraphModule[] = SUBGRAPH_NAMES.map((name) => BY_NAME[name]);
