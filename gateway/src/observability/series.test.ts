import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastCounter, FastHistogram } from './series.ts';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LABELS = ['capability', 'provider', 'method'] as const;
/** Observations in seconds, bucket bounds included (a value equal to a bound counts in that bucket). */
const OBSERVED: [string, string, string, number][] = [
  ['incidents', 'demo', 'list', 0.004],
  ['incidents', 'demo', 'list', 0.005],
  ['incidents', 'demo', 'list', 0.3],
  ['services', 'demo', 'getMany', 31],
  ['incidents', 'pagerduty', 'list', 0],
  ['incidents', 'demo', 'list', 2.5],
  ['services', 'demo', 'getMany', 0.01],
];

/** Two registries with the same default label, one fed through prom-client, one through series.ts. */
function registries() {
  const make = () => {
    const registry = new Registry();
    registry.setDefaultLabels({ component: 'gateway' });
    return registry;
  };
  return { stock: make(), fast: make() };
}

describe('series kept in place', () => {
  it('a histogram reads on /metrics exactly as prom-client would show it', async () => {
    const { stock, fast } = registries();
    const options = { name: 'opsorch_provider_call_duration_seconds', help: 'Time a provider call took.', labelNames: LABELS, buckets: BUCKETS };
    const theirs = new Histogram({ ...options, labelNames: [...LABELS], registers: [stock] });
    const ours = new FastHistogram({ ...options, registry: fast });
    for (const [capability, provider, method, seconds] of OBSERVED) {
      theirs.observe({ capability, provider, method }, seconds);
      ours.observe(seconds, capability, provider, method);
    }
    expect(await fast.metrics()).toBe(await stock.metrics());
    expect(await fast.getMetricsAsJSON()).toEqual(await stock.getMetricsAsJSON());
    expect(() => ours.observe(Number.NaN, 'incidents', 'demo', 'list')).toThrow(/not a finite number/);
  });

  it('a counter reads on every scrape as if each increment had gone to prom-client', async () => {
    const { stock, fast } = registries();
    const options = { name: 'opsorch_provider_calls_total', help: 'Provider calls.', labelNames: [...LABELS, 'result'] };
    const theirs = new Counter({ ...options, registers: [stock] });
    const ours = new FastCounter({ ...options, registry: fast });
    const count = (rows: [string, string, string, string][]) => {
      for (const [capability, provider, method, result] of rows) {
        theirs.inc({ capability, provider, method, result });
        ours.inc(capability, provider, method, result);
      }
    };
    count([
      ['incidents', 'demo', 'list', 'ok'],
      ['incidents', 'demo', 'list', 'ok'],
      ['services', 'demo', 'getMany', 'PROVIDER_TIMEOUT'],
    ]);
    expect(await fast.metrics()).toBe(await stock.metrics());
    count([
      ['incidents', 'demo', 'list', 'ok'],
      ['alerts', 'prometheus', 'list', 'ok'],
    ]);
    expect(await fast.metrics()).toBe(await stock.metrics());
    expect(await fast.metrics()).toContain('opsorch_provider_calls_total{capability="incidents",provider="demo",method="list",result="ok",component="gateway"} 3');
  });

  it('a counter with one label', async () => {
    const { stock, fast } = registries();
    const theirs = new Counter({ name: 'c_total', help: 'c', labelNames: ['reason'], registers: [stock] });
    const ours = new FastCounter({ name: 'c_total', help: 'c', labelNames: ['reason'], registry: fast });
    for (const reason of ['per_client', 'max_connections', 'per_client']) {
      theirs.inc({ reason });
      ours.inc(reason);
    }
    expect(await fast.metrics()).toBe(await stock.metrics());
  });
});
