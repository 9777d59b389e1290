// Environment isolation (decision 014): a caller limited to some environments never sees or changes an object
// of another environment, however it reaches it — by id, through a federation entity reference, a nested
// field or a write. The registry applies these rules to every provider call, so a new resolver or subgraph
// cannot forget them.
import type { Capability } from './capabilities.ts';
import type { EnvironmentDenial, ProviderContext } from './context.ts';
import { OpsOrchError } from './errors.ts';
import type { WRITE_METHODS } from './resilience.ts';
import type { NewTicket, ProviderBase, ProviderMap, RunbookRunRecord, TicketChanges } from './spi/index.ts';

/** Capabilities whose objects belong to one environment each; their records carry `environment`. */
export const ENVIRONMENT_SCOPED_CAPABILITIES = ['incidents', 'alerts', 'deployments'] as const;
type Scoped = (typeof ENVIRONMENT_SCOPED_CAPABILITIES)[number];

/**
 * How a read of an environment-scoped capability answers, so its records can be checked: `slots` (one record
 * or null per id: a read by id), `page`, `pages` (one page per parent), `lists` (one list per parent), or
 * `none` (no records of the capability: timelines, health).
 */
type ReadShape = 'slots' | 'page' | 'pages' | 'lists' | 'none';
type ReadsOf<C extends Scoped> = Exclude<keyof ProviderMap[C], keyof ProviderBase | (typeof WRITE_METHODS)[C][number]>;

/** Every read of the scoped SPIs, by the shape of its answer (a new read method is a compile error until listed). */
const READS: { readonly [C in Scoped]: Record<ReadsOf<C>, ReadShape> } = {
  incidents: { getMany: 'slots', query: 'page', incidentsForServices: 'pages', incidentsForTeams: 'pages', timelines: 'none' },
  alerts: { getMany: 'slots', query: 'page', alertsForServices: 'pages', alertsForIncidents: 'lists', healthOfServices: 'none' },
  deployments: { getMany: 'slots', query: 'page', deploymentsForServices: 'pages', deploymentsInWindows: 'lists' },
};

/**
 * What a write acts on, for every write of every SPI (a new write is a compile error until listed):
 * `object` (an object of its own capability, by id), `incident` (a write elsewhere that links an incident, such
 * as a ticket or a runbook run for it), `create` (a new object in the environment it names), `step` (a step of
 * a run, in the environment its approval gates, if any: a deployment review), or `unscoped` (objects that belong
 * to no environment: tickets, messages, runs).
 */
type WriteTarget =
  | { kind: 'object'; id: (args: readonly unknown[]) => string }
  | { kind: 'step'; runId: (args: readonly unknown[]) => string; stepId: (args: readonly unknown[]) => string }
  | { kind: 'incident'; id: (args: readonly unknown[]) => string | null | undefined }
  | { kind: 'create'; environment: (args: readonly unknown[]) => string | null | undefined }
  | { kind: 'unscoped' };

const first = (args: readonly unknown[]) => args[0] as string;
const WRITES: { readonly [C in Capability]: { readonly [M in (typeof WRITE_METHODS)[C][number]]: WriteTarget } } = {
  incidents: {
    createIncident: { kind: 'create', environment: (args) => (args[0] as { environment?: string | null }).environment },
    acknowledgeIncident: { kind: 'object', id: first },
    resolveIncident: { kind: 'object', id: first },
    updateIncident: { kind: 'object', id: first },
    addIncidentNote: { kind: 'object', id: first },
  },
  alerts: { acknowledgeAlert: { kind: 'object', id: first }, silenceAlert: { kind: 'object', id: first } },
  logs: {},
  metrics: {},
  tickets: {
    createTicket: { kind: 'incident', id: (args) => (args[0] as NewTicket).incidentId },
    updateTicket: { kind: 'incident', id: (args) => (args[1] as TicketChanges).incidentId },
    transitionTicket: { kind: 'unscoped' },
    commentOnTicket: { kind: 'unscoped' },
  },
  messaging: { sendMessage: { kind: 'unscoped' } },
  services: {},
  teams: {},
  deployments: {},
  orchestration: {
    startRun: { kind: 'incident', id: (args) => (args[1] as { incidentId: string | null }).incidentId },
    completeManualStep: { kind: 'step', runId: first, stepId: (args) => args[1] as string },
    cancelRun: { kind: 'unscoped' },
  },
};

const NOUNS: Record<Scoped, string> = { incidents: 'incident', alerts: 'alert', deployments: 'deployment' };

function isScoped(capability: Capability): capability is Scoped {
  return (ENVIRONMENT_SCOPED_CAPABILITIES as readonly string[]).includes(capability);
}

/** Whether a caller limited to `environments` may see an object of `environment` (unknown: only callers of every environment). */
export function environmentAllowed(environments: readonly string[] | undefined, environment: string | null | undefined): boolean {
  if (!environments || environments.includes('*')) return true;
  return typeof environment === 'string' && environments.includes(environment);
}

/**
 * Whether an object of `environment` counts for this request: among the caller's environments and, when the
 * request is scoped to one, that one. For aggregates a provider computes itself (a service's health from its alerts).
 */
export function countsForRequest(ctx: ProviderContext, environment: string | null | undefined): boolean {
  if (ctx.environment && environment !== ctx.environment) return false;
  return environmentAllowed(ctx.environments, environment);
}

