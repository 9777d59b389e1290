import type { GetPromptResult, Prompt, ReadResourceResult, Resource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import type { Caller, GatewayClient } from './gateway-client.ts';
import { runInternal } from './internal-operations.ts';

// Ids such as `demo:Q3VW8TR` hold a colon, which a URI authority cannot: they travel percent-encoded, exactly
// as the RFC 6570 templates `incident://{id}` and `runbook://{id}` expand them.
export const RESOURCE_TEMPLATES: ResourceTemplate[] = [
  {
    uriTemplate: 'incident://{id}',
    name: 'incident',
    title: 'Incident summary',
    description: 'A Markdown summary of one incident: status, service health, who is on call, active alerts, recent deploys, timeline, suggested runbooks.',
    mimeType: 'text/markdown',
  },
  {
    uriTemplate: 'runbook://{id}',
    name: 'runbook',
    title: 'Runbook',
    description: 'A runbook as Markdown: when to use it and every step with its commands, kind and dependencies.',
    mimeType: 'text/markdown',
  },
];

export function incidentUri(id: string): string {
  return `incident://${encodeURIComponent(id)}`;
}

export function runbookUri(id: string): string {
  return `runbook://${encodeURIComponent(id)}`;
}

/** `incident://demo%3AQ3VW8TR` → { kind: 'incident', id: 'demo:Q3VW8TR' }. */
export function parseResourceUri(uri: string): { kind: 'incident' | 'runbook'; id: string } | undefined {
  const match = /^(incident|runbook):\/\/(.+)$/.exec(uri);
  if (!match) return undefined;
  try {
    return { kind: match[1] as 'incident' | 'runbook', id: decodeURIComponent(match[2]!.replace(/\/$/, '')) };
  } catch {
    return undefined;
  }
}

interface Person {
  name: string;
  email?: string;
  timezone?: string | null;
}

const who = (p: Person | null | undefined) => (p ? `${p.name}${p.email ? ` <${p.email}>` : ''}${p.timezone ? ` (${p.timezone})` : ''}` : 'nobody');

/** Lists the open incidents and the runbooks as concrete resources. */
export async function listResources(gateway: GatewayClient, caller: Caller): Promise<Resource[]> {
  const data = await runInternal<{
    runbooks: { nodes: { id: string; name: string; description: string }[] } | null;
    incidents: { nodes: { id: string; number: number; title: string; severity: string; status: string }[] } | null;
  }>(gateway, caller, 'McpResourceList');
  return [
    ...(data.incidents?.nodes ?? []).map((i) => ({
      uri: incidentUri(i.id),
      name: `incident-${i.number}`,
      title: `#${i.number} ${i.title}`,
      description: `${i.severity} ${i.status} incident`,
      mimeType: 'text/markdown',
    })),
    ...(data.runbooks?.nodes ?? []).map((r) => ({
      uri: runbookUri(r.id),
      name: r.id,
      title: r.name,
      description: r.description,
      mimeType: 'text/markdown',
    })),
  ];
}

interface IncidentSummary {
  id: string;
  number: number;
  title: string;
  summary: string | null;
  status: string;
  severity: string;
  startedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  channel: string | null;
  url: string;
  assignee: Person | null;
  commander: Person | null;
  service: {
    id: string;
    name: string;
    tier: string;
    health: { status: string; reason: string | null; firingAlerts: number } | null;
    owner: { id: string; name: string; chatChannel: string | null; onCall: { level: string; user: Person; end: string }[] } | null;
    alerts: { nodes: { name: string; severity: string; state: string; summary: string; startsAt: string }[] } | null;
    dependencies: { id: string; health: { status: string; reason: string | null } | null }[];
  } | null;
  deploymentsBefore: { version: string; previousVersion: string | null; status: string; startedAt: string; author: Person | null; commit: { shortSha: string; message: string } | null; url: string }[] | null;
  /** Null when the incident tool could not give its timeline. */
  timeline: { nodes: { at: string; kind: string; message: string; actor: Person | null }[] } | null;
  suggestedRunbooks: { id: string; name: string }[] | null;
  links: { title: string; url: string }[];
}

/** The incident summary shared by the `incident://` resource and the investigate-incident prompt. */
export async function incidentMarkdown(gateway: GatewayClient, caller: Caller, id: string): Promise<string | undefined> {
  const { incident } = await runInternal<{ incident: IncidentSummary | null }>(gateway, caller, 'McpIncidentSummary', { id });
  if (!incident) return undefined;
  const s = incident.service;
  const lines = [
    `# Incident #${incident.number}: ${incident.title}`,
    '',
    `- **${incident.severity} · ${incident.status}** · started ${incident.startedAt}${incident.acknowledgedAt ? ` · acknowledged ${incident.acknowledgedAt}` : ''}${incident.resolvedAt ? ` · resolved ${incident.resolvedAt}` : ''}`,
    `- Service: ${s ? `${s.name} (\`${s.id}\`, ${s.tier})` : 'not mapped to the catalog'}${s?.owner ? ` · owner team ${s.owner.name} (\`${s.owner.id}\`${s.owner.chatChannel ? `, ${s.owner.chatChannel}` : ''})` : ''}`,
    `- Assignee: ${who(incident.assignee)} · commander: ${who(incident.commander)}`,
    ...(incident.channel ? [`- War room: ${incident.channel}`] : []),
    `- Id: \`${incident.id}\` · ${incident.url}`,
  ];
  if (incident.summary) lines.push('', '## Summary', '', incident.summary);
  if (s) {
    lines.push('', '## Service health', '', s.health ? `${s.health.status}${s.health.reason ? `: ${s.health.reason}` : ''} (${s.health.firingAlerts} active alerts)` : 'unknown');
    if (s.owner?.onCall.length) {
      lines.push('', `## On call for ${s.owner.name}`, '', ...s.owner.onCall.map((o) => `- ${o.level}: ${who(o.user)} until ${o.end}`));
    }
    const alerts = s.alerts?.nodes ?? [];
    lines.push('', '## Active alerts', '', ...(alerts.length ? alerts.map((a) => `- ${a.severity} ${a.state} **${a.name}**: ${a.summary} (since ${a.startsAt})`) : ['none']));
    const unhealthy = s.dependencies.filter((d) => d.health && d.health.status !== 'HEALTHY');
    if (unhealthy.length) lines.push('', '## Unhealthy dependencies', '', ...unhealthy.map((d) => `- \`${d.id}\` ${d.health!.status}${d.health!.reason ? `: ${d.health!.reason}` : ''}`));
  }
  const deploys = incident.deploymentsBefore ?? [];
  lines.push(
    '',
    '## Deploys in the 2 hours before',
    '',
    ...(deploys.length
      ? deploys.map((d) => `- ${d.startedAt} ${d.version}${d.previousVersion ? ` (from ${d.previousVersion})` : ''} ${d.status} by ${d.author?.name ?? 'automation'}${d.commit ? ` — ${d.commit.shortSha} ${d.commit.message}` : ''}`)
      : ['none']),
  );
  lines.push(
    '',
    '## Latest timeline',
    '',
    ...(incident.timeline
      ? incident.timeline.nodes.map((t) => `- ${t.at} ${t.kind}${t.actor ? ` (${t.actor.name})` : ''}: ${t.message}`)
      : ['- (the timeline could not be read from the incident tool)']),
  );
  if (incident.suggestedRunbooks?.length) lines.push('', '## Suggested runbooks', '', ...incident.suggestedRunbooks.map((r) => `- ${r.name}: ${runbookUri(r.id)}`));
  if (incident.links.length) lines.push('', '## Links', '', ...incident.links.map((l) => `- [${l.title}](${l.url})`));
  return `${lines.join('\n')}\n`;
}

interface RunbookDetail {
  id: string;
  name: string;
  description: string;
  tags: string[];
  services: { id: string }[];
  steps: { id: string; title: string; description: string; kind: string; dependsOn: string[] }[];
  documentationUrl: string | null;
  url: string;
  runs: { nodes: { id: string; status: string; startedAt: string }[] };
}

export async function runbookMarkdown(gateway: GatewayClient, caller: Caller, id: string): Promise<string | undefined> {
  const { runbook } = await runInternal<{ runbook: RunbookDetail | null }>(gateway, caller, 'McpRunbook', { id });
  if (!runbook) return undefined;
  const lines = [
    `# ${runbook.name}`,
    '',
    runbook.description,
    '',
    `- Id: \`${runbook.id}\` · ${runbook.url}`,
    `- Services: ${runbook.services.map((s) => `\`${s.id}\``).join(', ') || 'any'} · tags: ${runbook.tags.join(', ') || 'none'}`,
    ...(runbook.documentationUrl ? [`- Documentation: ${runbook.documentationUrl}`] : []),
    '',
    '## Steps',
  ];
  runbook.steps.forEach((step, index) => {
    lines.push('', `### ${index + 1}. ${step.title} (\`${step.id}\`, ${step.kind})`);
    if (step.dependsOn.length) lines.push('', `After: ${step.dependsOn.map((d) => `\`${d}\``).join(', ')}`);
    lines.push('', step.description);
  });
  if (runbook.runs.nodes.length) lines.push('', '## Latest runs', '', ...runbook.runs.nodes.map((r) => `- \`${r.id}\` ${r.status} (started ${r.startedAt})`));
  return `${lines.join('\n')}\n`;
}

