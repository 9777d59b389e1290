// JQL is built here and only here: every value a caller gave is a quoted JQL string made by `jqlString`, so no
// input can end the string and add clauses (`" or 1=1`, a trailing backslash, a newline).

/**
 * A value as a JQL string literal: double-quoted, with backslash and double quote escaped, and control characters
 * written as escapes (JQL strings take `\n`, `\t`, `\r`, `\uXXXX`). Any other character, unicode included, stays.
 */
export function jqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\u007f') out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `field in ("a", "b")`, every value quoted; a single value is `field = "a"`. */
export function jqlIn(field: string, values: readonly string[]): string {
  if (values.length === 1) return `${field} = ${jqlString(values[0]!)}`;
  return `${field} in (${values.map(jqlString).join(', ')})`;
}

/**
 * Lucene's reserved characters inside a `text ~` phrase are escaped too, so a search for `a+b` or `foo:bar` finds
 * that text instead of failing as a malformed query.
 */
export function jqlTextPhrase(text: string): string {
  return jqlString(text.replace(/[+\-&|!(){}[\]^~*?:\\/]/g, (c) => `\\${c}`));
}

/** Clauses joined with AND, each in parentheses, then the order. */
export function jqlAnd(clauses: readonly string[], orderBy: string): string {
  const where = clauses.map((c) => `(${c})`).join(' AND ');
  return `${where}${where ? ' ' : ''}ORDER BY ${orderBy}`;
}
