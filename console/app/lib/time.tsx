// Times are rendered against the `now` of the page's loader, never the browser's clock, so the server's
// HTML and the hydrated page agree (and "3m ago" means the same thing in both). Absolute times are UTC:
// an incident's responders sit in several time zones.
import { createContext, useContext } from 'react';

const NowContext = createContext<number>(0);

export function NowProvider({ now, children }: { now: string; children: React.ReactNode }) {
  return <NowContext.Provider value={Date.parse(now)}>{children}</NowContext.Provider>;
}

export function useNow(): number {
  return useContext(NowContext);
}

/** `45s`, `12m`, `3h 5m`, `2d 4h`: compact durations for dense tables. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** `2026-11-26 06:48 UTC` (`withZone` false where a column header already says UTC). */
export function formatUtc(iso: string, withSeconds = false, withZone = true): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const t = d.toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, withSeconds ? 19 : 16)}${withZone ? ' UTC' : ''}`;
}

/** `06:48` (UTC) for timelines where the date is obvious. */
export function formatClock(iso: string): string {
  const t = new Date(iso).toISOString();
  return t.slice(11, 16);
}

export function relative(iso: string, now: number): string {
  const diff = now - Date.parse(iso);
  return diff >= 0 ? `${formatDuration(diff)} ago` : `in ${formatDuration(-diff)}`;
}

/** A relative time with the exact UTC instant on hover. */
export function TimeAgo({ at }: { at: string | null | undefined }) {
  const now = useNow();
  if (!at) return <span className="muted">—</span>;
  return (
    <time dateTime={at} title={formatUtc(at, true)}>
      {relative(at, now)}
    </time>
  );
}
