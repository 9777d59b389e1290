// LogQL built from OpsOrch's log query. Values never become query syntax: every value goes through
// `logqlString` (a double-quoted string literal, Go escaping), text and CONTAINS values are regex-quoted first,
// and field names must be label names. The one place a user writes query syntax is a REGEX filter's value, which
// is RE2 (what Loki runs), checked first and wrapped in a group so it cannot reach the rest of the query.
import type { LogFieldFilter, LogLevel } from '@opsorch/schema';
import { RE2JS } from 're2js';
import { badInput } from '../src/errors.ts';
import { compileUserPattern } from '../src/patterns.ts';
import type { LevelMapping } from '../kit/logs.ts';

/** A LogQL (Go) double-quoted string literal holding exactly `value`. */
export function logqlString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (char === '"') out += '\\"';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** An RE2 pattern matching `text` literally. */
export function regexLiteral(text: string): string {
  return RE2JS.quote(text);
}

/** The label a field name becomes after `| json` (`http.status` → `http_status`); refuses names that cannot be one. */
export function fieldLabel(field: string, where: string): string {
  const label = field.replace(/[^a-zA-Z0-9_]/g, '_');
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) throw badInput(`${where}: "${field}" cannot be a Loki label name; use letters, digits, dots and underscores`);
  return label;
}

export interface LogQLQuery {
  /** Stream label → values (one value: `=`, several: `=~` of literal alternatives). */
  streams: { label: string; values: readonly string[] }[];
  text?: string | null;
  levels?: readonly LogLevel[] | null;
  filters?: readonly LogFieldFilter[] | null;
}

export interface LogQLOptions {
  levelLabel: string;
  levelMapping: LevelMapping;
  jsonLines: boolean;
  /** Always parse lines (volume needs the level label even without filters). */
  parse?: boolean;
}

/** The selector of at least one stream label: `{service_name=~"a|b", env="production"}`. */
export function streamSelector(streams: LogQLQuery['streams'], anyLabel: string): string {
  const matchers = streams
    .filter((s) => s.values.length > 0)
    .map((s) => (s.values.length === 1 ? `${s.label}=${logqlString(s.values[0]!)}` : `${s.label}=~${logqlString(s.values.map(regexLiteral).join('|'))}`));
  // Loki needs one matcher that cannot match the empty value.
  return `{${matchers.length > 0 ? matchers.join(', ') : `${anyLabel}=~".+"`}}`;
}

/** The whole log query: selector, line filter, parser, level and field filters. */
export function buildLogQL(query: LogQLQuery, anyLabel: string, options: LogQLOptions, where = 'query'): string {
  let logql = streamSelector(query.streams, anyLabel);
  if (query.text) {
    // JSON lines hold the message JSON-encoded (`\"`, `\\`, `\n`): match the text as written or as encoded.
    const encoded = JSON.stringify(query.text).slice(1, -1);
    const forms = options.jsonLines && encoded !== query.text ? [query.text, encoded] : [query.text];
    logql += ` |~ ${logqlString(`(?i)(?:${forms.map(regexLiteral).join('|')})`)}`;
  }
  const filters = query.filters ?? [];
  if (options.jsonLines && (filters.length > 0 || (query.levels?.length ?? 0) > 0 || options.parse)) logql += ' | json';
  if (query.levels && query.levels.length > 0) {
    const known = query.levels.filter((l) => l !== 'UNKNOWN').flatMap((l) => options.levelMapping.spellings(l));
    const alternatives = (spellings: string[]) => `(?i)(?:${spellings.map(regexLiteral).join('|')})`;
    if (query.levels.includes('UNKNOWN')) {
      // Lines whose level is none of the known spellings, or one of the asked ones.
      const others = options.levelMapping.spellings('UNKNOWN').filter((s) => !known.includes(s));
      logql += ` | ${options.levelLabel}!~${logqlString(alternatives(others))}`;
    } else {
      logql += ` | ${options.levelLabel}=~${logqlString(alternatives(known))}`;
    }
  }
  filters.forEach((filter, i) => {
    const name = `${where}.filters[${i}] (field "${filter.field}")`;
    const label = fieldLabel(filter.field, name);
    const op = filter.op ?? 'EQUALS';
    if (op === 'EQUALS') logql += ` | ${label}=${logqlString(filter.value)}`;
    else if (op === 'NOT_EQUALS') logql += ` | ${label}!=${logqlString(filter.value)}`;
    else if (op === 'CONTAINS') logql += ` | ${label}=~${logqlString(`(?is).*${regexLiteral(filter.value)}.*`)}`;
    else {
      compileUserPattern(filter.value, name, 'search');
      // Label filters match the whole value; the schema's REGEX matches anywhere (anchors still work).
      logql += ` | ${label}=~${logqlString(`(?s).*(?:${filter.value}).*`)}`;
    }
  });
  return logql;
}
