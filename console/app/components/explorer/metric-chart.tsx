// A metric answer drawn as a chart: series aligned on their timestamps, deploys and incidents as markers,
// incidents shaded while they were open. Used by the metric explorer and the panels on service and
// incident pages.
import { useEffect, useMemo, useRef } from 'react';
import { SERIES_COLORS } from './colors.ts';
import { formatValue } from './format.ts';
import { seriesLabel, WIDTH_COOKIE } from './metric-search.ts';
import { TimeChart, type ChartBand, type ChartMarker, type ChartSeries } from './time-chart.tsx';

export interface SeriesData {
  name: string;
  unit: string;
  labels: { name: string; value: string }[];
  points: { timestamp: string; value: number | null }[];
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
    series: series.map((s, i) => {
      const values: (number | null)[] = new Array(timestamps.length).fill(null);
      for (const p of s.points) values[index.get(Date.parse(p.timestamp))!] = p.value;
      return { label: seriesLabel(s.labels, metric), unit: s.unit, color: SERIES_COLORS[i % SERIES_COLORS.length]!, values };
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
}) {
  const box = useRef<HTMLDivElement>(null);
  useRememberWidth(box);
  const chart = useMemo(() => chartSeries(series, metric), [series, metric]);
  const { markers, bands } = useMemo(() => markersOf(deploys, incidents, nowMs), [deploys, incidents, nowMs]);
  return (
    <div ref={box} className="metric-chart">
      {chart.series.length ? (
        <TimeChart timestamps={chart.timestamps} series={chart.series} window={window} markers={markers} bands={bands} height={height} onZoom={onZoom} ariaLabel={title ?? metric} mark={mark} />
      ) : (
        <div className="empty">No series matched.</div>
      )}
    </div>
  );
}

/** Min, mean, max and last of each series: the legend table under the chart. */
export function SeriesStats({ series, metric }: { series: readonly SeriesData[]; metric: string }) {
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
                <span className="swatch" style={{ background: SERIES_COLORS[i % SERIES_COLORS.length] }} /> {seriesLabel(s.labels, metric)}
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