/** Reads `incident://...` or `runbook://...`; undefined when the URI names nothing. */
export async function readResource(gateway: GatewayClient, caller: Caller, uri: string): Promise<ReadResourceResult | undefined> {
  const parsed = parseResourceUri(uri);
  if (!parsed) return undefined;
  const text = parsed.kind === 'incident' ? await incidentMarkdown(gateway, caller, parsed.id) : await runbookMarkdown(gateway, caller, parsed.id);
  if (text === undefined) return undefined;
  return { contents: [{ uri, mimeType: 'text/markdown', text }] };
}

export const PROMPTS: Prompt[] = [
  {
    name: 'investigate-incident',
    title: 'Investigate an incident',
    description: 'Gathers one incident\'s context and walks through finding its cause: deploys, alerts, logs, metrics, dependencies, runbooks.',
    arguments: [{ name: 'incidentId', description: 'OpsOrch incident id, for example `demo:Q3VW8TR` (list_incidents lists them).', required: true }],
  },
  {
    name: 'oncall-handoff',
    title: 'On-call handoff summary',
    description: 'Writes the summary an on-call engineer hands to the next shift: open incidents, what was resolved, firing alerts, deploys, who is on call.',
    arguments: [
      { name: 'team', description: 'Canonical team id, for example `payments`; every team when omitted.', required: false },
      { name: 'since', description: 'Start of the shift: RFC 3339 or relative, default `now-12h`.', required: false },
    ],
  },
];

