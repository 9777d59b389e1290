// The built-in investigator: deterministic checks in parallel over the question's scope (Sift-style), then a
// ranking of hypotheses. No LLM and no network beyond OpsOrch's own MCP tools, so `npm start` answers with
// nothing configured, and the same world always gets the same answer.
import { consoleLinks } from '../links.ts';
import type { Planner, PlannerContext, PlannerInput } from '../planner.ts';
import type { ToolRecord } from '../session.ts';
import type { Answer, CauseKind, CheckResult, Evidence, Finding, Hypothesis, RecommendedAction } from '../types.ts';
import { clip, formatDuration, formatSignal, formatTime, keywords } from './analysis.ts';
import {
  alertEvidence,
  deployChange,
  describeSignals,
  evidence,
  HOUR,
  iso,
  MINUTE,
  patternCounts,
  patternEvidence,
  reachable,
  readConfigChanges,
  readDeploys,
  readErrorPatterns,
  readFiringAlerts,
  readGraph,
  readSignals,
  signalEvidence,
  UNHEALTHY,
  type Change,
  type DependencyGraph,
  type ErrorPatterns,
  type FiringAlert,
  type ServiceSignals,
} from './checks.ts';
import { resolveScope, type InvestigationScope } from './scope.ts';

/** Most unhealthy dependencies whose signals are read. */
const MAX_SUSPECTS = 6;
/** A cause must start at most this long before the symptom (longer: the symptom would have started sooner). */
const CAUSE_LEAD = HOUR;
/** ... and no later than this after it (clocks and scrape intervals disagree a little). */
const CAUSE_LAG = 5 * MINUTE;
/** Alerts firing this long before the symptom are background noise for this question. */
const LONG_STANDING = 6 * HOUR;

/** Words of runbooks that handle each kind of cause. */
const RUNBOOK_WORDS: Record<CauseKind, string[]> = {
  deploy: ['rollback', 'roll back', 'deploy'],
  'config-change': ['config', 'flag'],
  dependency: ['dependency', 'failover', 'degradation'],
  saturation: ['saturation', 'capacity', 'pool', 'disk'],
  external: ['third-party', 'third party', 'degradation', 'provider'],
  errors: ['error'],
  unknown: [],
};

interface Suspect {
  service: string;
  onsetMs: number | null;
  signals: ServiceSignals | null;
  alerts: FiringAlert[];
  kind: string;
}

interface Gathered {
  scope: InvestigationScope;
  service: string;
  nowMs: number;
  onsetMs: number;
  onsetKnown: boolean;
  signals: ServiceSignals;
  errors: ErrorPatterns;
  deploys: { call: ToolRecord; changes: Change[] };
  config: Change[];
  alerts: { call: ToolRecord; alerts: FiringAlert[] };
  graph: DependencyGraph;
  suspects: Map<string, Suspect>;
  similar: { title: string; evidence: Evidence; resolution: string | null }[];
  checks: CheckResult[];
  missing: string[];
  /** Services between the symptom and the root cause (set by the ranking). */
  chain: Set<string>;
}

function check(name: string, title: string, interesting: boolean, summary: string, evidence: Evidence[]): CheckResult {
  return { name, title, interesting, summary, evidence };
}

function onsetOf(alerts: FiringAlert[], signals: ServiceSignals | null): number | null {
  const times = [...alerts.map((a) => Date.parse(a.startsAt)), ...(signals?.onsetMs != null ? [signals.onsetMs] : [])];
  return times.length ? Math.min(...times) : null;
}

export class BuiltinInvestigator implements Planner {
  readonly name = 'builtin' as const;

  async investigate(input: PlannerInput, context: PlannerContext): Promise<Answer> {
    const { plan } = context;
    const scope = await plan.step('Understand the question: incident, service, time window', () => resolveScope(input, context));
    if (!scope.service) return this.nothingToInvestigate(input, context, scope);
    const gathered = await this.gather(input, context, scope, scope.service);
    const answer = await plan.step('Rank hypotheses and write the answer', async () => this.answer(input, context, gathered));
    return answer;
  }

