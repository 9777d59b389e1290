// `npm run bench:copilot`: `opsorch start` as its own process on the demo world, then "why is checkout failing?"
// asked through the public API (server-sent events) several times: time to the first streamed event, time to
// the answer, tool calls per investigation. With `--llm`, the LLM planner on a fake serving the eval transcript.
import { parseArgs } from 'node:util';
import { startFakeLlm } from '../eval/fake-llm.ts';
import { loadCases, startOpsOrch, stopWorld, streamAnswer } from '../eval/run.ts';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, llm: { type: 'boolean' } } });
  const runs = Number(values.runs);
  const script = loadCases('bad-deploy')[0]!.llm!.script;
  // Each investigation makes one request per scripted step, so the script repeats run after run.
  const fake = values.llm ? await startFakeLlm('openai', (_body, index) => script[index % script.length]!) : null;
  const env: NodeJS.ProcessEnv = { ...process.env, OPSORCH_CONSOLE: 'off', OPSORCH_AUDIT_SINKS: 'off' };
  if (fake) Object.assign(env, { OPSORCH_COPILOT_LLM_PROVIDER: 'openai', OPSORCH_COPILOT_LLM_MODEL: 'fake', OPSORCH_COPILOT_LLM_URL: fake.url });
  const world = await startOpsOrch(env);
  const first: number[] = [];
  const answered: number[] = [];
  const calls: number[] = [];
  try {
    for (let i = 0; i <= runs; i++) {
      const { answer, seconds, firstEventSeconds } = await streamAnswer(world.url, { question: 'why is checkout failing?', planner: fake ? 'llm' : 'builtin' });
      const line = `first event ${(firstEventSeconds * 1000).toFixed(0)} ms, answer ${(seconds * 1000).toFixed(0)} ms, ${answer.toolCalls} tool calls, cause: ${answer.mostLikelyCause?.title ?? 'none'}`;
      // The first run warms caches (documents, query plans, generated data) and is left out.
      if (i === 0) {
        process.stdout.write(`warm-up: ${line}\n`);
        continue;
      }
      first.push(firstEventSeconds * 1000);
      answered.push(seconds * 1000);
      calls.push(answer.toolCalls);
      process.stdout.write(`run ${i}: ${line}\n`);
    }
    process.stdout.write(
      `\n"why is checkout failing?" (${fake ? 'LLM planner on the fake' : 'built-in investigator'}, ${runs} runs): time to first event median ${median(first).toFixed(0)} ms; time to answer median ${median(answered).toFixed(0)} ms (min ${Math.min(...answered).toFixed(0)}, max ${Math.max(...answered).toFixed(0)}); tool calls per investigation ${median(calls)}\n`,
    );
  } finally {
    await stopWorld(world);
    await fake?.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench:copilot: ${error.message}\n`);
  process.exit(1);
});
