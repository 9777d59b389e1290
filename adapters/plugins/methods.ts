import type { Capability } from '../src/capabilities.ts';
import type { ProviderBase } from '../src/spi/base.ts';
import type { ProviderMap } from '../src/spi/index.ts';

/** The SPI methods of a provider interface (required and optional), without ProviderBase's own. */
type MethodsOf<P> = Exclude<{ [K in keyof P]-?: NonNullable<P[K]> extends (...args: never[]) => unknown ? K : never }[keyof P], keyof ProviderBase>;

/**
 * Every SPI method a plugin may serve, per capability; the JSON-RPC method is `<capability>.<method>`.
 * A method added to an SPI interface and not listed here is a type error, so plugins never silently lag.
 */
export const PLUGIN_METHODS: { readonly [C in Capability]: Readonly<Record<MethodsOf<ProviderMap[C]>, true>> } = {
  incidents: {
    getMany: true,
    query: true,
    incidentsForServices: true,
    incidentsForTeams: true,
    timelines: true,
    createIncident: true,
    acknowledgeIncident: true,
    resolveIncident: true,
    updateIncident: true,
    addIncidentNote: true,
  },
  alerts: {
    getMany: true,
    query: true,
    alertsForServices: true,
    healthOfServices: true,
    alertsForIncidents: true,
    acknowledgeAlert: true,
    silenceAlert: true,
  },
  logs: { query: true, volume: true, fieldSummaries: true, forServices: true },
  metrics: { descriptors: true, labelValues: true, series: true, goldenSignalsForServices: true },
  tickets: {
    getMany: true,
    query: true,
    ticketsForServices: true,
    ticketsForIncidents: true,
    commentsForTickets: true,
    transitionsForTickets: true,
    createTicket: true,
    updateTicket: true,
    transitionTicket: true,
    commentOnTicket: true,
  },
  messaging: { getMany: true, channelsByName: true, query: true, messagesForChannels: true, sendMessage: true },
  services: { getMany: true, query: true, dependentsOf: true, servicesOwnedBy: true, resolveExternalRefs: true },
  teams: {
    getMany: true,
    getUsers: true,
    queryTeams: true,
    queryUsers: true,
    subTeamsOf: true,
    membersOfTeams: true,
    teamsOfUsers: true,
    rotationsOfTeams: true,
    onCallForTeams: true,
    onCallForAllTeams: true,
    upcomingShifts: true,
  },
  deployments: { getMany: true, query: true, deploymentsForServices: true, deploymentsInWindows: true },
  orchestration: {
    getRunbooks: true,
    queryRunbooks: true,
    getRuns: true,
    queryRuns: true,
    runsForRunbooks: true,
    runbooksForServices: true,
    runbooksForAlerts: true,
    suggestRunbooksForIncidents: true,
    startRun: true,
    completeManualStep: true,
    cancelRun: true,
  },
};
