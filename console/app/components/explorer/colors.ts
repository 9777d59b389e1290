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
