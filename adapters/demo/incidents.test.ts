import { describe, it, expect } from 'vitest';
import { ANONYMOUS, silentLogger, type ProviderContext } from '../src/context.ts';
import { isoMinutesAgo } from './clock.ts';
import { DemoIncidentProvider } from './incidents.ts';
import { scenarios, storyOf } from './world.ts';

const ctx = (): ProviderContext => ({
  signal: new AbortController().signal,
  logger: silentLogger,
  actor: ANONYMOUS,
  requestId: 'test',
  now: new Date(),
});

describe('demo incidents provider', () => {
  it('turns every scenario into an incident with its number, trigger time and whole timeline', async () => {
    const provider = new DemoIncidentProvider('demo');
    const ids = scenarios.map((s) => `demo:${s.incident.nativeId}`);
    const records = await provider.getMany(ids, ctx());
    const timelines = await provider.timelines(ids, 'OLDEST_FIRST', { first: 200, after: null }, ctx());
    scenarios.forEach((s, i) => {
      expect(records[i]).toMatchObject({
        number: s.incident.number,
        title: s.title,
        serviceId: s.rootServiceId,
        startedAt: isoMinutesAgo(s.triggeredMinutesAgo),
        status: s.status.toUpperCase(),
        severity: s.severity,
      });
      expect(timelines[i]!.items.map((e) => e.message)).toEqual(storyOf(s).timeline.map((e) => e.message));
      // updatedAt is the latest thing that happened
      expect(records[i]!.updatedAt >= timelines[i]!.items.at(-1)!.at).toBe(true);
    });
  });

  it('answers one slot per key, null and empty pages for unknown keys', async () => {
    const provider = new DemoIncidentProvider('demo');
    expect(await provider.getMany(['demo:NOPE', 'other:Q3VW8TR'], ctx())).toEqual([null, null]);
    const pages = await provider.incidentsForServices(['checkout', 'nope', 'checkout'], {}, { first: 10, after: null }, ctx());
    expect(pages.map((p) => p.items.length)).toEqual([1, 0, 1]);
    expect(await provider.timelines(['demo:NOPE'], 'NEWEST_FIRST', { first: 5, after: null }, ctx())).toEqual([
      { items: [], nextCursor: null, totalCount: 0 },
    ]);
  });

  it('keeps its state per instance and hands out copies', async () => {
    const a = new DemoIncidentProvider('demo');
    const b = new DemoIncidentProvider('demo');
    await a.acknowledgeIncident('demo:Q8MZ4KD', ctx());
    const [fromA] = await a.getMany(['demo:Q8MZ4KD'], ctx());
    const [fromB] = await b.getMany(['demo:Q8MZ4KD'], ctx());
    expect(fromA!.status).toBe('ACKNOWLEDGED');
    expect(fromB!.status).toBe('TRIGGERED');
    fromA!.title = 'changed by a caller';
    expect((await a.getMany(['demo:Q8MZ4KD'], ctx()))[0]!.title).toBe('orders-db connection pool saturated');
  });
});