const INVESTIGATION_STEPS = `Investigate this incident as a careful on-call engineer would, using the OpsOrch tools:
1. Call get_incident_war_room for the full context (owner, on-call, alerts, dependencies' health, deploys before it, timeline).
2. If a deploy happened shortly before the start, compare its time with the first errors: search_logs (service, levels [ERROR, FATAL], since 30 minutes before the start) and log_volume.
3. Check the service's metrics around the start with query_metrics (error ratio, p99 latency, saturation); use list_metric_names to find names.
4. If a dependency is unhealthy, look at its alerts, logs and metrics the same way: the cause may be downstream (get_service with direction DEPENDENCIES).
5. Read the suggested runbooks (runbook:// resources or get_runbook).
Answer with: the most likely cause and the evidence for it (times, log lines, metric values, links), what is ruled out, the recommended next action (a runbook step, a rollback), and a two-sentence status update for stakeholders.
Do not acknowledge, resolve, silence, post or start runs without the user's explicit go-ahead.`;

export async function getPrompt(gateway: GatewayClient, caller: Caller, name: string, args: Record<string, string>): Promise<GetPromptResult | undefined> {
  if (name === 'investigate-incident') {
    const id = args.incidentId?.trim();
    if (!id) throw new PromptArgumentError('investigate-incident needs `incidentId`, for example `demo:Q3VW8TR` (list_incidents lists them)');
    const text = await incidentMarkdown(gateway, caller, id);
    if (!text) throw new PromptArgumentError(`no incident with id "${id}"; list_incidents lists the valid ids`);
    return {
      description: `Investigate incident ${id}`,
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: incidentUri(id), mimeType: 'text/markdown', text } } },
        { role: 'user', content: { type: 'text', text: INVESTIGATION_STEPS } },
      ],
    };
  }
  if (name === 'oncall-handoff') {
    const team = args.team?.trim() || undefined;
    const since = args.since?.trim() || 'now-12h';
    const data = await runInternal<Record<string, unknown>>(gateway, caller, 'McpHandoff', { team, since });
    const scope = team ? `team \`${team}\`` : 'every team';
    return {
      description: `On-call handoff for ${scope} since ${since}`,
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: { uri: `opsorch://handoff/${encodeURIComponent(team ?? 'all')}`, mimeType: 'application/json', text: JSON.stringify(data) },
          },
        },
        {
          role: 'user',
          content: {
            type: 'text',
            text: `Write the on-call handoff for ${scope} covering the shift since ${since}, from the OpsOrch data above. Sections: Open incidents (state, owner, next step), Resolved this shift (one line each, with the cause if known), Alerts still firing (group duplicates; say which are noise), Changes (production deploys), On call now (names, time zones, until when), Watch out for. Be brief and concrete; link incidents by number. Use the OpsOrch tools if something needs checking.`,
          },
        },
      ],
    };
  }
  return undefined;
}

