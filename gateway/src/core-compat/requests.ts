// OpsOrch Core's request bodies (docs/core-compatibility.md), decoded as strictly as Core decodes them: Go's
// `DisallowUnknownFields`, so an unknown member is a 400 `bad_request`. Core's free-string vocabulary is mapped
// onto OpsOrch's enums by adapters/core-plugin/vocabulary.ts.
import { z } from 'zod';


/** A request Core would refuse: 400 `bad_request` (Core's own message shapes where it has one). */
export class CoreBadRequest extends Error {}

const map = z.record(z.string(), z.unknown());
const strings = z.array(z.string());
const time = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an RFC 3339 time');

export const queryScope = z.strictObject({ service: z.string().optional(), team: z.string().optional(), environment: z.string().optional() });
export type CoreScope = z.infer<typeof queryScope>;

const base = { scope: queryScope.optional(), metadata: map.optional() };
const limit = z.number().int().min(0).optional();

export const incidentQuery = z.strictObject({ query: z.string().optional(), statuses: strings.optional(), severities: strings.optional(), limit, ...base });
export const createIncidentInput = z.strictObject({
  title: z.string(),
  description: z.string().optional(),
  status: z.string().optional(),
  severity: z.string().optional(),
  service: z.string().optional(),
  fields: map.optional(),
  metadata: map.optional(),
});
export const updateIncidentInput = z.strictObject({
  title: z.string().nullish(),
  description: z.string().nullish(),
  status: z.string().nullish(),
  severity: z.string().nullish(),
  service: z.string().nullish(),
  fields: map.nullish(),
  metadata: map.nullish(),
});
export const timelineAppendInput = z.strictObject({
  at: time.optional(),
  kind: z.string().optional(),
  body: z.string(),
  actor: map.optional(),
  metadata: map.optional(),
});
export const alertQuery = incidentQuery;
export const logQuery = z.strictObject({
  expression: z
    .strictObject({
      search: z.string().optional(),
      filters: z.array(z.strictObject({ field: z.string(), operator: z.string().optional(), value: z.string() })).optional(),
      severityIn: strings.optional(),
    })
    .nullish(),
  start: time.optional(),
  end: time.optional(),
  limit,
  ...base,
});
export const metricQuery = z.strictObject({
  expression: z
    .strictObject({
      metricName: z.string(),
      aggregation: z.string().optional(),
      filters: z.array(z.strictObject({ label: z.string(), operator: z.string().optional(), value: z.string() })).optional(),
      groupBy: strings.optional(),
    })
    .nullish(),
  start: time.optional(),
  end: time.optional(),
  step: z.number().int().min(0).optional(),
  ...base,
});
export const ticketQuery = z.strictObject({
  query: z.string().optional(),
  statuses: strings.optional(),
  assignees: strings.optional(),
  reporter: z.string().optional(),
  limit,
  ...base,
});
export const createTicketInput = z.strictObject({ title: z.string(), description: z.string().optional(), fields: map.optional(), metadata: map.optional() });
export const updateTicketInput = z.strictObject({
  title: z.string().nullish(),
  description: z.string().nullish(),
  status: z.string().nullish(),
  assignees: strings.nullish(),
  fields: map.nullish(),
  metadata: map.nullish(),
});
export const message = z.strictObject({
  channel: z.string(),
  body: z.string(),
  metadata: map.optional(),
  threadRef: z.string().optional(),
  blocks: z
    .array(z.strictObject({ type: z.string(), text: z.string().optional(), fields: z.record(z.string(), z.string()).optional() }))
    .optional(),
});
export const serviceQuery = z.strictObject({ ids: strings.optional(), name: z.string().optional(), tags: z.record(z.string(), z.string()).optional(), limit, ...base });
export const teamQuery = z.strictObject({ name: z.string().optional(), tags: z.record(z.string(), z.string()).optional(), ...base });
export const deploymentQuery = z.strictObject({ query: z.string().optional(), statuses: strings.optional(), versions: strings.optional(), limit, ...base });
export const planQuery = z.strictObject({ query: z.string().optional(), tags: z.record(z.string(), z.string()).optional(), limit, ...base });
export const runQuery = z.strictObject({ query: z.string().optional(), statuses: strings.optional(), planIds: strings.optional(), limit, ...base });
export const startRun = z.strictObject({ planId: z.string() });
export const completeStep = z.strictObject({ actor: z.string().optional(), note: z.string().optional() });

/**
 * Decodes a body as Core does: JSON required (an empty body is Go's `EOF`), unknown members refused with Go's
 * own message (`json: unknown field "x"`), wrong types named with where they are.
 */
export function decode<T>(schema: z.ZodType<T>, body: unknown, present: boolean): T {
  if (!present) throw new CoreBadRequest('EOF');
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  // Go's decoder stops at the first unknown member, before it could notice a missing one.
  const unknown = parsed.error.issues.find((i) => i.code === 'unrecognized_keys');
  if (unknown?.code === 'unrecognized_keys') throw new CoreBadRequest(`json: unknown field "${unknown.keys[0]}"`);
  const issue = parsed.error.issues[0]!;
  const where = issue.path.join('.') || 'body';
  throw new CoreBadRequest(`json: ${where}: ${issue.message}`);
}

/** The single value of an enum a write needs, or a 400 naming what is accepted. */
export function one<E extends string>(raw: string, mapper: (raw: string) => E[], what: string, accepted: string): E {
  const mapped = mapper(raw);
  if (mapped.length !== 1) throw new CoreBadRequest(`${what} "${raw}" is not one OpsOrch knows; use ${accepted}`);
  return mapped[0]!;
}

export function stringField(fields: Record<string, unknown> | null | undefined, name: string): string | undefined {
  const value = fields?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
