import type {
  ManualStepOutcome,
  Runbook,
  RunbookRun,
  RunbookRunStatus,
  RunbookStep,
  RunbookStepState,
} from '@opsorch/schema';
import type { ProviderContext } from '../context.ts';
import type { Page, PageRequest } from '../paging.ts';
import type { ProviderBase } from './base.ts';

export type RunbookStepRecord = Omit<RunbookStep, '__typename'>;

/** A runbook as a provider returns it: services are canonical ids; runs are fetched with `runsForRunbooks`. */
export type RunbookRecord = Omit<Runbook, '__typename' | 'service' | 'services' | 'steps' | 'runs'> & {
  /** Main service, or null. */
  serviceId: string | null;
  /** Every service it applies to. */
  serviceIds: string[];
  steps: RunbookStepRecord[];
};

export type RunbookStepStateRecord = Omit<RunbookStepState, '__typename' | 'step' | 'completedBy'> & {
  step: RunbookStepRecord;
  /** Email of who completed a manual or approval step, or null. */
  completedById: string | null;
};

/** A run as a provider returns it, with its state derived at the request's `now`. */
export type RunbookRunRecord = Omit<RunbookRun, '__typename' | 'runbook' | 'steps' | 'startedBy' | 'incident'> & {
  runbookId: string;
  steps: RunbookStepStateRecord[];
  /** Email of who started it, or null. */
  startedById: string | null;
  /** OpsOrch incident id, or null. */
  incidentId: string | null;
};

/** What `queryRunbooks` narrows by; every field optional, combined with AND. */
export interface RunbookQuery {
  serviceIds?: readonly string[];
  /** Team slug: runbooks for services the team owns. */
  teamId?: string;
  text?: string;
  /** Runbooks carrying every one of these tags. */
  tags?: readonly string[];
}

/** What `queryRuns` narrows by; every field optional, combined with AND. */
export interface RunbookRunQuery {
  runbookId?: string;
  statuses?: readonly RunbookRunStatus[];
  incidentId?: string;
}

/** An alert to find runbooks for, as the alerts subgraph describes it. */
export interface AlertRef {
  alertId: string;
  name: string;
  serviceId: string | null;
}

/** An incident to suggest runbooks for, as the incidents subgraph describes it. */
export interface IncidentRef {
  incidentId: string;
  serviceId: string | null;
}

/** The orchestration capability's provider contract (workflow engines: Rundeck, Temporal, StackStorm...). */
export interface OrchestrationProvider extends ProviderBase {
  /** One slot per runbook id, in key order: the runbook or null. */
  getRunbooks(ids: readonly string[], ctx: ProviderContext): Promise<(RunbookRecord | null)[]>;
  /** Runbooks matching `filter`, by name. */
  queryRunbooks(filter: RunbookQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<RunbookRecord>>;
  /** One slot per run id, in key order: the run or null. */
  getRuns(ids: readonly string[], ctx: ProviderContext): Promise<(RunbookRunRecord | null)[]>;
  /** Runs matching `filter`, newest first. */
  queryRuns(filter: RunbookRunQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<RunbookRunRecord>>;
  /** Per runbook id, in key order: a page of its runs, newest first. */
  runsForRunbooks(runbookIds: readonly string[], page: PageRequest, ctx: ProviderContext): Promise<Page<RunbookRunRecord>[]>;
  /** Per service id, in key order: the runbooks that apply to it, by name. */
  runbooksForServices(serviceIds: readonly string[], ctx: ProviderContext): Promise<RunbookRecord[][]>;
  /** Per alert, in key order: runbooks written for its alert name first, then those for its service. */
  runbooksForAlerts(alerts: readonly AlertRef[], ctx: ProviderContext): Promise<RunbookRecord[][]>;
  /** Per incident, in key order: runbooks linked to it first, then those for its service. */
  suggestRunbooksForIncidents(incidents: readonly IncidentRef[], ctx: ProviderContext): Promise<RunbookRecord[][]>;

  /** NOT_FOUND for an unknown runbook. */
  startRun?(runbookId: string, options: { incidentId: string | null; parameters: Record<string, unknown> | null }, ctx: ProviderContext): Promise<RunbookRunRecord>;
  /** BAD_USER_INPUT unless the step is WAITING_FOR_INPUT, explaining its state. */
  completeManualStep?(runId: string, stepId: string, outcome: ManualStepOutcome, note: string | null, ctx: ProviderContext): Promise<RunbookRunRecord>;
  /** BAD_USER_INPUT for a finished run. */
  cancelRun?(runId: string, reason: string | null, ctx: ProviderContext): Promise<RunbookRunRecord>;
}
