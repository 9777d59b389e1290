// The built-in investigator's checks. Each makes a few tool calls and reports what it saw: facts with the tool
// call behind each, never a guess. Ranking them into hypotheses is rank.ts's job.
import { consoleLinks } from '../links.ts';
import type { InvestigationTools, ToolRecord } from '../session.ts';
import type { Evidence, EvidenceKind } from '../types.ts';
import { clip, formatSignal, messageTemplate, searchableText, seriesChange, stepFor, type Point, type SeriesChange, type SignalKind } from './analysis.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const iso = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** Most pages of one list a check reads (50 items each). */
const MAX_PAGES = 4;

/**
 * A list tool's items across pages (`after` = the previous answer's nextCursor), at most MAX_PAGES calls. Returns
 * the first call (the evidence) and every item.
 */
export async function readPages<T>(tools: InvestigationTools, tool: string, args: Record<string, unknown>, field: string): Promise<{ call: ToolRecord; items: T[] }> {
  const first = await tools.call(tool, { ...args, first: 50 });
  const items: T[] = [...((first.data?.[field]?.nodes ?? []) as T[])];
  let cursor: string | null = first.data?.nextCursor ?? null;
  for (let page = 1; cursor && page < MAX_PAGES; page++) {
    const next = await tools.call(tool, { ...args, first: 50, after: cursor });
    items.push(...((next.data?.[field]?.nodes ?? []) as T[]));
    cursor = next.data?.nextCursor ?? null;
  }
  return { call: first, items };
}

export function evidence(kind: EvidenceKind, title: string, call: ToolRecord, extra: Partial<Evidence> = {}): Evidence {
  return { kind, title, ...extra, toolCall: { id: call.id, tool: call.tool, arguments: call.arguments } };
}

// ---------------------------------------------------------------------------------------------
// Golden signals

export interface SignalReading {
  kind: SignalKind;
  metric: string;
  unit: string;
  change: SeriesChange;
}

export interface ServiceSignals {
  service: string;
  call: ToolRecord;
  readings: SignalReading[];
  /** The earliest change point of an anomalous signal. */
  onsetMs: number | null;
  fromMs: number;
  toMs: number;
}

const SIGNAL_FIELDS: [SignalKind, string][] = [
  ['errors', 'errorRate'],
  ['latency', 'latencyP99'],
  ['traffic', 'requestRate'],
  ['saturation', 'saturation'],
];

/** Reads a service's golden signals over [fromMs, toMs] and compares them around `splitMs` (or finds the change). */
export async function readSignals(tools: InvestigationTools, service: string, fromMs: number, toMs: number, splitMs: number | null): Promise<ServiceSignals> {
  const call = await tools.call('get_golden_signals', { service, since: iso(fromMs), until: iso(toMs), step: stepFor(toMs - fromMs) });
  const golden = call.data?.service?.goldenSignals;
  const readings: SignalReading[] = [];
  for (const [kind, field] of SIGNAL_FIELDS) {
    const series = golden?.[field] as { name: string; unit: string; points: Point[] } | null | undefined;
    if (!series) continue;
    const change = seriesChange(kind, series.points, splitMs);
    if (!change) continue;
    // Saturation near full is a problem whatever it was before (a disk filling slowly never "jumps").
    if (kind === 'saturation' && series.unit === 'ratio' && change.after >= 0.85 && !change.anomalous) {
      change.anomalous = true;
      change.changedAt = series.points.find((p) => (p.value ?? 0) >= 0.85)?.timestamp ?? change.changedAt;
    }
    readings.push({ kind, metric: series.name, unit: series.unit, change });
  }
  const onsets = readings.filter((r) => r.change.anomalous && r.change.changedAt).map((r) => Date.parse(r.change.changedAt!));
  return { service, call, readings, onsetMs: onsets.length ? Math.min(...onsets) : null, fromMs, toMs };
}

const AGGREGATION: Record<SignalKind, string | null> = { latency: 'P99', errors: null, traffic: 'RATE', saturation: 'MAX' };
const SIGNAL_WORD: Record<SignalKind, string> = { latency: 'p99 latency', errors: 'error ratio', traffic: 'request rate', saturation: 'saturation' };

