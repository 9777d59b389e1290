// The log lines, virtualized with @tanstack/react-virtual: only the rows in view (plus a margin) are in the
// DOM, so 10,000 lines scroll like 50. A line expands to its fields, each with + / − to filter on it, its JSON
// message pretty-printed and its trace id linked to every line of that trace.
import { Link } from '@remix-run/react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useRef, useState } from 'react';
import { LEVEL_COLORS, type Level } from './colors.ts';
import { clockMs } from './format.ts';
import type { FieldFilter } from './log-query.ts';

export interface LogLineView {
  id: string;
  timestamp: string;
  level: string;
  rawLevel: string;
  message: string;
  environment: string | null;
  traceId: string | null;
  url: string;
  service: { id: string } | null;
  fields: { key: string; value: string }[];
}

export interface LogListProps {
  lines: LogLineView[];
  /** Ids of lines that just arrived (live tail): highlighted for a few seconds. */
  fresh?: ReadonlySet<string>;
  onFilter: (filter: FieldFilter) => void;
  /** Link to every line of a trace (across services) in the same window. */
  traceHref: (traceId: string) => string;
  height?: number | string;
}

/** The JSON inside a message (the whole message, or its `{...}` part), pretty-printed; null when there is none. */
export function prettyJson(message: string): string | null {
  const start = message.indexOf('{');
  const end = message.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    const value: unknown = JSON.parse(message.slice(start, end + 1));
    return typeof value === 'object' && value !== null ? JSON.stringify(value, null, 2) : null;
  } catch {
    return null;
  }
}

const ROW_HEIGHT = 22;

/** `error`, or `error (50)` when the tool spells it otherwise; the tool's word when the level is unknown. */
export function levelName(line: Pick<LogLineView, 'level' | 'rawLevel'>): string {
  if (line.level === 'UNKNOWN') return line.rawLevel;
  const name = line.level.toLowerCase();
  return line.rawLevel.toLowerCase() === name ? name : `${name} (${line.rawLevel})`;
}

export function LogList({ lines, fresh, onFilter, traceHref, height = '62vh' }: LogListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 24,
    getItemKey: (i) => lines[i]!.id,
  });
  const toggle = (id: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const items = virtualizer.getVirtualItems();
  return (
    <div ref={scroller} className="log-list" style={{ height }} data-log-list tabIndex={0} aria-label={`${lines.length} log lines`} role="list">
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
        {/* The first rows render on the server too (no scroll element there), so the page is never blank. */}
        {(items.length ? items : lines.slice(0, 40).map((line, index) => ({ key: line.id, index, start: index * ROW_HEIGHT }))).map((item) => {
          const line = lines[item.index]!;
          return (
            <div
              key={item.key as string}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className="log-row-slot"
              style={{ transform: `translateY(${item.start}px)` }}
              role="listitem"
            >
              <LogRow line={line} open={expanded.has(line.id)} fresh={fresh?.has(line.id) ?? false} onToggle={toggle} onFilter={onFilter} traceHref={traceHref} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

const LogRow = memo(function LogRow({
  line,
  open,
  fresh,
  onToggle,
  onFilter,
  traceHref,
}: {
  line: LogLineView;
  open: boolean;
  fresh: boolean;
  onToggle: (id: string) => void;
  onFilter: LogListProps['onFilter'];
  traceHref: LogListProps['traceHref'];
}) {
  const color = LEVEL_COLORS[line.level as Level] ?? LEVEL_COLORS.UNKNOWN;
  return (
    <div className={`log-row${open ? ' open' : ''}${fresh ? ' log-fresh' : ''}`} data-level={line.level}>
      <button type="button" className="log-line" onClick={() => onToggle(line.id)} aria-expanded={open} style={{ borderLeftColor: color }}>
        <span className="log-time" title={line.timestamp}>
          {clockMs(line.timestamp)}
        </span>
        <span className="log-level" style={{ color }}>
          {line.level === 'UNKNOWN' ? line.rawLevel : line.level.toLowerCase()}
        </span>
        <span className="log-service">{line.service?.id ?? '—'}</span>
        <span className="log-message">{line.message}</span>
      </button>
      {open ? <LogDetails line={line} onFilter={onFilter} traceHref={traceHref} /> : null}
    </div>
  );
});

function LogDetails({ line, onFilter, traceHref }: { line: LogLineView; onFilter: LogListProps['onFilter']; traceHref: LogListProps['traceHref'] }) {
  const json = prettyJson(line.message);
  const rows: { key: string; value: string }[] = [
    ...(line.service ? [{ key: 'service', value: line.service.id }] : []),
    ...(line.environment ? [{ key: 'environment', value: line.environment }] : []),
    // The normalized level names it; the tool's own spelling (`50`, `E`) follows when it differs.
    { key: 'level', value: levelName(line) },
    ...line.fields,
  ];
  return (
    <div className="log-details">
      <div className="log-details-head">
        <span className="mono small">{line.timestamp}</span>
        {line.traceId ? (
          <Link to={traceHref(line.traceId)} className="small" title="Every line of this trace, across services">
            Trace {line.traceId.slice(0, 12)}… →
          </Link>
        ) : null}
        <a href={line.url} target="_blank" rel="noreferrer" className="small">
          Open in the log tool ↗
        </a>
        <button type="button" className="small" onClick={() => void navigator.clipboard?.writeText(line.message)}>
          Copy message
        </button>
      </div>
      {json ? <pre className="log-json">{json}</pre> : <pre className="log-message-full">{line.message}</pre>}
      <table className="log-fields">
        <tbody>
          {rows.map((f) => {
            // service, environment and level are scope and severity controls, not field filters.
            const filterable = !['service', 'environment', 'level'].includes(f.key);
            return (
              <tr key={f.key}>
                <td className="field-actions">
                  {filterable ? (
                    <>
                      <button type="button" title={`Only lines with ${f.key} = ${f.value}`} aria-label={`Filter for ${f.key} = ${f.value}`} onClick={() => onFilter({ field: f.key, op: 'EQUALS', value: f.value })}>
                        +
                      </button>
                      <button type="button" title={`Hide lines with ${f.key} = ${f.value}`} aria-label={`Filter out ${f.key} = ${f.value}`} onClick={() => onFilter({ field: f.key, op: 'NOT_EQUALS', value: f.value })}>
                        −
                      </button>
                    </>
                  ) : null}
                </td>
                <th scope="row" className="mono">
                  {f.key}
                </th>
                <td className="mono">{f.key === 'trace_id' ? <Link to={traceHref(f.value)}>{f.value}</Link> : f.value}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
