// Query DSL objects built from OpsOrch's log query. Values only ever sit in value positions of term, terms,
// match_phrase and range queries (JSON, never query-string syntax); field names come from settings or are
// checked to be field paths. CONTAINS and REGEX have no exact DSL equivalent without wildcard or Lucene regexp
// syntax (and Lucene's regexp is not RE2), so they narrow the search with `exists` and are run on each hit by
// the adapter (kit/logs.ts: RE2, linear time).
import type { LogFieldFilter, LogLevel } from '@opsorch/schema';
import { badInput } from '../src/errors.ts';
import { fieldFilterTest, type LevelMapping } from '../kit/logs.ts';

export type Dsl = Record<string, unknown>;

export interface DslQuery {
  services: readonly string[] | null;
  environment: string | null;
  text?: string | null;
  levels?: readonly LogLevel[] | null;
  filters?: readonly LogFieldFilter[] | null;
}

export interface DslFields {
  timestamp: string;
  message: string;
  level: string;
  service: string;
  environment: string;
}

/** A document field a filter names: a field path, never syntax. */
export function checkedField(field: string, where: string): string {
  if (!/^[@a-zA-Z0-9_][@a-zA-Z0-9_.-]*$/.test(field) || field.length > 256) {
    throw badInput(`${where}: "${field}" is not a field path; use letters, digits, dots, dashes, underscores and @`);
  }
  return field;
}

/** The bool query of a search (without the time range), and the tests the adapter runs on each hit. */
export function buildQuery(query: DslQuery, fields: DslFields, levels: LevelMapping, where = 'query'): { bool: Dsl; postFilters: ((f: ReadonlyMap<string, string>) => boolean)[] } {
  const filter: Dsl[] = [];
  const mustNot: Dsl[] = [];
  const postFilters: ((f: ReadonlyMap<string, string>) => boolean)[] = [];
  if (query.services) filter.push({ terms: { [fields.service]: [...query.services] } });
  if (query.environment) filter.push({ term: { [fields.environment]: { value: query.environment } } });
  if (query.levels && query.levels.length > 0) {
    const asked = query.levels.filter((l) => l !== 'UNKNOWN').flatMap((l) => levels.spellings(l));
    const term = (value: string) => ({ term: { [fields.level]: { value, case_insensitive: true } } });
    if (query.levels.includes('UNKNOWN')) {
      // Lines with no level or a spelling that is none of the other levels'.
      const others = levels.spellings('UNKNOWN').filter((s) => !asked.includes(s));
      filter.push({ bool: { must_not: others.map(term) } });
    } else {
      filter.push({ bool: { should: asked.map(term), minimum_should_match: 1 } });
    }
  }
  if (query.text) {
    // Word-aligned on the analyzed message; the adapter then keeps lines whose message contains the text exactly.
    filter.push({ match_phrase: { [fields.message]: { query: query.text } } });
    const needle = query.text.toLowerCase();
    postFilters.push((f) => (f.get(fields.message) ?? '').toLowerCase().includes(needle));
  }
  (query.filters ?? []).forEach((f, i) => {
    const name = `${where}.filters[${i}] (field "${f.field}")`;
    const field = checkedField(f.field, name);
    const op = f.op ?? 'EQUALS';
    if (op === 'EQUALS') filter.push({ term: { [field]: { value: f.value } } });
    else if (op === 'NOT_EQUALS') mustNot.push({ term: { [field]: { value: f.value } } });
    else {
      filter.push({ exists: { field } });
      postFilters.push(fieldFilterTest(f, name));
    }
  });
  return { bool: { filter, ...(mustNot.length > 0 ? { must_not: mustNot } : {}) }, postFilters };
}

/** The range clause of [fromMs, toMs). */
export function rangeClause(field: string, fromMs: number, toMs: number): Dsl {
  return { range: { [field]: { gte: new Date(fromMs).toISOString(), lt: new Date(toMs).toISOString(), format: 'strict_date_optional_time' } } };
}
