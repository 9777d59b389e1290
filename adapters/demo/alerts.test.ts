import { describe, it, expect } from 'vitest';
import { ANONYMOUS, silentLogger, type ProviderContext } from '../src/context.ts';
import { DemoAlertProvider } from './alerts.ts';
import { minutesAgo } from './clock.ts';
import { scenarios } from './world.ts';

const ctx = (now = new Date()): ProviderContext => ({
  signal: new AbortController().signal,
  logger: silentLogger,
  actor: ANONYMOUS,
  requestId: 'test',
  now,
});

describe('demo alerts provider', () => {
  it('has every scenario alert, at the scenario time, plus background alerts', async () => {
    const provider = new DemoAlertProvider('demo');
    const { items } = await provider.query({}, { first: 200, after: null }, ctx());
    for (const alert of scenarios.flatMap((s) => s.alerts)) {
      const found = items.find((a) => a.name === alert.name && a.serviceId === alert.serviceId);
      expect(found, `${alert.name} ${alert.serviceId}`).toBeDefined();
      expect(found!.startsAt).toBe(minutesAgo(alert.firingMinutesAgo).toISOString());
      expect(found!.endsAt).toBe(alert.resolvedMinutesAgo === undefined ? null : minutesAgo(alert.resolvedMinutesAgo).toISOString());
      expect(found!.rawSeverity).toBe(alert.severity);
    }
    expect(items.length).toBeGreaterThan(scenarios.flatMap((s) => s.alerts).length);
    expect(new Set(items.map((a) => a.fingerprint)).size).toBe(items.length);
  });

  it('computes state from time: a silence ends on its own and a resolved alert stays resolved', async () => {
    const provider = new DemoAlertProvider('demo');
    const { items } = await provider.query({ text: 'SearchIndexLagHigh' }, { first: 5, after: null }, ctx());
    const silenced = items[0]!;
    expect(silenced.state).toBe('SILENCED');
    const after = new Date(Date.parse(silenced.silencedUntil!) + 1);
    expect((await provider.getMany([silenced.id], ctx(after)))[0]!.state).toBe('FIRING');
  });

  it('maps severities critical→SEV2, warning→SEV3, info→SEV5', async () => {
    const provider = new DemoAlertProvider('demo');
    const { items } = await provider.query({}, { first: 200, after: null }, ctx());
    const mapping = new Set(items.map((a) => `${a.rawSeverity}→${a.severity}`));
    expect([...mapping].sort()).toEqual(['critical→SEV2', 'info→SEV5', 'warning→SEV3']);
  });
});
