import {
  badInput,
  notFound,
  OpsOrchError,
  parseId,
  type RunbookQuery,
  type RunbookRecord,
  type RunbookRunQuery,
  type RunbookRunRecord,
  type RunbookStepStateRecord,
} from '@opsorch/adapters';
import type {
  MutationCancelRunbookRunArgs,
  MutationCompleteManualStepArgs,
  MutationStartRunbookRunArgs,
  QueryRunbookArgs,
  QueryRunbookRunArgs,
  QueryRunbookRunsArgs,
  QueryRunbooksArgs,
  RunbookRunsArgs,
} from '@opsorch/schema';
import { listConnection, loadersFor, newestFirst, writerFor, type RequestContext } from '../shared/index.ts';
import { instanceConnection } from '../shared/index.ts';
import { createOrchestrationLoaders, runbooksByName } from './loaders.ts';

const loaders = (ctx: RequestContext) => loadersFor(ctx, 'orchestration', createOrchestrationLoaders);
const runsNewestFirst = newestFirst<RunbookRunRecord>((r) => r.startedAt);

const MAX_NOTE = 4000;
const MAX_PARAMETERS_BYTES = 16_384;

function optionalText(value: string | null | undefined, field: string): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length > MAX_NOTE) throw badInput(`${field} must be at most ${MAX_NOTE} characters, got ${trimmed.length}`);
  return trimmed === '' ? null : trimmed;
}

function checkParameters(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw badInput('input.parameters must be a JSON object, for example {"service": "checkout", "toVersion": "2.13.4"}');
  }
  const size = Buffer.byteLength(JSON.stringify(value));
  if (size > MAX_PARAMETERS_BYTES) throw badInput(`input.parameters is ${size} bytes of JSON; at most ${MAX_PARAMETERS_BYTES} are accepted`);
  return value as Record<string, unknown>;
}


const write = <T>(ctx: RequestContext, mutation: string, args: { idempotencyKey?: string | null }, run: () => Promise<T>) =>
  ctx.idempotency.run(`orchestration\u0000${mutation}`, args.idempotencyKey, args, run);

/** An entity representation from another subgraph, with the `@requires` fields the gateway adds. */
interface AlertRepresentation {
  id: string;
  name?: string;
  service?: { id: string } | null;
}

interface IncidentRepresentation {
  id: string;
  service?: { id: string } | null;
}

