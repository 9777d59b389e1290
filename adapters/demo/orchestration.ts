import type { ManualStepOutcome, RunbookRunStatus, RunbookStepKind, RunbookStepStatus } from '@opsorch/schema';
import type { Actor, ProviderContext } from '../src/context.ts';
import { badInput, notFound } from '../src/errors.ts';
import { composeId, parseId } from '../src/ids.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type {
  AlertRef,
  IncidentRef,
  OrchestrationProvider,
  RunbookQuery,
  RunbookRecord,
  RunbookRunQuery,
  RunbookRunRecord,
  RunbookStepRecord,
  RunbookStepStateRecord,
} from '../src/spi/orchestration.ts';
import { minutesAgo } from './clock.ts';
import { personById, runbooks, scenarioById, scenarios, serviceById, storyOf, type DemoRunbook } from './world.ts';

const RUNDECK = 'https://rundeck.acme-shop.example/project/ops';
/** Scenario incidents live in the incidents capability's demo instance, whatever this instance is called. */
const DEMO_INCIDENTS_INSTANCE = 'demo';
/** How long the simulated engine takes for one automated step. */
export const AUTOMATED_STEP_MS = 3_000;

/** A step: its text is the world runbook's step `world` (by index) or its own `description`. */
interface StepSpec {
  id: string;
  title: string;
  kind: RunbookStepKind;
  dependsOn: string[];
  world?: number;
  description?: string;
}

/** How the engine executes each world runbook: step kinds and the DAG (topological order). */
const STEP_SPECS: Record<string, StepSpec[]> = {
  'rb-rollback-deploy': [
    { id: 'confirm-regression', title: 'Confirm the regression lines up with the deploy', kind: 'AUTOMATED', dependsOn: [], world: 0 },
    { id: 'announce-rollback', title: 'Announce the rollback', kind: 'MANUAL', dependsOn: [], world: 1 },
    { id: 'approve-rollback', title: 'Approve the production rollback', kind: 'APPROVAL', dependsOn: ['confirm-regression'], description: 'The incident commander approves rolling production back to the previous version.' },
    { id: 'rollback', title: 'Roll back to the previous version', kind: 'AUTOMATED', dependsOn: ['approve-rollback', 'announce-rollback'], world: 2 },
    { id: 'verify-recovery', title: 'Verify error rate and p99 recover', kind: 'AUTOMATED', dependsOn: ['rollback'], world: 3 },
    { id: 'block-release', title: 'Block the release and file the fix', kind: 'MANUAL', dependsOn: ['rollback'], world: 4 },
  ],
  'rb-db-connection-saturation': [
    { id: 'check-pools', title: 'Check PgBouncer pools', kind: 'AUTOMATED', dependsOn: [], world: 0 },
    { id: 'find-long-transactions', title: 'Find long transactions', kind: 'AUTOMATED', dependsOn: [], world: 1 },
    { id: 'pause-batch-jobs', title: 'Pause non-critical batch jobs', kind: 'MANUAL', dependsOn: ['check-pools', 'find-long-transactions'], world: 2 },
    { id: 'approve-terminate', title: 'Approve terminating idle sessions', kind: 'APPROVAL', dependsOn: ['pause-batch-jobs'], description: 'A data-infra engineer approves terminating idle-in-transaction sessions; the engine then runs pg_terminate_backend.' },
    { id: 'terminate-idle-sessions', title: 'Terminate idle-in-transaction sessions', kind: 'AUTOMATED', dependsOn: ['approve-terminate'], world: 3 },
    { id: 'raise-pool-size', title: 'Raise the pool size if still saturated', kind: 'MANUAL', dependsOn: ['terminate-idle-sessions'], world: 4 },
  ],
  'rb-third-party-degradation': [
    { id: 'check-status-page', title: 'Check the Stripe status page', kind: 'AUTOMATED', dependsOn: [], world: 0 },
    { id: 'compare-latency', title: 'Compare Stripe time with our handler time', kind: 'AUTOMATED', dependsOn: [], world: 1 },
    { id: 'raise-timeout', title: 'Raise the stripe-bridge client timeout', kind: 'MANUAL', dependsOn: ['check-status-page', 'compare-latency'], world: 2 },
    { id: 'status-update', title: 'Post a customer-facing status update if needed', kind: 'MANUAL', dependsOn: ['raise-timeout'], world: 3 },
    { id: 'open-support-case', title: 'Open a Stripe support case', kind: 'MANUAL', dependsOn: ['check-status-page'], world: 4 },
  ],
  'rb-disk-capacity': [
    { id: 'check-disk', title: 'Check disk usage and trend', kind: 'AUTOMATED', dependsOn: [], world: 0 },
    { id: 'evict-cache', title: 'Run the cache eviction job', kind: 'AUTOMATED', dependsOn: ['check-disk'], world: 1 },
    { id: 'check-eviction-cron', title: 'Confirm the eviction cron is enabled', kind: 'AUTOMATED', dependsOn: ['check-disk'], world: 2 },
    { id: 'approve-expand', title: 'Approve growing the volume', kind: 'APPROVAL', dependsOn: ['evict-cache', 'check-eviction-cron'], description: 'The data-infra manager approves the extra EBS cost if usage stays above 85% after eviction.' },
    { id: 'expand-volume', title: 'Expand the data volume', kind: 'MANUAL', dependsOn: ['approve-expand'], world: 3 },
  ],
  'rb-auth-signing-keys': [
    { id: 'fetch-jwks', title: 'Fetch the JWKS', kind: 'AUTOMATED', dependsOn: [], world: 0 },
    { id: 'compare-kid', title: 'Compare failing kids with the JWKS', kind: 'MANUAL', dependsOn: ['fetch-jwks'], world: 1 },
    { id: 'flush-jwks-cache', title: 'Flush the gateway JWKS cache', kind: 'AUTOMATED', dependsOn: ['compare-kid'], world: 2 },
    { id: 'reactivate-previous-key', title: 'Re-activate the previous key if the new one is broken', kind: 'MANUAL', dependsOn: ['flush-jwks-cache'], world: 3 },
  ],
};

