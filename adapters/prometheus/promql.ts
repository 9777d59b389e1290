// PromQL text built from values: every value is escaped, so a label value never becomes query syntax.

/** A PromQL regex alternative matching exactly these values (regex metacharacters escaped). */
export function regexAlternatives(values: readonly string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

/** A PromQL string literal body: backslashes and double quotes escaped. */
export function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}
