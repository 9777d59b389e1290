// The metric explorer's label matchers, one row each, with the label's values suggested.
import { useState } from 'react';
import type { MetricLabelMatchOp } from '../../graphql/explorer/generated.ts';
import { MATCH_SYMBOLS } from './metric-search.ts';

interface MatcherRow {
  key: number;
  name: string;
  op: MetricLabelMatchOp;
  value: string;
}

/** Label matchers as rows; each becomes an `m` parameter (`route=/api/cart`, `code!=200`, `pod=~checkout-.*`). */
export function LabelFilters({
  metric,
  labels,
  initial,
  scopeParams,
}: {
  metric: string;
  labels: string[];
  initial: { name: string; op?: MetricLabelMatchOp | null; value: string }[];
  scopeParams: URLSearchParams;
}) {
  const [rows, setRows] = useState<MatcherRow[]>(() => initial.map((m, key) => ({ key, name: m.name, op: m.op ?? 'EQUALS', value: m.value })));
  const [values, setValues] = useState<Record<string, string[]>>({});
  const choices = labels.filter((l) => l !== 'service' && l !== 'env');
  const loadValues = (name: string) => {
    if (!name || values[name]) return;
    const q = new URLSearchParams(scopeParams);
    q.set('name', metric);
    q.set('label', name);
    void fetch(`/explore/metrics/labels?${q}`)
      .then((r) => (r.ok ? (r.json() as Promise<{ values: string[] }>) : { values: [] }))
      .then((answer) => setValues((v) => ({ ...v, [name]: answer.values })));
  };
  const update = (key: number, patch: Partial<MatcherRow>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <div className="explorer-row label-filters" aria-label="Label filters">
      {rows.map((row) => (
        <span key={row.key} className="matcher">
          <select aria-label="Label" value={row.name} onChange={(e) => (update(row.key, { name: e.target.value }), loadValues(e.target.value))}>
            {choices.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
          <select aria-label="Operator" value={row.op} onChange={(e) => update(row.key, { op: e.target.value as MetricLabelMatchOp })}>
            {(Object.keys(MATCH_SYMBOLS) as MetricLabelMatchOp[]).map((op) => (
              <option key={op} value={op}>
                {MATCH_SYMBOLS[op]}
              </option>
            ))}
          </select>
          <input
            aria-label="Value"
            value={row.value}
            list={`label-values-${row.name}`}
            onFocus={() => loadValues(row.name)}
            onChange={(e) => update(row.key, { value: e.target.value })}
            spellCheck={false}
          />
          <datalist id={`label-values-${row.name}`}>
            {(values[row.name] ?? []).map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
          {row.value ? <input type="hidden" name="m" value={`${row.name}${MATCH_SYMBOLS[row.op]}${row.value}`} /> : null}
          <button type="button" aria-label="Remove this label filter" onClick={() => setRows((rs) => rs.filter((r) => r.key !== row.key))}>
            ×
          </button>
        </span>
      ))}
      {choices.length ? (
        <button
          type="button"
          onClick={() => {
            const name = choices[0]!;
            setRows((rs) => [...rs, { key: Date.now(), name, op: 'EQUALS', value: '' }]);
            loadValues(name);
          }}
        >
          + Label filter
        </button>
      ) : null}
      {rows.length ? (
        <button type="submit" className="primary">
          Apply filters
        </button>
      ) : null}
    </div>
  );
}
