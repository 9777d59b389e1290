// `npm run fuzz`: the long run. Starts `opsorch start` as its own process, fuzzes GraphQL and MCP for
// FUZZ_MINUTES (default 4) or FUZZ_RUNS batches per phase, prints the figures, exits 1 on any failure.
//   FUZZ_SEED=<n>                      the seed (default: random, printed)
//   FUZZ_REPLAY=<graphql|mcp>:<path>   replay one failing case that a run printed
//   FUZZ_BATCH=<n>                     requests in flight per batch (default 8)
import { startTarget } from './target.ts';
import { runFuzz, summarize, verdict } from './session.ts';

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const minutes = Number(process.env.FUZZ_MINUTES ?? 4);
const runs = Number(process.env.FUZZ_RUNS ?? 1_000_000);
const replay = process.env.FUZZ_REPLAY?.match(/^(graphql|mcp):(.+)$/);

console.log(`fuzz: seed ${seed} (FUZZ_SEED=${seed} replays this run), ${minutes} minutes per phase at most`);
const target = await startTarget();
let failed = true;
try {
  const report = await runFuzz(target, {
    seed,
    graphqlRuns: runs,
    mcpRuns: runs,
    batch: Number(process.env.FUZZ_BATCH ?? 8),
    timeLimitMs: minutes * 60_000,
    requestTimeoutMs: 60_000,
    replay: replay ? { phase: replay[1] as 'graphql' | 'mcp', path: replay[2]! } : undefined,
    log: (line) => console.log(line),
  });
  console.log(summarize(report));
  const reasons = verdict(report);
  console.log(reasons.length ? `fuzz FAILED: ${reasons.join('; ')}` : 'fuzz passed');
  failed = reasons.length > 0;
} finally {
  await target.stop();
}
process.exit(failed ? 1 : 0);
