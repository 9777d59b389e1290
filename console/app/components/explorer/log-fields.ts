// The Fields panel of the log explorer: which structured fields the lines of the current query carry, with their
// most frequent values. Counted from the lines on the page (as Kibana's Discover counts its sample), so a filter, a
// level or a text search changes the panel with the lines.
import type { FieldSummary } from './query-bar.tsx';

/** A field of the lines counted: distinct values, most frequent first, and how many lines carry it. */
export interface LineFieldSummary extends FieldSummary {
  /** Lines carrying the field. */
  occurrences: number;
  /** Lines counted. */
  sampledLines: number;
}

/** Field summaries of `lines`, by field name. */
export function fieldSummaries(lines: readonly { fields: readonly { key: string; value: string }[] }[], top = 8): LineFieldSummary[] {
  const byField = new Map<string, Map<string, number>>();
  for (const line of lines) {
    for (const { key, value } of line.fields) {
      const values = byField.get(key) ?? new Map<string, number>();
      values.set(value, (values.get(value) ?? 0) + 1);
      byField.set(key, values);
    }
  }
  return [...byField.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, values]) => ({
      name,
      distinctValues: values.size,
      occurrences: [...values.values()].reduce((a, b) => a + b, 0),
      sampledLines: lines.length,
      topValues: [...values.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, top)
        .map(([value, count]) => ({ value, count })),
    }));
}
