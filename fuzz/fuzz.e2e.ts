// The short fuzzing run of `npm test` (the long one is `npm run fuzz`): GraphQL operations generated from the
// schema's introspection and MCP tool calls generated from the tools' input schemas, against `opsorch start`
// as its own process. A fixed seed keeps CI repeatable; FUZZ_SEED=<n> npx vitest run fuzz/fuzz.e2e.ts tries another.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runFuzz, summarize, verdict } from './session.ts';
import { startTarget, type Target } from './target.ts';

let target: Target;

beforeAll(async () => {
  target = await startTarget();
}, 90_000);

afterAll(() => target?.stop());

it('answers hundreds of hostile GraphQL requests and MCP tool calls without a 5xx, an INTERNAL error or a crash', async () => {
  const report = await runFuzz(target, {
    seed: Number(process.env.FUZZ_SEED ?? 20_261_126),
    // Runs, not time, bound the short run, so a loaded machine sends as many requests as an idle one.
    graphqlRuns: 40,
    mcpRuns: 20,
    batch: 6,
    requestTimeoutMs: 30_000,
    log: (line) => console.log(line),
  });
  console.log(summarize(report));
  expect(report.requests.graphql).toBeGreaterThan(100);
  expect(report.requests.mcp).toBeGreaterThan(40);
  expect(verdict(report), summarize(report)).toEqual([]);
}, 300_000);
