// The attack probes (fuzz/probes): each active probe must hold. A probe whose fix has not landed yet is
// listed as skipped with the change it waits for; `npm run probes` runs those too and says which holes are open.
import { describe, expect, it } from 'vitest';
import { PROBES, runProbes } from './probes/index.ts';

const active = PROBES.filter((p) => !p.waitsFor);
const waiting = PROBES.filter((p) => p.waitsFor);

describe('attack probes', () => {
  it.runIf(active.length > 0)(`hold: ${active.map((p) => p.id).join(', ') || 'none yet'}`, async () => {
    const outcomes = await runProbes(active, (line) => console.log(line));
    expect(outcomes.filter((o) => o.problem).map((o) => `${o.probe.id}: ${o.problem}`)).toEqual([]);
  }, 300_000);
  for (const probe of waiting) it.skip(`${probe.id} (${probe.source}) waits for ${probe.waitsFor}: ${probe.attack}`, () => {});
});