  /** Runs the checks: the service's own signals, logs and changes, alerts, the dependency graph, history. */
  private async gather(input: PlannerInput, context: PlannerContext, scope: InvestigationScope, service: string): Promise<Gathered> {
    const { tools, plan } = context;
    const nowMs = input.now.getTime();
    const catalogIds = [...scope.catalog.keys()];
    const missing: string[] = [];

    // When did it start? The incident says so; otherwise the service's signals over the last six hours.
    let onsetMs = scope.incident ? Date.parse(scope.incident.startedAt) : null;
    const signalsFrom = (onset: number) => Math.max(onset - 2 * HOUR, nowMs - 7 * 24 * HOUR);
    let signals: ServiceSignals;
    if (onsetMs === null) {
      const probe = await plan.step(`Find when ${service} changed: golden signals over the last 6 hours`, () => readSignals(tools, service, nowMs - 6 * HOUR, nowMs, null));
      onsetMs = probe.onsetMs;
      signals = onsetMs === null ? probe : await readSignals(tools, service, signalsFrom(onsetMs), nowMs, onsetMs);
    } else {
      signals = await plan.step(`Golden signals of ${service} against the two hours before`, () => readSignals(tools, service, signalsFrom(onsetMs!), nowMs, onsetMs));
    }
    // Faults begin before anyone is paged: when the signals moved shortly before the incident's start, that is the onset.
    if (scope.incident && signals.onsetMs !== null && signals.onsetMs < onsetMs! && signals.onsetMs >= onsetMs! - 30 * MINUTE) onsetMs = signals.onsetMs;
    const onsetKnown = onsetMs !== null;
    const onset = onsetMs ?? nowMs - HOUR;
    if (!signals.call.ok) missing.push(`Metrics of ${service} could not be read: ${signals.call.text.slice(0, 200)}`);

    const [errors, deploys, config, alerts, graph, similar] = await Promise.all([
      plan.step(`Error-log patterns of ${service}: new or spiking since the symptom`, () => readErrorPatterns(tools, service, onset, nowMs, catalogIds)),
      plan.step('Deploys in the 3 hours before the symptom', async () => {
        const { call, deploys } = await readDeploys(tools, onset - 3 * HOUR, onset + 10 * MINUTE);
        return { call, changes: deploys.map((d) => deployChange(d, call)) };
      }),
      plan.step(`Configuration changes logged by ${service}`, () => readConfigChanges(tools, service, onset - CAUSE_LEAD - 5 * MINUTE, onset + CAUSE_LAG)),
      plan.step('Firing alerts', () => readFiringAlerts(tools)),
      plan.step(`Dependency health of ${service}, both ways`, () => readGraph(tools, service)),
      plan.step('Similar past incidents and how they ended', () => this.similarIncidents(context, scope, service)),
    ]);
    if (errors.unavailable) missing.push(`Logs of ${service} could not be read, so error patterns are unknown: ${errors.unavailable.slice(0, 200)}`);
    if (!deploys.call.ok) missing.push(`Deploys could not be read: ${deploys.call.text.slice(0, 200)}`);
    if (!alerts.call.ok) missing.push(`Alerts could not be read: ${alerts.call.text.slice(0, 200)}`);
    if (!graph.call.ok) missing.push(`The dependency graph of ${service} could not be read: ${graph.call.text.slice(0, 200)}`);

    // Suspects: unhealthy services the service calls (directly or not), nearest and closest in time first.
    const dependencies = reachable(graph.calls, service);
    const alertsOf = (id: string) => alerts.alerts.filter((a) => a.service?.id === id);
    const candidates = dependencies
      .filter((id) => UNHEALTHY.has(graph.nodes.get(id)?.health ?? '') || alertsOf(id).length > 0)
      .map((id) => ({ id, onset: onsetOf(alertsOf(id), null), distance: graph.nodes.get(id)?.distance ?? 9 }))
      .sort((a, b) => Math.abs((a.onset ?? 0) - onset) - Math.abs((b.onset ?? 0) - onset) || a.distance - b.distance)
      .slice(0, MAX_SUSPECTS);
    const suspects = new Map<string, Suspect>();
    if (candidates.length) {
      await plan.step(`Golden signals of unhealthy dependencies: ${candidates.map((c) => c.id).join(', ')}`, async () => {
        const read = await Promise.all(candidates.map((c) => readSignals(tools, c.id, signalsFrom(Math.min(onset, c.onset ?? onset)), nowMs, null)));
        read.forEach((s, i) => {
          const id = candidates[i]!.id;
          suspects.set(id, { service: id, signals: s, alerts: alertsOf(id), onsetMs: onsetOf(alertsOf(id), s), kind: scope.catalog.get(id)?.kind ?? '' });
        });
      });
    }

    return {
      scope,
      service,
      nowMs,
      onsetMs: onset,
      onsetKnown,
      signals,
      errors,
      deploys,
      config: config.changes,
      alerts,
      graph,
      suspects,
      similar,
      checks: [],
      missing,
      chain: new Set(),
    };
  }

