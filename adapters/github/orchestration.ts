// GitHub Actions as a workflow engine: workflows that can be dispatched are runbooks, their runs are runbook runs
// with one step per job, and environment approvals (pending deployment reviews) are approval steps OpsOrch
// completes. Plans and runs stay in GitHub; OpsOrch reads them live.
import type { ManualStepOutcome, RunbookRunStatus, RunbookStepStatus } from '@opsorch/schema';
import { allFromVendor, pageFromVendor } from '../kit/paging.ts';
import type { ProviderContext } from '../src/context.ts';
import { badInput, notFound, OpsOrchError } from '../src/errors.ts';
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
  RunbookStepStateRecord,
} from '../src/spi/orchestration.ts';
import { repoPath, type GhApproval, type GhJob, type GhPendingDeployment, type GhRun, type GhWorkflow } from './api.ts';
import { GithubBase, mapLimited, mergeLists } from './base.ts';
import type { GithubSettings } from './settings.ts';
import { approvalStepId, describeInputs, dispatchInputs, parseWorkflow, stepsOf, type ParsedWorkflow } from './workflows.ts';

interface Runbook {
  record: RunbookRecord;
  repo: string;
  workflow: GhWorkflow;
  parsed: ParsedWorkflow;
}

/** How long a repository's runbooks (workflow list and files) are reused before GitHub is asked again. */
const RUNBOOK_TTL_MS = 60_000;
/** How long a dispatch waits for GitHub to show the run it created, when GitHub does not say which (GHES). */
const FIND_RUN_TRIES = 5;

const FAILED_CONCLUSIONS = new Set(['failure', 'timed_out', 'startup_failure', 'action_required']);

function runStatus(run: GhRun): RunbookRunStatus {
  switch (run.status) {
    case 'completed':
      if (run.conclusion === 'cancelled') return 'CANCELLED';
      return FAILED_CONCLUSIONS.has(run.conclusion ?? '') ? 'FAILED' : 'SUCCEEDED';
    case 'in_progress':
      return 'RUNNING';
    case 'waiting':
      return 'WAITING_FOR_INPUT';
    default:
      return 'PENDING';
  }
}

/** The jobs of a run that are a step's job: its title, a matrix leg (`title (a, b)`) or a called workflow's job (`title / x`). */
const jobsOfStep = (jobs: readonly GhJob[], title: string) => jobs.filter((j) => j.name === title || j.name.startsWith(`${title} (`) || j.name.startsWith(`${title} / `));

function jobsStatus(jobs: readonly GhJob[]): RunbookStepStatus {
  if (jobs.some((j) => j.status === 'in_progress')) return 'RUNNING';
  if (jobs.some((j) => j.status !== 'completed')) return jobs.some((j) => j.status === 'in_progress' || j.status === 'completed') ? 'RUNNING' : 'PENDING';
  if (jobs.some((j) => FAILED_CONCLUSIONS.has(j.conclusion ?? ''))) return 'FAILED';
  if (jobs.some((j) => j.conclusion === 'cancelled')) return 'CANCELLED';
  if (jobs.every((j) => j.conclusion === 'skipped')) return 'SKIPPED';
  return 'SUCCEEDED';
}

const minTime = (values: (string | null | undefined)[]) => values.filter((v): v is string => !!v).sort()[0] ?? null;
const maxTime = (values: (string | null | undefined)[]) => values.filter((v): v is string => !!v).sort().at(-1) ?? null;

export class GithubOrchestrationProvider extends GithubBase implements OrchestrationProvider {
  private readonly runbookCache = new Map<string, { until: number; runbooks: Promise<Runbook[]> }>();
  /** Incident and parameters of runs started here: GitHub does not return a run's inputs. */
  private readonly started = new Map<number, { repo: string; incidentId: string | null; parameters: Record<string, unknown> | null }>();

  constructor(settings: GithubSettings, deps: ProviderDeps) {
    super(settings, deps);
  }

  // ── runbooks ──────────────────────────────────────────────────────────────────────────────────────────

