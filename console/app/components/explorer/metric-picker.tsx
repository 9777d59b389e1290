// The metric explorer's catalog: a searchable picker and the table shown before a metric is chosen.
import { useState } from 'react';
import type { ExplorerMetricCatalogQuery } from '../../graphql/explorer/generated.ts';

/** The metric descriptors of the catalog, as the explorer's loader returns them. */
export type Catalog = NonNullable<ExplorerMetricCatalogQuery['metricDescriptors']>['nodes'];

/** A searchable list of the catalog: name, type, unit and description. */
export function MetricPicker({ catalog, value, onPick }: { catalog: Catalog; value: string | null; onPick: (name: string) => void }) {
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const needle = text.toLowerCase();
  const matches = catalog.filter((d) => !needle || d.name.includes(needle) || d.description.toLowerCase().includes(needle));
  return (
    <div className="metric-picker">
      <input
        value={open ? text : (value ?? '')}
        placeholder="Metric: type to search the catalog"
        aria-label="Metric"
        role="combobox"
        aria-expanded={open}
        aria-controls="metric-options"
        spellCheck={false}
        data-search
        onFocus={() => {
          setOpen(true);
          setText('');
        }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onChange={(e) => {
          setText(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((a) => Math.min(matches.length - 1, a + 1));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1));
          else if (e.key === 'Enter' && matches[active]) {
            e.preventDefault();
            onPick(matches[active].name);
            e.currentTarget.blur();
          } else return;
          e.preventDefault();
        }}
      />
      {open ? (
        <ul className="metric-options" id="metric-options" role="listbox">
          {matches.map((d, i) => (
            <li key={d.name} role="option" aria-selected={i === active}>
              <button type="button" className={i === active ? 'active' : undefined} onMouseDown={(e) => e.preventDefault()} onClick={() => onPick(d.name)}>
                <span className="mono">{d.name}</span> <span className={`badge metric-type-${d.type.toLowerCase()}`}>{d.type.toLowerCase()}</span>{' '}
                <span className="muted small">{d.unit}</span>
                <span className="metric-description small muted">{d.description}</span>
              </button>
            </li>
          ))}
          {matches.length ? null : <li className="muted small">No metric matches “{text}”.</li>}
        </ul>
      ) : null}
    </div>
  );
}

export function CatalogTable({ catalog, onPick }: { catalog: Catalog; onPick: (name: string) => void }) {
  return (
    <section className="section" aria-label="Metric catalog">
      <header className="section-head">
        <h2>
          Catalog <span className="count">{catalog.length}</span>
        </h2>
      </header>
      <table className="table">
        <thead>
          <tr>
            <th>Metric</th>
            <th>Type</th>
            <th>Unit</th>
            <th>Labels</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {catalog.map((d) => (
            <tr key={d.name}>
              <td>
                <button type="button" className="linklike mono" onClick={() => onPick(d.name)}>
                  {d.name}
                </button>
              </td>
              <td>
                <span className={`badge metric-type-${d.type.toLowerCase()}`}>{d.type.toLowerCase()}</span>
              </td>
              <td>{d.unit}</td>
              <td className="mono small">{d.labels.join(', ')}</td>
              <td className="muted">{d.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