  private async similarIncidents(context: PlannerContext, scope: InvestigationScope, service: string): Promise<Gathered['similar']> {
    const { tools } = context;
    const words = keywords(scope.incident?.title ?? '')
      .filter((w) => !scope.catalog.has(w) && !/^v?\d/.test(w))
      .map((w) => (w.length > 4 && w.endsWith('s') ? w.slice(0, -1) : w));
    const [byService, byText] = await Promise.all([
      tools.call('list_incidents', { service, statuses: ['RESOLVED'], first: 5 }),
      words[0] ? tools.call('list_incidents', { text: words[0], statuses: ['RESOLVED'], first: 5 }) : Promise.resolve(null),
    ]);
    const found = new Map<string, { node: { id: string; number: number; title: string; startedAt: string; url: string }; call: ToolRecord }>();
    for (const call of [byService, byText]) for (const node of call?.data?.incidents?.nodes ?? []) if (!found.has(node.id)) found.set(node.id, { node, call: call! });
    const top = [...found.values()].slice(0, 3);
    let resolution: string | null = null;
    if (top[0]) {
      const timeline = await tools.call('get_incident_timeline', { id: top[0].node.id, order: 'NEWEST_FIRST', first: 5 });
      resolution = (timeline.data?.incident?.timeline?.nodes ?? []).find((n: { kind: string }) => n.kind === 'RESOLVED')?.message ?? null;
    }
    return top.map(({ node, call }, index) => ({
      title: `#${node.number} ${node.title}`,
      resolution: index === 0 ? resolution : null,
      evidence: evidence('incident', `Past incident #${node.number}: ${node.title}`, call, { sourceUrl: node.url, consoleUrl: consoleLinks.incident(node.id), detail: `started ${node.startedAt}` }),
    }));
  }

