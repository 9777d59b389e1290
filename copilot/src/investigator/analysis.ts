// Pure functions the checks share: log message templates, baselines and change points of series. No tool calls.

/** A log message with its variable parts blanked, so lines of one kind group together. */
export function messageTemplate(message: string): string {
  // The start of a line is enough to tell its kind, and keeps the work per line small whatever a log holds.
  return message
    .slice(0, 400)
    .replace(/"[^"]*"/g, (quoted) => (/^"(GET|POST|PUT|PATCH|DELETE) /.test(quoted) ? quoted.replace(/\/[\w\-./]*\d[\w\-./]*/g, '/*') : '"*"'))
    .replace(/\b[\w.+-]+@[\w-]+\.[\w.-]+\b/g, '<email>')
    .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<ip>')
    .replace(/\b(\w+)=([^\s,;)]+)/g, (_m, key: string) => `${key}=*`)
    .replace(/\b[0-9a-f]{8,}\b/gi, '<id>')
    .replace(/\b[a-z]+_[0-9a-z_]*\d[0-9a-z_]*\b/gi, '<id>')
    .replace(/\d+(\.\d+)?/g, 'N')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `text` up to `max` characters, ending in "…" when cut. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The longest run of plain words in a template: text the log explorer can search for. */
export function searchableText(template: string): string {
  const runs = template
    .split(/<[a-z]+>|\*|\bN\b|["=():]/)
    .map((part) => part.replace(/[^\w\s.'-]/g, ' ').replace(/\s+/g, ' ').trim())
    .filter((part) => part.length >= 4);
  return runs.sort((a, b) => b.length - a.length)[0] ?? '';
}

export interface Point {
  timestamp: string;
  value: number | null;
}

export interface SeriesChange {
  /** Mean before the symptom. */
  baseline: number;
  /** Mean after it. */
  after: number;
  /** When the series left its baseline for good (null when it did not). */
  changedAt: string | null;
  anomalous: boolean;
  /** `rose`, `fell` or `flat`. */
  direction: 'rose' | 'fell' | 'flat';
}

function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

export type SignalKind = 'latency' | 'errors' | 'traffic' | 'saturation';

/** When is a change worth reporting, per signal: relative factor and absolute floor. */
const RULES: Record<SignalKind, { factor: number; floor: number }> = {
  latency: { factor: 1.5, floor: 0.02 },
  errors: { factor: 3, floor: 0.01 },
  traffic: { factor: 1.6, floor: 1 },
  saturation: { factor: 1.25, floor: 0.05 },
};

/** Whether `value` is outside the baseline, the way the rule for this signal reads it. */
function deviates(kind: SignalKind, value: number, baseline: number): boolean {
  const { factor, floor } = RULES[kind];
  if (kind === 'traffic') return Math.abs(value - baseline) >= floor && (value >= baseline * factor || value <= baseline / factor);
  return value - baseline >= floor && value >= baseline * factor;
}

/**
 * Compares a series before and after `splitMs` and finds when it changed: the first point from which at least
 * three quarters of the remaining points deviate from the baseline (a change point that ignores single spikes).
 * Without a split, the first third of the series is the baseline.
 */
export function seriesChange(kind: SignalKind, points: readonly Point[], splitMs: number | null): SeriesChange | null {
  const valid = points.filter((p): p is { timestamp: string; value: number } => p.value !== null && Number.isFinite(p.value));
  if (valid.length < 4) return null;
  const split = splitMs ?? Date.parse(valid[Math.floor(valid.length / 3)]!.timestamp);
  const before = valid.filter((p) => Date.parse(p.timestamp) < split).map((p) => p.value);
  const afterPoints = valid.filter((p) => Date.parse(p.timestamp) >= split);
  if (before.length < 2 || afterPoints.length < 1) return null;
  // A baseline robust to the change itself leaking into its last points: the lower half's upper edge.
  const sorted = [...before].sort((a, b) => a - b);
  const baseline = kind === 'traffic' ? mean(before) : sorted[Math.floor((sorted.length - 1) * 0.5)]!;
  const after = mean(afterPoints.map((p) => p.value));
  let changedAt: string | null = null;
  for (let i = 0; i < valid.length; i++) {
    if (!deviates(kind, valid[i]!.value, baseline)) continue;
    const rest = valid.slice(i);
    const share = rest.filter((p) => deviates(kind, p.value, baseline)).length / rest.length;
    if (share >= 0.75 && rest.length >= 2) {
      changedAt = valid[i]!.timestamp;
      break;
    }
  }
  const anomalous = deviates(kind, after, baseline) && changedAt !== null;
  return { baseline, after, changedAt: anomalous ? changedAt : null, anomalous, direction: after > baseline ? 'rose' : after < baseline ? 'fell' : 'flat' };
}

/** `2m`, `5m`... a step giving about `points` points over the window. */
export function stepFor(windowMs: number, points = 60): string {
  const minutes = windowMs / 60_000 / points;
  for (const step of [1, 2, 5, 10, 15, 30, 60]) if (minutes <= step) return `${step}m`;
  return '2h';
}

/** `18.3 %`, `1.08 s`, `420 req/s` for a signal value. */
export function formatSignal(kind: SignalKind, value: number, unit?: string): string {
  if (kind === 'errors') return `${(value * 100).toFixed(value < 0.01 ? 2 : 1)} %`;
  if (kind === 'latency') return value >= 1 ? `${value.toFixed(2)} s` : `${Math.round(value * 1000)} ms`;
  if (kind === 'saturation' && (unit === 'ratio' || value <= 1)) return `${Math.round(value * 100)} %`;
  if (kind === 'traffic') return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${unit && unit !== 'requests/s' ? unit : 'req/s'}`;
  return `${Math.round(value)}${unit ? ` ${unit}` : ''}`;
}

/** `2 min`, `1 h 5 min`: a duration for people. */
export function formatDuration(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest ? `${hours} h ${rest} min` : `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}

/** `05:22 UTC` (or with the date when not today relative to `now`). */
export function formatTime(iso: string, now: Date): string {
  const sameDay = iso.slice(0, 10) === now.toISOString().slice(0, 10);
  return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}

/** Words of a question or title worth searching for. */
const STOP = new Set(
  'the a an is are was were why what whats how when where who which of to in on at for from with and or not no it its this that these those be been being do does did has have had after before since during about into over under than then there here our my your we you they them their failing failures failure broken down slow error errors issue issues problem problems going wrong happening happened changed change incident incidents service services please tell me requests request timing timeouts timeout latency high spike degraded degrading growing'.split(
    ' ',
  ),
);

export function keywords(text: string): string[] {
  return [...new Set((text.toLowerCase().match(/[a-z][a-z0-9-]{2,}/g) ?? []).filter((w) => !STOP.has(w)))];
}
