// What the metrics subgraph's tests share: a runner over the subgraph in this process and the series query.
import { expect } from 'vitest';
import { minutesAgo } from '@opsorch/adapters/demo/clock.ts';
import { createSubgraphRunner } from '../shared/testing.ts';
import { metricsSubgraph } from './index.ts';

export const runner = createSubgraphRunner(metricsSubgraph);

export async function ok(source: string, variables?: Record<string, unknown>) {
  const result = await runner.run(source, variables);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data as Record<string, any>;
}

export async function errorOf(source: string, variables?: Record<string, unknown>) {
  const result = await runner.run(source, variables);
  expect(result.errors, 'expected an error').toBeDefined();
  return result.errors![0]!;
}

/** An absolute window in the demo's past, so answers do not depend on when the test runs. */
export function window(fromMinutesAgo: number, toMinutesAgo: number) {
  return { from: minutesAgo(fromMinutesAgo).toISOString(), to: minutesAgo(toMinutesAgo).toISOString() };
}

export const SERIES = /* GraphQL */ `
  query ($query: MetricQueryInput!, $range: TimeRangeInput, $step: String) {
    metricSeries(query: $query, range: $range, step: $step) {
      series { name unit aggregation labels { name value } service { id } points { timestamp value } }
      range { from to }
      step
      aggregation
      query
      url
      providerErrors { provider code }
    }
  }
`;

export type Point = { timestamp: string; value: number | null };
export const values = (points: Point[]) => points.map((p) => p.value).filter((v): v is number => v !== null);
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function seriesOf(query: Record<string, unknown>, range: Record<string, string>, step?: string) {
  const data = await ok(SERIES, { query, range, step });
  return data.metricSeries;
}