  /** Hypotheses from the gathered facts, best first. */
  private rank(g: Gathered): Hypothesis[] {
    const hypotheses: Hypothesis[] = [];
    const { service, onsetMs } = g;
    const within = (atMs: number, reference: number) => atMs >= reference - CAUSE_LEAD && atMs <= reference + CAUSE_LAG;
    const proximity = (atMs: number, reference: number) => {
      const lead = reference - atMs;
      return lead <= 15 * MINUTE ? 0.3 : lead <= CAUSE_LEAD ? 0.1 : 0;
    };
    const ownErrors = g.errors.notable.filter((p) => p.mentions.length === 0);
    const ownSignals = g.signals.readings.filter((r) => r.change.anomalous);
    let counter = 0;
    const add = (h: Omit<Hypothesis, 'id' | 'status'>) => hypotheses.push({ ...h, id: `h${++counter}`, status: 'possible', score: Math.round(Math.min(0.98, h.score) * 100) / 100 });

    // 1. A change to the service itself shortly before the symptom.
    const ownChanges = [...g.deploys.changes.filter((c) => c.service === service), ...g.config];
    for (const change of ownChanges) {
      const atMs = Date.parse(change.at);
      if (!within(atMs, onsetMs)) continue;
      const score = 0.5 + proximity(atMs, onsetMs) + (ownErrors.some((p) => p.isNew) ? 0.15 : 0);
      add({
        title: change.title,
        kind: change.kind,
        service,
        score,
        reason: `${change.kind === 'deploy' ? 'Deployed' : 'Changed'} ${formatDuration(onsetMs - atMs)} ${atMs <= onsetMs ? 'before' : 'after'} the symptom began${ownErrors.some((p) => p.isNew) ? `, and ${service} logs errors it did not log before` : ''}.`,
        evidence: [change.evidence, ...ownErrors.filter((p) => p.isNew).slice(0, 3).map((p) => patternEvidence(g.errors, p)), ...ownSignals.slice(0, 2).map((r) => signalEvidence(g.signals, r))],
      });
    }

    // 2. A dependency that failed first: the best first hop, then down its own dependencies to the root.
    const mentioned = new Set(g.errors.notable.flatMap((p) => p.mentions));
    const explains = (s: Suspect, reference: number) =>
      s.onsetMs !== null && within(s.onsetMs, reference) && (s.signals?.readings.some((r) => r.change.anomalous) || s.kind === 'THIRD_PARTY');
    const scoreSuspect = (s: Suspect, reference: number, mentionedBy: Set<string>) =>
      0.35 + (s.onsetMs !== null ? proximity(s.onsetMs, reference) : 0) + (mentionedBy.has(s.service) ? 0.3 : 0) - ((g.graph.nodes.get(s.service)?.distance ?? 1) - 1) * 0.05;
    const inChain = new Set<string>();
    const direct = (g.graph.calls.get(service) ?? []).map((id) => g.suspects.get(id)).filter((s): s is Suspect => !!s && explains(s, onsetMs));
    // A dependency reached only through healthy ones still counts (the graph skips nothing we read).
    const indirect = [...g.suspects.values()].filter((s) => !direct.includes(s) && explains(s, onsetMs));
    const firstHop = [...direct, ...indirect].sort((a, b) => scoreSuspect(b, onsetMs, mentioned) - scoreSuspect(a, onsetMs, mentioned))[0];
    if (firstHop) {
      const chain = [firstHop];
      for (;;) {
        const last = chain[chain.length - 1]!;
        const below = reachable(g.graph.calls, last.service)
          .map((id) => g.suspects.get(id))
          .filter((s): s is Suspect => !!s && !chain.includes(s) && s.onsetMs !== null && last.onsetMs !== null && explains(s, last.onsetMs))
          .sort((a, b) => (a.onsetMs ?? 0) - (b.onsetMs ?? 0));
        if (!below[0]) break;
        chain.push(below[0]);
      }
      const root = chain[chain.length - 1]!;
      const kind: CauseKind = root.kind === 'THIRD_PARTY' ? 'external' : root.signals?.readings.some((r) => r.kind === 'saturation' && r.change.anomalous) ? 'saturation' : 'dependency';
      const path = [service, ...chain.map((s) => s.service)].join(' → ');
      const rootSignals = root.signals?.readings.filter((r) => r.change.anomalous) ?? [];
      add({
        title:
          kind === 'external'
            ? `${root.service}, an external provider, is degraded (${path})`
            : `${root.service} is failing and ${service} depends on it (${path})`,
        kind,
        service: root.service,
        score: scoreSuspect(firstHop, onsetMs, mentioned) + (chain.length > 1 ? 0.05 : 0) + (kind === 'external' ? 0.1 : 0),
        reason: `${root.service} went wrong ${root.onsetMs !== null ? `${formatDuration(onsetMs - root.onsetMs)} ${root.onsetMs <= onsetMs ? 'before' : 'after'}` : 'around the time'} ${service} did (${root.signals ? describeSignals(root.signals) : 'alerts firing'})${mentioned.has(firstHop.service) ? `, and ${service}'s new errors name ${firstHop.service}` : ''}.`,
        evidence: [
          ...root.alerts.slice(0, 2).map((a) => alertEvidence(a, g.alerts.call)),
          ...rootSignals.slice(0, 2).map((r) => signalEvidence(root.signals!, r)),
          ...g.errors.notable.filter((p) => p.mentions.includes(firstHop.service)).slice(0, 1).map((p) => patternEvidence(g.errors, p)),
          evidence('dependency', `Dependency path ${path}`, g.graph.call, { consoleUrl: consoleLinks.dependencyGraph(service) }),
        ],
      });
      // Other dependencies failing in the same window: possible contributors, ranked below the chain.
      for (const other of [...direct, ...indirect]) {
        if (chain.includes(other)) continue;
        const otherSignals = other.signals?.readings.filter((r) => r.change.anomalous) ?? [];
        add({
          title: `${other.service} is failing too and ${service} depends on it`,
          kind: other.kind === 'THIRD_PARTY' ? 'external' : 'dependency',
          service: other.service,
          score: Math.min(scoreSuspect(other, onsetMs, mentioned), scoreSuspect(firstHop, onsetMs, mentioned) - 0.1),
          reason: `${other.service} went wrong ${other.onsetMs !== null ? `${formatDuration(Math.abs(onsetMs - other.onsetMs))} ${other.onsetMs <= onsetMs ? 'before' : 'after'}` : 'around the time'} ${service} did (${other.signals ? describeSignals(other.signals) : 'alerts firing'}), but ${firstHop.service} matches the symptom better.`,
          evidence: [...other.alerts.slice(0, 1).map((a) => alertEvidence(a, g.alerts.call)), ...otherSignals.slice(0, 1).map((r) => signalEvidence(other.signals!, r))],
        });
      }
      // The chain's members are part of the explanation, never "ruled out".
      for (const member of chain.slice(0, -1)) inChain.add(member.service);
      // The root's own recent change, if it has one, is the deeper cause.
      for (const change of g.deploys.changes.filter((c) => c.service === root.service)) {
        const atMs = Date.parse(change.at);
        if (root.onsetMs !== null && within(atMs, root.onsetMs)) {
          add({ title: `${change.title} (upstream of ${service})`, kind: 'deploy', service: root.service, score: scoreSuspect(firstHop, onsetMs, mentioned) + 0.02, reason: `Deployed ${formatDuration(root.onsetMs - atMs)} before ${root.service} went wrong.`, evidence: [change.evidence] });
        }
      }
    }

    // 3. The service itself: out of a resource, an external provider, or failing on its own.
    const saturation = ownSignals.find((r) => r.kind === 'saturation');
    const node = g.scope.catalog.get(service);
    if (node?.kind === 'THIRD_PARTY' && ownSignals.length) {
      add({ title: `${service}, an external provider, is degraded`, kind: 'external', service, score: 0.8, reason: `${service} is a third party; ${describeSignals(g.signals)}.`, evidence: ownSignals.map((r) => signalEvidence(g.signals, r)) });
    } else if (saturation && (saturation.unit !== 'ratio' || saturation.change.after >= 0.8)) {
      const level = saturation.change.after;
      add({
        title: `${service} is saturated: ${saturation.metric} at ${formatSignal('saturation', level, saturation.unit)}`,
        kind: 'saturation',
        service,
        score: 0.55 + (saturation.unit === 'ratio' && level >= 0.9 ? 0.2 : 0) + (g.alerts.alerts.some((a) => a.service?.id === service) ? 0.05 : 0),
        reason: `${describeSignals(g.signals)}.`,
        evidence: [signalEvidence(g.signals, saturation), ...g.alerts.alerts.filter((a) => a.service?.id === service).slice(0, 2).map((a) => alertEvidence(a, g.alerts.call))],
      });
    }
    if (!hypotheses.length && (ownSignals.length || ownErrors.length)) {
      add({
        title: `${service} is failing on its own, with no change or dependency to explain it`,
        kind: 'errors',
        service,
        score: 0.3,
        reason: `${describeSignals(g.signals)}; no deploy, configuration change or failing dependency precedes it.`,
        evidence: [...ownErrors.slice(0, 2).map((p) => patternEvidence(g.errors, p)), ...ownSignals.slice(0, 2).map((r) => signalEvidence(g.signals, r))],
      });
    }

    g.chain = inChain;
    hypotheses.sort((a, b) => b.score - a.score);
    hypotheses.forEach((h, i) => (h.status = i === 0 && h.score >= 0.5 ? 'likely' : 'possible'));
    return hypotheses;
  }

