// Runbooks and runs from a Core plugin: Core's orchestration plans are runbooks, its runs are runbook runs
// (`orchestration.plans.query|get`, `orchestration.runs.query|get|start|steps.complete`).
import type { ManualStepOutcome } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { badInput, OpsOrchError } from '../src/errors.ts';
import { pageOfArray, type PageRequest } from '../src/paging.ts';
import type { AlertRef, IncidentRef, OrchestrationProvider, RunbookQuery, RunbookRecord, RunbookRunQuery, RunbookRunRecord } from '../src/spi/orchestration.ts';
import { asArray, lowerEmail, str, time, SNAPSHOT_LIMIT, type CorePlugin, type Json } from './plugin.ts';
import { normalized, runStatus, stepKind, stepStatus } from './vocabulary.ts';

export class CoreOrchestrationProvider implements OrchestrationProvider {
  readonly kind = 'core-plugin';
  readonly instance: string;

  constructor(private readonly plugin: CorePlugin) {
    this.instance = plugin.instance;
  }

  private async plan(p: Json, ctx: ProviderContext): Promise<RunbookRecord> {
    const tags = (p.tags ?? {}) as Record<string, string>;
    const serviceNames = [str(tags.service), ...(Array.isArray(p.fields?.services) ? p.fields.services : [])].filter((s): s is string => Boolean(s));
    const services = await this.plugin.canonical(serviceNames, ctx);
    const serviceIds = [...new Set(serviceNames.map((s) => services.get(s)).filter((s): s is string => Boolean(s)))];
    return {
      id: this.plugin.id(p.id),
      name: String(p.title ?? p.id),
      description: String(p.description ?? ''),
      tags: Object.entries(tags)
        .filter(([k]) => k !== 'service')
        .map(([k, v]) => (v === 'true' || v === '' ? k : `${k}:${v}`))
        .sort(),
      documentationUrl: str(p.fields?.documentationUrl),
      url: str(p.url) ?? '',
      source: this.plugin.source(p.id),
      serviceId: serviceIds[0] ?? null,
      serviceIds,
      steps: asArray(p.steps, 'plan steps').map((s) => ({
        id: String(s.id),
        title: String(s.title ?? s.id),
        description: String(s.description ?? ''),
        kind: normalized(str(s.type), stepKind, 'MANUAL'),
        dependsOn: Array.isArray(s.dependsOn) ? s.dependsOn.map(String) : [],
        // OpsOrch Core has no deployment environments: its approvals gate none.
        environment: null,
      })),
    };
  }

  private async run(r: Json, ctx: ProviderContext): Promise<RunbookRunRecord> {
    const plan = r.plan ? await this.plan(r.plan, ctx) : null;
    const stepsById = new Map((plan?.steps ?? []).map((s) => [s.id, s]));
    const status = normalized(str(r.status), runStatus, 'RUNNING');
    const createdAt = time(r.createdAt) ?? new Date(0).toISOString();
    return {
      id: this.plugin.id(r.id),
      status,
      rawStatus: String(r.status ?? ''),
      startedAt: createdAt,
      finishedAt: ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(status) ? (time(r.updatedAt) ?? createdAt) : null,
      parameters: r.fields?.parameters ?? null,
      cancelReason: null,
      url: str(r.url) ?? '',
      source: this.plugin.source(r.id),
      runbookId: this.plugin.id(r.planId),
      startedById: lowerEmail(r.fields?.startedBy),
      incidentId: str(r.fields?.incidentId),
      steps: asArray(r.steps, 'run steps').map((s) => ({
        step: stepsById.get(String(s.stepId)) ?? { id: String(s.stepId), title: String(s.stepId), description: '', kind: 'MANUAL', dependsOn: [], environment: null },
        status: normalized(str(s.status), stepStatus, 'PENDING'),
        startedAt: time(s.startedAt),
        finishedAt: time(s.finishedAt),
        note: str(s.note),
        completedById: lowerEmail(s.actor),
      })),
    };
  }

  private plans(ctx: ProviderContext): Promise<RunbookRecord[]> {
    return this.plugin.memo('plans', ctx, async () => {
      const listed = asArray(await this.plugin.call('orchestration.plans.query', { limit: SNAPSHOT_LIMIT }, ctx), 'orchestration.plans.query');
      return (await Promise.all(listed.map((p) => this.plan(p, ctx)))).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    });
  }