function stepsOf(rb: DemoRunbook): RunbookStepRecord[] {
  const specs = STEP_SPECS[rb.id];
  if (!specs) throw new Error(`demo orchestration has no step plan for runbook ${rb.id}`);
  return specs.map((s) => ({
    id: s.id,
    title: s.title,
    description: s.world !== undefined ? rb.steps[s.world]! : s.description!,
    kind: s.kind,
    dependsOn: [...s.dependsOn],
    // The demo's manual steps are people's work, not deployment reviews: they gate no environment.
    environment: null,
  }));
}

interface Completion {
  outcome: ManualStepOutcome;
  at: number;
  note: string | null;
  byId: string | null;
}

interface StoredRun {
  number: number;
  runbookId: string;
  startedAt: number;
  startedById: string | null;
  incidentId: string | null;
  parameters: Record<string, unknown> | null;
  completions: Map<string, Completion>;
  cancelled: { at: number; reason: string | null; byId: string | null } | null;
}

interface Derived {
  status: RunbookRunStatus;
  rawStatus: string;
  finishedAt: number | null;
  steps: { step: RunbookStepRecord; status: RunbookStepStatus; startedAt: number | null; finishedAt: number | null; note: string | null; completedById: string | null }[];
}

const RAW_STATUS: Record<RunbookRunStatus, string> = {
  PENDING: 'scheduled',
  RUNNING: 'running',
  WAITING_FOR_INPUT: 'waiting',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'aborted',
};

const FINISHED_RUN: readonly RunbookRunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/**
 * The simulated engine: every step's state follows from the run's start, the recorded manual answers and
 * `now`, so no timers exist. An automated step runs AUTOMATED_STEP_MS once its dependencies are done; a
 * manual or approval step waits for its completion; a failure stops everything that has not finished.
 */