  /** What was looked at and does not explain the symptom. */
  private ruledOut(g: Gathered, hypotheses: Hypothesis[]): Answer['ruledOut'] {
    const out: Answer['ruledOut'] = [];
    const blamed = new Set([...hypotheses.map((h) => h.service), ...g.chain]);
    const dependencies = new Set(reachable(g.graph.calls, g.service));
    for (const change of g.deploys.changes) {
      const atMs = Date.parse(change.at);
      // Callers' deploys cannot break the service they call; only its own and its dependencies' count.
      const relevant = change.service === g.service || dependencies.has(change.service);
      if (!relevant || hypotheses.some((h) => h.evidence.includes(change.evidence))) continue;
      const why = atMs > g.onsetMs + CAUSE_LAG ? 'it came after the symptom began' : atMs < g.onsetMs - CAUSE_LEAD ? `it came ${formatDuration(g.onsetMs - atMs)} before the symptom, which started only later` : change.service === g.service ? `no anomaly of ${g.service} follows it` : `${change.service} is not on the path to the symptom`;
      out.push({ title: change.title, reason: `Not the cause: ${why}.`, evidence: [change.evidence] });
    }
    for (const suspect of g.suspects.values()) {
      if (blamed.has(suspect.service)) continue;
      const anomalous = suspect.signals?.readings.some((r) => r.change.anomalous);
      const why =
        suspect.onsetMs !== null && suspect.onsetMs > g.onsetMs + CAUSE_LAG
          ? `its trouble began ${formatDuration(suspect.onsetMs - g.onsetMs)} after ${g.service}'s, so it cannot have started it${anomalous ? ' (it may add to it now)' : ''}`
          : suspect.onsetMs !== null && suspect.onsetMs < g.onsetMs - CAUSE_LEAD
            ? `its alerts have fired since ${formatDuration(g.onsetMs - suspect.onsetMs)} before the symptom, while ${g.service} was still healthy`
            : `its golden signals are within their baseline (${suspect.signals ? describeSignals(suspect.signals) : 'not read'})`;
      out.push({
        title: `${suspect.service} (${g.graph.nodes.get(suspect.service)?.health.toLowerCase() ?? 'unhealthy'} dependency)`,
        reason: `Not the cause: ${why}.`,
        evidence: [...suspect.alerts.slice(0, 1).map((a) => alertEvidence(a, g.alerts.call)), ...(suspect.signals ? suspect.signals.readings.filter((r) => r.change.anomalous).slice(0, 1).map((r) => signalEvidence(suspect.signals!, r)) : [])],
      });
    }
    for (const alert of g.alerts.alerts) {
      const id = alert.service?.id;
      if (!id || !(id === g.service || g.graph.nodes.has(id)) || g.suspects.has(id) || blamed.has(id)) continue;
      if (Date.parse(alert.startsAt) < g.onsetMs - LONG_STANDING) {
        out.push({ title: `${alert.name} on ${id}`, reason: `Not the cause: it has fired for ${formatDuration(g.nowMs - Date.parse(alert.startsAt))}, long before the symptom.`, evidence: [alertEvidence(alert, g.alerts.call)] });
      }
    }
    const victims = reachable(g.graph.calledBy, g.service).filter((id) => UNHEALTHY.has(g.graph.nodes.get(id)?.health ?? '') && !blamed.has(id));
    if (victims.length) {
      out.push({
        title: `Callers of ${g.service}: ${victims.join(', ')}`,
        reason: `Downstream victims rather than causes: they call ${g.service} (directly or not) and are unhealthy too.`,
        evidence: [evidence('dependency', `Services that depend on ${g.service}`, g.graph.call, { consoleUrl: consoleLinks.dependencyGraph(g.service) })],
      });
    }
    return out;
  }

