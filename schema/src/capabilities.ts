// The capability manifest: the one list of what OpsOrch federates. Every other list is derived from it or typed
// against it (provider SPIs, demo factories, write methods, plugin methods, subgraphs, MCP toolsets, scopes,
// configuration variables), so a capability added here and not everywhere else fails `npm run typecheck`.
// docs/capability-guide.md lists the steps; schema/capabilities.test.ts checks the files each one needs.

/**
 * Every capability, in composition order. Each has one SDL (`schema/<capability>.graphql`), one subgraph, one
 * provider SPI, one demo provider, one MCP toolset and one configuration prefix (`OPSORCH_<CAPABILITY>_*`).
 */
export const CAPABILITY_MANIFEST = {
  incidents: { title: 'Incidents', summary: 'incidents and their timelines (PagerDuty, Opsgenie, incident.io...)' },
  alerts: { title: 'Alerts', summary: 'alerts, silences and the service health they imply (Alertmanager, Datadog monitors...)' },
  logs: { title: 'Logs', summary: 'log search and volume (Loki, Elasticsearch, Datadog logs...)' },
  metrics: { title: 'Metrics', summary: 'metric series, the metric catalog and golden signals (Prometheus, Datadog...)' },
  tickets: { title: 'Tickets', summary: 'tickets, comments and transitions (Jira, GitHub issues...)' },
  messaging: { title: 'Messaging', summary: 'chat channels and messages (Slack...)' },
  services: { title: 'Services', summary: 'the service catalog and its dependency graph (Backstage...)' },
  teams: { title: 'Teams', summary: 'teams, people and on-call (PagerDuty, Opsgenie...)' },
  deployments: { title: 'Deployments', summary: 'deployments by service, environment and time (GitHub, Argo CD...)' },
  orchestration: { title: 'Orchestration', summary: 'runbooks, their runs and manual steps (GitHub Actions, Rundeck...)' },
} as const satisfies Record<string, { title: string; summary: string }>;

export type Capability = keyof typeof CAPABILITY_MANIFEST;

/** The capabilities in manifest order. */
export const CAPABILITIES = Object.keys(CAPABILITY_MANIFEST) as readonly Capability[];

export function isCapability(value: string): value is Capability {
  return Object.hasOwn(CAPABILITY_MANIFEST, value);
}

/** Subgraphs that are not a capability: `platform` serves OpsOrch's own state (provider health). */
export const PLATFORM_SUBGRAPHS = ['platform'] as const;

export type SubgraphName = Capability | (typeof PLATFORM_SUBGRAPHS)[number];

/** Subgraph names, in composition order: every capability, then the platform's own. */
export const SUBGRAPH_NAMES: readonly SubgraphName[] = [...CAPABILITIES, ...PLATFORM_SUBGRAPHS];

/** The configuration prefix of a capability: `OPSORCH_INCIDENTS` (then `_PROVIDER`, `_CONFIG`). */
export function capabilityEnvPrefix(capability: Capability): string {
  return `OPSORCH_${capability.toUpperCase()}`;
}
