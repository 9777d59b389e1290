// A golden-signal sparkline: the last hour's points as a line with its latest value. Plain SVG on purpose
// (a few dozen points; a charting library would cost more JavaScript than the whole page).
export interface SeriesLike {
  name: string;
  unit: string;
  points: { timestamp: string; value: number | null }[];
}

export function formatValue(value: number | null | undefined, unit: string): string {
  if (value == null || Number.isNaN(value)) return '—';
  if (unit === 'ratio') return `${(value * 100).toFixed(value < 0.1 ? 2 : 1)}%`;
  if (unit === 'seconds') return value < 1 ? `${Math.round(value * 1000)} ms` : `${value.toFixed(2)} s`;
  const abs = Math.abs(value);
  const short = abs >= 1e6 ? `${(value / 1e6).toFixed(1)}M` : abs >= 1e3 ? `${(value / 1e3).toFixed(1)}k` : abs >= 10 ? value.toFixed(0) : value.toFixed(2);
  return `${short} ${unit.replace('requests/s', 'req/s')}`.trim();
}

export function Sparkline({ title, series, width = 220, height = 44 }: { title: string; series: SeriesLike | null | undefined; width?: number; height?: number }) {
  if (!series) {
    return (
      <figure className="spark">
        <figcaption>
          <span>{title}</span>
          <span className="muted">n/a</span>
        </figcaption>
      </figure>
    );
  }
  const values = series.points.map((p) => p.value).filter((v): v is number => v != null);
  const min = Math.min(...values, 0);
  const max = Math.max(...values, 1e-9);
  const n = series.points.length;
  let d = '';
  series.points.forEach((p, i) => {
    if (p.value == null) return;
    const x = n > 1 ? (i / (n - 1)) * width : 0;
    const y = height - 2 - ((p.value - min) / (max - min || 1)) * (height - 4);
    d += `${d && series.points[i - 1]?.value != null ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const latest = [...series.points].reverse().find((p) => p.value != null)?.value;
  return (
    <figure className="spark">
      <figcaption>
        <span title={series.name}>{title}</span>
        <strong>{formatValue(latest, series.unit)}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" height={height} preserveAspectRatio="none" role="img" aria-label={`${title}: latest ${formatValue(latest, series.unit)}, peak ${formatValue(max, series.unit)}`}>
        <path d={d} fill="none" stroke="currentColor" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
      </svg>
      <div className="spark-range muted small">
        peak {formatValue(max, series.unit)}
      </div>
    </figure>
  );
}
