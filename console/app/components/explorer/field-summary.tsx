// The log explorer's fields panel: the fields of the lines the query found, each value a filter one click away.
// Counted from the lines on the page (log-fields.ts), so a filter, a level or a text search changes the panel with
// the lines.
import { useMemo } from 'react';
import { Empty } from '../ui.tsx';
import { formatCount } from './format.ts';
import { fieldSummaries } from './log-fields.ts';
import type { FieldFilter } from './log-query.ts';

export function FieldSummary({ lines, onFilter }: { lines: readonly { fields: readonly { key: string; value: string }[] }[]; onFilter: (filter: FieldFilter) => void }) {
  const fields = useMemo(() => fieldSummaries(lines), [lines]);
  return (
    <aside className="section log-fields-panel" aria-label="Fields">
      <header className="section-head">
        <h2>Fields</h2>
        <span className="muted small" data-fields-of={lines.length}>
          in the {formatCount(lines.length)} lines found
        </span>
      </header>
      {fields.length ? (
        <ul className="field-summary">
          {fields.map((f) => (
            <li key={f.name}>
              <div className="mono small field-name" title={`${f.occurrences} of ${f.sampledLines} lines`}>
                {f.name} <span className="muted">{f.distinctValues}</span>
              </div>
              {f.distinctValues <= 40 ? (
                <div className="field-values">
                  {f.topValues.slice(0, 5).map((v) => (
                    <button
                      key={v.value}
                      type="button"
                      className="field-value"
                      onClick={() => onFilter({ field: f.name, op: 'EQUALS', value: v.value })}
                      title={`${v.count} of these lines`}
                    >
                      {v.value}
                    </button>
                  ))}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <Empty>No fields.</Empty>
      )}
    </aside>
  );
}