  private async readRunbooks(repo: string, ctx: ProviderContext): Promise<Runbook[]> {
    const workflows = await allFromVendor(
      this.api.pages<{ total_count: number; workflows: GhWorkflow[] }, GhWorkflow>(`${repoPath(repo)}/actions/workflows`, {}, ctx.signal, (b) => ({ items: b.workflows })),
      { pageSize: 100, maxItems: this.settings.maxItems },
    );
    const serviceId = (await this.servicesOfRepos([repo], ctx)).get(repo) ?? null;
    const active = workflows.filter((w) => w.state === 'active' && /^\.github\/workflows\/[^/]+\.ya?ml$/.test(w.path));
    const read = await mapLimited(active, async (workflow) => {
      const file = await this.api.get<{ content?: string; encoding?: string }>(
        `${repoPath(repo)}/contents/${workflow.path.split('/').map(encodeURIComponent).join('/')}`,
        ctx.signal,
      );
      const text = file.encoding === 'base64' && file.content ? Buffer.from(file.content, 'base64').toString('utf8') : '';
      return { workflow, parsed: parseWorkflow(text) };
    });
    return read
      .filter((r) => r.parsed.dispatchable)
      .map(({ workflow, parsed }) => {
        const fileName = workflow.path.split('/').pop()!;
        const nativeId = `${repo}/${fileName}`;
        return {
          repo,
          workflow,
          parsed,
          record: {
            id: this.id(nativeId),
            name: workflow.name,
            description: `GitHub Actions workflow ${workflow.path} in ${repo}. ${describeInputs(parsed.inputs)}`,
            tags: ['github-actions'],
            documentationUrl: `${this.web}/${repo}/blob/HEAD/${workflow.path}`,
            url: `${this.web}/${repo}/actions/workflows/${encodeURIComponent(fileName)}`,
            source: this.source(nativeId),
            serviceId,
            serviceIds: serviceId ? [serviceId] : [],
            steps: stepsOf(parsed),
          },
        };
      });
  }

  private runbooksOf(repo: string, ctx: ProviderContext): Promise<Runbook[]> {
    const cached = this.runbookCache.get(repo);
    if (cached && cached.until > Date.now()) return cached.runbooks;
    const runbooks = this.readRunbooks(repo, ctx);
    this.runbookCache.set(repo, { until: Date.now() + RUNBOOK_TTL_MS, runbooks });
    runbooks.catch(() => this.runbookCache.delete(repo));
    return runbooks;
  }

  private async allRunbooks(ctx: ProviderContext, repos = this.repoNames): Promise<Runbook[]> {
    return (await Promise.all(repos.map((r) => this.runbooksOf(r, ctx)))).flat().sort((a, b) => a.record.name.localeCompare(b.record.name) || a.record.id.localeCompare(b.record.id));
  }

  private async runbookByNativeId(nativeId: string, ctx: ProviderContext): Promise<Runbook | null> {
    const match = /^([^/]+\/[^/]+)\/([^/]+)$/.exec(nativeId);
    const repo = match && this.configuredRepo(match[1]!);
    if (!repo) return null;
    return (await this.runbooksOf(repo, ctx)).find((r) => r.record.id === this.id(`${repo}/${match![2]}`)) ?? null;
  }

  async getRunbooks(ids: readonly string[], ctx: ProviderContext): Promise<(RunbookRecord | null)[]> {
    return Promise.all(ids.map(async (id) => (await this.runbookByNativeId(this.nativeId(id, 'runbook id'), ctx))?.record ?? null));
  }

