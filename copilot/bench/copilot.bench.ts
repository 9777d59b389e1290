// `npm run bench:copilot`: `opsorch start` as its own process on the demo world, then "why is checkout failing?"
// asked through the public API (server-sent events) several times: time to the first streamed event, time to
// the answer, tool calls per investigation. With `--llm`, the LLM planner on a fake serving the eval transcript.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Answer } from '../src/types.ts';
import { loadCases } from '../eval/run.ts';
import { startFakeLlm } from '../eval/fake-llm.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, llm: { type: 'boolean' } } });
  const runs = Number(values.runs);
  const testCase = loadCases('bad-deploy')[0]!;
  const fake = values.llm ? await startFakeLlm('openai', (_body, index) => testCase.llm!.script[index % testCase.llm!.script.length]!) : null;
  const env: NodeJS.ProcessEnv = { ...process.env, OPSORCH_CONSOLE: 'off', OPSORCH_AUDIT_SINKS: 'off' };
  if (fake) Object.assign(env, { OPSORCH_COPILOT_LLM_PROVIDER: 'openai', OPSORCH_COPILOT_LLM_MODEL: 'fake', OPSORCH_COPILOT_LLM_URL: fake.url });
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'opsorch.mjs'), 'start', '--port', '0', '--host', '127.0.0.1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const base = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)\/graphql"[^\n]*OpsOrch gateway listening/.exec(output);
      if (match) resolve(`${match[1]}/copilot`);
    });
    child.once('exit', (code) => reject(new Error(`opsorch start exited with ${code}`)));
  });
  const first: number[] = [];
  const answered: number[] = [];
  const calls: number[] = [];
  try {
    for (let i = 0; i <= runs; i++) {
      const started = performance.now();
      let firstAt: number | null = null;
      let answer: Answer | null = null;
      const response = await fetch(`${base}/conversations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ question: 'why is checkout failing?', planner: fake ? 'llm' : 'builtin' }),
      });
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        firstAt ??= performance.now() - started;
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const data = buffer.slice(0, cut).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('');
          buffer = buffer.slice(cut + 2);
          if (!data) continue;
          const event = JSON.parse(data) as { type: string; answer?: Answer };
          if (event.type === 'answer') answer = event.answer!;
        }
      }
      const total = performance.now() - started;
      if (!answer) throw new Error('no answer');
      // The first run warms caches (documents, plans, generated data) and is left out.
      if (i === 0) {
        process.stdout.write(`warm-up: first event ${firstAt!.toFixed(0)} ms, answer ${total.toFixed(0)} ms, ${answer.toolCalls} tool calls\n`);
        continue;
      }
      first.push(firstAt!);
      answered.push(total);
      calls.push(answer.toolCalls);
      process.stdout.write(`run ${i}: first event ${firstAt!.toFixed(0)} ms, answer ${total.toFixed(0)} ms, ${answer.toolCalls} tool calls, cause: ${answer.mostLikelyCause?.title ?? 'none'}\n`);
    }
    process.stdout.write(
      `\n"why is checkout failing?" (${fake ? 'LLM planner on the fake' : 'built-in investigator'}, ${runs} runs): time to first event median ${median(first).toFixed(0)} ms; time to answer median ${median(answered).toFixed(0)} ms (min ${Math.min(...answered).toFixed(0)}, max ${Math.max(...answered).toFixed(0)}); tool calls per investigation ${median(calls)}\n`,
    );
  } finally {
    child.kill('SIGTERM');
    await fake?.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench:copilot: ${error.message}\n`);
  process.exit(1);
});
