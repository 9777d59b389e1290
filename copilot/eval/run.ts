// `npm run eval:copilot`: runs every case in copilot/eval/cases against a real OpsOrch (one `opsorch start` per
// world, with the demo clock fixed to the case's time) through the copilot's public HTTP API, with the built-in
// investigator and with the LLM planner on a fake LLM serving the case's transcript, and prints the table.
//   npm run eval:copilot -- [--planner builtin|llm|both] [--case <name>] [--json]
// Exits 1 when the built-in investigator gets a case wrong.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { Answer, CopilotEvent } from '../src/types.ts';
import { startFakeLlm, type FakeLlm, type Protocol, type ScriptedReply } from './fake-llm.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CASES = join(import.meta.dirname, 'cases');
const WORLDS = join(import.meta.dirname, 'worlds');

/** One evaluation case, as its YAML file spells it. */
export interface EvalCase {
  name: string;
  description?: string;
  /** `default`, or the name of a file in copilot/eval/worlds (a demo world variant). */
  world: string;
  /** Providers that are down for this case: `logs`, `metrics`... */
  down?: string[];
  question: string;
  context?: Record<string, string>;
  /** The mocked time: the demo world's "now" and the investigation's. */
  now: string;
  expect: {
    rootCauseService: string;
    /** Kinds of cause accepted, for example [deploy]. */
    causeKinds: string[];
    /** Words the most likely cause must name (the change or dependency responsible). */
    causeMentions?: string[];
    /** Evidence that must be cited: a kind and text in its title or detail. */
    evidence: { kind: string; contains: string }[];
    /** Text that must not appear in the most likely cause. */
    forbidden?: string[];
    /** Text each of which must appear in some ruled-out entry. */
    ruledOut?: string[];
    /** Text each of which must appear in the answer's missing information. */
    missing?: string[];
  };
  /** The LLM planner's transcript on the fake (its protocol and the model's replies in order). */
  llm?: { protocol: Protocol; script: ScriptedReply[] };
}

export interface CaseResult {
  name: string;
  planner: 'builtin' | 'llm';
  causeFound: boolean;
  cause: string;
  evidenceCited: number;
  evidenceExpected: number;
  unsupportedClaims: number;
  forbidden: string[];
  missingChecks: string[];
  toolCalls: number;
  seconds: number;
  firstEventSeconds: number;
  pass: boolean;
  error?: string;
}

export function loadCases(only?: string): EvalCase[] {
  const cases = readdirSync(CASES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f.replace(/\.yaml$/, ''), ...(parseYaml(readFileSync(join(CASES, f), 'utf8')) as Omit<EvalCase, 'name'>) }));
  return only ? cases.filter((c) => c.name === only) : cases;
}

/** Scores an answer against a case's expected facts. */
export function score(testCase: EvalCase, answer: Answer): Omit<CaseResult, 'name' | 'planner' | 'toolCalls' | 'seconds' | 'firstEventSeconds'> {
  const e = testCase.expect;
  const cause = answer.mostLikelyCause;
  const causeText = `${cause?.title ?? ''}`.toLowerCase();
  const causeFound =
    !!cause && cause.service === e.rootCauseService && e.causeKinds.includes(cause.kind) && (e.causeMentions ?? []).every((m) => causeText.includes(m.toLowerCase()));
  const evidence = answer.findings.flatMap((f) => f.evidence);
  const cited = e.evidence.filter((want) => evidence.some((have) => have.kind === want.kind && `${have.title} ${have.detail ?? ''}`.toLowerCase().includes(want.contains.toLowerCase())));
  const forbidden = (e.forbidden ?? []).filter((f) => causeText.includes(f.toLowerCase()));
  const missingChecks = [
    ...(e.ruledOut ?? []).filter((r) => !answer.ruledOut.some((o) => `${o.title} ${o.reason}`.toLowerCase().includes(r.toLowerCase()))).map((r) => `not ruled out: ${r}`),
    ...(e.missing ?? []).filter((m) => !answer.missing.some((x) => x.toLowerCase().includes(m.toLowerCase()))).map((m) => `not reported missing: ${m}`),
  ];
  const unsupportedClaims = answer.unsupportedClaims.length;
  return {
    causeFound,
    cause: cause ? `${cause.kind} in ${cause.service}` : 'none',
    evidenceCited: cited.length,
    evidenceExpected: e.evidence.length,
    unsupportedClaims,
    forbidden,
    missingChecks,
    pass: causeFound && cited.length === e.evidence.length && !forbidden.length && !missingChecks.length && unsupportedClaims === 0,
  };
}