  async queryRunbooks(filter: RunbookQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<RunbookRecord>> {
    const text = filter.text?.toLowerCase();
    const repos = filter.serviceIds ? [...new Set([...(await this.reposOfServices(filter.serviceIds, ctx)).values()].flat())] : this.repoNames;
    const runbooks = (await this.allRunbooks(ctx, repos))
      .map((r) => r.record)
      .filter(
        (r) =>
          (!filter.tags || filter.tags.every((t) => r.tags.includes(t))) &&
          (!text || [r.name, r.description, ...r.tags, ...r.steps.flatMap((s) => [s.title, s.description])].some((v) => v.toLowerCase().includes(text))),
      );
    return pageOfArray(runbooks, page);
  }

  async runbooksForServices(serviceIds: readonly string[], ctx: ProviderContext): Promise<RunbookRecord[][]> {
    const all = await this.allRunbooks(ctx);
    return serviceIds.map((id) => all.filter((r) => r.record.serviceIds.includes(id)).map((r) => r.record));
  }

  /** GitHub workflows name no alerts: an alert's runbooks are its service's. */
  async runbooksForAlerts(alerts: readonly AlertRef[], ctx: ProviderContext): Promise<RunbookRecord[][]> {
    const byService = await this.runbooksForServices(alerts.map((a) => a.serviceId ?? ''), ctx);
    return alerts.map((a, i) => (a.serviceId ? byService[i]! : []));
  }

  async suggestRunbooksForIncidents(incidents: readonly IncidentRef[], ctx: ProviderContext): Promise<RunbookRecord[][]> {
    const byService = await this.runbooksForServices(incidents.map((i) => i.serviceId ?? ''), ctx);
    return incidents.map((i, n) => (i.serviceId ? byService[n]! : []));
  }

  // ── runs ──────────────────────────────────────────────────────────────────────────────────────────────

  /** A run with its jobs (and its pending reviews while it waits) as a runbook run; null when it is no runbook's. */
  private async runRecord(repo: string, run: GhRun, ctx: ProviderContext, cancelReason: string | null = null): Promise<RunbookRunRecord | null> {
    const runbook = (await this.runbooksOf(repo, ctx)).find((r) => r.workflow.id === run.workflow_id);
    if (!runbook) return null;
    const reviewed = runbook.record.steps.some((s) => s.kind === 'APPROVAL') && run.status !== 'queued' && run.status !== 'requested' && run.status !== 'pending';
    const [jobs, pending, approvals] = await Promise.all([
      allFromVendor(
        this.api.pages<{ total_count: number; jobs: GhJob[] }, GhJob>(`${repoPath(repo)}/actions/runs/${run.id}/jobs`, { filter: 'latest' }, ctx.signal, (b) => ({ items: b.jobs })),
        { pageSize: 100, maxItems: 1000 },
      ),
      run.status === 'waiting' ? this.api.get<GhPendingDeployment[]>(`${repoPath(repo)}/actions/runs/${run.id}/pending_deployments`, ctx.signal) : Promise.resolve([]),
      // Who approved or rejected each environment, and their comment (the approval steps' completedBy and note).
      reviewed ? this.api.get<GhApproval[]>(`${repoPath(repo)}/actions/runs/${run.id}/approvals`, ctx.signal) : Promise.resolve([]),
    ]);
    const status = runStatus(run);
    const finished = run.status === 'completed';
    const steps: RunbookStepStateRecord[] = runbook.record.steps.map((step) => {
      const job = runbook.parsed.jobs.find((j) => j.key === step.id || approvalStepId(j.key) === step.id)!;
      const mine = jobsOfStep(jobs, job.title);
      const notReached: RunbookStepStatus = finished ? (status === 'CANCELLED' ? 'CANCELLED' : 'SKIPPED') : 'PENDING';
      if (step.kind === 'APPROVAL') {
        const review = pending.find((p) => p.environment.name === job.environment);
        if (review) {
          const who = review.reviewers.map((r) => r.reviewer?.login ?? r.reviewer?.slug).filter(Boolean);
          return { step, status: 'WAITING_FOR_INPUT', startedAt: review.wait_timer_started_at ?? minTime(mine.map((j) => j.started_at)), finishedAt: null, note: who.length ? `Reviewers: ${who.join(', ')}` : null, completedById: null };
        }
        const decision = approvals.find((a) => a.state !== 'pending' && a.environments.some((e) => e.name === job.environment));
        if (decision) {
          const at = minTime(mine.map((j) => j.started_at));
          return { step, status: decision.state === 'approved' ? 'SUCCEEDED' : 'FAILED', startedAt: at, finishedAt: at, note: decision.comment || null, completedById: this.people.idOf(decision.user) };
        }
        if (mine.length === 0) return { step, status: notReached, startedAt: null, finishedAt: null, note: null, completedById: null };
        const neverRan = mine.every((j) => j.status === 'completed' && (j.steps ?? []).length === 0);
        const jobState = jobsStatus(mine);
        const state: RunbookStepStatus = neverRan && jobState === 'FAILED' ? 'FAILED' : neverRan && jobState === 'CANCELLED' ? 'CANCELLED' : neverRan && jobState === 'SKIPPED' ? 'SKIPPED' : mine.some((j) => j.status === 'in_progress' || j.status === 'completed') ? 'SUCCEEDED' : 'PENDING';
        const at = minTime(mine.map((j) => j.started_at));
        return { step, status: state, startedAt: state === 'PENDING' ? null : at, finishedAt: state === 'PENDING' ? null : at, note: state === 'FAILED' ? 'Rejected, or the environment refused the job' : null, completedById: null };
      }
      if (mine.length === 0) return { step, status: notReached, startedAt: null, finishedAt: null, note: null, completedById: null };
      const state = jobsStatus(mine);
      const done = state !== 'RUNNING' && state !== 'PENDING';
      return {
        step,
        status: state,
        startedAt: state === 'PENDING' ? null : minTime(mine.map((j) => j.started_at)),
        finishedAt: done ? maxTime(mine.map((j) => j.completed_at)) : null,
        note: mine.length > 1 ? `${mine.length} jobs: ${mine.map((j) => `${j.name} ${j.conclusion ?? j.status}`).join(', ')}` : null,
        completedById: null,
      };
    });
    const memo = this.started.get(run.id);
    const nativeId = `${repo}/runs/${run.id}`;
    return {
      id: this.id(nativeId),
      runbookId: runbook.record.id,
      status,
      rawStatus: run.conclusion ?? run.status ?? 'unknown',
      steps,
      startedById: this.people.idOf(run.triggering_actor ?? run.actor),
      startedAt: run.run_started_at ?? run.created_at,
      finishedAt: finished ? run.updated_at : null,
      incidentId: memo?.incidentId ?? null,
      parameters: memo?.parameters ?? null,
      cancelReason: status === 'CANCELLED' ? cancelReason : null,
      url: run.html_url,
      source: this.source(nativeId),
    };
  }

  private parseRunId(id: string): { repo: string; runId: number } | null {
    const match = /^([^/]+\/[^/]+)\/runs\/(\d+)$/.exec(this.nativeId(id, 'run id'));
    const repo = match && this.configuredRepo(match[1]!);
    return repo ? { repo, runId: Number(match![2]) } : null;
  }

  private async getRun(repo: string, runId: number, ctx: ProviderContext, cancelReason: string | null = null): Promise<RunbookRunRecord | null> {
    try {
      return await this.runRecord(repo, await this.api.get<GhRun>(`${repoPath(repo)}/actions/runs/${runId}`, ctx.signal), ctx, cancelReason);
    } catch (error) {
      if (error instanceof OpsOrchError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  async getRuns(ids: readonly string[], ctx: ProviderContext): Promise<(RunbookRunRecord | null)[]> {
    // GitHub has no filter by run ids: one call per id (plus its jobs), bounded.
    return mapLimited(ids, async (id) => {
      const parsed = this.parseRunId(id);
      return parsed ? this.getRun(parsed.repo, parsed.runId, ctx) : null;
    });
  }

  /** Runs of one list (a workflow's, or a repository's dispatched ones), newest first, as records narrowed by `keep`. */
  private runPages(repo: string, path: string, query: Record<string, string | undefined>, keep: (r: RunbookRunRecord) => boolean, ctx: ProviderContext) {
    const fetch = this.api.pages<{ total_count: number; workflow_runs: GhRun[] }, GhRun>(path, query, ctx.signal, (b) => ({ items: b.workflow_runs }));
    return (request: PageRequest) =>
      pageFromVendor<RunbookRunRecord, string>(
        request,
        async (cursor, limit) => {
          const page = await fetch(cursor, limit);
          const records = await mapLimited(page.items, (run) => this.runRecord(repo, run, ctx));
          return { items: records.filter((r): r is RunbookRunRecord => r !== null && keep(r)), next: page.next };
        },
        { maxPageSize: 100 },
      );
  }

  private workflowRuns(runbook: Runbook, keep: (r: RunbookRunRecord) => boolean, ctx: ProviderContext) {
    return this.runPages(runbook.repo, `${repoPath(runbook.repo)}/actions/workflows/${runbook.workflow.id}/runs`, {}, keep, ctx);
  }

  async queryRuns(filter: RunbookRunQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<RunbookRunRecord>> {
    const keep = (r: RunbookRunRecord) => (!filter.statuses || filter.statuses.includes(r.status)) && (!filter.incidentId || r.incidentId === filter.incidentId);
    if (filter.incidentId) {
      // GitHub keeps no incident on a run: only runs started through this OpsOrch know theirs.
      const mine = [...this.started].filter(([, memo]) => memo.incidentId === filter.incidentId);
      const runs = (await this.getRuns(mine.map(([runId, memo]) => this.id(`${memo.repo}/runs/${runId}`)), ctx)).filter(
        (r): r is RunbookRunRecord => r !== null && keep(r) && (!filter.runbookId || r.runbookId === filter.runbookId),
      );
      return pageOfArray(runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt)), page);
    }
    if (filter.runbookId) {
      const runbook = await this.runbookByNativeId(this.nativeId(filter.runbookId, 'runbook id'), ctx);
      return runbook ? this.workflowRuns(runbook, keep, ctx)(page) : { items: [], nextCursor: null };
    }
    // Every repository's dispatched runs, merged newest first.
    return mergeLists(
      this.repoNames.map((repo) => ({ key: repo, fetch: this.runPages(repo, `${repoPath(repo)}/actions/runs`, { event: 'workflow_dispatch' }, keep, ctx) })),
      page,
      (a, b) => b.startedAt.localeCompare(a.startedAt) || (a.id < b.id ? -1 : 1),
      'orchestration',
    );
  }

  async runsForRunbooks(runbookIds: readonly string[], page: PageRequest, ctx: ProviderContext): Promise<Page<RunbookRunRecord>[]> {
    return Promise.all(
      runbookIds.map(async (id) => {
        const runbook = await this.runbookByNativeId(this.nativeId(id, 'runbook id'), ctx);
        return runbook ? this.workflowRuns(runbook, () => true, ctx)(page) : { items: [], nextCursor: null };
      }),
    );
  }

  // ── writes ────────────────────────────────────────────────────────────────────────────────────────────

  async startRun(runbookId: string, options: { incidentId: string | null; parameters: Record<string, unknown> | null }, ctx: ProviderContext): Promise<RunbookRunRecord> {
    const runbook = await this.runbookByNativeId(this.nativeId(runbookId, 'runbook id'), ctx);
    if (!runbook) throw notFound(`runbook "${runbookId}" does not exist`);
    const inputs = dispatchInputs(runbook.parsed.inputs, options.parameters);
    const runsPath = `${repoPath(runbook.repo)}/actions/workflows/${runbook.workflow.id}/runs`;
    const since = new Date(Date.now() - 5_000).toISOString();
    const before = new Set((await this.api.get<{ workflow_runs: GhRun[] }>(runsPath, ctx.signal, { event: 'workflow_dispatch', per_page: 20 })).workflow_runs.map((r) => r.id));
    const answer = await this.api.call<{ workflow_run_id?: number } | undefined>({
      method: 'POST',
      path: `${repoPath(runbook.repo)}/actions/workflows/${runbook.workflow.id}/dispatches`,
      json: { ref: this.settings.dispatchRef, inputs, return_run_details: true },
      signal: ctx.signal,
    });
    let runId = answer.body?.workflow_run_id ?? null;
    // GitHub Enterprise Server answers 204 without the run: the new run is the dispatched one that was not there before.
    for (let tries = 0; runId === null && tries < FIND_RUN_TRIES; tries++) {
      if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
      const runs = (await this.api.get<{ workflow_runs: GhRun[] }>(runsPath, ctx.signal, { event: 'workflow_dispatch', created: `>=${since}`, per_page: 20 })).workflow_runs;
      runId = runs.find((r) => !before.has(r.id))?.id ?? null;
    }
    if (runId === null) throw new OpsOrchError('PROVIDER_UNAVAILABLE', `GitHub accepted the dispatch of ${runbook.record.name} but shows no new run yet; look at ${runbook.record.url} before starting it again`);
    this.started.set(runId, { repo: runbook.repo, incidentId: options.incidentId, parameters: options.parameters });
    if (this.started.size > 1000) this.started.delete(this.started.keys().next().value!);
    const run = await this.getRun(runbook.repo, runId, ctx);
    if (!run) throw new OpsOrchError('PROVIDER_UNAVAILABLE', `GitHub started run ${runId} but does not show it`);
    return run;
  }

  async completeManualStep(runId: string, stepId: string, outcome: ManualStepOutcome, note: string | null, ctx: ProviderContext): Promise<RunbookRunRecord> {
    const parsed = this.parseRunId(runId);
    const run = parsed && (await this.getRun(parsed.repo, parsed.runId, ctx));
    if (!parsed || !run) throw notFound(`run "${runId}" does not exist`);
    const state = run.steps.find((s) => s.step.id === stepId);
    if (!state) throw badInput(`run ${runId} has no step "${stepId}"; its steps: ${run.steps.map((s) => s.step.id).join(', ')}`);
    if (state.status !== 'WAITING_FOR_INPUT') throw badInput(`step "${stepId}" is ${state.status}, not WAITING_FOR_INPUT: only a pending environment approval can be completed`);
    const runbook = await this.runbookByNativeId(this.nativeId(run.runbookId, 'runbook id'), ctx);
    const job = runbook?.parsed.jobs.find((j) => approvalStepId(j.key) === stepId);
    const environment = (await this.api.get<GhPendingDeployment[]>(`${repoPath(parsed.repo)}/actions/runs/${parsed.runId}/pending_deployments`, ctx.signal)).find(
      (p) => p.environment.name === job?.environment,
    );
    if (!environment?.environment.id) throw badInput(`step "${stepId}" is no longer waiting for a review`);
    if (!environment.current_user_can_approve) throw new OpsOrchError('PROVIDER_AUTH_FAILED', `OpsOrch's GitHub identity is not a required reviewer of environment "${environment.environment.name}"`);
    // GitHub has no "skip": a skipped approval lets the run continue, which is approving it.
    await this.api.call({
      method: 'POST',
      path: `${repoPath(parsed.repo)}/actions/runs/${parsed.runId}/pending_deployments`,
      json: { environment_ids: [environment.environment.id], state: outcome === 'FAILED' ? 'rejected' : 'approved', comment: `${note ?? ''}${outcome === 'SKIPPED' ? ' (skipped in OpsOrch)' : ''} — ${ctx.actor.id} via OpsOrch`.trim() },
      signal: ctx.signal,
    });
    const after = await this.getRun(parsed.repo, parsed.runId, ctx);
    if (!after) throw notFound(`run "${runId}" does not exist`);
    return after;
  }

  async cancelRun(runId: string, reason: string | null, ctx: ProviderContext): Promise<RunbookRunRecord> {
    const parsed = this.parseRunId(runId);
    const run = parsed && (await this.getRun(parsed.repo, parsed.runId, ctx));
    if (!parsed || !run) throw notFound(`run "${runId}" does not exist`);
    if (run.finishedAt) throw badInput(`run ${runId} already finished (${run.status}); nothing to cancel`);
    await this.api.call({ method: 'POST', path: `${repoPath(parsed.repo)}/actions/runs/${parsed.runId}/cancel`, signal: ctx.signal });
    const after = await this.getRun(parsed.repo, parsed.runId, ctx, reason);
    if (!after) throw notFound(`run "${runId}" does not exist`);
    return after;
  }
}
