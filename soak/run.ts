// `npm run soak`: readers and writers against a gateway whose providers fail in every way for several minutes
// (SOAK_MINUTES, default 4), then the checks; prints the figures, exits 1 when one fails. SOAK_SEED replays the
// fault schedule.
import { runSoak, soakVerdict, summarizeSoak } from './session.ts';

const seed = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const minutes = Number(process.env.SOAK_MINUTES ?? 4);
console.log(`soak: seed ${seed} (SOAK_SEED=${seed} replays the fault schedule), ${minutes} minutes of faults`);
const report = await runSoak({
  seed,
  warmupMs: 10_000,
  faultsMs: minutes * 60_000,
  calmMs: 15_000,
  readers: 8,
  writers: 6,
  providerTimeoutMs: 1_500,
  breakerCooldownMs: 3_000,
  outageEveryMs: 20_000,
  outageMs: 6_000,
  log: (line) => console.log(line),
});
console.log(summarizeSoak(report));
const reasons = soakVerdict(report);
console.log(reasons.length ? `soak FAILED: ${reasons.join('; ')}` : 'soak passed');
process.exit(reasons.length ? 1 : 0);