/** A prompt argument that cannot work; reported to the client as invalid params with this message. */
export class PromptArgumentError extends Error {}

/** Completion values for prompt arguments and resource template variables. */
export async function complete(
  gateway: GatewayClient,
  caller: Caller,
  ref: { type: string; name?: string; uri?: string },
  argument: { name: string; value: string },
): Promise<string[]> {
  const prefix = argument.value.toLowerCase();
  const pick = (values: string[]) => values.filter((v) => v.toLowerCase().includes(prefix)).slice(0, 100);
  const wantsIncident = (ref.type === 'ref/prompt' && argument.name === 'incidentId') || (ref.type === 'ref/resource' && ref.uri === 'incident://{id}');
  const wantsRunbook = ref.type === 'ref/resource' && ref.uri === 'runbook://{id}';
  const wantsTeam = ref.type === 'ref/prompt' && argument.name === 'team';
  if (wantsIncident) {
    const data = await runInternal<{ incidents: { nodes: { id: string }[] } | null }>(gateway, caller, 'McpCompleteIncidentIds');
    return pick((data.incidents?.nodes ?? []).map((n) => n.id));
  }
  if (wantsRunbook) {
    const data = await runInternal<{ runbooks: { nodes: { id: string }[] } | null }>(gateway, caller, 'McpCompleteRunbookIds');
    return pick((data.runbooks?.nodes ?? []).map((n) => n.id));
  }
  if (wantsTeam) {
    const data = await runInternal<{ teams: { nodes: { id: string }[] } | null }>(gateway, caller, 'McpCompleteTeamIds');
    return pick((data.teams?.nodes ?? []).map((n) => n.id));
  }
  return [];
}
