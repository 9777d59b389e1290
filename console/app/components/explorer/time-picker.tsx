// The explorers' time picker: relative presets (5m … 7d), absolute from/to accepting `now-1h` syntax, zoom out,
// and auto-refresh. Its inputs belong to the page's GET form, so the range always lives in the URL.
import { Link, useRevalidator } from '@remix-run/react';
import { useEffect, useState } from 'react';
import { PRESETS, rangeError, rangeLabel, withParams, zoomedOut, type RawRange } from './range.ts';

export const REFRESH_CHOICES = [
  { value: '', label: 'Off' },
  { value: '10s', label: '10s' },
  { value: '30s', label: '30s' },
  { value: '1m', label: '1m' },
  { value: '5m', label: '5m' },
] as const;

const REFRESH_MS: Record<string, number> = { '10s': 10_000, '30s': 30_000, '1m': 60_000, '5m': 300_000 };

export function TimePicker({
  path,
  params,
  range,
  nowMs,
  refresh,
}: {
  path: string;
  params: URLSearchParams;
  range: RawRange;
  nowMs: number;
  /** Show the auto-refresh choice (the metrics page; the logs page has live tail instead). */
  refresh?: string | null;
}) {
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  useEffect(() => {
    setFrom(range.from);
    setTo(range.to);
  }, [range.from, range.to]);
  const error = rangeError({ from, to }, nowMs);
  const out = zoomedOut(range, nowMs);
  return (
    <div className="time-picker" role="group" aria-label="Time range">
      <details className="presets">
        <summary title="Time range presets">
          {rangeLabel(range, nowMs)} ▾
        </summary>
        <div className="presets-menu">
          <ul>
            {PRESETS.map((p) => (
              <li key={p.from}>
                <Link to={`${path}${withParams(params, { from: p.from, to: 'now' })}`} className={range.from === p.from && range.to === 'now' ? 'active' : undefined}>
                  {p.label}
                </Link>
              </li>
            ))}
          </ul>
          <div className="absolute-range">
            <label>
              From
              <input name="from" value={from} onChange={(e) => setFrom(e.target.value)} spellCheck={false} aria-invalid={!!error} />
            </label>
            <label>
              To
              <input name="to" value={to} onChange={(e) => setTo(e.target.value)} spellCheck={false} aria-invalid={!!error} />
            </label>
            <div className="muted small">RFC 3339 or relative: now, now-15m, now-6h, now-2d</div>
            {error ? <div className="field-error">{error}</div> : null}
            <button type="submit" className="primary" disabled={!!error}>
              Apply range
            </button>
          </div>
        </div>
      </details>
      <Link to={`${path}${withParams(params, { from: out.from, to: out.to })}`} className="button" title="Zoom out: twice as wide (Ctrl+Z)" data-zoom-out>
        Zoom out
      </Link>
      {refresh !== undefined ? <AutoRefresh value={refresh ?? ''} /> : null}
    </div>
  );
}

/** Reloads the page's data on an interval while the tab is visible. */
function AutoRefresh({ value }: { value: string }) {
  const revalidator = useRevalidator();
  useEffect(() => {
    const ms = REFRESH_MS[value];
    if (!ms) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible' && revalidator.state === 'idle') revalidator.revalidate();
    }, ms);
    return () => clearInterval(timer);
  }, [value, revalidator]);
  return (
    <label className="refresh" title="Auto-refresh">
      <span className="small">Refresh</span>
      <select name="refresh" defaultValue={value} onChange={(e) => e.currentTarget.form?.requestSubmit()} aria-label="Auto-refresh">
        {REFRESH_CHOICES.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}
