// OpsOrch Core's REST API, served by this gateway (docs/core-compatibility.md): Core's routes, request and answer
// shapes, error body and status mapping, `X-Request-ID`, bearer tokens and audit headers, so a client written for
// Core works unchanged. Every route runs OpsOrch operations (schema/operations/core) through the gateway's own
// pipeline: authentication, scopes, limits and the audit log are /graphql's.
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { redactSecrets, type Logger } from '@opsorch/adapters';
import type { OperationPipeline, RefusalRenderer } from '../rest/pipeline.ts';
import { CORE_OPERATIONS, type CoreOperationName } from './generated/operations.ts';
import * as vocabulary from '@opsorch/adapters/core-plugin';
import { mapFilter } from '@opsorch/adapters/core-plugin';
import * as request from './requests.ts';
import { CoreBadRequest, decode, one, stringField, type CoreScope } from './requests.ts';
import * as shape from './shapes.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An answer Core would give as `{"code","message"}` with this status. */
class CoreError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** OpsOrch's error codes as Core's: not_found 404, bad_request 400, every provider failure 502 provider_error. */
function coreErrorOf(code: string, message: string, extensions: Record<string, unknown> = {}): CoreError {
  const retry: Record<string, string> = typeof extensions.retryAfter === 'number' ? { 'retry-after': String(Math.ceil(extensions.retryAfter)) } : {};
  switch (code) {
    case 'NOT_FOUND':
      return new CoreError(404, 'not_found', message);
    case 'BAD_USER_INPUT':
      if (extensions.reason === 'BODY_TOO_LARGE') return new CoreError(413, 'bad_request', message);
      if (extensions.reason === 'IDEMPOTENCY_KEY_REUSED') return new CoreError(409, 'conflict', message);
      return new CoreError(400, 'bad_request', message);
    case 'UNAUTHENTICATED':
      return new CoreError(401, 'unauthorized', message, { 'www-authenticate': 'Bearer' });
    case 'FORBIDDEN':
      return new CoreError(403, 'forbidden', message);
    case 'RATE_LIMITED':
      return new CoreError(429, 'rate_limited', message, retry);
    case 'NOT_SUPPORTED':
      return new CoreError(501, 'not_supported', message);
    case 'INTERNAL':
      return new CoreError(500, 'internal_error', message);
    default:
      return new CoreError(502, 'provider_error', message, retry);
  }
}

function sendCoreError(res: Response, error: CoreError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.status(error.status).json({ code: error.code, message: error.message });
}

/** The security layer's refusals (401, 403, 413, 429) in Core's error body. */
const renderCoreRefusal: RefusalRenderer = (res, _status, error) => {
  const extensions = error.extensions ?? {};
  const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL';
  sendCoreError(res, coreErrorOf(code, error.message, extensions));
};

/** Core's capability path names: singular and plural, `message|messages|messaging`, `orchestration(s)`. */
const CAPABILITIES: Record<string, string> = {
  incident: 'incidents',
  incidents: 'incidents',
  alert: 'alerts',
  alerts: 'alerts',
  log: 'logs',
  logs: 'logs',
  metric: 'metrics',
  metrics: 'metrics',
  ticket: 'tickets',
  tickets: 'tickets',
  message: 'messaging',
  messages: 'messaging',
  messaging: 'messaging',
  service: 'services',
  services: 'services',
  team: 'teams',
  teams: 'teams',
  deployment: 'deployments',
  deployments: 'deployments',
  orchestration: 'orchestration',
  orchestrations: 'orchestration',
};

/** Core reads the request id from the first of these. */
const REQUEST_ID_HEADERS = ['x-request-id', 'x-amzn-trace-id', 'x-correlation-id', 'x-trace-id'];
/** Core reads the actor id from the first of these. */
const ACTOR_ID_HEADERS = ['x-user-id', 'x-actor-id', 'x-opsorch-actor-id'];
const SAFE_ID = /^[A-Za-z0-9._:@=;/-]{1,128}$/;

/** Most items a Core query returns when it gives no `limit` (Core leaves that to the provider), and at most. */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const PAGE = 200;