  private runs(ctx: ProviderContext, planIds?: string[]): Promise<RunbookRunRecord[]> {
    return this.plugin.memo(`runs:${planIds?.join(',') ?? ''}`, ctx, async () => {
      const listed = asArray(await this.plugin.call('orchestration.runs.query', { limit: SNAPSHOT_LIMIT, ...(planIds ? { planIds } : {}) }, ctx), 'orchestration.runs.query');
      return (await Promise.all(listed.map((r) => this.run(r, ctx)))).sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id));
    });
  }

  getRunbooks(ids: readonly string[], ctx: ProviderContext) {
    return this.plugin.getEach(ids, 'runbook id', async (native) => {
      const plan = await this.plugin.call<Json | null>('orchestration.plans.get', { planId: native }, ctx);
      return plan ? this.plan(plan, ctx) : null;
    });
  }

  async queryRunbooks(filter: RunbookQuery, page: PageRequest, ctx: ProviderContext) {
    const team = await this.plugin.servicesOfTeam(filter.teamId, ctx);
    const text = filter.text?.toLowerCase();
    const matching = (await this.plans(ctx)).filter(
      (r) =>
        (!filter.serviceIds?.length || r.serviceIds.some((s) => filter.serviceIds!.includes(s))) &&
        (!team || r.serviceIds.some((s) => team.has(s))) &&
        (!text || [r.name, r.description, ...r.tags, ...r.steps.map((s) => s.title)].some((v) => v.toLowerCase().includes(text))) &&
        (!filter.tags?.length || filter.tags.every((t) => r.tags.includes(t))),
    );
    return pageOfArray(matching, page);
  }

  getRuns(ids: readonly string[], ctx: ProviderContext) {
    return this.plugin.getEach(ids, 'run id', async (native) => {
      const run = await this.plugin.call<Json | null>('orchestration.runs.get', { runId: native }, ctx);
      return run ? this.run(run, ctx) : null;
    });
  }

  async queryRuns(filter: RunbookRunQuery, page: PageRequest, ctx: ProviderContext) {
    const plan = filter.runbookId ? this.plugin.native(filter.runbookId, 'runbook id') : undefined;
    if (plan === null) return { items: [], nextCursor: null, totalCount: 0 };
    const runs = await this.runs(ctx, plan ? [plan] : undefined);
    return pageOfArray(
      runs.filter((r) => (!filter.statuses?.length || filter.statuses.includes(r.status)) && (!filter.incidentId || r.incidentId === filter.incidentId)),
      page,
    );
  }

  async runsForRunbooks(runbookIds: readonly string[], page: PageRequest, ctx: ProviderContext) {
    const runs = await this.runs(ctx);
    return runbookIds.map((id) => pageOfArray(runs.filter((r) => r.runbookId === id), page));
  }

  async runbooksForServices(serviceIds: readonly string[], ctx: ProviderContext) {
    const plans = await this.plans(ctx);
    return serviceIds.map((id) => plans.filter((p) => p.serviceIds.includes(id)));
  }

  async runbooksForAlerts(alerts: readonly AlertRef[], ctx: ProviderContext) {
    const plans = await this.plans(ctx);
    return alerts.map((a) => {
      const byName = plans.filter((p) => p.tags.includes(`alert:${a.name}`));
      return [...byName, ...plans.filter((p) => !byName.includes(p) && a.serviceId !== null && p.serviceIds.includes(a.serviceId))];
    });
  }

  async suggestRunbooksForIncidents(incidents: readonly IncidentRef[], ctx: ProviderContext) {
    const plans = await this.plans(ctx);
    return incidents.map((i) => plans.filter((p) => i.serviceId !== null && p.serviceIds.includes(i.serviceId)));
  }

  async startRun(runbookId: string, _options: { incidentId: string | null; parameters: Record<string, unknown> | null }, ctx: ProviderContext) {
    const planId = this.plugin.native(runbookId, 'runbook id');
    if (planId === null) throw new OpsOrchError('NOT_FOUND', `runbook ${runbookId} is not from ${this.instance}`);
    return this.run(await this.plugin.call<Json>('orchestration.runs.start', { planId }, ctx), ctx);
  }

  async completeManualStep(runId: string, stepId: string, outcome: ManualStepOutcome, note: string | null, ctx: ProviderContext) {
    if (outcome !== 'SUCCEEDED') throw badInput(`a Core plugin only completes steps; outcome ${outcome} is not supported`);
    const native = this.plugin.native(runId, 'run id');
    if (native === null) throw new OpsOrchError('NOT_FOUND', `run ${runId} is not from ${this.instance}`);
    await this.plugin.call('orchestration.runs.steps.complete', { runId: native, stepId, actor: ctx.actor.id, note: note ?? undefined }, ctx);
    const [run] = await this.getRuns([runId], ctx);
    if (!run) throw new OpsOrchError('NOT_FOUND', `no run ${runId}`);
    return run;
  }

  close() {
    return this.plugin.close();
  }
}
