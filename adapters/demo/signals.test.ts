import { describe, it, expect } from 'vitest';
import { closeMatches, intensityAt, intensityOver, podsOf, RAMP_IN_MS, RAMP_OUT_MS, resolveScope, signalsFor, versionAt, type TimedSignal } from './signals.ts';
import { minutesAgo } from './clock.ts';
import { serviceById } from './world.ts';

const signal: TimedSignal = { scenarioId: 's', serviceId: 'x', startMs: 1_000_000, endMs: 5_000_000, effects: { errorRate: 0.1 }, logPatterns: [] };

describe('scenario signal ramps', () => {
  it('ramps in from the start and out after the end', () => {
    expect(intensityAt(signal, signal.startMs - 1)).toBe(0);
    expect(intensityAt(signal, signal.startMs + RAMP_IN_MS / 2)).toBeCloseTo(0.5);
    expect(intensityAt(signal, signal.startMs + RAMP_IN_MS)).toBe(1);
    expect(intensityAt(signal, signal.endMs! + RAMP_OUT_MS / 2)).toBeCloseTo(0.5);
    expect(intensityAt(signal, signal.endMs! + RAMP_OUT_MS)).toBe(0);
  });

  it('averages over a window exactly as sampling would', () => {
    for (const [from, to] of [[900_000, 1_300_000], [1_050_000, 5_100_000], [4_900_000, 6_000_000], [2_000_000, 2_000_000]] as const) {
      let sum = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) sum += intensityAt(signal, from + ((i + 0.5) * (to - from)) / n);
      expect(intensityOver(signal, from, to)).toBeCloseTo(to === from ? intensityAt(signal, to) : sum / n, 3);
    }
  });

  it('places the world scenarios on the demo clock', () => {
    const [badDeploy] = signalsFor('checkout').filter((s) => s.scenarioId === 'scn-bad-deploy');
    expect(badDeploy!.startMs).toBe(minutesAgo(45).getTime());
    expect(badDeploy!.endMs).toBeNull();
    const checkout = serviceById.get('checkout')!;
    expect(versionAt(checkout, 'production', minutesAgo(46).getTime())).toBe('2.14.0');
    expect(versionAt(checkout, 'production', minutesAgo(48).getTime())).toBe('2.13.4');
  });
});

describe('demo scope and names', () => {
  it('includes sub-teams and refuses unknown ids with suggestions', () => {
    const commerce = resolveScope({ team: 'commerce' }).services.map((s) => s.id);
    expect(commerce).toContain('payments-api'); // owned by payments, a sub-team of commerce
    expect(() => resolveScope({ service: 'orders_db' })).toThrow(/did you mean "orders-db"/);
    expect(closeMatches('http_request_total', ['http_requests_total', 'cpu_usage_ratio'])).toEqual(['http_requests_total']);
  });

  it('names pods like Kubernetes does', () => {
    expect(podsOf(serviceById.get('media-storage')!, 'production')).toEqual(['media-storage-0', 'media-storage-1', 'media-storage-2']);
    expect(podsOf(serviceById.get('checkout')!, 'production')[0]).toMatch(/^checkout-[0-9a-f]{9}-[0-9a-f]{5}$/);
  });
});