/**
 * Before the request id is fixed: Core takes a request id from `X-Amzn-Trace-Id`, `X-Correlation-ID` or
 * `X-Trace-ID` when `X-Request-ID` is absent. Mounted ahead of the gateway's request-id middleware.
 */
export function coreRequestIds(prefix: string): RequestHandler {
  return (req, _res, next) => {
    if (prefix !== '/' && !req.path.startsWith(prefix)) return next();
    if (!req.headers['x-request-id']) {
      for (const name of REQUEST_ID_HEADERS.slice(1)) {
        const value = req.headers[name];
        if (typeof value === 'string' && SAFE_ID.test(value)) {
          // The gateway keeps request ids to [A-Za-z0-9._:-]; others (Amazon's `Root=1-...`) are made to fit.
          req.headers['x-request-id'] = value.replace(/[^A-Za-z0-9._:-]/g, '-');
          break;
        }
      }
    }
    next();
  };
}

export interface CoreCompatOptions {
  pipeline: OperationPipeline;
  logger: Logger;
  /** `Access-Control-Allow-Origin` of the Core routes (Core's OPSORCH_CORS_ORIGIN; default `*`). */
  corsOrigin: string;
  /** Mounted at `/` beside the console: requests that are not Core's (a browser asking for HTML) pass on. */
  atRoot: boolean;
}

/** What a route handler is given: the request's body decoded as Core would, and the operations to run. */
interface CoreCall {
  req: Request;
  res: Response;
  body<T>(schema: z.ZodType<T>): T;
  /** Runs one operation; the value of its root field (null when it found nothing). */
  run(name: CoreOperationName, variables: Json): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Pages through a list operation until `limit` items or its end. */
  collect(name: CoreOperationName, variables: Json, limit: number | undefined): Promise<Json[]>;
  idempotencyKey(suffix?: string): string | undefined;
}

function stripUndefined(variables: Json): Json {
  return Object.fromEntries(Object.entries(variables).filter(([, v]) => v !== undefined));
}

function scopeVariables(scope: CoreScope | undefined): Json {
  return { service: scope?.service || undefined, team: scope?.team || undefined, environment: scope?.environment || undefined };
}

function limitOf(limit: number | undefined): number {
  return Math.min(limit && limit > 0 ? limit : DEFAULT_LIMIT, MAX_LIMIT);
}

function notFound(what: string, id: string): CoreError {
  return new CoreError(404, 'not_found', `${what} ${id} not found`);
}

