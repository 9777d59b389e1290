// What the metric explorer reads from its URL, and the chart width it learned from the browser (shared by the
// loader and the page).
import type { MetricAggregation, MetricLabelMatchOp, MetricLabelMatcher } from '../../graphql/explorer/generated.ts';
import { oneOf } from '../../lib/params.ts';
import { rangeFromParams, type RawRange } from './range.ts';

export const AGGREGATIONS: MetricAggregation[] = ['AVG', 'SUM', 'MIN', 'MAX', 'COUNT', 'RATE', 'P50', 'P95', 'P99'];
export const STEP_CHOICES = ['15s', '30s', '1m', '5m', '15m', '1h', '6h', '1d'];

/** The chart's width in CSS pixels, remembered by the browser (see MetricChart): one point per pixel. */
export const WIDTH_COOKIE = 'opsorch-chart-px';
/** Until the browser said how wide its chart is: a chart on a 1440 px screen. */
const DEFAULT_POINTS = 1100;

export interface MetricSearch {
  metric: string | null;
  aggregation: MetricAggregation | null;
  /** null: the API's default grouping; [] one series over everything. */
  groupBy: string[] | null;
  matchers: MetricLabelMatcher[];
  step: string | null;
  maxPoints: number;
  service: string | null;
  environment: string | null;
  range: RawRange;
  refresh: string | null;
}

const MATCHER = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)(.*)$/s;
const MATCH_OPS: Record<string, MetricLabelMatchOp> = { '=': 'EQUALS', '!=': 'NOT_EQUALS', '=~': 'REGEX', '!~': 'NOT_REGEX' };
export const MATCH_SYMBOLS: Record<MetricLabelMatchOp, string> = { EQUALS: '=', NOT_EQUALS: '!=', REGEX: '=~', NOT_REGEX: '!~' };

/** `route=/api/cart`, `code!=200`, `pod=~checkout-.*` as in the URL's `m` parameters. */
export function parseMatcher(text: string): MetricLabelMatcher | null {
  const match = MATCHER.exec(text);
  return match ? { name: match[1]!, op: MATCH_OPS[match[2]!]!, value: match[3]! } : null;
}

function cookieValue(request: Request, name: string): string | null {
  const header = request.headers.get('cookie') ?? '';
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

export function metricSearchFrom(request: Request): MetricSearch {
  const params = new URL(request.url).searchParams;
  const step = params.get('step')?.trim() || null;
  const points = Number(params.get('points') ?? cookieValue(request, WIDTH_COOKIE));
  return {
    metric: params.get('metric')?.trim() || null,
    // Typed as often as picked: `agg=p99` is P99. Metric and label names stay as written (PromQL is case-sensitive).
    aggregation: oneOf(params, 'agg', AGGREGATIONS) ?? null,
    groupBy: params.has('by') || params.get('grouped') === '1' ? params.getAll('by').flatMap((b) => b.split(',')).filter(Boolean) : null,
    matchers: params.getAll('m').map(parseMatcher).filter((m): m is MetricLabelMatcher => m !== null),
    step: step && /^\d+[smhdw]$/.test(step) ? step : null,
    maxPoints: Number.isInteger(points) && points > 0 ? Math.max(50, Math.min(2000, points)) : DEFAULT_POINTS,
    service: params.get('service')?.trim().toLowerCase() || null,
    environment: params.get('env')?.trim().toLowerCase() || null,
    range: rangeFromParams(params),
    refresh: params.get('refresh') || null,
  };
}

/** `checkout · production` for a series labelled `{service="checkout", env="production"}`. */
export function seriesLabel(labels: readonly { name: string; value: string }[], metric: string): string {
  return labels.length ? labels.map((l) => l.value || `${l.name}=""`).join(' · ') : metric;
}
