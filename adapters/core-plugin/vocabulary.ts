// OpsOrch Core's free-string vocabulary (statuses, severities, operators) mapped onto OpsOrch's enums, and back.
// Shared by both bridges to Core: the Core routes of the gateway (requests in Core's words) and the Core plugin
// provider (answers of Core plugins). Core validates no enum, so each mapping takes the enum's own names in any
// case, plus the words Core's adapters and mocks use.

/** A free-string value mapped onto an enum: upper-cased, spaces and dashes as underscores, then Core's synonyms. */
function enumOf<E extends string>(values: readonly E[], synonyms: Record<string, E | E[]>) {
  return (raw: string): E[] => {
    const key = raw.trim().toLowerCase().replace(/[\s-]+/g, '_');
    const synonym = synonyms[key];
    if (synonym) return typeof synonym === 'string' ? [synonym] : [...synonym];
    const upper = key.toUpperCase() as E;
    return values.includes(upper) ? [upper] : [];
  };
}

/** Maps every value; `undefined` when no filter was given, `null` when none of the values can match. */
export function mapFilter<E extends string>(values: string[] | undefined, mapper: (raw: string) => E[]): E[] | null | undefined {
  if (!values || values.length === 0) return undefined;
  const mapped = [...new Set(values.flatMap(mapper))];
  return mapped.length > 0 ? mapped : null;
}

export const incidentStatus = enumOf(['TRIGGERED', 'ACKNOWLEDGED', 'RESOLVED'] as const, {
  open: ['TRIGGERED', 'ACKNOWLEDGED'],
  new: 'TRIGGERED',
  ack: 'ACKNOWLEDGED',
  investigating: 'ACKNOWLEDGED',
  identified: 'ACKNOWLEDGED',
  monitoring: 'ACKNOWLEDGED',
  mitigated: 'RESOLVED',
  closed: 'RESOLVED',
});
export const severity = enumOf(['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5', 'UNKNOWN'] as const, {
  critical: 'SEV1',
  p1: 'SEV1',
  high: 'SEV2',
  error: 'SEV2',
  p2: 'SEV2',
  medium: 'SEV3',
  warning: 'SEV3',
  p3: 'SEV3',
  low: 'SEV4',
  p4: 'SEV4',
  info: 'SEV5',
  p5: 'SEV5',
});
export const alertState = enumOf(['FIRING', 'ACKNOWLEDGED', 'SILENCED', 'RESOLVED'] as const, { open: 'FIRING', active: 'FIRING', triggered: 'FIRING', closed: 'RESOLVED' });
export const logLevel = enumOf(['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'UNKNOWN'] as const, { warning: 'WARN', critical: 'FATAL', err: 'ERROR', trace: 'DEBUG' });
export const ticketStatus = enumOf(['TODO', 'IN_PROGRESS', 'IN_REVIEW', 'DONE', 'CANCELLED', 'UNKNOWN'] as const, {
  open: 'TODO',
  to_do: 'TODO',
  new: 'TODO',
  review: 'IN_REVIEW',
  closed: 'DONE',
  resolved: 'DONE',
  canceled: 'CANCELLED',
});
export const deploymentStatus = enumOf(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'UNKNOWN'] as const, {
  queued: 'IN_PROGRESS',
  running: 'IN_PROGRESS',
  success: 'SUCCEEDED',
  succeeded: 'SUCCEEDED',
  failure: 'FAILED',
});
export const runStatus = enumOf(['PENDING', 'RUNNING', 'WAITING_FOR_INPUT', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const, {
  created: 'PENDING',
  blocked: 'WAITING_FOR_INPUT',
  completed: 'SUCCEEDED',
  canceled: 'CANCELLED',
});
export const stepStatus = enumOf(['PENDING', 'RUNNING', 'WAITING_FOR_INPUT', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED'] as const, {
  ready: 'PENDING',
  blocked: 'WAITING_FOR_INPUT',
  completed: 'SUCCEEDED',
  canceled: 'CANCELLED',
});
export const stepKind = enumOf(['AUTOMATED', 'MANUAL', 'APPROVAL'] as const, { observe: 'AUTOMATED', invoke: 'AUTOMATED', verify: 'MANUAL', record: 'MANUAL', approve: 'APPROVAL' });
export const metricType = enumOf(['COUNTER', 'GAUGE', 'HISTOGRAM', 'SUMMARY', 'UNKNOWN'] as const, {});
export const serviceTier = enumOf(['TIER_1', 'TIER_2', 'TIER_3', 'UNKNOWN'] as const, { '1': 'TIER_1', '2': 'TIER_2', '3': 'TIER_3', tier1: 'TIER_1', tier2: 'TIER_2', tier3: 'TIER_3', critical: 'TIER_1' });
export const serviceKind = enumOf(['SERVICE', 'DATABASE', 'QUEUE', 'THIRD_PARTY', 'FRONTEND', 'OTHER'] as const, { db: 'DATABASE', api: 'SERVICE', web: 'FRONTEND' });
export const teamRole = enumOf(['MEMBER', 'LEAD', 'MANAGER'] as const, { owner: 'LEAD', oncall: 'MEMBER', engineer: 'MEMBER' });

/** A tool's value as one enum value: the first it maps to, else `fallback`. */
export function normalized<E extends string, F extends string>(raw: string | null | undefined, mapper: (raw: string) => E[], fallback: F): E | F {
  return raw ? (mapper(raw)[0] ?? fallback) : fallback;
}

export const ticketPriority = enumOf(['HIGHEST', 'HIGH', 'MEDIUM', 'LOW', 'LOWEST', 'UNKNOWN'] as const, { critical: 'HIGHEST', p1: 'HIGHEST', p2: 'HIGH', p3: 'MEDIUM', p4: 'LOW', p5: 'LOWEST' });
export const metricAggregation = enumOf(['AVG', 'SUM', 'MIN', 'MAX', 'COUNT', 'RATE', 'P50', 'P95', 'P99'] as const, { mean: 'AVG', average: 'AVG' });

/** Core's log filter operators (`=`, `!=`, `contains`, `regex`). */
export const LOG_OPERATORS: Record<string, 'EQUALS' | 'NOT_EQUALS' | 'CONTAINS' | 'REGEX'> = { '=': 'EQUALS', '==': 'EQUALS', '!=': 'NOT_EQUALS', contains: 'CONTAINS', regex: 'REGEX', '=~': 'REGEX' };
/** Core's metric label operators (`=`, `!=`, `=~`, `!~`). */
export const METRIC_OPERATORS: Record<string, 'EQUALS' | 'NOT_EQUALS' | 'REGEX' | 'NOT_REGEX'> = { '=': 'EQUALS', '!=': 'NOT_EQUALS', '=~': 'REGEX', '!~': 'NOT_REGEX' };

