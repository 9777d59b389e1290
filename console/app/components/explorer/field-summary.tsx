// The log explorer's fields panel: each field of the sampled lines with its most frequent values as filters.
import type { ExplorerLogOverviewQuery } from '../../graphql/explorer/generated.ts';
import type { FieldFilter } from './log-query.ts';
import { Empty } from '../ui.tsx';

export function FieldSummary({ fields, onFilter }: { fields: NonNullable<ExplorerLogOverviewQuery['logFields']>; onFilter: (filter: FieldFilter) => void }) {
  return (
    <aside className="section log-fields-panel" aria-label="Fields">
      <header className="section-head">
        <h2>Fields</h2>
      </header>
      {fields.length ? (
        <ul className="field-summary">
          {fields.map((f) => (
            <li key={f.name}>
              <div className="mono small field-name" title={`${f.occurrences} of ${f.sampledLines} sampled lines`}>
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
                      title={`${v.count} sampled lines`}
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
