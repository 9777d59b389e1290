// Missed scrape rounds fall on absolute instants and the demo's pods on instants relative to its clock, so how many
// gaps a day of points holds depended on when the test ran (about one run in two saw too few). The demo clock is
// pinned for this file (vi.hoisted runs before the imports, so before anything reads it) and restored after.
import { afterAll, describe, it, expect, vi } from 'vitest';
import { seriesOf, values, window, type Point } from './series-testing.ts';

const pinned = vi.hoisted(() => {
  const before = process.env.OPSORCH_DEMO_NOW;
  process.env.OPSORCH_DEMO_NOW = '2026-03-14T10:00:00Z';
  return { before };
});
afterAll(() => {
  if (pinned.before === undefined) delete process.env.OPSORCH_DEMO_NOW;
  else process.env.OPSORCH_DEMO_NOW = pinned.before;
});


describe('missed scrapes', () => {
  /** Indexes of points more than 40% below both neighbours' values: what a series losing members looks like. */
  const dips = (points: Point[]) =>
    points.flatMap((p, i) => {
      const neighbours = [points[i - 1]?.value, points[i + 1]?.value].filter((v): v is number => v != null);
      return p.value !== null && neighbours.length === 2 && neighbours.every((n) => p.value! < 0.6 * n) ? [i] : [];
    });

  it('never drop an aggregate: a rate over every environment stays whole at every step', async () => {
    // Six hours at 30 s and 15 s steps cover about 2,200 scrape rounds: a handful of them missed.
    for (const step of ['15s', '30s']) {
      const byCode = await seriesOf({ name: 'http_requests_total', scope: { service: 'checkout' }, groupBy: ['code'] }, window(360, 0), step);
      const total = await seriesOf({ name: 'http_requests_total', scope: { service: 'checkout' }, groupBy: [] }, window(360, 0), step);
      // The 5xx series is noisy by nature (a handful of errors per step); the others are steady traffic.
      const steady = [...byCode.series.filter((s: { labels: { value: string }[] }) => s.labels[0]!.value !== '500'), ...total.series];
      expect(steady).toHaveLength(3);
      for (const series of steady) {
        const points = series.points as Point[];
        expect(dips(points), `${step} ${JSON.stringify(series.labels)}`).toEqual([]);
        // rate() over a window of four scrapes computes from the samples it has: no gap either.
        expect(points.filter((p) => p.value === null), `${step} ${JSON.stringify(series.labels)}`).toEqual([]);
      }
    }
  });

  it('show as gaps in gauges, in every series at the same instant, as Prometheus answers a stale instant', async () => {
    const range = window(24 * 60, 0);
    const perPod = await seriesOf({ name: 'cpu_usage_ratio', scope: { team: 'commerce' }, groupBy: ['service', 'env', 'pod'] }, range, '15s');
    const gapsOf = (series: { points: Point[] }) => series.points.flatMap((p) => (p.value === null ? [p.timestamp] : []));
    const gaps = gapsOf(perPod.series[0]);
    // About one round in 500 is missed: a day of 15 s rounds has a few.
    expect(gaps.length).toBeGreaterThan(2);
    expect(gaps.length).toBeLessThan(60);
    for (const series of perPod.series) expect(gapsOf(series), JSON.stringify(series.labels)).toEqual(gaps);
    // Summed over pods and environments, the gap stays a gap (an empty aggregate), never a smaller sum.
    const total = await seriesOf({ name: 'cpu_usage_ratio', scope: { team: 'commerce' }, groupBy: [], aggregation: 'SUM' }, range, '15s');
    expect(gapsOf(total.series[0])).toEqual(gaps);
    expect(dips(total.series[0].points)).toEqual([]);
    const count = await seriesOf({ name: 'cpu_usage_ratio', scope: { team: 'commerce' }, groupBy: [], aggregation: 'COUNT' }, range, '15s');
    expect(new Set(values(count.series[0].points))).toEqual(new Set([perPod.series.length]));
    // A step of several scrapes stands for all of them: no gap.
    const hourly = await seriesOf({ name: 'cpu_usage_ratio', scope: { team: 'commerce' }, groupBy: [] }, range, '5m');
    expect(hourly.series[0].points.filter((p: Point) => p.value === null)).toEqual([]);
  });
});
