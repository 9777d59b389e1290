// Colours of the explorers: one per log level (as Grafana colours them) and a palette for series.

export const LEVELS = ['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'UNKNOWN'] as const;
export type Level = (typeof LEVELS)[number];

export const LEVEL_COLORS: Record<Level, string> = {
  FATAL: '#c792ea',
  ERROR: '#f0524b',
  WARN: '#e8a33d',
  INFO: '#3fb27f',
  DEBUG: '#5aa2e8',
  UNKNOWN: '#6b7785',
};

export const SERIES_COLORS = ['#7cb7ff', '#f2b84b', '#3fb27f', '#f0524b', '#b48ef0', '#4fd1c5', '#f78fb3', '#a3be8c', '#ff9f43', '#8ab4f8', '#e0c872', '#6fd08c'];

export const MARKER_COLORS = { deploy: '#8ab4f8', incident: '#f0524b' } as const;

/**
 * HTTP status families keep their meaning whatever else a chart shows: success in blues and greens, redirects in
 * grey-teal, client errors in amber, server errors in red. A family's series take its shades in turn.
 */
const STATUS_FAMILY_COLORS: Record<string, string[]> = {
  '1': ['#8593a3', '#aab6c3'],
  '2': ['#5aa2e8', '#3fb27f', '#8ab4f8', '#6fd08c', '#4f8fd1', '#2e9468'],
  '3': ['#4fd1c5', '#7fa8a3', '#38a89d'],
  '4': ['#e8a33d', '#f2d37c', '#ff9f43', '#c98a2e'],
  '5': ['#f0524b', '#ff8a80', '#c9302c', '#ff6b5f'],
};
/** Label names that carry an HTTP status code. */
const STATUS_LABELS = new Set(['code', 'status', 'status_code', 'http.status', 'http_status']);
/** Colours for series that are not status codes: no red or amber, which status codes and incidents own. */
const NEUTRAL_COLORS = SERIES_COLORS.filter((c) => !['#f0524b', '#ff9f43', '#f2b84b', '#e0c872'].includes(c));

/** The status family (`2`, `4`, `5`...) a series stands for, from its labels; null when it is not a status code. */
function statusFamily(labels: readonly { name: string; value: string }[]): string | null {
  const status = labels.find((l) => STATUS_LABELS.has(l.name))?.value ?? '';
  const match = /^([1-5])(\d\d|xx)$/i.exec(status);
  return match ? match[1]! : null;
}

/** One colour per series, in order: status codes by family, other series from the neutral palette. */
export function seriesColors(series: readonly { labels: readonly { name: string; value: string }[] }[]): string[] {
  const taken = new Map<string, number>();
  let neutral = 0;
  return series.map((s) => {
    const family = statusFamily(s.labels);
    if (!family) return NEUTRAL_COLORS[neutral++ % NEUTRAL_COLORS.length]!;
    const shades = STATUS_FAMILY_COLORS[family]!;
    const n = taken.get(family) ?? 0;
    taken.set(family, n + 1);
    return shades[n % shades.length]!;
  });
}

/** The colour of the "other" series that sums what a chart leaves out. */
export const OTHER_COLOR = '#6b7785';