export interface World {
  url: string;
  process: ChildProcess;
}

/** `opsorch start` for one world: the demo clock fixed, a variant applied, some providers down, an LLM fake. */
async function startWorld(testCase: EvalCase, llm: FakeLlm | null): Promise<World> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    OPSORCH_CONSOLE: 'off',
    OPSORCH_MCP: 'off',
    OPSORCH_AUDIT_SINKS: 'off',
    OPSORCH_DEMO_NOW: testCase.now,
  };
  if (testCase.world !== 'default') env.OPSORCH_DEMO_WORLD = join(WORLDS, `${testCase.world}.yaml`);
  for (const capability of testCase.down ?? []) {
    // A tool that is down: a plugin whose process exits at once (calls fail PROVIDER_UNAVAILABLE).
    env[`OPSORCH_${capability.toUpperCase()}_PROVIDER`] = 'plugin';
    env[`OPSORCH_${capability.toUpperCase()}_CONFIG`] = JSON.stringify({ command: process.execPath, args: ['-e', 'process.exit(3)'], restartDelayMs: 60_000 });
  }
  if (llm) {
    env.OPSORCH_COPILOT_LLM_PROVIDER = llm.protocol;
    env.OPSORCH_COPILOT_LLM_MODEL = llm.protocol === 'openai' ? 'fake-gpt' : 'fake-claude';
    env.OPSORCH_COPILOT_LLM_URL = llm.url;
    env.OPSORCH_COPILOT_LLM_API_KEY = 'secret://env/EVAL_LLM_KEY';
    env.EVAL_LLM_KEY = 'eval-key';
  }
  return startOpsOrch(env);
}

/** `opsorch start` as its own process with this environment; resolves to its /copilot URL once it listens. */
export async function startOpsOrch(env: NodeJS.ProcessEnv): Promise<World> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'opsorch.mjs'), 'start', '--port', '0', '--host', '127.0.0.1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`opsorch start did not listen within 60 s: ${output.slice(-500)}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)\/graphql"[^\n]*OpsOrch gateway listening/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`${match[1]}/copilot`);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`opsorch start exited with ${code}: ${output.slice(-500)}`)));
  });
  return { url, process: child };
}

export async function stopWorld(world: World): Promise<void> {
  if (world.process.exitCode !== null) return;
  const exited = new Promise((resolve) => world.process.once('exit', resolve));
  world.process.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  if (world.process.exitCode === null) world.process.kill('SIGKILL');
}

/** Asks one question through the public API and reads the stream to its end. */
export async function ask(url: string, testCase: EvalCase, planner: 'builtin' | 'llm'): Promise<{ answer: Answer; seconds: number; firstEventSeconds: number }> {
  return streamAnswer(url, { question: testCase.question, context: testCase.context ?? {}, planner, now: testCase.now });
}

