import type { Capability } from '@opsorch/schema/capabilities';
import { OPERATION_TOOLS } from './generated/tools.ts';

/** Every toolset: one per operation file (a capability), plus `schema` for the generic GraphQL tools. */
export const TOOLSETS = {
  incidents: 'Incidents, their timelines and the war-room view; acknowledge, resolve, add notes.',
  alerts: 'Alerts and their details; silence.',
  logs: 'Log search and log volume over time.',
  metrics: 'Metric series and the metric catalog.',
  services: 'The service catalog, health and dependency graph.',
  teams: 'Teams, members and who is on call.',
  deployments: 'Deployments by service, environment and time.',
  tickets: 'Tickets; create, comment, transition.',
  messaging: 'Chat channels; send messages.',
  orchestration: 'Runbooks and their runs; start runs, complete manual steps.',
  schema: 'Generic GraphQL tools: introspect, search_schema, validate, execute.',
} as const satisfies Record<Capability | 'schema', string>;

export type Toolset = keyof typeof TOOLSETS;

export const ALL_TOOLSETS = Object.keys(TOOLSETS) as Toolset[];

/**
 * Listed when nothing is chosen: what an on-call investigation needs. Tickets, messaging and the generic
 * GraphQL tools are opt-in (`--toolsets all` or by name) to keep the tool list, and so every prompt, small.
 */
export const DEFAULT_TOOLSETS: readonly Toolset[] = ['incidents', 'alerts', 'logs', 'metrics', 'services', 'teams', 'deployments', 'orchestration'];

/** Parses `--toolsets` / OPSORCH_MCP_TOOLSETS: a comma list of names, `default` or `all`. */
export function parseToolsets(value: string | undefined): Toolset[] {
  if (!value?.trim()) return [...DEFAULT_TOOLSETS];
  const chosen = new Set<Toolset>();
  for (const raw of value.split(',')) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    if (name === 'all') ALL_TOOLSETS.forEach((t) => chosen.add(t));
    else if (name === 'default') DEFAULT_TOOLSETS.forEach((t) => chosen.add(t));
    else if (name in TOOLSETS) chosen.add(name as Toolset);
    else throw new Error(`unknown toolset "${raw.trim()}"; choose from ${ALL_TOOLSETS.join(', ')}, or "default" or "all"`);
  }
  if (!chosen.size) throw new Error('--toolsets names no toolset; choose from ' + ALL_TOOLSETS.join(', '));
  return ALL_TOOLSETS.filter((t) => chosen.has(t));
}

// Every operation file must be a known toolset: a new file without an entry here would be unreachable.
for (const tool of OPERATION_TOOLS) {
  if (!(tool.toolset in TOOLSETS)) throw new Error(`schema/operations/mcp/${tool.toolset}.graphql has no entry in TOOLSETS (mcp/src/toolsets.ts)`);
}
