// A metric answer drawn as a chart: series aligned on their timestamps, deploys and incidents as markers,
// incidents shaded while they were open. Used by the metric explorer and the panels on service and
// incident pages.
import { useEffect, useMemo, useRef } from 'react';
import { OTHER_COLOR, seriesColors } from './colors.ts';
import { formatValue } from './format.ts';
import { seriesLabel, WIDTH_COOKIE } from './metric-search.ts';
import { TimeChart, type ChartBand, type ChartMarker, type ChartSeries } from './time-chart.tsx';

export interface SeriesData {
  name: string;
  unit: string;
  /** How the series was aggregated (RATE, P99...): says whether series can be added up. */
  aggregation?: string;
  labels: { name: string; value: string }[];
  points: { timestamp: string; value: number | null }[];
}

/** More lines than this and a chart stops being readable: the rest are summed into "other" where sums mean something. */
export const MAX_LINES = 8;
/** Aggregations whose series add up to a meaningful total (a sum of p99s or of averages means nothing). */
const ADDITIVE = new Set(['RATE', 'SUM', 'COUNT']);

const mean = (s: SeriesData) => {
  const values = s.points.map((p) => p.value).filter((v): v is number => v !== null);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : -Infinity;
};

/**
 * The series as the chart draws them, each with its colour (status codes by family): all of them, or, past
 * MAX_LINES of an additive aggregation, the biggest by mean plus one "other" series summing the rest.
 * `colors` maps every input series (by index) to the colour its lines and table rows use.
 */
export function chartLines(series: readonly SeriesData[]): { drawn: (SeriesData & { color: string; label?: string })[]; colors: string[] } {
  const colors = seriesColors(series);
  const withColor = series.map((s, i) => ({ ...s, color: colors[i]! }));
  if (series.length <= MAX_LINES || !series.every((s) => s.aggregation && ADDITIVE.has(s.aggregation))) return { drawn: withColor, colors };
  const ranked = withColor.map((s, i) => ({ s, i, mean: mean(s) })).sort((a, b) => b.mean - a.mean);
  const kept = new Set(ranked.slice(0, MAX_LINES - 1).map((r) => r.i));
  const rest = withColor.filter((_, i) => !kept.has(i));
  const times = [...new Set(rest.flatMap((s) => s.points.map((p) => p.timestamp)))].sort();
  const other = {
    ...rest[0]!,
    labels: [],
    label: `other (${rest.length} series)`,
    color: OTHER_COLOR,
    points: times.map((timestamp) => {
      const values = rest.map((s) => s.points.find((p) => p.timestamp === timestamp)?.value ?? null).filter((v): v is number => v !== null);
      return { timestamp, value: values.length ? values.reduce((a, b) => a + b, 0) : null };
    }),
  };
  return { drawn: [...withColor.filter((_, i) => kept.has(i)), other], colors: colors.map((c, i) => (kept.has(i) ? c : OTHER_COLOR)) };
}

export interface DeployMarkerData {
  id: string;
  version: string;
  previousVersion?: string | null;
  environment: string;
  status: string;
  startedAt: string;
  service: { id: string } | null;
  author?: { name: string } | null;
}

export interface IncidentMarkerData {
  id: string;
  number: number;
  title: string;
  severity: string;
  status: string;
  startedAt: string;
  resolvedAt: string | null;
  service: { id: string } | null;
}

export function chartSeries(series: readonly SeriesData[], metric: string): { timestamps: number[]; series: ChartSeries[] } {
  const times = new Set<number>();
  for (const s of series) for (const p of s.points) times.add(Date.parse(p.timestamp));
  const timestamps = [...times].sort((a, b) => a - b);
  const index = new Map(timestamps.map((t, i) => [t, i]));
  return {
    timestamps,
    series: chartLines(series).drawn.map((s) => {
      const values: (number | null)[] = new Array(timestamps.length).fill(null);
      for (const p of s.points) values[index.get(Date.parse(p.timestamp))!] = p.value;
      return { label: s.label ?? seriesLabel(s.labels, metric), unit: s.unit, color: s.color, values };
    }),
  };
}