export const orchestrationResolvers = {
  Query: {
    runbooks: (_: unknown, args: QueryRunbooksArgs, ctx: RequestContext) => {
      const filter: RunbookQuery = {};
      if (args.filter?.scope?.service) filter.serviceIds = [args.filter.scope.service];
      if (args.filter?.scope?.team) filter.teamId = args.filter.scope.team;
      if (args.filter?.text?.trim()) filter.text = args.filter.text.trim();
      if (args.filter?.tags?.length) filter.tags = args.filter.tags;
      return listConnection(ctx, 'orchestration', args, (provider, page) => provider.queryRunbooks(filter, page, ctx.provider), runbooksByName);
    },
    runbook: (_: unknown, args: QueryRunbookArgs, ctx: RequestContext) => {
      parseId(args.id, 'id');
      return loaders(ctx).runbook.load(args.id);
    },
    runbookRuns: (_: unknown, args: QueryRunbookRunsArgs, ctx: RequestContext) => {
      const filter: RunbookRunQuery = {};
      if (args.filter?.runbookId) {
        parseId(args.filter.runbookId, 'filter.runbookId');
        filter.runbookId = args.filter.runbookId;
      }
      if (args.filter?.statuses) filter.statuses = args.filter.statuses;
      if (args.filter?.incidentId) {
        parseId(args.filter.incidentId, 'filter.incidentId');
        filter.incidentId = args.filter.incidentId;
      }
      return listConnection(ctx, 'orchestration', args, (provider, page) => provider.queryRuns(filter, page, ctx.provider), runsNewestFirst);
    },
    runbookRun: (_: unknown, args: QueryRunbookRunArgs, ctx: RequestContext) => {
      parseId(args.id, 'id');
      return loaders(ctx).run.load(args.id);
    },
  },
  Mutation: {
    startRunbookRun: (_: unknown, args: MutationStartRunbookRunArgs, ctx: RequestContext) => {
      parseId(args.runbookId, 'runbookId');
      const incidentId = args.input?.incidentId ?? null;
      if (incidentId !== null) parseId(incidentId, 'input.incidentId');
      const parameters = checkParameters(args.input?.parameters);
      const provider = writerFor(ctx, 'orchestration', args.runbookId, 'startRun');
      return write(ctx, 'startRunbookRun', args, () => provider.startRun(args.runbookId, { incidentId, parameters }, ctx.provider));
    },
    completeManualStep: (_: unknown, args: MutationCompleteManualStepArgs, ctx: RequestContext) => {
      parseId(args.runId, 'runId');
      if (!args.stepId.trim()) throw badInput('stepId is empty; pass the id of a step WAITING_FOR_INPUT (see RunbookRun.steps)');
      const note = optionalText(args.note, 'note');
      const outcome = args.outcome ?? 'SUCCEEDED';
      const provider = writerFor(ctx, 'orchestration', args.runId, 'completeManualStep');
      return write(ctx, 'completeManualStep', args, () => provider.completeManualStep(args.runId, args.stepId.trim(), outcome, note, ctx.provider));
    },
    cancelRunbookRun: (_: unknown, args: MutationCancelRunbookRunArgs, ctx: RequestContext) => {
      parseId(args.runId, 'runId');
      const reason = optionalText(args.reason, 'reason');
      const provider = writerFor(ctx, 'orchestration', args.runId, 'cancelRun');
      return write(ctx, 'cancelRunbookRun', args, () => provider.cancelRun(args.runId, reason, ctx.provider));
    },
  },
  Runbook: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext) => loaders(ctx).runbook.load(ref.id),
    service: (rb: RunbookRecord) => (rb.serviceId ? { id: rb.serviceId } : null),
    services: (rb: RunbookRecord) => rb.serviceIds.map((id) => ({ id })),
    runs: (rb: RunbookRecord, args: RunbookRunsArgs, ctx: RequestContext) => {
      const { instance } = parseId(rb.id);
      return instanceConnection(
        'orchestration',
        instance,
        args,
        (page) => loaders(ctx).runbookRuns.load({ instance, parentId: rb.id, filter: null, page }),
        runsNewestFirst,
      );
    },
  },
  RunbookRun: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext) => loaders(ctx).run.load(ref.id),
    runbook: async (run: RunbookRunRecord, _: unknown, ctx: RequestContext) => {
      const runbook = await loaders(ctx).runbook.load(run.runbookId);
      if (!runbook) throw notFound(`runbook "${run.runbookId}" of run "${run.id}" no longer exists`);
      return runbook;
    },
    startedBy: (run: RunbookRunRecord) => (run.startedById ? { id: run.startedById } : null),
    incident: (run: RunbookRunRecord) => (run.incidentId ? { id: run.incidentId } : null),
  },
  RunbookStepState: {
    completedBy: (s: RunbookStepStateRecord) => (s.completedById ? { id: s.completedById } : null),
  },
  Service: {
    __resolveReference: (ref: { id: string }) => ref,
    runbooks: (service: { id: string }, _: unknown, ctx: RequestContext) => loaders(ctx).serviceRunbooks.load(service.id),
  },
  Alert: {
    __resolveReference: (ref: AlertRepresentation) => ref,
    runbooks: (alert: AlertRepresentation, _: unknown, ctx: RequestContext) => {
      if (typeof alert.name !== 'string') {
        throw new OpsOrchError('INTERNAL', `Alert ${alert.id} reached orchestration without its required name; the gateway must send name and service { id }`);
      }
      return loaders(ctx).alertRunbooks.load({ alertId: alert.id, name: alert.name, serviceId: alert.service?.id ?? null });
    },
  },
  Incident: {
    __resolveReference: (ref: IncidentRepresentation) => ref,
    suggestedRunbooks: (incident: IncidentRepresentation, _: unknown, ctx: RequestContext) =>
      loaders(ctx).incidentRunbooks.load({ incidentId: incident.id, serviceId: incident.service?.id ?? null }),
  },
};