export function signalEvidence(signals: ServiceSignals, reading: SignalReading): Evidence {
  const { change } = reading;
  const title = `${signals.service} ${SIGNAL_WORD[reading.kind]} ${change.direction} from ${formatSignal(reading.kind, change.baseline, reading.unit)} to ${formatSignal(reading.kind, change.after, reading.unit)}`;
  return evidence('metric', title, signals.call, {
    detail: `${reading.metric}${change.changedAt ? `, changed at ${change.changedAt}` : ''}`,
    consoleUrl: consoleLinks.metric({ metric: reading.metric, service: signals.service, aggregation: AGGREGATION[reading.kind], fromMs: signals.fromMs, toMs: signals.toMs }),
  });
}

export function describeSignals(signals: ServiceSignals): string {
  const anomalous = signals.readings.filter((r) => r.change.anomalous);
  if (!signals.call.ok) return `golden signals unavailable (${signals.call.text.slice(0, 120)})`;
  if (!anomalous.length) return 'latency, errors, traffic and saturation within their baseline';
  return anomalous
    .map((r) => `${SIGNAL_WORD[r.kind]} ${r.change.direction} ${formatSignal(r.kind, r.change.baseline, r.unit)} → ${formatSignal(r.kind, r.change.after, r.unit)}`)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// Error-log patterns

export interface LogPattern {
  template: string;
  level: string;
  example: string;
  after: number;
  before: number;
  firstSeen: string;
  isNew: boolean;
  /** Catalog services the messages name (`upstream=auth`, `call to stripe-bridge`). */
  mentions: string[];
}

export interface ErrorPatterns {
  service: string;
  afterCall: ToolRecord;
  beforeCall: ToolRecord;
  patterns: LogPattern[];
  /** New or spiking patterns, most frequent first. */
  notable: LogPattern[];
  fromMs: number;
  splitMs: number;
  toMs: number;
  unavailable: string | null;
}

const LEVELS = ['WARN', 'ERROR', 'FATAL'];

interface Line {
  timestamp: string;
  level: string;
  message: string;
}

/** Warnings and errors after the symptom against the hour before: which kinds of lines are new or spiking. */
export async function readErrorPatterns(tools: InvestigationTools, service: string, splitMs: number, nowMs: number, catalog: readonly string[]): Promise<ErrorPatterns> {
  // The baseline stops a few minutes short of the onset: the first errors often come before the alert does.
  const baselineEnd = splitMs - 5 * MINUTE;
  const fromMs = baselineEnd - HOUR;
  const toMs = Math.min(nowMs, splitMs + HOUR);
  const [afterCall, beforeCall] = await Promise.all([
    tools.call('search_logs', { service, levels: LEVELS, since: iso(splitMs), until: iso(toMs), limit: 200, order: 'OLDEST_FIRST' }),
    tools.call('search_logs', { service, levels: LEVELS, since: iso(fromMs), until: iso(baselineEnd), limit: 200 }),
  ]);
  const unavailable = !afterCall.ok ? afterCall.text : !beforeCall.ok ? beforeCall.text : null;
  const lines = (call: ToolRecord) => ((call.data?.logs?.nodes ?? []) as Line[]);
  const before = new Map<string, number>();
  for (const line of lines(beforeCall)) before.set(messageTemplate(line.message), (before.get(messageTemplate(line.message)) ?? 0) + 1);
  const after = new Map<string, LogPattern>();
  for (const line of lines(afterCall)) {
    const template = messageTemplate(line.message);
    const pattern = after.get(template) ?? { template, level: line.level, example: line.message, after: 0, before: before.get(template) ?? 0, firstSeen: line.timestamp, isNew: !before.has(template), mentions: [] };
    pattern.after++;
    if (line.timestamp < pattern.firstSeen) pattern.firstSeen = line.timestamp;
    after.set(template, pattern);
  }
  const afterMinutes = Math.max(1, (toMs - splitMs) / MINUTE);
  const beforeMinutes = Math.max(1, (baselineEnd - fromMs) / MINUTE);
  // A capped page of the hour before undercounts; treat its rate as a floor.
  const patterns = [...after.values()].sort((a, b) => b.after - a.after);
  for (const pattern of patterns) {
    const lower = pattern.example.toLowerCase();
    pattern.mentions = catalog.filter((id) => id !== service && mentionsService(lower, id));
  }
  const notable = patterns.filter((p) => (p.isNew && p.after >= 2) || p.after / afterMinutes >= (5 * (p.before || 0.5)) / beforeMinutes);
  return { service, afterCall, beforeCall, patterns, notable, fromMs, splitMs, toMs, unavailable };
}

function mentionsService(message: string, id: string): boolean {
  for (let at = message.indexOf(id); at >= 0; at = message.indexOf(id, at + 1)) {
    const before = message[at - 1] ?? ' ';
    const after = message[at + id.length] ?? ' ';
    if (!/[a-z0-9-]/.test(before) && !/[a-z0-9-]/.test(after)) return true;
  }
  return false;
}

/** How often a pattern came, for example "84× since 09:12 UTC, none in the hour before". */
export function patternCounts(pattern: LogPattern): string {
  return `${pattern.after}× since ${pattern.firstSeen.slice(11, 16)} UTC${pattern.isNew ? ', none in the hour before' : `, ${pattern.before}× in the hour before`}`;
}

export function patternEvidence(errors: ErrorPatterns, pattern: LogPattern): Evidence {
  const text = searchableText(pattern.template);
  return evidence('log', `${pattern.isNew ? 'New' : 'Spiking'} ${pattern.level.toLowerCase()} in ${errors.service} (${patternCounts(pattern)})`, errors.afterCall, {
    detail: clip(pattern.example, 300),
    consoleUrl: consoleLinks.logs({ service: errors.service, text: text || null, levels: LEVELS, fromMs: errors.fromMs, toMs: errors.toMs }),
  });
}

// ---------------------------------------------------------------------------------------------
// Changes: deploys and configuration changes

export interface Deploy {
  id: string;
  service: { id: string } | null;
  version: string;
  previousVersion: string | null;
  environment: string;
  status: string;
  startedAt: string;
  author: { name: string; email: string } | null;
  commit: { shortSha: string; message: string } | null;
  pullRequestUrl: string | null;
  url: string;
}

export interface Change {
  kind: 'deploy' | 'config-change';
  service: string;
  at: string;
  title: string;
  evidence: Evidence;
}

/** Production deploys of every service in the window (one call; filtered by the caller). */
export async function readDeploys(tools: InvestigationTools, fromMs: number, toMs: number): Promise<{ call: ToolRecord; deploys: Deploy[] }> {
  const { call, items } = await readPages<Deploy>(tools, 'list_deployments', { environment: 'production', since: iso(fromMs), until: iso(toMs) }, 'deployments');
  return { call, deploys: items };
}

export function deployChange(deploy: Deploy, call: ToolRecord): Change {
  const service = deploy.service?.id ?? 'unknown';
  const who = deploy.author?.name ? ` by ${deploy.author.name}` : '';
  const title = `${service} ${deploy.previousVersion ? `${deploy.previousVersion} → ` : ''}${deploy.version} deployed to production${who}`;
  return {
    kind: 'deploy',
    service,
    at: deploy.startedAt,
    title,
    evidence: evidence('deploy', title, call, {
      detail: [deploy.commit ? `${deploy.commit.shortSha} ${deploy.commit.message}` : null, `status ${deploy.status}`, deploy.startedAt].filter(Boolean).join(' · '),
      sourceUrl: deploy.pullRequestUrl ?? deploy.url,
      consoleUrl: consoleLinks.deployments(service),
    }),
  };
}

/** A log line that records a configuration or feature-flag change (services log their reloads). */
const CONFIG_WORDS = /\b(config|configuration|feature flag|flag|setting)\b/i;
const CHANGE_WORDS = /(->|→|\bchanged\b|\breloaded\b|\bupdated\b|\bset to\b|\bapplied\b|=\s*(on|off|true|false|enabled|disabled)\b)/i;

export function isConfigChange(message: string): boolean {
  return CONFIG_WORDS.test(message) && CHANGE_WORDS.test(message);
}

/** Configuration changes a service logged in the window (the text search `config` narrows it for the tool). */
export async function readConfigChanges(tools: InvestigationTools, service: string, fromMs: number, toMs: number): Promise<{ call: ToolRecord; changes: Change[] }> {
  const call = await tools.call('search_logs', { service, text: 'config', since: iso(fromMs), until: iso(toMs), limit: 100, order: 'OLDEST_FIRST' });
  const seen = new Map<string, Change>();
  for (const line of (call.data?.logs?.nodes ?? []) as Line[]) {
    if (!isConfigChange(line.message)) continue;
    const template = messageTemplate(line.message);
    if (seen.has(template)) continue;
    const title = `${service}: ${clip(line.message, 160)}`;
    seen.set(template, {
      kind: 'config-change',
      service,
      at: line.timestamp,
      title,
      evidence: evidence('config-change', `Configuration change logged by ${service} at ${line.timestamp.slice(11, 16)} UTC`, call, {
        detail: line.message,
        consoleUrl: consoleLinks.logs({ service, text: searchableText(template) || 'config', fromMs, toMs }),
      }),
    });
  }
  return { call, changes: [...seen.values()] };
}

// ---------------------------------------------------------------------------------------------
// Alerts and the dependency graph

export interface FiringAlert {
  id: string;
  name: string;
  state: string;
  severity: string;
  summary: string;
  startsAt: string;
  service: { id: string } | null;
  url: string;
}

export async function readFiringAlerts(tools: InvestigationTools): Promise<{ call: ToolRecord; alerts: FiringAlert[] }> {
  const { call, items } = await readPages<FiringAlert>(tools, 'list_alerts', { states: ['FIRING', 'ACKNOWLEDGED'] }, 'alerts');
  return { call, alerts: items };
}

export function alertEvidence(alert: FiringAlert, call: ToolRecord): Evidence {
  return evidence('alert', `${alert.name} firing on ${alert.service?.id ?? 'an unmapped service'} since ${alert.startsAt.slice(0, 16).replace('T', ' ')} UTC`, call, {
    detail: `${alert.severity} · ${alert.summary}`,
    sourceUrl: alert.url,
    consoleUrl: consoleLinks.alert(alert.id),
  });
}

export interface GraphNode {
  id: string;
  name: string;
  distance: number;
  health: string;
  reason: string | null;
}

export interface DependencyGraph {
  call: ToolRecord;
  nodes: Map<string, GraphNode>;
  /** `from` calls `to`. */
  calls: Map<string, string[]>;
  calledBy: Map<string, string[]>;
}

export async function readGraph(tools: InvestigationTools, service: string): Promise<DependencyGraph> {
  const call = await tools.call('get_service', { id: service, direction: 'BOTH', depth: 3 });
  const graph = call.data?.service?.dependencyGraph;
  const nodes = new Map<string, GraphNode>();
  for (const node of (graph?.nodes ?? []) as { distance: number; service: { id: string; name: string; health?: { status: string; reason: string | null } } }[]) {
    nodes.set(node.service.id, { id: node.service.id, name: node.service.name, distance: node.distance, health: node.service.health?.status ?? 'UNKNOWN', reason: node.service.health?.reason ?? null });
  }
  const calls = new Map<string, string[]>();
  const calledBy = new Map<string, string[]>();
  for (const edge of (graph?.edges ?? []) as { from: string; to: string }[]) {
    calls.set(edge.from, [...(calls.get(edge.from) ?? []), edge.to]);
    calledBy.set(edge.to, [...(calledBy.get(edge.to) ?? []), edge.from]);
  }
  return { call, nodes, calls, calledBy };
}

/** Services reachable from `service` along an edge map, nearest first. */
export function reachable(edges: Map<string, string[]>, service: string): string[] {
  const seen = new Set([service]);
  const order: string[] = [];
  let frontier = [service];
  while (frontier.length) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const to of edges.get(id) ?? []) {
        if (seen.has(to)) continue;
        seen.add(to);
        order.push(to);
        next.push(to);
      }
    }
    frontier = next;
  }
  return order;
}

export const UNHEALTHY = new Set(['DOWN', 'DEGRADED']);
export { HOUR, MINUTE };
