// A time-series chart on uPlot (canvas, about 50 KB: thousands of points redraw in a few milliseconds, which
// an SVG chart cannot). Lines for metrics, stacked bars for log volume; deploys and incidents drawn as markers
// on the time axis; drag to zoom; a legend that toggles series; a tooltip with every value at the cursor.
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { MARKER_COLORS } from './colors.ts';
import { formatValue } from './format.ts';

export interface ChartSeries {
  label: string;
  unit: string;
  color: string;
  values: (number | null)[];
}

export interface ChartMarker {
  atMs: number;
  kind: 'deploy' | 'incident';
  label: string;
  href?: string;
}

/** A shaded stretch of time, for example an incident from its start to its resolution. */
export interface ChartBand {
  fromMs: number;
  toMs: number;
  label: string;
}

export interface TimeChartProps {
  /** Point times in ms, oldest first, shared by every series. */
  timestamps: number[];
  series: ChartSeries[];
  /** The x axis always shows this window, even where there are no points. */
  window: { fromMs: number; toMs: number };
  markers?: ChartMarker[];
  bands?: ChartBand[];
  height?: number;
  /** `stacked-bars` draws each series on top of the previous one (log volume by level). */
  kind?: 'lines' | 'stacked-bars';
  /** Called with the dragged window; the chart does not zoom itself (the range lives in the URL). */
  onZoom?: (fromMs: number, toMs: number) => void;
  /** Called with a clicked bar's window (stacked bars only). */
  ariaLabel: string;
  /** Performance mark set when the first frame is drawn (the bench reads it). */
  mark?: string;
  /**
   * Width of the value axis in CSS pixels. Charts side by side pass the same width so their time axes line up;
   * by default the axis is as wide as its longest label.
   */
  yAxisWidth?: number;
}

/** Axis times in UTC, 24-hour: an incident's responders sit in several time zones (as everywhere in the console). */
function timeTicks(_u: uPlot, splits: number[], _axis: number, _space: number, increment: number): string[] {
  return splits.map((v, i) => {
    const t = new Date(v * 1000).toISOString();
    const day = t.slice(5, 10);
    const clock = increment < 60 ? t.slice(11, 19) : t.slice(11, 16);
    const prev = i > 0 ? new Date(splits[i - 1]! * 1000).toISOString().slice(5, 10) : null;
    if (increment >= 86_400) return day;
    return prev !== day && (i === 0 || increment >= 3600) ? `${day}\n${clock}` : clock;
  });
}

/** The value axis width a set of tick labels needs. */
export const axisWidthFor = (labels: readonly string[]) => Math.ceil(Math.max(40, 18 + 7.2 * Math.max(0, ...labels.map((v) => v.length))));
/** Wide enough for the longest tick label. */
const axisWidth = (_u: uPlot, values: string[] | null) => axisWidthFor(values ?? []);
/**
 * Room right of the plot: half of the widest time label (`12:34:56`), so a tick at the very end of the range keeps
 * its whole label.
 */
const RIGHT_PADDING = 28;

/**
 * A value with no neighbour to draw a line to would not show at all: a sparse series (the error share of a quiet
 * service's logs, a metric reported now and then) gets a dot there instead of an empty chart.
 */
const isolatedPoints = (u: uPlot, seriesIdx: number): number[] => {
  const values = u.data[seriesIdx] ?? [];
  const dots: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] != null && values[i - 1] == null && values[i + 1] == null) dots.push(i);
  return dots;
};
/** Charts this tall or shorter space their value ticks closer. */
const SHORT_CHART = 120;
/** Past this many lines the colours repeat: the legend says how to pick one out. */
const MANY_LINES = 8;

/** Incident stretches merged where they overlap: the shading is as light with four incidents as with one. */
export function mergeBands(bands: readonly ChartBand[]): { fromMs: number; toMs: number }[] {
  const sorted = [...bands].sort((a, b) => a.fromMs - b.fromMs);
  const out: { fromMs: number; toMs: number }[] = [];
  for (const b of sorted) {
    const last = out[out.length - 1];
    if (last && b.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, b.toMs);
    else out.push({ fromMs: b.fromMs, toMs: b.toMs });
  }
  return out;
}