  private async runbooks(context: PlannerContext, g: Gathered, top: Hypothesis | undefined): Promise<{ actions: RecommendedAction[]; evidence: Evidence[] }> {
    const service = top?.service ?? g.service;
    const calls = await Promise.all([
      context.tools.call('list_runbooks', { service, first: 5 }),
      top?.kind === 'deploy' ? context.tools.call('list_runbooks', { text: 'rollback', first: 3 }) : Promise.resolve(null),
    ]);
    const seen = new Set<string>();
    const actions: RecommendedAction[] = [];
    const found: Evidence[] = [];
    const suggested = (g.scope.incident?.suggestedRunbooks ?? []).map((r) => r.id);
    const all = calls.flatMap((call) => ((call?.data?.runbooks?.nodes ?? []) as { id: string; name: string; description: string; url: string; tags?: string[] }[]).map((node) => ({ node, call: call! })));
    // The incident's own suggestion, then what fits the kind of cause, then the service's other runbooks.
    const words = top ? RUNBOOK_WORDS[top.kind] : [];
    const fit = (node: (typeof all)[number]['node']) => {
      const text = `${node.name} ${node.description} ${(node.tags ?? []).join(' ')}`.toLowerCase();
      return (suggested.includes(node.id) ? 2 : 0) + (words.some((w) => text.includes(w)) ? 2 : 0);
    };
    all.sort((a, b) => fit(b.node) - fit(a.node));
    for (const { node, call } of all) {
      if (seen.has(node.id)) continue;
      seen.add(node.id);
      actions.push({ title: `Follow the runbook "${node.name}"`, kind: 'runbook', detail: node.description, runbook: { id: node.id, name: node.name, url: node.url, consoleUrl: consoleLinks.runbook(node.id) } });
      found.push(evidence('runbook', `Runbook: ${node.name}`, call, { sourceUrl: node.url, consoleUrl: consoleLinks.runbook(node.id), detail: node.description }));
    }
    return { actions: actions.slice(0, 3), evidence: found.slice(0, 3) };
  }

