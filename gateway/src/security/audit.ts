import type { Writable } from 'node:stream';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Request } from 'express';
import { parseId, redactSecrets, type Logger } from '@opsorch/adapters';
import type { SecurityConfig } from './config.ts';
import { createSink, type AuditSink } from './audit-sinks.ts';
import { LIMIT_REASONS } from './limits.ts';
import type { OperationKnowledge } from './operation.ts';
import { redactVariables } from './redaction.ts';
import { stateOf, stateOfContext, type RequestSecurityState } from './state.ts';

/** One audit line: who did what, through which capability and provider, with what outcome. */
export interface AuditRecord {
  type: 'audit';
  time: string;
  requestId: string;
  /** Who acted; `kind: "agent"` marks LLM agents, with `onBehalfOf` when they use someone's credential. */
  actor: { kind: string; id: string; onBehalfOf?: string };
  credential: { type: string; id: string } | null;
  client: { ip: string | null; userAgent: string | null };
  operation: { name: string | null; type: string | null; fields: string[] };
  variables: unknown;
  capabilities: string[];
  providers: string[];
  outcome: 'success' | 'partial' | 'error' | 'denied';
  status: number;
  errors: { code: string; reason?: string; message: string }[];
  durationMs: number;
  /** On an aggregated line: how many more refusals like the first one the window saw, and the window. */
  repeated?: number;
  window?: { from: string; to: string };
}

export interface AuditOptions {
  config: SecurityConfig['audit'];
  knowledge: OperationKnowledge;
  logger: Logger;
  /** Where the stdout sink writes (tests capture it). */
  stdout?: Writable;
}

const DENIAL_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED']);
const DENIAL_REASONS = new Set<string>([...LIMIT_REASONS, 'OPERATION_NOT_TRUSTED']);

function instanceOf(id: string): string | null {
  try {
    return parseId(id).instance;
  } catch {
    return null;
  }
}

/**
 * The audit log: every mutation and every denied request (and every read when `reads` is on), one JSON
 * line each, to every configured sink. Recording never waits on a sink and never throws into a request.
 */
