import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import {
  badInput,
  compileUserPattern,
  resolveTimeRange,
  type MetricSeriesRecord,
  type OpsOrchError,
  type ResolvedTimeRange,
} from '@opsorch/adapters';
import type {
  MetricLabelMatcher,
  QueryMetricDescriptorsArgs,
  QueryMetricLabelValuesArgs,
  QueryMetricSeriesArgs,
  ServiceGoldenSignalsArgs,
  TimeRangeInput,
} from '@opsorch/schema';
import { everyInstance, listConnection, loadersFor, providerErrorsOf, type RequestContext } from '../shared/index.ts';
import { createMetricLoaders } from './loaders.ts';
import { MAX_POINTS_PER_REQUEST, resolveStep } from './step.ts';

/** Metric reads look at the last hour unless told otherwise. */
const DEFAULT_FROM = 'now-1h';

const loaders = (ctx: RequestContext) => loadersFor(ctx, 'metrics', createMetricLoaders);

/**
 * Counts the points a request's metric fields carry; the field that would go past MAX_POINTS_PER_REQUEST is
 * refused with the sizes to change (the fields answered before it keep their data).
 */
function spendPoints(ctx: RequestContext, series: readonly MetricSeriesRecord[], where: string): void {
  const budget = loadersFor(ctx, 'metrics-points', () => ({ used: 0 }));
  const points = series.reduce((sum, s) => sum + s.points.length, 0);
  if (budget.used + points > MAX_POINTS_PER_REQUEST) {
    const widest = Math.max(1, ...series.map((s) => s.points.length));
    throw badInput(
      `${where} would carry ${points} points (${series.length} series of up to ${widest}), past the ${MAX_POINTS_PER_REQUEST} points one request may carry${budget.used > 0 ? ` (${budget.used} already used)` : ''}: group by fewer labels, add label matchers, or lower maxPoints`,
    );
  }
  budget.used += points;
}

function metricRange(range: TimeRangeInput | null | undefined, ctx: RequestContext): ResolvedTimeRange {
  return resolveTimeRange(range, ctx.provider.now, DEFAULT_FROM);
}

/** Rejects label matchers no provider could run, naming the matcher, before any provider is asked. */
function checkMatchers(matchers: readonly MetricLabelMatcher[] | null | undefined): void {
  (matchers ?? []).forEach((matcher, i) => {
    const name = `query.labels[${i}] (label "${matcher.name}")`;
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(matcher.name)) throw badInput(`${name}: label names are letters, digits and underscores, not starting with a digit`);
    if (matcher.op === 'REGEX' || matcher.op === 'NOT_REGEX') compileUserPattern(matcher.value, name, 'full');
  });
}

function checkMetricName(name: string): void {
  // Dots separate the parts of Datadog's and OpenTelemetry's names (`trace.http.request.hits`).
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:.]*$/.test(name)) {
    throw badInput(`metric name "${name}" is not valid: use letters, digits, underscores, colons and dots, as in http_requests_total or system.cpu.user`);
  }
}

/** A metric usually lives in one instance: NOT_FOUND from the others is no failure. */
const notHere = (error: OpsOrchError) => error.code === 'NOT_FOUND';

export const resolvers: GraphQLResolverMap<RequestContext> = {
  Query: {
    metricDescriptors(_: unknown, args: QueryMetricDescriptorsArgs, ctx: RequestContext) {
      const filter = args.filter ?? {};
      return listConnection(ctx, 'metrics', args, (provider, page) => provider.descriptors(filter, page, ctx.provider), (a, b) => a.name.localeCompare(b.name));
    },

    async metricLabelValues(_: unknown, args: QueryMetricLabelValuesArgs, ctx: RequestContext) {
      checkMetricName(args.name);
      const first = args.first ?? null;
      if (first !== null && (!Number.isInteger(first) || first < 1 || first > 1000)) throw badInput(`first must be an integer from 1 to 1000, got ${first}`);
      const { answers, failures } = await everyInstance(ctx, 'metrics', (p) => p.labelValues(args.name, args.label, args.scope ?? null, ctx.provider), notHere);
      for (const failure of failures) ctx.provider.logger.warn({ provider: failure.provider, code: failure.code }, `metricLabelValues: ${failure.message}`);
      const text = args.text?.trim().toLowerCase();
      const values = [...new Set(answers.flat())].filter((v) => !text || v.toLowerCase().includes(text)).sort();
      return first === null ? values : values.slice(0, first);
    },

    async metricSeries(_: unknown, args: QueryMetricSeriesArgs, ctx: RequestContext) {
      checkMetricName(args.query.name);
      checkMatchers(args.query.labels);
      const range = metricRange(args.range, ctx);
      // The step policy is the subgraph's, so every provider ships the same, bounded number of points.
      const policy = resolveStep(range, args.step, args.maxPoints);
      const { answers, failures } = await everyInstance(ctx, 'metrics', (p) => p.series(args.query, range, policy.step, ctx.provider), notHere);
      const [first] = answers;
      spendPoints(ctx, answers.flatMap((a) => a.series), 'metricSeries');
      return {
        ...first!,
        step: policy.step,
        requestedStep: policy.requestedStep,
        maxPoints: policy.maxPoints,
        series: answers.flatMap((a) => a.series),
        providerErrors: providerErrorsOf(failures),
      };
    },
  },

  MetricSeries: {
    service: (series: MetricSeriesRecord) => (series.serviceId ? { id: series.serviceId } : null),
  },

  Service: {
    __resolveReference: (reference: { id: string }) => reference,

    /** The first instance that knows the service answers; all instances are asked at once (one batch each). */
    async goldenSignals(service: { id: string }, args: ServiceGoldenSignalsArgs, ctx: RequestContext) {
      const range = metricRange(args.range, ctx);
      const policy = resolveStep(range, args.step, args.maxPoints);
      const keys = ctx.registry.all('metrics').map((p) => ({ instance: p.instance, serviceId: service.id, range, step: policy.step }));
      // The first instance that knows the service answers; a failure counts only when none does (as firstFoundEverywhere).
      const answers = await loaders(ctx).goldenSignals.loadMany(keys);
      const found = answers.find((a): a is NonNullable<typeof a> & { range: unknown } => a !== null && !(a instanceof Error));
      if (found) {
        const { latencyP99, errorRate, requestRate, saturation } = found as unknown as Record<'latencyP99' | 'errorRate' | 'requestRate' | 'saturation', MetricSeriesRecord | null>;
        spendPoints(ctx, [latencyP99, errorRate, requestRate, saturation].filter((x): x is MetricSeriesRecord => x !== null), `goldenSignals of ${service.id}`);
        return { ...found, step: policy.step, requestedStep: policy.requestedStep };
      }
      const failed = answers.find((a): a is Error => a instanceof Error);
      if (failed) throw failed;
      return null;
    },
  },
};
