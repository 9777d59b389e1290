// Datadog's query languages built from OpsOrch's filters. Values never become query syntax: in log search every
// value is a quoted phrase (backslash and quote escaped) or a term with every special character escaped; metric
// tag filters accept only what a Datadog tag can hold and refuse the rest (metric queries have no quoting).
import type { LogFieldFilter, LogLevel, MetricLabelMatcher } from '@opsorch/schema';
import { badInput } from '../src/errors.ts';

/** A log search phrase matching `value` exactly: `"..."` with `\` and `"` escaped. */
export function logPhrase(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * A log search term whose every character is literal, for wildcard matches (`*<term>*`): Datadog's special
 * characters, whitespace and the escape itself are backslash-escaped.
 */
export function logLiteralTerm(value: string): string {
  return value.replace(/[\s+\-=&|><!(){}[\]^"“”~*?:\\/'`,;#$%@]/gu, (c) => (/\s/u.test(c) ? '\\ ' : `\\${c}`));
}

/** A facet or tag name as it may appear left of `:` (never escaped: refused when it is not a plain name). */
export function logFieldName(name: string, where: string): string {
  if (!/^@?[A-Za-z_][A-Za-z0-9_.\-]*$/.test(name)) {
    throw badInput(`${where}: "${name}" is not a Datadog attribute or tag name (letters, digits, _ . -, optionally starting with @)`);
  }
  return name.replace(/^@/, '');
}

/** Datadog log statuses per OpsOrch level (the pipeline's status remapper spells them so). */
export const LOG_STATUSES: Record<LogLevel, string[]> = {
  DEBUG: ['debug', 'trace'],
  INFO: ['info', 'notice', 'ok'],
  WARN: ['warn', 'warning'],
  ERROR: ['error'],
  FATAL: ['critical', 'alert', 'emergency', 'fatal'],
  UNKNOWN: [],
};

/** OpsOrch's level of a Datadog status. */
export function levelOfStatus(status: string | undefined): LogLevel {
  const raw = (status ?? '').toLowerCase();
  for (const [level, statuses] of Object.entries(LOG_STATUSES) as [LogLevel, string[]][]) if (statuses.includes(raw)) return level;
  return 'UNKNOWN';
}

export interface LogSearch {
  /** Raw service tag values (already mapped from canonical ids). */
  services?: readonly string[] | null;
  environment?: string | null;
  text?: string | null;
  levels?: readonly LogLevel[] | null;
  filters?: readonly LogFieldFilter[] | null;
}

/** `a OR b OR c` in parentheses, each a phrase. */
function anyOf(values: readonly string[]): string {
  return values.length === 1 ? logPhrase(values[0]!) : `(${values.map(logPhrase).join(' OR ')})`;
}

/**
 * The Datadog log search query for OpsOrch's filters (clauses joined by spaces, which Datadog reads as AND). A field
 * filter matches the attribute (`@name`) or the tag of that name, so facets and tags both work.
 */
export function toLogQuery(search: LogSearch, tags: { service: string; environment: string }, where = 'query'): string {
  const clauses: string[] = [];
  if (search.services) clauses.push(`${tags.service}:${anyOf(search.services)}`);
  if (search.environment) clauses.push(`${tags.environment}:${logPhrase(search.environment)}`);
  if (search.levels && search.levels.length > 0) {
    const statuses = search.levels.flatMap((l) => LOG_STATUSES[l]);
    // UNKNOWN is every status OpsOrch does not map: the negation of all the mapped ones.
    const unknown = search.levels.includes('UNKNOWN') ? `-status:${anyOf(Object.values(LOG_STATUSES).flat())}` : null;
    if (statuses.length > 0) clauses.push(unknown ? `(status:${anyOf(statuses)} OR ${unknown})` : `status:${anyOf(statuses)}`);
    else if (unknown) clauses.push(unknown);
  }
  if (search.text) clauses.push(logPhrase(search.text));
  (search.filters ?? []).forEach((filter, i) => {
    const name = logFieldName(filter.field, `${where}.filters[${i}].field`);
    const op = filter.op ?? 'EQUALS';
    if (op === 'REGEX') {
      throw badInput(`${where}.filters[${i}]: Datadog log search has no regular expressions; use EQUALS or CONTAINS (wildcards are matched literally)`);
    }
    const value = op === 'CONTAINS' ? `*${logLiteralTerm(filter.value)}*` : logPhrase(filter.value);
    const either = `(@${name}:${value} OR ${name}:${value})`;
    clauses.push(op === 'NOT_EQUALS' ? `-@${name}:${value} -${name}:${value}` : either);
  });
  return clauses.length > 0 ? clauses.join(' ') : '*';
}

/** What a Datadog tag may hold (letters and digits of any script, `_ - : . /`); nothing that is query syntax. */
const TAG_VALUE = /^[\p{L}\p{N}_\-:./]+$/u;

/** A metric tag filter value: returned unchanged when it is a literal tag value, refused otherwise. */
export function metricTagValue(value: string, where: string): string {
  if (!TAG_VALUE.test(value)) {
    throw badInput(
      `${where}: "${value}" cannot be a Datadog tag value (tags hold letters, digits and _ - : . /); Datadog metric queries have no quoting, so other characters are refused rather than read as syntax`,
    );
  }
  return value;
}

/** A tag key in a metric query (filter or `by {...}`). */
export function metricTagKey(key: string, where: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_.\-/]*$/.test(key)) throw badInput(`${where}: "${key}" is not a Datadog tag key (a letter, then letters, digits, _ . - /)`);
  return key;
}

/** A metric name as Datadog spells them. */
export function metricName(name: string, where = 'query.name'): string {
  if (!/^[A-Za-z][A-Za-z0-9_.]*$/.test(name)) throw badInput(`${where}: "${name}" is not a Datadog metric name (a letter, then letters, digits, _ and .)`);
  return name;
}

export interface MetricScope {
  /** Raw service tag values; several become `(service:a OR service:b)`. */
  services?: readonly string[] | null;
  environment?: string | null;
  labels?: readonly MetricLabelMatcher[] | null;
}

/** The `{...}` tag filter of a metric query in Datadog's boolean filter syntax (`*` when nothing narrows). */
export function metricScope(scope: MetricScope, tags: { service: string; environment: string }): string {
  const parts: string[] = [];
  if (scope.services) {
    const values = scope.services.map((v, i) => metricTagValue(v, `scope.service (value ${i})`));
    parts.push(values.length === 1 ? `${tags.service}:${values[0]}` : `(${values.map((v) => `${tags.service}:${v}`).join(' OR ')})`);
  }
  if (scope.environment) parts.push(`${tags.environment}:${metricTagValue(scope.environment, 'scope.environment')}`);
  (scope.labels ?? []).forEach((m, i) => {
    const key = metricTagKey(m.name, `query.labels[${i}].name`);
    const value = metricTagValue(m.value, `query.labels[${i}].value`);
    const op = m.op ?? 'EQUALS';
    if (op === 'REGEX' || op === 'NOT_REGEX') throw badInput(`query.labels[${i}]: Datadog metric queries have no regular expressions; use EQUALS or NOT_EQUALS`);
    parts.push(`${op === 'NOT_EQUALS' ? '!' : ''}${key}:${value}`);
  });
  return parts.length > 0 ? parts.join(' AND ') : '*';
}
