// The explorers' panels for a service page or an incident page: the four golden signals as charts with deploy
// and incident markers, and the latest warnings and errors, all scoped to one service and one window, with
// links that open the full explorers on the same range.
import { Link } from '@remix-run/react';
import { useEffect, useMemo, useState } from 'react';
import { Problems } from '../ui.tsx';
import type { ApiProblem } from '../../lib/problems.ts';
import { LogList, type LogLineView } from './log-list.tsx';
import { formatFilter } from './log-query.ts';
import { formatValue } from './format.ts';
import { MetricChart, type DeployMarkerData, type IncidentMarkerData, type SeriesData } from './metric-chart.tsx';
import { axisWidthFor } from './time-chart.tsx';
import type { RawRange } from './range.ts';
import './explorer.css';

interface PanelData {
  signals: {
    step: string;
    range: { from: string; to: string };
    latencyP99: SeriesData | null;
    errorRate: SeriesData | null;
    requestRate: SeriesData | null;
    saturation: SeriesData | null;
  } | null;
  deploys: DeployMarkerData[];
  incidents: IncidentMarkerData[];
  lines: LogLineView[];
  resolvedRange: { from: string; to: string } | null;
  problems: ApiProblem[];
}

const SIGNALS = [
  ['latencyP99', 'Latency p99'],
  ['errorRate', 'Error rate'],
  ['requestRate', 'Traffic'],
  ['saturation', 'Saturation'],
] as const;

/** The metric each golden signal reads, for the link into the metric explorer. */
const EXPLORE_AGGREGATION: Record<(typeof SIGNALS)[number][0], string> = { latencyP99: 'P99', errorRate: 'AVG', requestRate: 'RATE', saturation: 'MAX' };

/**
 * One value-axis width for every panel of the grid, from the labels its charts can show (round values up to each
 * series' peak), so the plots start at the same x and their time axes line up.
 */
function sharedAxisWidth(series: readonly (SeriesData | null)[]): number {
  const labels = series.flatMap((s) => {
    if (!s) return [];
    const peak = Math.max(0, ...s.points.map((p) => p.value ?? 0)) * 1.08;
    return [0.25, 0.5, 0.75, 1].map((f) => formatValue(peak * f, s.unit));
  });
  return axisWidthFor(labels) + 6;
}

export function ExplorePanels({ service, range, title = 'Signals and logs' }: { service: string; range: RawRange; title?: string }) {
  const [data, setData] = useState<PanelData | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const shared = useMemo(() => new URLSearchParams({ service, from: range.from, to: range.to }), [service, range.from, range.to]);
  useEffect(() => {
    const controller = new AbortController();
    setData(null);
    fetch(`/explore/panel?${shared}&points=500`, { signal: controller.signal })
      .then(async (r) => {
        if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
        setData((await r.json()) as PanelData);
      })
      .catch((error: Error) => {
        if (error.name !== 'AbortError') setFailed(error.message);
      });
    return () => controller.abort();
  }, [shared]);

  const window_ = data?.resolvedRange ? { fromMs: Date.parse(data.resolvedRange.from), toMs: Date.parse(data.resolvedRange.to) } : null;
  return (
    <section className="section explore-panels" aria-label={title}>
      <header className="section-head">
        <h2>{title}</h2>
        <div className="section-actions">
          <span className="muted small">
            production{data?.signals ? `, step ${data.signals.step}` : ''} · ▼ deploys ● incidents
          </span>
          <Link to={`/explore/metrics?${shared}&metric=error_ratio`}>Metrics →</Link>
          <Link to={`/explore/logs?${shared}`}>Logs →</Link>
        </div>
      </header>
      {failed ? <div className="problems">The panels could not load: {failed}</div> : null}
      {data ? <Problems problems={data.problems} what="the panels may be incomplete" /> : null}
      {!data && !failed ? <div className="empty">Loading signals and logs…</div> : null}
      {data && window_ ? (
        <>
          {data.signals ? (
            <div className="panel-grid">
              {SIGNALS.map(([key, label]) => {
                const series = data.signals![key];
                return (
                  <div key={key} className="panel" data-panel={key}>
                    <h3>
                      <span>{label}</span>
                      {series ? (
                        <Link className="small" to={`/explore/metrics?${shared}&metric=${series.name}&agg=${EXPLORE_AGGREGATION[key]}`}>
                          {series.name} →
                        </Link>
                      ) : null}
                    </h3>
                    {series ? (
                      <MetricChart
                        series={[{ ...series, labels: [] }]}
                        metric={label}
                        window={window_}
                        deploys={data.deploys}
                        incidents={data.incidents}
                        nowMs={window_.toMs}
                        height={150}
                        title={`${label} of ${service}`}
                        yAxisWidth={sharedAxisWidth(SIGNALS.map(([k]) => data.signals![k]))}
                      />
                    ) : (
                      <div className="empty">No such signal for this kind of service.</div>
                    )}
                  </div>
                );
              })}
            </div>
          ) : (
            <div className="empty">No metrics provider knows {service}.</div>
          )}
          <div className="panel-logs">
            <h3>
              <span>Latest warnings and errors</span>
              <Link className="small" to={`/explore/logs?${shared}&level=WARN&level=ERROR&level=FATAL`}>
                All of them →
              </Link>
            </h3>
            {data.lines.length ? (
              <LogList
                lines={data.lines}
                height={Math.min(260, data.lines.length * 22 + 4)}
                onFilter={(f) => globalThis.location.assign(`/explore/logs?${shared}&q=${encodeURIComponent(formatFilter(f))}`)}
                traceHref={(traceId) => `/explore/logs?${new URLSearchParams({ from: range.from, to: range.to, q: `trace_id=${traceId}` })}`}
              />
            ) : (
              <div className="empty">No warning or error in this window.</div>
            )}
          </div>
        </>
      ) : null}
    </section>
  );
}

/** The window an incident's panels show: from half an hour before it started to a quarter after it ended (or now). */
export function incidentWindow(startedAt: string, resolvedAt: string | null): RawRange {
  const from = new Date(Date.parse(startedAt) - 30 * 60_000).toISOString();
  return { from, to: resolvedAt ? new Date(Date.parse(resolvedAt) + 15 * 60_000).toISOString() : 'now' };
}
