// The soak's checks in a few seconds (the long run is `npm run soak`): faults injected into the demo world's
// and a Python plugin's providers while readers and writers keep going; every acknowledged write is visible
// once, circuits open and close, no request outlives its deadline, memory comes back.
import { expect, it } from 'vitest';
import { runSoak, soakVerdict, summarizeSoak } from './session.ts';

it('keeps every acknowledged write exactly once, opens and closes circuits and meets its deadline under injected faults', async () => {
  const report = await runSoak({
    seed: Number(process.env.SOAK_SEED ?? 20_261_126),
    warmupMs: 2_000,
    faultsMs: 8_000,
    calmMs: 5_000,
    readers: 4,
    writers: 3,
    providerTimeoutMs: 800,
    breakerCooldownMs: 1_000,
    outageEveryMs: 4_000,
    outageMs: 2_000,
    log: (line) => console.log(line),
  });
  console.log(summarizeSoak(report));
  expect(report.requests.faults).toBeGreaterThan(50);
  expect(soakVerdict(report), summarizeSoak(report)).toEqual([]);
}, 120_000);