  private async answer(input: PlannerInput, context: PlannerContext, g: Gathered): Promise<Answer> {
    const now = input.now;
    const hypotheses = this.rank(g);
    const top = hypotheses[0];
    const ruledOut = this.ruledOut(g, hypotheses);
    const runbooks = await this.runbooks(context, g, top && top.score >= 0.5 ? top : undefined);

    // The checks as Sift reports them: one line each, interesting or not.
    const ownAnomalies = g.signals.readings.filter((r) => r.change.anomalous);
    const allChanges = [...g.deploys.changes.filter((c) => c.service === g.service || g.graph.nodes.has(c.service)), ...g.config];
    const unhealthy = [...g.graph.nodes.values()].filter((n) => n.id !== g.service && UNHEALTHY.has(n.health));
    const relevantAlerts = g.alerts.alerts.filter((a) => a.service?.id === g.service || g.graph.nodes.has(a.service?.id ?? ''));
    const checks: CheckResult[] = [
      check('changes', 'Deploys and configuration changes before the symptom', allChanges.length > 0, allChanges.length ? allChanges.map((c) => `${c.title} (${formatTime(c.at, now)})`).join('; ') : `No deploy or configuration change of ${g.service} or its dependencies in the 3 hours before.`, allChanges.map((c) => c.evidence)),
      check('error-logs', `Error-log patterns of ${g.service}`, g.errors.notable.length > 0, g.errors.unavailable ? `Logs unavailable: ${g.errors.unavailable.slice(0, 160)}` : g.errors.notable.length ? `${g.errors.notable.length} new or spiking kinds of warnings and errors; most frequent: ${clip(g.errors.notable[0]!.template, 140)} (${patternCounts(g.errors.notable[0]!)})` : 'No new or spiking warnings or errors.', g.errors.notable.slice(0, 3).map((p) => patternEvidence(g.errors, p))),
      check('golden-signals', `Golden signals of ${g.service} against the baseline`, ownAnomalies.length > 0, describeSignals(g.signals), ownAnomalies.map((r) => signalEvidence(g.signals, r))),
      check('dependencies', `Dependency health of ${g.service}, both ways`, unhealthy.length > 0, unhealthy.length ? unhealthy.map((n) => `${n.id} ${n.health.toLowerCase()}${g.graph.calls.get(g.service)?.includes(n.id) || reachable(g.graph.calls, g.service).includes(n.id) ? ' (dependency)' : ' (caller)'}`).join(', ') : 'Every dependency and caller is healthy.', [evidence('dependency', `Dependency graph of ${g.service}`, g.graph.call, { consoleUrl: consoleLinks.dependencyGraph(g.service) })]),
      check('alerts', 'Firing alerts around the service', relevantAlerts.length > 0, relevantAlerts.length ? relevantAlerts.slice(0, 6).map((a) => `${a.name} on ${a.service?.id} since ${formatTime(a.startsAt, now)}`).join('; ') : 'No alert firing on the service or its neighbours.', relevantAlerts.slice(0, 4).map((a) => alertEvidence(a, g.alerts.call))),
      check('similar-incidents', 'Similar past incidents', g.similar.length > 0, g.similar.length ? g.similar.map((s) => `${s.title}${s.resolution ? ` — ${s.resolution}` : ''}`).join('; ') : 'No similar resolved incident.', g.similar.map((s) => s.evidence)),
      check('runbooks', 'Matching runbooks', runbooks.actions.length > 0, runbooks.actions.length ? runbooks.actions.map((a) => a.runbook!.name).join('; ') : 'No runbook matches.', runbooks.evidence),
    ];

    const findings: Finding[] = [];
    let findingCounter = 0;
    const finding = (title: string, summary: string, evidenceList: Evidence[]) => {
      if (!evidenceList.length) return;
      const f = { id: `f${++findingCounter}`, title, summary, evidence: evidenceList };
      findings.push(f);
      context.emit({ type: 'finding', finding: f });
    };
    if (top) finding(top.title, top.reason, top.evidence);
    for (const h of hypotheses.slice(1, 3)) finding(h.title, h.reason, h.evidence);
    for (const c of checks) if (c.interesting && !['runbooks', 'similar-incidents'].includes(c.name) && !findings.some((f) => f.evidence.some((e) => c.evidence.includes(e)))) finding(c.title, c.summary, c.evidence.slice(0, 3));
    if (g.similar[0]) finding('A similar incident happened before', `${g.similar[0].title}${g.similar[0].resolution ? `: ${g.similar[0].resolution}` : ''}`, [g.similar[0].evidence]);

    const confidence: Answer['confidence'] = !top || top.score < 0.5 ? 'low' : top.score >= 0.75 && (!hypotheses[1] || top.score - hypotheses[1].score >= 0.15) ? 'high' : 'medium';
    const actions: RecommendedAction[] = [...runbooks.actions];
    const approvals = this.proposeWrites(context, g, top, runbooks.actions[0]);
    actions.push(...approvals);
    if (!g.onsetKnown) g.missing.push(`${g.service} shows no clear change in the last 6 hours; the window is the last hour.`);

    const lines: string[] = [];
    if (g.scope.reason) lines.push(g.scope.reason.trim());
    if (g.scope.incident) lines.push(`**Incident:** [#${g.scope.incident.number} ${g.scope.incident.title}](${consoleLinks.incident(g.scope.incident.id)}) (${g.scope.incident.severity}, ${g.scope.incident.status.toLowerCase()}), started ${formatTime(g.scope.incident.startedAt, now)}.`);
    if (top && top.score >= 0.5) {
      lines.push(`**Most likely cause:** ${top.title}. ${top.reason}`);
      for (const other of hypotheses.slice(1, 3)) lines.push(`**Also possible:** ${other.title}. ${other.reason}`);
    } else if (top) {
      lines.push(`**No clear cause.** The best lead: ${top.title}. ${top.reason}`);
    } else {
      lines.push(`**No anomaly explains it.** ${g.service}: ${describeSignals(g.signals)}; no deploy, configuration change, failing dependency or new error pattern around ${formatTime(iso(g.onsetMs), now)}.`);
    }
    lines.push(`**Symptom:** ${g.service} — ${describeSignals(g.signals)}${g.onsetKnown ? `; trouble since ${formatTime(iso(g.onsetMs), now)}` : ''}.`);
    if (ruledOut.length) lines.push(`**Ruled out:** ${ruledOut.slice(0, 4).map((r) => r.title).join('; ')}.`);
    if (runbooks.actions[0]) lines.push(`**Next:** follow [${runbooks.actions[0].runbook!.name}](${runbooks.actions[0].runbook!.consoleUrl}).`);
    if (g.missing.length) lines.push(`**Could not check:** ${g.missing.join(' ')}`);

    return {
      conclusion: lines.join('\n\n'),
      confidence,
      mostLikelyCause: top && top.score >= 0.5 ? { title: top.title, kind: top.kind, service: top.service } : null,
      findings,
      hypotheses,
      ruledOut,
      missing: g.missing,
      actions,
      checks,
      scope: { service: g.service, incidentId: g.scope.incident?.id ?? null, from: iso(g.onsetMs - 2 * HOUR), to: iso(g.nowMs), onset: g.onsetKnown ? iso(g.onsetMs) : null },
      planner: 'builtin',
      toolCalls: context.tools.records.length,
      unsupportedClaims: [],
    };
  }