/** The Core routes, for the gateway to mount at `/core` (or `/`). */
export function createCoreRouter(options: CoreCompatOptions): express.Router {
  const { pipeline, logger } = options;
  const router = express.Router({ strict: false });
  const admission = pipeline.admission(renderCoreRefusal);

  // Core's CORS: every answer allows the configured origin, and OPTIONS is answered at once.
  router.use((req, res, next) => {
    if (options.atRoot && !isCoreRoute(req)) return next('router');
    res.setHeader('access-control-allow-origin', options.corsOrigin);
    res.setHeader('access-control-allow-headers', 'Content-Type, Authorization, X-Request-ID, X-Actor-Type, X-User-Id, Idempotency-Key');
    res.setHeader('access-control-allow-methods', 'GET,POST,PATCH,OPTIONS');
    res.setHeader('access-control-expose-headers', 'X-Request-ID');
    if (req.method === 'OPTIONS') {
      res.status(200).end();
      return;
    }
    // Core decodes every body as JSON whatever its Content-Type says; so does this API.
    if (req.method !== 'GET' && !req.is('application/json') && Number(req.headers['content-length'] ?? 0) > 0) {
      req.headers['content-type'] = 'application/json';
    }
    // Core's audit headers name the actor; they become OpsOrch's actor label (an agent for `copilot`). With a
    // credential, authentication keeps the credential's own identity and honours only the agent mark.
    if (!req.headers['x-opsorch-actor']) {
      const id = ACTOR_ID_HEADERS.map((name) => req.headers[name]).find((v): v is string => typeof v === 'string' && v.trim() !== '');
      const kind = String(req.headers['x-actor-type'] ?? '').toLowerCase() === 'copilot' ? 'agent' : 'user';
      if (id) req.headers['x-opsorch-actor'] = `${kind}:${id.trim().slice(0, 200)}`;
      else if (kind === 'agent') req.headers['x-opsorch-actor'] = 'agent:copilot';
    }
    next();
  });

  function callOf(req: Request, res: Response): CoreCall {
    const partial: string[] = [];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const run = async (name: CoreOperationName, variables: Json): Promise<any> => {
      const answer = await pipeline.run(req, res, { document: CORE_OPERATIONS[name], operationName: name, variables: stripUndefined(variables) });
      const root = answer.data ? Object.values(answer.data)[0] : null;
      if (root === null || root === undefined) {
        const error = answer.errors[0];
        if (error) {
          const extensions = (error.extensions ?? {}) as Record<string, unknown>;
          throw coreErrorOf(String(extensions.code ?? 'INTERNAL'), error.message, extensions);
        }
        return null;
      }
      for (const error of answer.errors) {
        const extensions = (error.extensions ?? {}) as Record<string, unknown>;
        partial.push(`${extensions.capability ?? '?'}/${extensions.provider ?? '?'} ${extensions.code ?? 'INTERNAL'}`);
      }
      // Core has no partial answers: the part that arrived is sent, and what failed is named in a header.
      if (partial.length) res.setHeader('x-opsorch-provider-errors', redactSecrets([...new Set(partial)].join(', ')).slice(0, 1000));
      return root;
    };
    return {
      req,
      res,
      body: (schema) => decode(schema, req.body, req.body !== undefined && Number(req.headers['content-length'] ?? 1) !== 0),
      run,
      async collect(name, variables, limit) {
        const wanted = limitOf(limit);
        const items: Json[] = [];
        let after: string | undefined;
        while (items.length < wanted) {
          const connection = await run(name, { ...variables, first: Math.min(PAGE, wanted - items.length), after });
          if (!connection) break;
          items.push(...(connection.nodes as Json[]));
          if (!connection.pageInfo?.hasNextPage || !connection.pageInfo.endCursor) break;
          after = connection.pageInfo.endCursor as string;
        }
        return items.slice(0, wanted);
      },
      idempotencyKey(suffix) {
        const key = req.headers['idempotency-key'];
        return typeof key === 'string' && key ? (suffix ? `${key}:${suffix}` : key) : undefined;
      },
    };
  }

  const routes: { method: 'get' | 'post' | 'patch'; path: string; matcher: RegExp }[] = [];
  function isCoreRoute(req: Request): boolean {
    if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html') return false;
    const method = req.method === 'OPTIONS' ? null : req.method.toLowerCase();
    return routes.some((r) => r.matcher.test(req.path) && (method === null || r.method === method));
  }

  function route(method: 'get' | 'post' | 'patch', path: string, handler: (call: CoreCall) => Promise<{ status?: number; body: unknown }>) {
    routes.push({ method, path, matcher: new RegExp(`^${path.replace(/:\w+/g, '[^/]+')}/?$`) });
    router[method](path, ...admission, (req: Request, res: Response, next: NextFunction) => {
      handler(callOf(req, res))
        .then(({ status, body }) => {
          // Core's header spelling; the gateway already answered the same id as X-Request-Id.
          res.setHeader('X-Request-ID', String(req.headers['x-request-id'] ?? randomUUID()));
          res.status(status ?? 200).json(body);
        })
        .catch((error: unknown) => {
          if (error instanceof CoreError) return sendCoreError(res, error);
          if (error instanceof CoreBadRequest) return sendCoreError(res, new CoreError(400, 'bad_request', error.message));
          next(error);
        });
    });
  }

  // -- health and providers --------------------------------------------------------------------------------
  const ok = async () => ({ body: { status: 'ok' } });
  route('get', '/', ok);
  route('get', '/health', ok);
  route('get', '/providers/:capability', async (call) => {
    const capability = CAPABILITIES[String(call.req.params.capability).toLowerCase()];
    if (!capability) throw new CoreError(404, 'not_found', 'unknown capability');
    const statuses = ((await call.run('CoreProviders', { capability })) ?? []) as Json[];
    return { body: { providers: [...new Set(statuses.map((s) => s.provider as string))] } };
  });
  route('post', '/providers/:capability', async () => {
    throw new CoreError(501, 'not_supported', 'providers are configured in OPSORCH_CONFIG or OPSORCH_<CAPABILITY>_PROVIDER, and reloaded with SIGHUP');
  });

  // -- incidents -------------------------------------------------------------------------------------------
  const incidentById = async (call: CoreCall, id: string) => {
    const incident = await call.run('CoreGetIncident', { id });
    if (!incident) throw notFound('incident', id);
    return shape.coreIncident(incident);
  };
  /** Core sets an incident's status by value; OpsOrch by the acknowledge and resolve writes. */
  const moveIncident = async (call: CoreCall, id: string, status: string | null | undefined, current?: string) => {
    if (!status) return;
    const target = one(status, vocabulary.incidentStatus, 'status', 'triggered, acknowledged or resolved');
    if (target === current) return;
    if (target === 'ACKNOWLEDGED') await call.run('CoreAcknowledgeIncident', { id, idempotencyKey: call.idempotencyKey('acknowledge') });
    else if (target === 'RESOLVED') await call.run('CoreResolveIncident', { id, idempotencyKey: call.idempotencyKey('resolve') });
    else throw new CoreBadRequest('an incident cannot go back to triggered');
  };

  route('post', '/incidents/query', async (call) => {
    const query = call.body(request.incidentQuery);
    const statuses = mapFilter(query.statuses, vocabulary.incidentStatus);
    const severities = mapFilter(query.severities, vocabulary.severity);
    if (statuses === null || severities === null) return { body: [] };
    const nodes = await call.collect('CoreQueryIncidents', { statuses, severities, ...scopeVariables(query.scope), text: query.query || undefined }, query.limit);
    return { body: nodes.map(shape.coreIncident) };
  });
  route('post', '/incidents', async (call) => {
    const input = call.body(request.createIncidentInput);
    if (!input.service) throw new CoreBadRequest('service is required: OpsOrch opens an incident on a catalog service (for example "checkout")');
    const created = await call.run('CoreCreateIncident', {
      input: {
        title: input.title,
        serviceId: input.service,
        severity: input.severity ? one(input.severity, vocabulary.severity, 'severity', 'sev1..sev5 or critical, high, medium, low, info') : 'UNKNOWN',
        summary: input.description,
        assigneeId: stringField(input.fields, 'assignee'),
      },
      idempotencyKey: call.idempotencyKey(),
    });
    await moveIncident(call, created.id, input.status, 'TRIGGERED');
    return { status: 201, body: input.status ? await incidentById(call, created.id) : shape.coreIncident(created) };
  });
  route('get', '/incidents/:id', async (call) => ({ body: await incidentById(call, call.req.params.id as string) }));
  route('patch', '/incidents/:id', async (call) => {
    const id = call.req.params.id as string;
    const input = call.body(request.updateIncidentInput);
    if (input.service) throw new CoreBadRequest('service cannot be changed: open a new incident on the other service');
    const changes = stripUndefined({
      title: input.title ?? undefined,
      summary: input.description ?? undefined,
      severity: input.severity ? one(input.severity, vocabulary.severity, 'severity', 'sev1..sev5 or critical, high, medium, low, info') : undefined,
      assigneeId: stringField(input.fields, 'assignee'),
    });
    const current = await call.run('CoreGetIncident', { id });
    if (!current) throw notFound('incident', id);
    if (Object.keys(changes).length > 0) await call.run('CoreUpdateIncident', { id, input: changes, idempotencyKey: call.idempotencyKey('update') });
    await moveIncident(call, id, input.status, current.status);
    return { body: await incidentById(call, id) };
  });
  route('get', '/incidents/:id/timeline', async (call) => {
    const id = call.req.params.id as string;
    const entries: Json[] = [];
    let after: string | undefined;
    for (;;) {
      const incident = await call.run('CoreIncidentTimeline', { id, first: PAGE, after });
      if (!incident) throw notFound('incident', id);
      entries.push(...incident.timeline.nodes);
      if (!incident.timeline.pageInfo.hasNextPage || entries.length >= MAX_LIMIT) break;
      after = incident.timeline.pageInfo.endCursor;
    }
    return { body: entries.map((e) => shape.coreTimelineEntry(e, id)) };
  });
  route('post', '/incidents/:id/timeline', async (call) => {
    const id = call.req.params.id as string;
    const entry = call.body(request.timelineAppendInput);
    // OpsOrch's timelines take notes from callers; another kind is kept as the note's prefix.
    const kind = entry.kind?.trim();
    const body = kind && kind.toLowerCase() !== 'note' ? `[${kind}] ${entry.body}` : entry.body;
    const noted = await call.run('CoreAppendTimeline', { incidentId: id, body, idempotencyKey: call.idempotencyKey() });
    if (!noted) throw notFound('incident', id);
    return { status: 201, body: { status: 'ok' } };
  });

  // -- alerts ----------------------------------------------------------------------------------------------
  route('post', '/alerts/query', async (call) => {
    const query = call.body(request.alertQuery);
    const states = mapFilter(query.statuses, vocabulary.alertState);
    const severities = mapFilter(query.severities, vocabulary.severity);
    if (states === null || severities === null) return { body: [] };
    const nodes = await call.collect('CoreQueryAlerts', { states, severities, ...scopeVariables(query.scope), text: query.query || undefined }, query.limit);
    return { body: nodes.map(shape.coreAlert) };
  });
  route('get', '/alerts/:id', async (call) => {
    const id = call.req.params.id as string;
    const alert = await call.run('CoreGetAlert', { id });
    if (!alert) throw notFound('alert', id);
    return { body: shape.coreAlert(alert) };
  });

  // -- logs and metrics ------------------------------------------------------------------------------------
  route('post', '/logs/query', async (call) => {
    const query = call.body(request.logQuery);
    const expression = query.expression ?? {};
    const levels = mapFilter(expression.severityIn, vocabulary.logLevel);
    if (levels === null) return { body: { entries: [] } };
    const filters = (expression.filters ?? []).map((f) => {
      const op = vocabulary.LOG_OPERATORS[(f.operator ?? '=').toLowerCase()];
      if (!op) throw new CoreBadRequest(`log filter operator "${f.operator}" is not supported; use =, !=, contains or regex`);
      return { field: f.field, op, value: f.value };
    });
    const nodes = await call.collect(
      'CoreQueryLogs',
      { ...scopeVariables(query.scope), text: expression.search || undefined, levels, filters: filters.length ? filters : undefined, from: query.start, to: query.end },
      query.limit,
    );
    return { body: { entries: nodes.map(shape.coreLogEntry) } };
  });
  route('post', '/metrics/query', async (call) => {
    const query = call.body(request.metricQuery);
    const expression = query.expression;
    if (!expression?.metricName) throw new CoreBadRequest('expression.metricName is required');
    const labels = (expression.filters ?? []).map((f) => {
      const op = vocabulary.METRIC_OPERATORS[f.operator ?? '='];
      if (!op) throw new CoreBadRequest(`metric filter operator "${f.operator}" is not supported; use =, !=, =~ or !~`);
      return { name: f.label, op, value: f.value };
    });
    const result = await call.run('CoreQueryMetrics', {
      name: expression.metricName,
      ...scopeVariables(query.scope),
      labels: labels.length ? labels : undefined,
      aggregation: expression.aggregation ? one(expression.aggregation, vocabulary.metricAggregation, 'aggregation', 'avg, sum, max, min or count') : undefined,
      groupBy: expression.groupBy,
      from: query.start,
      to: query.end,
      step: query.step ? `${query.step}s` : undefined,
    });
    return { body: ((result?.series ?? []) as Json[]).map((s) => shape.coreMetricSeries(s, result)) };
  });
  const describeMetrics = async (call: CoreCall, scope: CoreScope) => {
    const nodes = await call.collect('CoreDescribeMetrics', { service: scope.service || undefined }, MAX_LIMIT);
    return { body: { metrics: nodes.map(shape.coreMetricDescriptor) } };
  };
  route('get', '/metrics/describe', async (call) => {
    const q = call.req.query as Record<string, unknown>;
    return describeMetrics(call, { service: typeof q.service === 'string' ? q.service : undefined });
  });
  route('post', '/metrics/describe', async (call) => describeMetrics(call, call.body(request.queryScope)));

  // -- tickets ---------------------------------------------------------------------------------------------
  const ticketById = async (call: CoreCall, id: string) => {
    const ticket = await call.run('CoreGetTicket', { id });
    if (!ticket) throw notFound('ticket', id);
    return shape.coreTicket(ticket);
  };
  const ticketFields = (fields: Record<string, unknown> | null | undefined) =>
    stripUndefined({
      priority: stringField(fields, 'priority') ? one(stringField(fields, 'priority')!, vocabulary.ticketPriority, 'priority', 'highest, high, medium, low or lowest') : undefined,
      serviceId: stringField(fields, 'service'),
      incidentId: stringField(fields, 'incident'),
      labels: Array.isArray(fields?.labels) ? (fields.labels as unknown[]).filter((l): l is string => typeof l === 'string') : undefined,
    });
  route('post', '/tickets/query', async (call) => {
    const query = call.body(request.ticketQuery);
    const statuses = mapFilter(query.statuses, vocabulary.ticketStatus);
    if (statuses === null) return { body: [] };
    const assignees = (query.assignees ?? []).map((a) => a.toLowerCase());
    const nodes = await call.collect(
      'CoreQueryTickets',
      { statuses, ...scopeVariables(query.scope), text: query.query || undefined, assignee: assignees.length === 1 ? assignees[0] : undefined },
      assignees.length > 1 || query.reporter ? MAX_LIMIT : query.limit,
    );
    // Several assignees and the reporter are narrowed here (OpsOrch's filter takes one assignee, no reporter).
    const matching = nodes.filter(
      (t) =>
        (assignees.length <= 1 || assignees.includes(String(t.assignee?.email ?? '').toLowerCase())) &&
        (!query.reporter || String(t.reporter?.email ?? '').toLowerCase() === query.reporter.toLowerCase()),
    );
    return { body: matching.slice(0, limitOf(query.limit)).map(shape.coreTicket) };
  });
  route('post', '/tickets', async (call) => {
    const input = call.body(request.createTicketInput);
    const created = await call.run('CoreCreateTicket', {
      input: { title: input.title, description: input.description, assigneeId: stringField(input.fields, 'assignee'), ...ticketFields(input.fields) },
      idempotencyKey: call.idempotencyKey(),
    });
    return { status: 201, body: shape.coreTicket(created) };
  });
  route('get', '/tickets/:id', async (call) => ({ body: await ticketById(call, call.req.params.id as string) }));
  route('patch', '/tickets/:id', async (call) => {
    const id = call.req.params.id as string;
    const input = call.body(request.updateTicketInput);
    if (input.assignees && input.assignees.length > 1) throw new CoreBadRequest('OpsOrch tickets have one assignee; send at most one');
    const changes = stripUndefined({
      title: input.title ?? undefined,
      description: input.description ?? undefined,
      assigneeId: input.assignees ? (input.assignees[0] ?? null) : undefined,
      ...ticketFields(input.fields),
    });
    if (!(await call.run('CoreGetTicket', { id }))) throw notFound('ticket', id);
    if (Object.keys(changes).length > 0) await call.run('CoreUpdateTicket', { id, input: changes, idempotencyKey: call.idempotencyKey('update') });
    if (input.status) await call.run('CoreTransitionTicket', { id, transition: input.status, idempotencyKey: call.idempotencyKey('transition') });
    return { body: await ticketById(call, id) };
  });

  // -- messaging -------------------------------------------------------------------------------------------
  route('post', '/messages/send', async (call) => {
    const message = call.body(request.message);
    // OpsOrch posts plain text: Core's blocks are rendered as lines after the body.
    const blocks = (message.blocks ?? []).flatMap((b) => {
      if (b.type === 'divider') return ['———'];
      const fields = Object.entries(b.fields ?? {}).map(([k, v]) => `${k}: ${v}`);
      return [b.type === 'header' && b.text ? `*${b.text}*` : b.text, ...fields].filter((l): l is string => Boolean(l));
    });
    const channelIsId = /^[\w-]+:[^#\s]+$/.test(message.channel);
    const sent = await call.run('CoreSendMessage', {
      input: {
        ...(channelIsId ? { channelId: message.channel } : { channel: message.channel }),
        text: [message.body, ...blocks].join('\n'),
        threadId: message.threadRef,
      },
      idempotencyKey: call.idempotencyKey(),
    });
    return { body: shape.coreMessageResult(sent) };
  });

  // -- services and teams ----------------------------------------------------------------------------------
  const hasTags = (tags: Record<string, string>, wanted: Record<string, string> | undefined) =>
    Object.entries(wanted ?? {}).every(([k, v]) => tags[k] === v);
  route('post', '/services/query', async (call) => {
    const query = call.body(request.serviceQuery);
    const ids = query.ids?.length ? new Set(query.ids) : null;
    const narrowed = Boolean(ids || query.tags);
    const nodes = await call.collect('CoreQueryServices', { text: query.name || undefined, team: query.scope?.team || undefined }, narrowed ? MAX_LIMIT : query.limit);
    const matching = nodes.filter((s) => (!ids || ids.has(s.id)) && hasTags(shape.serviceTags(s), query.tags));
    return { body: matching.slice(0, limitOf(query.limit)).map(shape.coreService) };
  });
  route('post', '/teams/query', async (call) => {
    const query = call.body(request.teamQuery);
    const nodes = await call.collect('CoreQueryTeams', { text: query.name || undefined }, MAX_LIMIT);
    return { body: nodes.filter((t) => hasTags(shape.teamTags(t), query.tags)).map(shape.coreTeam) };
  });
  route('get', '/teams/:id', async (call) => {
    const id = call.req.params.id as string;
    const team = await call.run('CoreGetTeam', { id });
    if (!team) throw notFound('team', id);
    return { body: shape.coreTeam(team) };
  });
  route('get', '/teams/:id/members', async (call) => {
    const id = call.req.params.id as string;
    const team = await call.run('CoreTeamMembers', { id });
    if (!team) throw notFound('team', id);
    return { body: (team.members as Json[]).map(shape.coreTeamMember) };
  });

  // -- deployments -----------------------------------------------------------------------------------------
  route('post', '/deployments/query', async (call) => {
    const query = call.body(request.deploymentQuery);
    const statuses = mapFilter(query.statuses, vocabulary.deploymentStatus);
    if (statuses === null) return { body: [] };
    const versions = query.versions?.length ? new Set(query.versions) : null;
    const text = query.query?.toLowerCase();
    const narrowed = Boolean(versions || text);
    const nodes = await call.collect('CoreQueryDeployments', { ...scopeVariables(query.scope), statuses }, narrowed ? MAX_LIMIT : query.limit);
    const matching = nodes.filter(
      (d) =>
        (!versions || versions.has(d.version)) &&
        (!text || [d.version, d.service?.id, d.commit?.message, d.commit?.sha].some((v) => typeof v === 'string' && v.toLowerCase().includes(text))),
    );
    return { body: matching.slice(0, limitOf(query.limit)).map(shape.coreDeployment) };
  });
  route('get', '/deployments/:id', async (call) => {
    const id = call.req.params.id as string;
    const deployment = await call.run('CoreGetDeployment', { id });
    if (!deployment) throw notFound('deployment', id);
    return { body: shape.coreDeployment(deployment) };
  });

  // -- orchestration ---------------------------------------------------------------------------------------
  route('post', '/orchestration/plans/query', async (call) => {
    const query = call.body(request.planQuery);
    const nodes = await call.collect('CoreQueryPlans', { text: query.query || undefined, ...scopeVariables(query.scope) }, query.tags ? MAX_LIMIT : query.limit);
    return { body: nodes.filter((r) => hasTags(shape.planTags(r), query.tags)).slice(0, limitOf(query.limit)).map(shape.corePlan) };
  });
  route('get', '/orchestration/plans/:planId', async (call) => {
    const id = call.req.params.planId as string;
    const plan = await call.run('CoreGetPlan', { id });
    if (!plan) throw notFound('plan', id);
    return { body: shape.corePlan(plan) };
  });
  route('post', '/orchestration/runs/query', async (call) => {
    const query = call.body(request.runQuery);
    const statuses = mapFilter(query.statuses, vocabulary.runStatus);
    if (statuses === null) return { body: [] };
    const planIds = query.planIds?.length ? new Set(query.planIds) : null;
    const text = query.query?.toLowerCase();
    const service = query.scope?.service;
    const narrowed = Boolean((planIds && planIds.size > 1) || text || service);
    const nodes = await call.collect('CoreQueryRuns', { runbookId: planIds?.size === 1 ? [...planIds][0] : undefined, statuses }, narrowed ? MAX_LIMIT : query.limit);
    const matching = nodes.filter(
      (r) =>
        (!planIds || planIds.has(r.runbook?.id)) &&
        (!text || String(r.runbook?.name ?? '').toLowerCase().includes(text)) &&
        (!service || r.incident?.service?.id === service || (r.runbook?.services ?? []).some((s: Json) => s.id === service)),
    );
    return { body: matching.slice(0, limitOf(query.limit)).map(shape.coreRun) };
  });
  route('get', '/orchestration/runs/:runId', async (call) => {
    const id = call.req.params.runId as string;
    const run = await call.run('CoreGetRun', { id });
    if (!run) throw notFound('run', id);
    return { body: shape.coreRun(run) };
  });
  route('post', '/orchestration/runs', async (call) => {
    const { planId } = call.body(request.startRun);
    const run = await call.run('CoreStartRun', { runbookId: planId, idempotencyKey: call.idempotencyKey() });
    return { status: 201, body: shape.coreRun(run) };
  });
  route('post', '/orchestration/runs/:runId/steps/:stepId/complete', async (call) => {
    const { note } = call.body(request.completeStep);
    // The actor is the authenticated caller (Core's `actor` member is informational, as its audit headers are).
    await call.run('CoreCompleteStep', { runId: call.req.params.runId, stepId: call.req.params.stepId, note, idempotencyKey: call.idempotencyKey() });
    return { body: { status: 'ok' } };
  });

  // Core answers an unknown route with Go's plain-text 404.
  router.use((req, res, next) => {
    if (options.atRoot) return next();
    res.status(404).type('text/plain').send('404 page not found\n');
  });
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    logger.error({ err: redactSecrets(String((error as Error)?.message ?? error)), requestId: req.headers['x-request-id'] }, 'Core route failed');
    if (res.headersSent) return next(error);
    sendCoreError(res, new CoreError(500, 'internal_error', 'Internal error in OpsOrch; it has been logged with the request id.'));
  });
  return router;
}

/**
 * Where the Core routes are served: OPSORCH_CORE_PATH, `/core` by default, `/` for Core's own paths at the root
 * (beside the console: a browser asking for a page still gets the console), `off` for nowhere.
 */
export function coreMountFrom(env: Record<string, string | undefined>): { path: string; atRoot: boolean } | null {
  const value = env.OPSORCH_CORE_PATH?.trim() || '/core';
  if (value === 'off') return null;
  if (!/^\/[\w/-]*$/.test(value)) throw new Error(`OPSORCH_CORE_PATH: "${value}" must be a path such as /core, / or off`);
  const path = value.length > 1 ? value.replace(/\/+$/, '') : '/';
  return { path, atRoot: path === '/' };
}