/** POSTs a question with `Accept: text/event-stream` and reads the events until the turn is done. */
export async function streamAnswer(url: string, body: Record<string, unknown>): Promise<{ answer: Answer; seconds: number; firstEventSeconds: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/conversations`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify(body) });
  if (!response.ok || !response.body) throw new Error(`POST /copilot/conversations answered ${response.status}: ${await response.text()}`);
  let first: number | null = null;
  let answer: Answer | null = null;
  let error: string | null = null;
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer.slice(0, cut).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      buffer = buffer.slice(cut + 2);
      if (!data) continue;
      first ??= performance.now() - started;
      const event = JSON.parse(data) as CopilotEvent;
      if (event.type === 'answer') answer = event.answer;
      if (event.type === 'error') error = event.message;
    }
  }
  if (!answer) throw new Error(error ?? 'the stream ended without an answer');
  return { answer, seconds: (performance.now() - started) / 1000, firstEventSeconds: (first ?? 0) / 1000 };
}

/** Runs the cases; worlds are shared by cases with the same world, outage, time and LLM protocol. */
export async function runEval(options: { planners: ('builtin' | 'llm')[]; only?: string; log?: (line: string) => void }): Promise<CaseResult[]> {
  const cases = loadCases(options.only);
  if (!cases.length) throw new Error(`no case${options.only ? ` named ${options.only}` : ''} in ${CASES}`);
  const results: CaseResult[] = [];
  const fakes = new Map<Protocol, { fake: FakeLlm; script: { current: ScriptedReply[] } }>();
  const fakeFor = async (protocol: Protocol) => {
    let entry = fakes.get(protocol);
    if (!entry) {
      const script = { current: [] as ScriptedReply[] };
      const fake = await startFakeLlm(protocol, (_body, index) => script.current[Math.min(index - offset.get(protocol)!, script.current.length - 1)] ?? { text: 'no script' }, { apiKey: 'eval-key' });
      entry = { fake, script };
      fakes.set(protocol, entry);
    }
    return entry;
  };
  // Where each protocol's fake stands in its request count when a case starts (cases share one fake).
  const offset = new Map<Protocol, number>();
  const groups = new Map<string, EvalCase[]>();
  for (const c of cases) {
    const key = JSON.stringify([c.world, c.down ?? [], c.now, c.llm?.protocol ?? 'openai']);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  try {
    for (const group of groups.values()) {
      const protocol = group[0]!.llm?.protocol ?? 'openai';
      const llm = options.planners.includes('llm') ? await fakeFor(protocol) : null;
      const world = await startWorld(group[0]!, llm?.fake ?? null);
      try {
        for (const testCase of group) {
          for (const planner of options.planners) {
            if (planner === 'llm' && !testCase.llm) continue;
            if (planner === 'llm') {
              llm!.script.current = testCase.llm!.script;
              offset.set(protocol, llm!.fake.requests.length);
            }
            let result: CaseResult;
            try {
              const { answer, seconds, firstEventSeconds } = await ask(world.url, testCase, planner);
              result = { name: testCase.name, planner, ...score(testCase, answer), toolCalls: answer.toolCalls, seconds, firstEventSeconds };
            } catch (error) {
              result = { name: testCase.name, planner, causeFound: false, cause: 'error', evidenceCited: 0, evidenceExpected: testCase.expect.evidence.length, unsupportedClaims: 0, forbidden: [], missingChecks: [], toolCalls: 0, seconds: 0, firstEventSeconds: 0, pass: false, error: (error as Error).message };
            }
            results.push(result);
            options.log?.(`${result.pass ? 'ok  ' : 'FAIL'} ${testCase.name} (${planner})${result.error ? `: ${result.error}` : ''}`);
          }
        }
      } finally {
        await stopWorld(world);
      }
    }
  } finally {
    for (const { fake } of fakes.values()) {
      if (fake.violations.length) options.log?.(`fake ${fake.protocol} saw protocol violations: ${fake.violations.join('; ')}`);
      await fake.close();
    }
  }
  return results;
}

export function table(results: CaseResult[]): string {
  const rows = [
    ['case', 'planner', 'cause found', 'evidence cited', 'unsupported claims', 'tool calls', 'seconds', 'result'],
    ...results.map((r) => [
      r.name,
      r.planner,
      `${r.causeFound ? 'yes' : 'no'} (${r.cause})`,
      `${r.evidenceCited}/${r.evidenceExpected}`,
      String(r.unsupportedClaims + r.forbidden.length),
      String(r.toolCalls),
      r.seconds.toFixed(1),
      r.pass ? 'pass' : `FAIL${r.forbidden.length ? ` forbidden: ${r.forbidden.join(', ')}` : ''}${r.missingChecks.length ? ` ${r.missingChecks.join('; ')}` : ''}${r.error ? ` ${r.error}` : ''}`,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { planner: { type: 'string', default: 'both' }, case: { type: 'string' }, json: { type: 'boolean' } } });
  const planners = values.planner === 'both' ? (['builtin', 'llm'] as const) : ([values.planner] as ('builtin' | 'llm')[]);
  if (!planners.every((p) => p === 'builtin' || p === 'llm')) throw new Error('--planner is builtin, llm or both');
  const results = await runEval({ planners: [...planners], only: values.case, log: (line) => process.stderr.write(`${line}\n`) });
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(`${table(results)}\n`);
  const builtin = results.filter((r) => r.planner === 'builtin');
  const failed = builtin.filter((r) => !r.pass);
  process.stdout.write(`\nbuilt-in investigator: ${builtin.length - failed.length}/${builtin.length} cases right; tool calls per investigation: ${builtin.length ? (builtin.reduce((s, r) => s + r.toolCalls, 0) / builtin.length).toFixed(1) : '-'} on average\n`);
  const llm = results.filter((r) => r.planner === 'llm');
  if (llm.length) process.stdout.write(`LLM planner on the fakes' transcripts: ${llm.filter((r) => r.pass).length}/${llm.length} cases right\n`);
  process.exitCode = failed.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  main().catch((error: Error) => {
    process.stderr.write(`eval:copilot: ${error.message}\n`);
    process.exit(2);
  });
}