export function markersOf(deploys: readonly DeployMarkerData[], incidents: readonly IncidentMarkerData[], nowMs: number): { markers: ChartMarker[]; bands: ChartBand[] } {
  const markers: ChartMarker[] = [
    ...deploys.map((d) => ({
      atMs: Date.parse(d.startedAt),
      kind: 'deploy' as const,
      label: `Deploy ${d.service?.id ?? ''} ${d.previousVersion ? `${d.previousVersion} → ` : ''}${d.version} (${d.environment}, ${d.status.toLowerCase().replace('_', ' ')})${d.author ? ` by ${d.author.name}` : ''}`,
      href: `/deployments?service=${encodeURIComponent(d.service?.id ?? '')}`,
    })),
    ...incidents.map((i) => ({
      atMs: Date.parse(i.startedAt),
      kind: 'incident' as const,
      label: `Incident #${i.number} ${i.severity} ${i.title} (${i.status.toLowerCase()})`,
      href: `/incidents/${encodeURIComponent(i.id)}`,
    })),
  ];
  const bands = incidents.map((i) => ({ fromMs: Date.parse(i.startedAt), toMs: i.resolvedAt ? Date.parse(i.resolvedAt) : nowMs, label: `#${i.number}` }));
  return { markers, bands };
}

/** Remembers the chart's width so the next load asks for one point per pixel (the step follows). */
function useRememberWidth(ref: React.RefObject<HTMLDivElement | null>) {
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const width = Math.round(el.clientWidth - 72); // minus the y axis
    if (width > 50) document.cookie = `${WIDTH_COOKIE}=${width}; path=/; max-age=31536000; samesite=lax`;
  }, [ref]);
}

export function MetricChart({
  series,
  metric,
  window,
  deploys = [],
  incidents = [],
  nowMs,
  height = 280,
  onZoom,
  mark,
  title,
  yAxisWidth,
}: {
  series: readonly SeriesData[];
  metric: string;
  window: { fromMs: number; toMs: number };
  deploys?: readonly DeployMarkerData[];
  incidents?: readonly IncidentMarkerData[];
  nowMs: number;
  height?: number;
  onZoom?: (fromMs: number, toMs: number) => void;
  mark?: string;
  title?: string;
  /** See TimeChart: charts side by side share it so their time axes line up. */
  yAxisWidth?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useRememberWidth(box);
  const chart = useMemo(() => chartSeries(series, metric), [series, metric]);
  const { markers, bands } = useMemo(() => markersOf(deploys, incidents, nowMs), [deploys, incidents, nowMs]);
  return (
    <div ref={box} className="metric-chart">
      {chart.series.length ? (
        <TimeChart timestamps={chart.timestamps} series={chart.series} window={window} markers={markers} bands={bands} height={height} onZoom={onZoom} ariaLabel={title ?? metric} mark={mark} yAxisWidth={yAxisWidth} />
      ) : (
        <div className="empty">No series matched.</div>
      )}
    </div>
  );
}

/** Min, mean, max and last of each series: the legend table under the chart. */
export function SeriesStats({ series, metric }: { series: readonly SeriesData[]; metric: string }) {
  const { colors } = chartLines(series);
  return (
    <table className="table series-stats">
      <thead>
        <tr>
          <th>Series</th>
          <th className="num">Min</th>
          <th className="num">Mean</th>
          <th className="num">Max</th>
          <th className="num">Last</th>
        </tr>
      </thead>
      <tbody>
        {series.map((s, i) => {
          const values = s.points.map((p) => p.value).filter((v): v is number => v !== null);
          const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
          return (
            <tr key={seriesLabel(s.labels, metric) + i}>
              <td>
                <span className="swatch" style={{ background: colors[i] }} title={colors[i] === OTHER_COLOR ? 'Summed into "other" on the chart' : undefined} />{' '}
                {seriesLabel(s.labels, metric)}
              </td>
              <td className="num">{formatValue(values.length ? Math.min(...values) : null, s.unit)}</td>
              <td className="num">{formatValue(mean, s.unit)}</td>
              <td className="num">{formatValue(values.length ? Math.max(...values) : null, s.unit)}</td>
              <td className="num">{formatValue(values.at(-1), s.unit)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
