// The log explorer's volume: lines per level over time, and the share of them that are errors, with the error count
// in the heading. Errors are a sliver of a busy service's volume, so they get their own strip under the bars.
import { Link } from '@remix-run/react';
import { useMemo } from 'react';
import type { ExplorerLogOverviewQuery } from '../../graphql/explorer/generated.ts';
import { Empty } from '../ui.tsx';
import { LEVEL_COLORS } from './colors.ts';
import { formatCount, formatValue } from './format.ts';
import { TimeChart } from './time-chart.tsx';
import { useVolumeSeries } from './volume-series.ts';

type Volume = NonNullable<ExplorerLogOverviewQuery['logVolume']>;

const ERROR_LEVELS = new Set(['ERROR', 'FATAL']);
/** One value-axis width for both charts, so the error strip lines up under the bars. */
const AXIS_WIDTH = 56;

export function LogVolume({
  volume,
  window,
  onZoom,
  errorsHref,
}: {
  volume: Volume | null;
  window: { fromMs: number; toMs: number } | null;
  onZoom: (fromMs: number, toMs: number) => void;
  /** The same search, errors and fatal lines only. */
  errorsHref: string;
}) {
  const bars = useVolumeSeries(volume);
  const charts = useMemo(() => {
    if (!volume || !bars) return null;
    const errorsOf = (b: Volume['buckets'][number]) => b.counts.reduce((sum, c) => sum + (ERROR_LEVELS.has(c.level) ? c.count : 0), 0);
    return {
      ...bars,
      errors: volume.buckets.reduce((sum, b) => sum + errorsOf(b), 0),
      share: volume.buckets.map((b) => (b.total > 0 ? errorsOf(b) / b.total : null)),
    };
  }, [volume, bars]);
  const share = charts && volume && volume.total > 0 ? charts.errors / volume.total : 0;
  return (
    <section className="section explorer-volume" aria-label="Log volume">
      <header className="section-head">
        <h2>
          Volume <span className="count">{volume ? `${formatCount(volume.total)} lines${volume.estimated ? ' (estimated)' : ''}` : ''}</span>
          {charts ? (
            charts.errors ? (
              <Link to={errorsHref} className="error-share" data-errors={charts.errors} title="Show only the errors">
                {formatCount(charts.errors)} errors ({formatValue(share, 'ratio')})
              </Link>
            ) : (
              <span className="count" data-errors={0}>
                no errors
              </span>
            )
          ) : null}
        </h2>
        <span className="muted small">drag across the chart to zoom in</span>
      </header>
      {charts && window ? (
        <>
          <TimeChart kind="stacked-bars" timestamps={charts.timestamps} series={charts.series} window={window} height={110} ariaLabel="Log lines per level over time" onZoom={onZoom} yAxisWidth={AXIS_WIDTH} />
          {charts.errors ? (
            <div className="error-share-chart" data-chart-of="error share">
              <div className="small muted">Errors and fatal lines, share of all lines</div>
              <TimeChart
                timestamps={charts.timestamps}
                series={[{ label: 'error share', unit: 'ratio', color: LEVEL_COLORS.ERROR, values: charts.share }]}
                window={window}
                height={100}
                ariaLabel="Share of the lines that are errors or fatal, over time"
                onZoom={onZoom}
                yAxisWidth={AXIS_WIDTH}
              />
            </div>
          ) : null}
        </>
      ) : (
        <Empty>No volume for this query.</Empty>
      )}
    </section>
  );
}
