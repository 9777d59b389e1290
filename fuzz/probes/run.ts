// `npm run probes`: every attack probe, active or still waiting for its fix, with what it found. Exits 1 when an
// active probe finds its hole open (a waiting one is expected to, until its change lands). PROBES=a,b picks some.
import { PROBES, runProbes } from './index.ts';

const only = process.env.PROBES?.split(',').map((p) => p.trim());
const chosen = PROBES.filter((p) => !only || only.includes(p.id));
const outcomes = await runProbes(chosen, (line) => console.log(line));
const open = outcomes.filter((o) => o.problem);
const regressions = open.filter((o) => !o.probe.waitsFor);
console.log(`probes: ${outcomes.length - open.length} held, ${open.length} open (${open.length - regressions.length} waiting for their fix, ${regressions.length} regressions)`);
for (const o of outcomes.filter((x) => x.probe.waitsFor && !x.problem)) console.log(`  ${o.probe.id} holds now: drop its waitsFor (${o.probe.waitsFor}) to make it active`);
process.exit(regressions.length ? 1 : 0);