export function createAuditLog(options: AuditOptions) {
  const { config, logger, knowledge } = options;
  const sinks: AuditSink[] = config.sinks.map((sink) => createSink(sink, logger, options.stdout));

  function emit(record: AuditRecord): void {
    if (sinks.length === 0) return;
    let line: string;
    try {
      // Belt and braces: whatever slipped into a message or variable, no resolved secret leaves.
      line = redactSecrets(JSON.stringify(record));
    } catch (error) {
      logger.error({ err: String((error as Error).message), requestId: record.requestId }, 'audit record could not be serialized');
      return;
    }
    for (const sink of sinks) {
      try {
        sink.write(line);
      } catch (error) {
        logger.warn({ sink: sink.name, err: String((error as Error).message), requestId: record.requestId }, 'audit sink failed');
      }
    }
  }

  function base(state: RequestSecurityState | undefined): Pick<AuditRecord, 'type' | 'time' | 'requestId' | 'actor' | 'credential' | 'client' | 'durationMs'> {
    const principal = state?.principal;
    const actor = principal ? { ...principal.actor, ...(principal.onBehalfOf ? { onBehalfOf: principal.onBehalfOf } : {}) } : { kind: 'unknown', id: 'unknown' };
    return {
      type: 'audit',
      time: new Date().toISOString(),
      requestId: state?.requestId ?? 'unknown',
      actor: { kind: actor.kind, id: actor.id, ...('onBehalfOf' in actor ? { onBehalfOf: actor.onBehalfOf } : {}) },
      credential: principal ? principal.credential : null,
      client: state?.client ?? { ip: null, userAgent: null },
      durationMs: state ? Math.round((performance.now() - state.startedAt) * 100) / 100 : 0,
    };
  }

  function refusalRecord(req: Request, status: number, code: string, reason: string, operationName: string | null): AuditRecord {
    const state = stateOf(req);
    if (state) state.audited = true;
    const body = (req.body ?? {}) as { operationName?: unknown };
    const name = operationName ?? (typeof body.operationName === 'string' ? body.operationName : typeof req.query?.operationName === 'string' ? req.query.operationName : null);
    return {
      ...base(state),
      operation: { name, type: null, fields: [] },
      variables: null,
      capabilities: [],
      providers: [],
      outcome: 'denied',
      status,
      errors: [{ code, reason, message: reason }],
    };
  }

  /** A request refused before GraphQL ran (403 on the environment header, 413, 429, untrusted operation). */
  function recordRefusal(req: Request, status: number, code: string, reason: string, operationName: string | null = null): void {
    emit(refusalRecord(req, status, code, reason, operationName));
  }

  // Failed authentications, by client address, status and reason, within the current window: the first is
  // written at once, the others counted and written as one line when the window ends. A guessing run or a
  // misconfigured client then costs a line a minute, not a line a request.
  const failures = new Map<string, { first: AuditRecord; repeated: number; from: string; last: string }>();
  const MAX_FAILURE_KEYS = 10_000;
  function flushFailures(): void {
    for (const [key, entry] of failures) {
      if (entry.repeated > 0) {
        emit({
          ...entry.first,
          time: entry.last,
          requestId: 'aggregated',
          durationMs: 0,
          repeated: entry.repeated,
          window: { from: entry.from, to: new Date().toISOString() },
        });
      }
      failures.delete(key);
    }
  }
  const flushTimer = setInterval(flushFailures, config.failureWindowSeconds * 1000);
  flushTimer.unref();

  /** A failed authentication (401, or 429 for an address that failed too often): audited in aggregate. */
  function recordAuthenticationFailure(req: Request, status: number, code: string, reason: string): void {
    const record = refusalRecord(req, status, code, reason, null);
    const key = `${record.client.ip}\u0000${status}\u0000${reason}`;
    const entry = failures.get(key);
    if (entry) {
      entry.repeated++;
      entry.last = record.time;
      return;
    }
    if (failures.size >= MAX_FAILURE_KEYS) flushFailures();
    failures.set(key, { first: record, repeated: 0, from: record.time, last: record.time });
    emit(record);
  }

  const plugin: ApolloServerPlugin<object> = {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          try {
            const state = stateOfContext(requestContext.contextValue);
            if (state?.audited) return;
            const body = requestContext.response.body;
            const errors = body.kind === 'single' ? (body.singleResult.errors ?? []) : [];
            const summarized = errors.map((e) => {
              const extensions = (e.extensions ?? {}) as Record<string, unknown>;
              return {
                code: String(extensions.code ?? 'INTERNAL'),
                ...(typeof extensions.reason === 'string' ? { reason: extensions.reason } : {}),
                message: redactSecrets(e.message),
                provider: typeof extensions.provider === 'string' ? extensions.provider : undefined,
                capability: typeof extensions.capability === 'string' ? extensions.capability : undefined,
              };
            });
            // Objects hidden for their environment: the caller saw "not found", the audit log sees the denial.
            for (const d of state?.environmentDenials ?? []) {
              summarized.push({
                code: 'FORBIDDEN',
                reason: 'ENVIRONMENT_ISOLATION',
                message: `${d.action} of ${d.capability} ${d.id} (environment ${d.environment ?? 'unknown'}) refused: not among the credential's environments`,
                provider: instanceOf(d.id) ?? undefined,
                capability: d.capability,
              });
            }
            const denied = summarized.some((e) => DENIAL_CODES.has(e.code) || (e.reason !== undefined && DENIAL_REASONS.has(e.reason)));
            const operationType = requestContext.operation?.operation ?? null;
            if (!denied && operationType !== 'mutation' && !config.reads) return;
            if (!denied && !requestContext.operation) return; // parse and validation errors are the client's typos, not events

            const analysis = knowledge.analysisOf(requestContext);
            const providers = new Set(state?.providers ?? []);
            // Over HTTP subgraphs the providers called are not seen here: the ids written to name them.
            const written = [...(analysis?.scopes.values() ?? [])].find((s) => s.verb === 'write')?.capability;
            for (const id of analysis?.routedIds ?? []) {
              const instance = instanceOf(id);
              if (instance) providers.add(written ? `${written}/${instance}` : instance);
            }
            for (const e of summarized) if (e.provider) providers.add(e.capability ? `${e.capability}/${e.provider}` : e.provider);
            const hasData = body.kind === 'single' && body.singleResult.data != null;
            const outcome: AuditRecord['outcome'] = denied ? 'denied' : summarized.length === 0 ? 'success' : hasData ? 'partial' : 'error';
            emit({
              ...base(state),
              operation: {
                name: requestContext.operationName ?? requestContext.request.operationName ?? null,
                type: operationType,
                fields: analysis?.rootFields ?? [],
              },
              variables: redactVariables(requestContext.request.variables ?? {}, config.redactVariables),
              capabilities: [...(analysis?.capabilities ?? [])].sort(),
              providers: [...providers].sort(),
              outcome,
              status: requestContext.response.http.status ?? 200,
              errors: summarized.map(({ provider: _p, capability: _c, ...rest }) => rest),
            });
          } catch (error) {
            const requestId = stateOfContext(requestContext.contextValue)?.requestId;
            logger.error({ err: String((error as Error).message), requestId }, 'audit record failed; the request goes on');
          }
        },
      };
    },
  };

  return {
    plugin,
    recordRefusal,
    recordAuthenticationFailure,
    async close() {
      clearInterval(flushTimer);
      flushFailures();
      await Promise.all(sinks.map((sink) => sink.close().catch(() => undefined)));
    },
  };
}