const AXIS = { stroke: '#8593a3', grid: { stroke: '#222a33', width: 1 }, ticks: { stroke: '#313b47', width: 1 }, font: '11px system-ui, sans-serif' };

/** Cumulative sums, so each series of stacked bars is drawn from zero to its top. */
function stack(series: ChartSeries[]): (number | null)[][] {
  const out: (number | null)[][] = [];
  let running: number[] = [];
  for (const s of series) {
    const next = s.values.map((v, i) => (running[i] ?? 0) + (v ?? 0));
    out.push(next);
    running = next;
  }
  return out;
}

interface Tooltip {
  left: number;
  top: number;
  time: number;
  rows: { label: string; color: string; text: string }[];
  markers: ChartMarker[];
}

export function TimeChart({ timestamps, series, window, markers = [], bands = [], height = 240, kind = 'lines', onZoom, ariaLabel, mark, yAxisWidth }: TimeChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [tooltip, setTooltip] = useState<Tooltip | null>(null);
  // The line under the cursor (or the legend item under the pointer): named in the tooltip, lit in the legend.
  const [focused, setFocused] = useState<string | null>(null);
  // The latest props for uPlot's hooks, which are bound once per chart.
  const live = useRef({ series, markers, bands, onZoom, hidden, kind, window });
  live.current = { series, markers, bands, onZoom, hidden, kind, window };

  const unit = series[0]?.unit ?? '';
  // Stacked bars are re-stacked over the visible series and drawn tallest first, so each level stays visible.
  const drawn = kind === 'stacked-bars' ? [...series].reverse() : series;
  const data = useMemo<uPlot.AlignedData>(() => {
    const xs = timestamps.map((t) => t / 1000);
    const ys =
      kind === 'stacked-bars'
        ? stack(series.map((s) => (hidden.has(s.label) ? { ...s, values: s.values.map(() => null) } : s))).reverse()
        : series.map((s) => s.values);
    return [xs, ...ys] as uPlot.AlignedData;
  }, [timestamps, series, kind, hidden]);
  const shape = `${kind}|${series.map((s) => `${s.label}:${s.color}`).join(',')}|${unit}|${height}|${yAxisWidth ?? ''}`;

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    let drawnOnce = false;
    const barWidth = kind === 'stacked-bars' ? uPlot.paths.bars!({ size: [0.9, 64], align: 1 }) : undefined;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      legend: { show: false },
      padding: [8, RIGHT_PADDING, 0, 0],
      cursor: {
        drag: { x: true, y: false, setScale: false },
        points: { size: 6 },
        focus: { prox: 24 },
      },
      focus: { alpha: 0.35 },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: { time: true, range: () => [live.current.window.fromMs / 1000, live.current.window.toMs / 1000] },
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] },
      },
      axes: [
        { ...AXIS, space: 80, values: timeTicks },
        {
          ...AXIS,
          size: yAxisWidth ?? axisWidth,
          // A short chart (log volume) has room for too few ticks at uPlot's 30 px, and would label only its zero.
          space: height <= SHORT_CHART ? 16 : 30,
          values: (_u, splits) => {
            const labels = splits.map((v) => formatValue(v, live.current.series[0]?.unit ?? ''));
            // The canvas draws the labels; the element says them too, for whoever cannot read the canvas.
            el.dataset.yTicks = labels.join(' | ');
            return labels;
          },
        },
      ],
      series: [
        {},
        ...drawn.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: kind === 'stacked-bars' ? 0 : 1.5,
          fill: kind === 'stacked-bars' ? s.color : undefined,
          paths: barWidth,
          points: kind === 'stacked-bars' ? { show: false } : { show: true, size: 5, filter: isolatedPoints },
          spanGaps: false,
          show: kind === 'stacked-bars' || !live.current.hidden.has(s.label),
        })),
      ],
      hooks: {
        drawClear: [
          (u) => {
            const ctx = u.ctx;
            const span = (fromMs: number, toMs: number) => {
              const x0 = Math.max(u.bbox.left, u.valToPos(fromMs / 1000, 'x', true));
              const x1 = Math.min(u.bbox.left + u.bbox.width, u.valToPos(toMs / 1000, 'x', true));
              return x1 > x0 ? [x0, x1 - x0] as const : null;
            };
            // One light wash wherever any incident was open (never darker where several overlap)...
            ctx.fillStyle = 'rgba(240, 82, 75, 0.07)';
            for (const band of mergeBands(live.current.bands)) {
              const x = span(band.fromMs, band.toMs);
              if (x) ctx.fillRect(x[0], u.bbox.top, x[1], u.bbox.height);
            }
            // ...and a thin bar per incident along the bottom, so each one's stretch stays readable.
            const lane = 3 * uPlot.pxRatio;
            ctx.fillStyle = 'rgba(240, 82, 75, 0.55)';
            [...live.current.bands]
              .sort((a, b) => a.fromMs - b.fromMs)
              .forEach((band, i) => {
                const x = span(band.fromMs, band.toMs);
                if (x) ctx.fillRect(x[0], u.bbox.top + u.bbox.height - (i + 1) * (lane + uPlot.pxRatio), x[1], lane);
              });
          },
        ],
        draw: [
          (u) => {
            const ctx = u.ctx;
            const ratio = uPlot.pxRatio;
            ctx.save();
            for (const marker of live.current.markers) {
              const x = Math.round(u.valToPos(marker.atMs / 1000, 'x', true));
              if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
              const color = MARKER_COLORS[marker.kind];
              ctx.strokeStyle = color;
              ctx.lineWidth = ratio;
              ctx.setLineDash([4 * ratio, 3 * ratio]);
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
              ctx.setLineDash([]);
              ctx.fillStyle = color;
              ctx.beginPath();
              const s = 5 * ratio;
              if (marker.kind === 'deploy') {
                ctx.moveTo(x - s, u.bbox.top);
                ctx.lineTo(x + s, u.bbox.top);
                ctx.lineTo(x, u.bbox.top + s * 1.4);
              } else {
                ctx.arc(x, u.bbox.top + s, s, 0, Math.PI * 2);
              }
              ctx.fill();
            }
            ctx.restore();
            if (!drawnOnce) {
              drawnOnce = true;
              if (mark && typeof performance !== 'undefined' && !performance.getEntriesByName(mark).length) performance.mark(mark);
            }
          },
        ],
        setSelect: [
          (u) => {
            const { left, width } = u.select;
            if (width > 4 && live.current.onZoom) {
              const from = u.posToVal(left, 'x') * 1000;
              const to = u.posToVal(left + width, 'x') * 1000;
              live.current.onZoom(from, to);
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        setSeries: [
          (u, index, options) => {
            // uPlot passes the setSeries options here ({ focus } when the cursor or the legend changed focus).
            if (live.current.kind !== 'lines' || (options as { focus?: boolean }).focus == null) return;
            setFocused(index == null ? null : (u.series[index]?.label as string | undefined) ?? null);
          },
        ],
        setCursor: [
          (u) => {
            const { left, top, idx } = u.cursor;
            if (left == null || left < 0 || idx == null) {
              setTooltip(null);
              return;
            }
            const xVal = u.posToVal(left, 'x') * 1000;
            const msPerPx = ((u.scales.x.max! - u.scales.x.min!) * 1000) / u.bbox.width * uPlot.pxRatio;
            const near = live.current.markers.filter((m) => Math.abs(m.atMs - xVal) <= msPerPx * 5);
            const rows = live.current.series
              .map((s, i) => ({ s, i, v: s.values[idx] ?? null }))
              .filter(({ s }) => !live.current.hidden.has(s.label))
              .sort((a, b) => (live.current.kind === 'stacked-bars' ? 0 : (b.v ?? -Infinity) - (a.v ?? -Infinity)))
              .slice(0, 12)
              .map(({ s, v }) => ({ label: s.label, color: s.color, text: formatValue(v, s.unit) }));
            setTooltip({ left, top: top ?? 0, time: (u.data[0][idx] as number) * 1000, rows, markers: near });
          },
        ],
      },
    };
    const chart = new uPlot(opts, data, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    const leave = () => {
      setTooltip(null);
      setFocused(null);
    };
    chart.over.addEventListener('mouseleave', leave);
    // Clicking a marker opens what it stands for (the deploy or the incident).
    const click = () => {
      const near = tooltipMarkers(chart);
      if (near?.href) globalThis.location.assign(near.href);
    };
    chart.over.addEventListener('click', click);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // A new chart for a new shape of series; data changes are pushed with setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  function tooltipMarkers(chart: uPlot): ChartMarker | undefined {
    const { left } = chart.cursor;
    if (left == null || left < 0) return undefined;
    const xVal = chart.posToVal(left, 'x') * 1000;
    const msPerPx = ((chart.scales.x.max! - chart.scales.x.min!) * 1000) / chart.bbox.width * uPlot.pxRatio;
    return live.current.markers.find((m) => m.href && Math.abs(m.atMs - xVal) <= msPerPx * 5);
  }

  useEffect(() => {
    const chart = plot.current;
    if (!chart) return;
    chart.setData(data, false);
    chart.setScale('x', { min: window.fromMs / 1000, max: window.toMs / 1000 });
  }, [data, window.fromMs, window.toMs]);

  useEffect(() => {
    plot.current?.redraw(false);
  }, [markers, bands]);

  const toggle = (label: string, isolate: boolean) => {
    const chart = plot.current;
    const next = new Set(hidden);
    if (isolate) {
      const onlyThis = series.every((s) => s.label === label || hidden.has(s.label));
      next.clear();
      if (!onlyThis) for (const s of series) if (s.label !== label) next.add(s.label);
    } else if (next.has(label)) next.delete(label);
    else next.add(label);
    setHidden(next);
    if (kind === 'lines') series.forEach((s, i) => chart?.setSeries(i + 1, { show: !next.has(s.label) }));
  };

  return (
    <div className="time-chart">
      <div ref={container} className="time-chart-plot" role="img" aria-label={ariaLabel} style={{ height }} data-chart={kind}>
        {tooltip ? (
          <div className="chart-tooltip" style={{ left: Math.min(tooltip.left + 70, (container.current?.clientWidth ?? 600) - 260), top: 8 }}>
            <div className="chart-tooltip-time">{new Date(tooltip.time).toISOString().replace('T', ' ').slice(0, 19)} UTC</div>
            {tooltip.markers.map((m) => (
              <div key={`${m.kind}${m.atMs}${m.label}`} className={`chart-tooltip-marker marker-${m.kind}`}>
                {m.kind === 'deploy' ? '▼ ' : '● '}
                {m.label}
              </div>
            ))}
            {focused && kind === 'lines' ? (
              <div className="chart-tooltip-focus" data-focused-series={focused}>
                {focused}
              </div>
            ) : null}
            {tooltip.rows.map((r) => (
              <div key={r.label} className={r.label === focused ? 'chart-tooltip-row focused' : 'chart-tooltip-row'}>
                <span className="swatch" style={{ background: r.color }} />
                <span className="chart-tooltip-label">{r.label}</span>
                <span className="num">{r.text}</span>
              </div>
            ))}
          </div>
        ) : null}
      </div>
      {series.length > 1 || kind === 'stacked-bars' ? (
        <>
          {kind === 'lines' && series.length > MANY_LINES ? (
            <div className="small muted chart-hint">Point at a line or a legend entry to pick it out; click an entry to hide it, Ctrl+click to show only it.</div>
          ) : null}
          <ul className="chart-legend" aria-label="Legend: click to show or hide a series, Ctrl+click to show only it">
            {series.map((s) => (
              <li key={s.label}>
                <button
                  type="button"
                  className={`legend-item${hidden.has(s.label) ? ' off' : ''}${focused === s.label ? ' focused' : ''}`}
                  aria-pressed={!hidden.has(s.label)}
                  onClick={(e) => toggle(s.label, e.ctrlKey || e.metaKey)}
                  // Pointing at a legend entry brings its line forward (the others dim).
                  onMouseEnter={() => kind === 'lines' && plot.current?.setSeries(series.indexOf(s) + 1, { focus: true })}
                  onMouseLeave={() => kind === 'lines' && plot.current?.setSeries(null, { focus: true })}
                  title="Click to hide or show; Ctrl+click to show only this one"
                >
                  <span className="swatch" style={{ background: s.color }} />
                  {s.label}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
