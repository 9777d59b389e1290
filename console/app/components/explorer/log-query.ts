// The log query bar's language: free text plus field filters, LogQL-like and short to type at 3 a.m.
//   timeout http.status=500 pod!=checkout-0 http.route~cart trace_id=~"^4bf9" message "quoted text"
// `=` equals, `!=` differs, `~` contains (ignoring case), `=~` regular expression; everything else is text
// the message must contain. Values with spaces go in double quotes.

export type FilterOp = 'EQUALS' | 'NOT_EQUALS' | 'CONTAINS' | 'REGEX';

export interface FieldFilter {
  field: string;
  op: FilterOp;
  value: string;
}

export interface ParsedLogQuery {
  text: string;
  filters: FieldFilter[];
}

export const OP_SYMBOLS: Record<FilterOp, string> = { EQUALS: '=', NOT_EQUALS: '!=', CONTAINS: '~', REGEX: '=~' };
const SYMBOL_OPS: Record<string, FilterOp> = { '=': 'EQUALS', '!=': 'NOT_EQUALS', '~': 'CONTAINS', '=~': 'REGEX' };

/** A field name as log tools spell them: `http.status`, `trace_id`, `kafka.topic`. */
const FILTER = /^([A-Za-z_][\w.-]*)(=~|!=|=|~)(.*)$/s;

/** Splits on spaces outside double quotes; quotes are kept so a token knows it was quoted. */
function tokens(input: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === '\\' && quoted && i + 1 < input.length) {
      current += c + input[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (/\s/.test(c) && !quoted) {
      if (current) out.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  if (current) out.push(current);
  return out;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1).replace(/\\(["\\])/g, '$1');
  return value;
}

export function parseLogQuery(input: string): ParsedLogQuery {
  const text: string[] = [];
  const filters: FieldFilter[] = [];
  for (const token of tokens(input)) {
    const match = FILTER.exec(token);
    if (match && match[3] !== '') filters.push({ field: match[1]!, op: SYMBOL_OPS[match[2]!]!, value: unquote(match[3]!) });
    else text.push(unquote(token));
  }
  return { text: text.join(' '), filters };
}

function quoteIfNeeded(value: string): string {
  return /[\s"]/.test(value) || value === '' ? `"${value.replace(/(["\\])/g, '\\$1')}"` : value;
}

export function formatFilter(filter: FieldFilter): string {
  return `${filter.field}${OP_SYMBOLS[filter.op]}${quoteIfNeeded(filter.value)}`;
}

export function formatLogQuery(query: ParsedLogQuery): string {
  const text = query.text.trim() ? tokens(query.text).map((t) => quoteIfNeeded(unquote(t))) : [];
  return [...query.filters.map(formatFilter), ...text].join(' ');
}

const sameFilter = (a: FieldFilter, b: FieldFilter) => a.field === b.field && a.op === b.op && a.value === b.value;

/**
 * The query with a filter added (the + and − buttons of an expanded line): an opposite filter on the same
 * field and value is replaced rather than contradicted.
 */
export function withFilter(input: string, filter: FieldFilter): string {
  const query = parseLogQuery(input);
  const others = query.filters.filter((f) => !(f.field === filter.field && f.value === filter.value && (f.op === 'EQUALS' || f.op === 'NOT_EQUALS')));
  if (others.some((f) => sameFilter(f, filter))) return formatLogQuery(query);
  return formatLogQuery({ text: query.text, filters: [...others, filter] });
}

export function withoutFilter(input: string, index: number): string {
  const query = parseLogQuery(input);
  return formatLogQuery({ text: query.text, filters: query.filters.filter((_, i) => i !== index) });
}

/**
 * What the word at the caret is: a field name being typed (`http.st`), or a value after an operator
 * (`http.status=5`), for the suggestions under the query bar.
 */
export function tokenAt(input: string, caret: number): { start: number; end: number; field: string | null; op: string | null; partial: string } {
  let start = caret;
  while (start > 0 && !/\s/.test(input[start - 1]!)) start--;
  let end = caret;
  while (end < input.length && !/\s/.test(input[end]!)) end++;
  const word = input.slice(start, end);
  const match = /^([A-Za-z_][\w.-]*)(=~|!=|=|~)(.*)$/s.exec(word);
  if (match) return { start, end, field: match[1]!, op: match[2]!, partial: unquote(match[3]!) };
  return { start, end, field: null, op: null, partial: word };
}