export function deriveRun(steps: readonly RunbookStepRecord[], run: StoredRun, now: number): Derived {
  const until = run.cancelled ? Math.min(now, run.cancelled.at) : now;
  const out: Derived['steps'] = [];
  const byId = new Map<string, Derived['steps'][number]>();
  for (const step of steps) {
    const deps = step.dependsOn.map((id) => byId.get(id)!);
    const state: Derived['steps'][number] = { step, status: 'PENDING', startedAt: null, finishedAt: null, note: null, completedById: null };
    const blockedBy = deps.find((d) => d.status === 'FAILED' || (d.status === 'SKIPPED' && d.note?.startsWith('not run')));
    if (blockedBy) {
      state.status = 'SKIPPED';
      state.note = `not run: step "${blockedBy.step.id}" did not succeed`;
    } else if (deps.every((d) => d.status === 'SUCCEEDED' || d.status === 'SKIPPED')) {
      const readyAt = Math.max(run.startedAt, ...deps.map((d) => d.finishedAt!));
      if (readyAt <= until) {
        state.startedAt = readyAt;
        if (step.kind === 'AUTOMATED') {
          const done = readyAt + AUTOMATED_STEP_MS;
          state.status = done <= until ? 'SUCCEEDED' : 'RUNNING';
          if (done <= until) state.finishedAt = done;
        } else {
          const completion = run.completions.get(step.id);
          if (completion) {
            state.status = completion.outcome;
            state.finishedAt = completion.at;
            state.note = completion.note;
            state.completedById = completion.byId;
          } else {
            state.status = 'WAITING_FOR_INPUT';
          }
        }
      }
    }
    out.push(state);
    byId.set(step.id, state);
  }

  const failed = out.find((s) => s.status === 'FAILED');
  const stop = run.cancelled ? { at: run.cancelled.at, note: `cancelled${run.cancelled.reason ? `: ${run.cancelled.reason}` : ''}` } : failed ? { at: failed.finishedAt!, note: `not run: step "${failed.step.id}" failed` } : null;
  if (stop) {
    for (const s of out) {
      if (s.status === 'RUNNING' || s.status === 'WAITING_FOR_INPUT') {
        s.status = 'CANCELLED';
        s.finishedAt = stop.at;
        s.note = stop.note;
      } else if (s.status === 'PENDING') {
        s.status = run.cancelled ? 'CANCELLED' : 'SKIPPED';
        s.note = stop.note;
      }
    }
  }

  let status: RunbookRunStatus;
  if (run.cancelled && run.cancelled.at <= now) status = 'CANCELLED';
  else if (failed) status = 'FAILED';
  else if (out.every((s) => s.status === 'SUCCEEDED' || s.status === 'SKIPPED')) status = 'SUCCEEDED';
  else if (out.some((s) => s.status === 'RUNNING')) status = 'RUNNING';
  else if (out.some((s) => s.status === 'WAITING_FOR_INPUT')) status = 'WAITING_FOR_INPUT';
  else status = 'PENDING';
  const finishedAt =
    status === 'CANCELLED' ? run.cancelled!.at : FINISHED_RUN.includes(status) ? Math.max(run.startedAt, ...out.map((s) => s.finishedAt ?? 0)) : null;
  return { status, rawStatus: RAW_STATUS[status], finishedAt, steps: out };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const emailOf = (personId: string): string | null => personById.get(personId)?.email ?? null;
const at = (min: number): number => minutesAgo(min).getTime();

/** The caller as an engine user: people by email; agents and anonymous callers are not people. */
function emailOfActor(actor: Actor): string | null {
  return /^[^@\s]+@[^@\s]+$/.test(actor.id) ? actor.id.toLowerCase() : null;
}

function seedRuns(): StoredRun[] {
  const done = (outcome: ManualStepOutcome, min: number, personId: string, note: string | null): Completion => ({ outcome, at: at(min), note, byId: emailOf(personId) });
  const incident = (nativeId: string) => composeId(DEMO_INCIDENTS_INSTANCE, nativeId);
  // The people who ran them play a part in the incident's scenario (its on-call changes with the rotation).
  const cast = (scenarioId: string) => storyOf(scenarioById.get(scenarioId)!).people;
  const auth = cast('scn-resolved-auth-keys');
  const stripe = cast('scn-third-party-degraded');
  const deploy = cast('scn-bad-deploy');
  const database = cast('scn-db-saturation');
  return [
    {
      number: 4711,
      runbookId: 'rb-auth-signing-keys',
      startedAt: at(1496),
      startedById: emailOf(auth.onCall!),
      incidentId: incident('Q9PL3XA'),
      parameters: { kid: '2026-11-k2' },
      completions: new Map([
        ['compare-kid', done('SUCCEEDED', 1481, auth.onCall!, 'Failing tokens carry kid=2026-11-k2, missing from the gateway JWKS cache (TTL 1h).')],
        ['reactivate-previous-key', done('SKIPPED', 1478, auth.fixer!, 'The new key is valid; flushing the cache was enough.')],
      ]),
      cancelled: null,
    },
    {
      number: 4736,
      runbookId: 'rb-third-party-degradation',
      startedAt: at(165),
      startedById: emailOf(stripe.onCall!),
      incidentId: incident('Q5TJ2NB'),
      parameters: { provider: 'stripe' },
      completions: new Map([['raise-timeout', done('SUCCEEDED', 118, stripe.onCall!, 'stripe.timeout_ms raised from 5000 to 8000 via feature flag.')]]),
      cancelled: { at: at(60), reason: 'Stripe is still degraded; following up by hand with Stripe support (case 07734219).', byId: emailOf(stripe.commander!) },
    },
    {
      number: 4749,
      runbookId: 'rb-rollback-deploy',
      startedAt: at(23),
      startedById: emailOf(deploy.author!),
      incidentId: incident('Q3VW8TR'),
      parameters: { service: 'checkout', fromVersion: '2.14.0', toVersion: '2.13.4', environment: 'production' },
      completions: new Map([['announce-rollback', done('SUCCEEDED', 22, deploy.author!, 'Announced in #inc-1042-checkout-5xx.')]]),
      cancelled: null,
    },
    {
      number: 4752,
      runbookId: 'rb-db-connection-saturation',
      startedAt: at(14),
      startedById: emailOf(database.inventoryOnCall!),
      incidentId: incident('Q8MZ4KD'),
      parameters: { database: 'orders', pool: 'orders/app' },
      completions: new Map(),
      cancelled: null,
    },
  ];
}

const byName = (a: RunbookRecord, b: RunbookRecord): number => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/** A Rundeck-like workflow engine over the demo world's runbooks, with runs simulated from time and answers. */
export class DemoOrchestrationProvider implements OrchestrationProvider {
  readonly kind = 'demo';
  private readonly runbooks = new Map<string, { world: DemoRunbook; steps: RunbookStepRecord[] }>();
  private readonly runs = new Map<number, StoredRun>();
  private nextRunNumber: number;

  constructor(readonly instance: string) {
    for (const rb of runbooks) this.runbooks.set(rb.id, { world: rb, steps: stepsOf(rb) });
    for (const run of seedRuns()) this.runs.set(run.number, run);
    this.nextRunNumber = Math.max(...this.runs.keys()) + 1;
  }

  private toRunbook(nativeId: string): RunbookRecord {
    const { world: rb, steps } = this.runbooks.get(nativeId)!;
    return {
      id: composeId(this.instance, rb.id),
      name: rb.title,
      description: rb.summary,
      serviceId: rb.serviceIds[0] ?? null,
      serviceIds: [...rb.serviceIds],
      tags: [...rb.tags],
      steps: steps.map((s) => ({ ...s, dependsOn: [...s.dependsOn] })),
      documentationUrl: rb.url,
      url: `${RUNDECK}/job/show/${rb.id}`,
      source: { provider: 'demo', instance: this.instance, id: rb.id },
    };
  }

  private toRun(run: StoredRun, now: Date): RunbookRunRecord {
    const derived = deriveRun(this.runbooks.get(run.runbookId)!.steps, run, now.getTime());
    return {
      id: composeId(this.instance, String(run.number)),
      runbookId: composeId(this.instance, run.runbookId),
      status: derived.status,
      rawStatus: derived.rawStatus,
      steps: derived.steps.map(
        (s): RunbookStepStateRecord => ({
          step: { ...s.step, dependsOn: [...s.step.dependsOn] },
          status: s.status,
          startedAt: iso(s.startedAt),
          finishedAt: iso(s.finishedAt),
          note: s.note,
          completedById: s.completedById,
        }),
      ),
      startedById: run.startedById,
      startedAt: iso(run.startedAt)!,
      finishedAt: iso(derived.finishedAt),
      incidentId: run.incidentId,
      parameters: run.parameters ? structuredClone(run.parameters) : null,
      cancelReason: run.cancelled && run.cancelled.at <= now.getTime() ? run.cancelled.reason : null,
      url: `${RUNDECK}/execution/show/${run.number}`,
      source: { provider: 'demo', instance: this.instance, id: String(run.number) },
    };
  }

  private runbookNative(id: string): string | null {
    const nativeId = parseId(id, 'runbook id').nativeId;
    return this.runbooks.has(nativeId) ? nativeId : null;
  }

  private storedRun(id: string): StoredRun | undefined {
    const nativeId = parseId(id, 'run id').nativeId;
    return /^\d+$/.test(nativeId) ? this.runs.get(Number(nativeId)) : undefined;
  }

  private mustGetRun(id: string): StoredRun {
    const run = this.storedRun(id);
    if (!run) throw notFound(`runbook run "${id}" does not exist in ${this.instance}; list runs with the runbookRuns query`);
    return run;
  }

  /** Runs visible at `now`, newest first. */
  private runsAt(now: Date): RunbookRunRecord[] {
    return [...this.runs.values()]
      .sort((a, b) => b.startedAt - a.startedAt || b.number - a.number)
      .map((r) => this.toRun(r, now));
  }

  private allRunbooks(): RunbookRecord[] {
    return [...this.runbooks.keys()].map((id) => this.toRunbook(id)).sort(byName);
  }

  async getRunbooks(ids: readonly string[], _ctx: ProviderContext): Promise<(RunbookRecord | null)[]> {
    return ids.map((id) => {
      const nativeId = this.runbookNative(id);
      return nativeId ? this.toRunbook(nativeId) : null;
    });
  }

  async queryRunbooks(filter: RunbookQuery, page: PageRequest, _ctx: ProviderContext): Promise<Page<RunbookRecord>> {
    const text = filter.text?.trim().toLowerCase();
    const tags = filter.tags?.map((t) => t.toLowerCase());
    const matches = this.allRunbooks().filter(
      (rb) =>
        (!filter.serviceIds || rb.serviceIds.some((s) => filter.serviceIds!.includes(s))) &&
        (!filter.teamId || rb.serviceIds.some((s) => serviceById.get(s)?.ownerTeamId === filter.teamId)) &&
        (!tags || tags.every((t) => rb.tags.includes(t))) &&
        (!text ||
          [rb.name, rb.description, ...rb.tags, ...rb.steps.flatMap((s) => [s.title, s.description])].some((f) => f.toLowerCase().includes(text))),
    );
    return pageOfArray(matches, page);
  }

  async getRuns(ids: readonly string[], ctx: ProviderContext): Promise<(RunbookRunRecord | null)[]> {
    return ids.map((id) => {
      const run = this.storedRun(id);
      return run ? this.toRun(run, ctx.now) : null;
    });
  }

  async queryRuns(filter: RunbookRunQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<RunbookRunRecord>> {
    const matches = this.runsAt(ctx.now).filter(
      (r) =>
        (!filter.runbookId || r.runbookId === filter.runbookId) &&
        (!filter.statuses || filter.statuses.includes(r.status)) &&
        (!filter.incidentId || r.incidentId === filter.incidentId),
    );
    return pageOfArray(matches, page);
  }

  async runsForRunbooks(runbookIds: readonly string[], page: PageRequest, ctx: ProviderContext): Promise<Page<RunbookRunRecord>[]> {
    const all = this.runsAt(ctx.now);
    return runbookIds.map((id) => pageOfArray(all.filter((r) => r.runbookId === id), page));
  }

  async runbooksForServices(serviceIds: readonly string[], _ctx: ProviderContext): Promise<RunbookRecord[][]> {
    const all = this.allRunbooks();
    return serviceIds.map((serviceId) => all.filter((rb) => rb.serviceIds.includes(serviceId)));
  }

  async runbooksForAlerts(alerts: readonly AlertRef[], _ctx: ProviderContext): Promise<RunbookRecord[][]> {
    const all = this.allRunbooks();
    return alerts.map((alert) => {
      // Scenarios say which runbook handles which alert rule; an exact rule+service match ranks first.
      const written = (sameService: boolean) =>
        scenarios
          .filter((s) => s.alerts.some((a) => a.name === alert.name && (!sameService || a.serviceId === alert.serviceId)))
          .flatMap((s) => s.runbookIds);
      const ordered = [...written(true), ...written(false), ...all.filter((rb) => alert.serviceId && rb.serviceIds.includes(alert.serviceId)).map((rb) => rb.source.id)];
      return [...new Set(ordered)].map((id) => this.toRunbook(id));
    });
  }

  async suggestRunbooksForIncidents(incidents: readonly IncidentRef[], _ctx: ProviderContext): Promise<RunbookRecord[][]> {
    const all = this.allRunbooks();
    return incidents.map((incident) => {
      const linked = scenarios
        .filter((s) => composeId(DEMO_INCIDENTS_INSTANCE, s.incident.nativeId) === incident.incidentId)
        .flatMap((s) => s.runbookIds);
      const forService = all.filter((rb) => incident.serviceId && rb.serviceIds.includes(incident.serviceId)).map((rb) => rb.source.id);
      return [...new Set([...linked, ...forService])].map((id) => this.toRunbook(id));
    });
  }

  async startRun(
    runbookId: string,
    options: { incidentId: string | null; parameters: Record<string, unknown> | null },
    ctx: ProviderContext,
  ): Promise<RunbookRunRecord> {
    const nativeId = this.runbookNative(runbookId);
    if (!nativeId) throw notFound(`runbook "${runbookId}" does not exist in ${this.instance}; list runbooks with the runbooks query`);
    const run: StoredRun = {
      number: this.nextRunNumber++,
      runbookId: nativeId,
      startedAt: ctx.now.getTime(),
      startedById: emailOfActor(ctx.actor),
      incidentId: options.incidentId,
      parameters: options.parameters ? structuredClone(options.parameters) : null,
      completions: new Map(),
      cancelled: null,
    };
    this.runs.set(run.number, run);
    return this.toRun(run, ctx.now);
  }

  async completeManualStep(runId: string, stepId: string, outcome: ManualStepOutcome, note: string | null, ctx: ProviderContext): Promise<RunbookRunRecord> {
    const run = this.mustGetRun(runId);
    const derived = deriveRun(this.runbooks.get(run.runbookId)!.steps, run, ctx.now.getTime());
    const state = derived.steps.find((s) => s.step.id === stepId);
    if (!state) {
      throw badInput(`run ${runId} has no step "${stepId}"; its steps are: ${derived.steps.map((s) => s.step.id).join(', ')}`);
    }
    if (state.status !== 'WAITING_FOR_INPUT') {
      throw badInput(`step "${stepId}" of run ${runId} cannot be completed: ${explain(state, derived)}`);
    }
    run.completions.set(stepId, { outcome, at: ctx.now.getTime(), note, byId: emailOfActor(ctx.actor) });
    return this.toRun(run, ctx.now);
  }

  async cancelRun(runId: string, reason: string | null, ctx: ProviderContext): Promise<RunbookRunRecord> {
    const run = this.mustGetRun(runId);
    const derived = deriveRun(this.runbooks.get(run.runbookId)!.steps, run, ctx.now.getTime());
    if (FINISHED_RUN.includes(derived.status)) {
      throw badInput(`run ${runId} already finished as ${derived.status} at ${iso(derived.finishedAt)}; only unfinished runs can be cancelled`);
    }
    run.cancelled = { at: ctx.now.getTime(), reason, byId: emailOfActor(ctx.actor) };
    return this.toRun(run, ctx.now);
  }
}

/** Why a step cannot take a manual answer now, in words an on-call engineer can act on. */
function explain(state: Derived['steps'][number], run: Derived): string {
  if (state.step.kind === 'AUTOMATED') return `it is an AUTOMATED step (now ${state.status}); the engine completes it on its own`;
  if (FINISHED_RUN.includes(run.status)) return `the run is ${run.status}`;
  if (state.status === 'PENDING') {
    const waitingOn = state.step.dependsOn.filter((id) => {
      const dep = run.steps.find((s) => s.step.id === id)!;
      return dep.status !== 'SUCCEEDED' && dep.status !== 'SKIPPED';
    });
    return `it is PENDING until ${waitingOn.map((id) => `"${id}"`).join(', ')} finish`;
  }
  return `it is already ${state.status}${state.finishedAt ? ` since ${iso(state.finishedAt)}` : ''}${state.completedById ? ` (by ${state.completedById})` : ''}`;
}

export function createDemoOrchestrationProvider(_settings: unknown, deps: ProviderDeps): OrchestrationProvider {
  return new DemoOrchestrationProvider(deps.instance);
}