/** The caller's environments when it is limited to some; undefined when it may see every one (nothing to check). */
export function restrictedEnvironments(ctx: ProviderContext | undefined): readonly string[] | undefined {
  const environments = ctx?.environments;
  return environments && !environments.includes('*') ? environments : undefined;
}

/**
 * The one answer to a by-id write on an object the caller may not see, identical whether the object does not
 * exist or lives in another environment: the answer must not reveal which.
 */
export function notFoundFor(capability: Scoped, id: string): OpsOrchError {
  return new OpsOrchError('NOT_FOUND', `${NOUNS[capability]} "${id}" not found`, { capability });
}

type Record_ = { id?: unknown; environment?: string | null };

function deny(ctx: ProviderContext, capability: string, record: Record_, action: EnvironmentDenial['action']): void {
  try {
    ctx.onEnvironmentDenied?.({ capability, id: String(record.id), environment: record.environment ?? null, action });
  } catch {
    // Reporting a denial never fails the request.
  }
}

/**
 * A read's answer with every record of another environment removed (a by-id slot becomes null, as for an id
 * that does not exist, and the denial is reported). Unchanged for callers of every environment.
 */
export function hideOtherEnvironments(capability: Capability, method: string, answer: unknown, ctx: ProviderContext | undefined): unknown {
  const environments = restrictedEnvironments(ctx);
  if (!environments || !isScoped(capability)) return answer;
  const shape = (READS[capability] as Record<string, ReadShape>)[method] ?? 'none';
  const visible = (record: unknown) => environmentAllowed(environments, (record as Record_ | null)?.environment);
  const page = (value: unknown) => {
    const p = value as { items?: unknown[] } | null;
    return p && Array.isArray(p.items) ? { ...p, items: p.items.filter(visible) } : p;
  };
  if (!Array.isArray(answer) && shape !== 'page') return answer;
  switch (shape) {
    case 'slots':
      return (answer as unknown[]).map((record) => {
        if (record === null || record === undefined || record instanceof Error || visible(record)) return record;
        deny(ctx!, capability, record as Record_, 'read');
        return null;
      });
    case 'page':
      return page(answer);
    case 'pages':
      return (answer as unknown[]).map(page);
    case 'lists':
      return (answer as unknown[]).map((list) => (Array.isArray(list) ? list.filter(visible) : list));
    default:
      return answer;
  }
}

/**
 * How the registry reads one object by id for a write's check (through itself, so the read is isolated too): an
 * object of a scoped capability, or a run (`orchestration`) whose step a write completes.
 */
export type ReadById = (capability: Scoped | 'orchestration', id: string, ctx: ProviderContext) => Promise<unknown>;

/**
 * Refuses, before it reaches the tool, a write on an object the caller may not see: NOT_FOUND exactly as for an
 * object that does not exist. A create must name (or default to) an environment of the caller's.
 */
export async function checkWrite(capability: Capability, method: string, args: readonly unknown[], ctx: ProviderContext | undefined, read: ReadById): Promise<void> {
  const environments = restrictedEnvironments(ctx);
  if (!environments || !ctx) return;
  const target = (WRITES[capability] as Record<string, WriteTarget | undefined>)[method];
  if (!target || target.kind === 'unscoped') return;
  if (target.kind === 'create') {
    const environment = target.environment(args) ?? ctx.environment;
    if (!environmentAllowed(environments, environment)) {
      throw new OpsOrchError(
        'FORBIDDEN',
        environment
          ? `this credential may not act on the ${environment} environment`
          : `this credential is limited to environment ${environments.join(', ')}: name the environment to create in (input.environment)`,
        { capability },
      );
    }
    return;
  }
  if (target.kind === 'step') {
    const runId = target.runId(args);
    const stepId = target.stepId(args);
    const run = (await read('orchestration', runId, ctx)) as RunbookRunRecord | null;
    // A missing run or step, and a step that gates no environment, are the provider's to answer.
    const environment = run?.steps.find((s) => s.step.id === stepId)?.step.environment;
    if (environment === null || environment === undefined || environmentAllowed(environments, environment)) return;
    deny(ctx, capability, { id: `${runId}/${stepId}`, environment }, 'write');
    throw new OpsOrchError('FORBIDDEN', `this credential may not act on the ${environment} environment: step "${stepId}" of run ${runId} approves a deployment there`, { capability });
  }
  const owner: Scoped = target.kind === 'incident' ? 'incidents' : (capability as Scoped);
  const id = target.id(args);
  if (!id) return;
  const found = await read(owner, id, { ...ctx, onEnvironmentDenied: (denial) => ctx.onEnvironmentDenied?.({ ...denial, action: 'write' }) });
  if (found === null || found === undefined) throw notFoundFor(owner, id);
}

/** A created object's environment, checked after the fact: a provider that ignored the requested environment is a bug, logged and hidden. */
export function checkCreated(capability: Capability, method: string, answer: unknown, ctx: ProviderContext | undefined): void {
  const environments = restrictedEnvironments(ctx);
  if (!environments || !ctx) return;
  const target = (WRITES[capability] as Record<string, WriteTarget | undefined>)[method];
  if (target?.kind !== 'create' || !isScoped(capability)) return;
  const record = answer as Record_ | null;
  if (record && !environmentAllowed(environments, record.environment)) {
    deny(ctx, capability, record, 'write');
    ctx.logger.error({ capability, method, id: record.id, environment: record.environment ?? null }, 'provider created an object outside the requested environment');
    throw new OpsOrchError('INTERNAL', `the ${NOUNS[capability]} was created outside the requested environment`, { capability });
  }
}
