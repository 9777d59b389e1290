// The step policy of every metric read, applied in the subgraph so every provider ships the same number of
// points: a chart is never sent more points per series than it has pixels, and never more than 2,000.
import { badInput, formatStep, parseDuration, type ResolvedTimeRange } from '@opsorch/adapters';

/** No series ever ships more points than this, whatever the range: a 7-day week at 5 minutes is 2,016. */
export const MAX_POINTS = 2_000;
/**
 * Points one request may carry over all its metric fields. Shaping and sending an answer is synchronous work
 * on the event loop (measured: about 1.2 s for 60,000 points on a busy shared core), so a request past this is
 * refused: 25 series of 2,000 points, or 18 services' golden signals at 600 points.
 */
export const MAX_POINTS_PER_REQUEST = 50_000;

/** Points the step aims for when the client names neither a step nor a point budget. */
export const DEFAULT_TARGET_POINTS = 300;
/** Steps the policy picks from, in seconds: each divides the next hour or day boundary evenly. */
export const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

export interface ResolvedStep {
  /** The step passed to the provider and echoed to the client, for example `5m`. */
  step: string;
  /** What the client asked for, or null when the step was chosen. */
  requestedStep: string | null;
  /** The point budget applied. */
  maxPoints: number;
}


const pointsOf = (spanMs: number, stepSeconds: number) => Math.ceil(spanMs / (stepSeconds * 1000));

/** The smallest nice step giving at most `maxPoints` points over `spanMs` (a whole number of seconds past the list). */
function smallestFitting(spanMs: number, maxPoints: number): number {
  for (const candidate of NICE_STEPS) if (pointsOf(spanMs, candidate) <= maxPoints) return candidate;
  return Math.ceil(spanMs / maxPoints / 1000);
}

/**
 * Chooses the step of a metric read. Without a step: the smallest nice step within `maxPoints`, or, when no
 * budget was given either, the nice step closest to about 300 points. A step that would give more points than
 * the budget is raised to the smallest nice step that fits (Grafana's "min step"), and the answer says so.
 */
export function resolveStep(range: ResolvedTimeRange, step: string | null | undefined, maxPoints: number | null | undefined): ResolvedStep {
  if (maxPoints !== null && maxPoints !== undefined && (!Number.isInteger(maxPoints) || maxPoints < 1 || maxPoints > MAX_POINTS)) {
    throw badInput(`maxPoints must be an integer from 1 to ${MAX_POINTS} (usually the chart's width in pixels), got ${maxPoints}`);
  }
  const budget = maxPoints ?? MAX_POINTS;
  const spanMs = range.to.getTime() - range.from.getTime();
  const fitting = smallestFitting(spanMs, budget);
  if (step) {
    const ms = parseDuration(step, 'step');
    if (ms % 1000 !== 0) throw badInput(`step "${step}" must be a whole number of seconds`);
    const seconds = ms / 1000;
    return { step: formatStep(Math.max(seconds, fitting)), requestedStep: step, maxPoints: budget };
  }
  if (maxPoints !== null && maxPoints !== undefined) return { step: formatStep(fitting), requestedStep: null, maxPoints: budget };
  const ideal = spanMs / DEFAULT_TARGET_POINTS / 1000;
  let best = NICE_STEPS[0]!;
  for (const candidate of NICE_STEPS) {
    if (Math.abs(Math.log(candidate / ideal)) < Math.abs(Math.log(best / ideal))) best = candidate;
  }
  return { step: formatStep(Math.max(best, fitting)), requestedStep: null, maxPoints: budget };
}