  /** Writes a person may want after reading the answer: proposals only, each an approval request. */
  private proposeWrites(context: PlannerContext, g: Gathered, top: Hypothesis | undefined, runbook: RecommendedAction | undefined): RecommendedAction[] {
    const incident = g.scope.incident;
    if (!incident || incident.status === 'RESOLVED') return [];
    const proposals: [string, Record<string, unknown>, string, string][] = [];
    if (incident.status === 'TRIGGERED') proposals.push(['acknowledge_incident', { id: incident.id }, `Acknowledge #${incident.number}`, 'Nobody has acknowledged it yet: acknowledging stops the paging and records you as on it.']);
    if (top && top.score >= 0.5) {
      const note = `Copilot investigation: most likely cause — ${top.title}. ${top.reason}`.slice(0, 1500);
      proposals.push(['add_incident_note', { incidentId: incident.id, body: note }, `Add the finding to #${incident.number}'s timeline`, 'So everyone responding sees the evidence-backed lead.']);
    }
    if (runbook?.runbook && top && top.score >= 0.5) proposals.push(['start_runbook_run', { runbookId: runbook.runbook.id, incidentId: incident.id }, `Start the runbook "${runbook.runbook.name}" for #${incident.number}`, `It matches the most likely cause (${top.kind}) in ${top.service}.`]);
    const actions: RecommendedAction[] = [];
    for (const [tool, args, title, reason] of proposals) {
      if (!context.writeTools.some((t) => t.name === tool)) continue;
      const approval = context.propose(tool, args, reason);
      actions.push({ title, kind: 'write', detail: reason, approvalId: approval.id });
    }
    return actions;
  }

  private nothingToInvestigate(input: PlannerInput, context: PlannerContext, scope: InvestigationScope): Answer {
    const missing = ['Name a service (for example "why is checkout failing?") or an incident (#1042), or ask from an incident or service page.'];
    const nowIso = input.now.toISOString();
    return {
      conclusion: `${scope.reason}I could not tell which service or incident the question is about, and nothing is open right now.`.trim(),
      confidence: 'low',
      mostLikelyCause: null,
      findings: [],
      hypotheses: [],
      ruledOut: [],
      missing,
      actions: [],
      checks: [],
      scope: { service: null, incidentId: null, from: iso(input.now.getTime() - HOUR), to: nowIso, onset: null },
      planner: 'builtin',
      toolCalls: context.tools.records.length,
      unsupportedClaims: [],
    };
  }
}
