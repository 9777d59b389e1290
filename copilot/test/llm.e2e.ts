// The LLM planner against fake OpenAI-compatible and Anthropic servers serving scripted transcripts, with the
// real gateway and demo world behind the tools: the loop, parallel calls, malformed arguments, a looping model,
// budgets, invented evidence, proposals.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm, type Protocol, type ScriptedReply } from '../eval/fake-llm.ts';
import { backendFor, type LlmBackend } from '../src/llm/backends.ts';
import { LlmPlanner } from '../src/llm/planner.ts';
import type { LlmSettings } from '../src/settings.ts';
import type { CopilotEvent } from '../src/types.ts';
import { answerOf, readEvents, startCopilotGateway, type CopilotTestServer } from './harness.ts';

const fakes: FakeLlm[] = [];
let server: CopilotTestServer;
// One gateway for every test; each test points the planner at its own fake and budgets.
const settings: LlmSettings = { provider: 'openai', model: 'gpt-test', baseUrl: '', apiKey: 'sk-test-secret', apiVersion: '2024-10-21', maxSteps: 8, maxTokens: 1_000_000, timeoutMs: 10_000 };
let backend: LlmBackend;

beforeAll(async () => {
  server = await startCopilotGateway({ llm: (builtin) => new LlmPlanner(settings, builtin, { description: 'switchable', complete: (request) => backend.complete(request) }) });
});

afterEach(async () => {
  for (const fake of fakes.splice(0)) {
    await fake.close();
    expect(fake.violations, `${fake.protocol} protocol violations`).toEqual([]);
  }
});

afterAll(async () => {
  await server?.close();
});

async function investigate(protocol: Protocol, script: ScriptedReply[], question: string, overrides: Partial<LlmSettings> = {}, context: Record<string, string> = {}) {
  const fake = await startFakeLlm(protocol, script, { apiKey: 'sk-test-secret' });
  fakes.push(fake);
  Object.assign(settings, { provider: protocol, model: protocol === 'openai' ? 'gpt-test' : 'claude-test', baseUrl: fake.url, maxSteps: 8, maxTokens: 1_000_000, ...overrides });
  backend = backendFor(settings);
  const stream = await readEvents(`${server.url}/conversations`, { body: { question, planner: 'llm', context } });
  return { fake, server, events: stream.events, answer: answerOf(stream.events) };
}

const final = (extra: Record<string, unknown> = {}): ScriptedReply => ({
  toolCalls: [
    {
      name: 'final_answer',
      arguments: {
        conclusion: 'checkout 2.14.0, deployed by Jonas Weber, broke order writes: `TypeError` in OrderWriter.flush since the rollout. See #1042.',
        confidence: 'high',
        most_likely_cause: { title: 'checkout 2.14.0 deploy', kind: 'deploy', service: 'checkout' },
        findings: [
          { title: 'New TypeError in checkout since 2.14.0', summary: 'OrderWriter.flush fails on carts without lineItems.', evidence: [{ call_id: '{{call:search_logs}}', title: 'checkout errors', kind: 'log' }] },
          { title: 'Deploy 2.14.0 just before', summary: 'Rolled out by Jonas Weber.', evidence: [{ call_id: '{{call:list_deployments}}', title: 'checkout deploys', kind: 'deploy' }] },
        ],
        ruled_out: [{ title: 'orders-db', reason: 'its saturation began after the errors' }],
        missing: [],
        actions: [{ title: 'Roll back a deploy', runbook_id: 'demo:rb-rollback-deploy' }],
        ...extra,
      },
    },
  ],
});

const types = (events: CopilotEvent[]) => events.map((e) => e.type);

describe('OpenAI-compatible Chat Completions', () => {
  it('runs the loop: a plan, parallel reads, a final answer tied to the calls it made', async () => {
    const { fake, events, answer } = await investigate(
      'openai',
      [
        {
          text: 'Checking the errors and the deploy together.',
          toolCalls: [
            { name: 'update_plan', arguments: { items: [{ title: 'Read checkout errors since the deploy', status: 'running' }, { title: 'Confirm the deploy time', status: 'running' }] } },
            { name: 'search_logs', arguments: { service: 'checkout', text: 'TypeError', levels: ['ERROR'], since: 'now-1h', limit: 20 } },
            { name: 'list_deployments', arguments: { service: 'checkout', since: 'now-3h' } },
          ],
        },
        final(),
      ],
      'why is checkout failing?',
    );
    // The built-in checks first, then the model's two steps.
    expect(fake.requests).toHaveLength(2);
    const opening = fake.requests[0].messages.find((m: any) => m.role === 'user').content as string;
    expect(opening).toContain('Built-in checks');
    expect(opening).toMatch(/Deploys and configuration changes before the symptom: INTERESTING/);
    expect(fake.requests[0].tools.map((t: any) => t.function.name)).toEqual(expect.arrayContaining(['search_logs', 'get_golden_signals', 'update_plan', 'final_answer', 'propose_action']));
    expect(fake.requests[0].tools.map((t: any) => t.function.name)).not.toContain('acknowledge_incident');
    // Both reads ran in the same step and both results went back in one request.
    const second = fake.requests[1].messages as any[];
    expect(second.filter((m) => m.role === 'tool')).toHaveLength(3);
    const modelCalls = events.filter((e) => e.type === 'tool_call' && (e.call.tool === 'search_logs' && e.call.arguments.text === 'TypeError'));
    expect(modelCalls).toHaveLength(1);
    const plan = events.filter((e) => e.type === 'plan').at(-1);
    expect(plan?.type === 'plan' && plan.items.map((i) => i.title)).toEqual(['Built-in checks', 'Read checkout errors since the deploy', 'Confirm the deploy time']);
    expect(types(events)).toContain('message');
    expect(answer).toMatchObject({ planner: 'llm', confidence: 'high', mostLikelyCause: { kind: 'deploy', service: 'checkout' }, unsupportedClaims: [] });
    const callIds = new Set(events.flatMap((e) => (e.type === 'tool_call' ? [e.call.id] : [])));
    expect(answer.findings).toHaveLength(2);
    for (const f of answer.findings) for (const e of f.evidence) expect(callIds.has(e.toolCall.id)).toBe(true);
    expect(answer.findings[0]!.evidence[0]!.consoleUrl).toMatch(/^\/explore\/logs\?service=checkout&q=TypeError&level=error/);
    expect(answer.actions[0]).toMatchObject({ kind: 'runbook', runbook: { id: 'demo:rb-rollback-deploy' } });
  });

  it('hands malformed tool arguments back to the model with what to fix, and goes on', async () => {
    const { fake, answer } = await investigate(
      'openai',
      [
        { toolCalls: [{ name: 'search_logs', arguments: '{"service": "checkout", "levels": ["ERROR"' }] },
        { toolCalls: [{ name: 'search_logs', arguments: { service: 'checkout', levels: ['ERROR'], limit: 5 } }] },
        { toolCalls: [{ name: 'get_golden_signals', arguments: { service: 'checkout', since: 'yesterday' } }] },
        final(),
      ],
      'why is checkout failing?',
    );
    const toolMessages = (i: number) => (fake.requests[i].messages as any[]).filter((m) => m.role === 'tool');
    expect(toolMessages(1)[0].content).toMatch(/not a JSON object.*Send valid JSON/);
    expect(toolMessages(2).at(-1).content).toMatch(/^call_id: t1\.c\d+/);
    // A schema-valid call with a bad value is the tool's own error, also handed back.
    expect(toolMessages(3).at(-1).content).toMatch(/yesterday/);
    expect(answer.planner).toBe('llm');
    expect(answer.mostLikelyCause?.kind).toBe('deploy');
  });

  it('stops a model that keeps repeating the same call and answers with the built-in checks', async () => {
    const { fake, answer, events } = await investigate('openai', [{ toolCalls: [{ name: 'list_alerts', arguments: { states: ['FIRING'] } }] }], 'why is checkout failing?');
    expect(fake.requests.length).toBeLessThanOrEqual(5);
    expect(answer.missing.at(-1)).toMatch(/LLM planner stopped before answering: it kept repeating the same tool calls/);
    expect(answer.mostLikelyCause).toMatchObject({ kind: 'deploy', service: 'checkout' });
    expect(events.some((e) => e.type === 'message' && e.text.includes('stopped'))).toBe(true);
  });

  it('stops at the step budget and at the token budget', async () => {
    let n = 0;
    const wandering: ScriptedReply[] = Array.from({ length: 20 }, () => ({ toolCalls: [{ name: 'list_metric_names', arguments: { first: 5 + n++ } }] }));
    const steps = await investigate('openai', wandering, 'why is checkout failing?', { maxSteps: 3 });
    expect(steps.fake.requests).toHaveLength(3);
    expect(steps.answer.missing.at(-1)).toMatch(/it used its 3 steps/);
    const tokens = await investigate('openai', [{ toolCalls: [{ name: 'list_teams', arguments: {} }], usage: { input: 90_000, output: 20_000 } }, ...wandering], 'why is checkout failing?', { maxTokens: 100_000 });
    expect(tokens.fake.requests).toHaveLength(1);
    expect(tokens.answer.missing.at(-1)).toMatch(/budget of 100000 tokens \(110000 used\)/);
  });

  it('falls back to the built-in answer when the LLM is down, without leaking its key', async () => {
    const { answer, server } = await investigate('openai', [{ status: 503, text: 'overloaded' }], 'why is checkout failing?');
    expect(answer.missing.at(-1)).toMatch(/LLM answered HTTP 503/);
    expect(answer.mostLikelyCause?.kind).toBe('deploy');
    expect(server.logs.join('\n')).not.toContain('sk-test-secret');
  });
});

describe('Anthropic Messages', () => {
  it('catches invented evidence: ids, URLs, versions and figures no tool returned are marked; a finding with no real call is dropped', async () => {
    const { answer, events } = await investigate(
      'anthropic',
      [
        { toolCalls: [{ name: 'get_incident', arguments: { id: 'demo:Q3VW8TR' } }, { name: 'search_logs', arguments: { service: 'checkout', levels: ['ERROR'], limit: 10 } }] },
        final({
          // 8642.73: whole numbers could match one of the thousands of byte counts and durations in the demo's logs.
          conclusion: 'checkout 2.15.1 broke orders at 8642.73 req/s; see https://grafana.acme-shop.example/d/made-up and incident demo:QZZZZZZ. The real one is #1042.',
          findings: [
            { title: 'Errors since 2.14.0', summary: 'TypeError in OrderWriter.flush.', evidence: [{ call_id: '{{call:search_logs}}', title: 'checkout errors', kind: 'log' }] },
            { title: 'Deploy by Jonas Weber', summary: 'Version 9.9.9 shipped at 04:00.', evidence: [{ call_id: '{{call:get_incident}}', title: 'incident', kind: 'incident', url: 'https://acme-shop.pagerduty.com/incidents/NOPE123' }] },
            { title: 'Database melted', summary: 'orders-db lost 77 % of its disks.', evidence: [{ call_id: 't1.c999', title: 'made up', kind: 'metric' }] },
          ],
        }),
      ],
      'why is checkout failing?',
    );
    expect(answer.unsupportedClaims).toEqual(expect.arrayContaining(['2.15.1', '8642.73 req/s', 'https://grafana.acme-shop.example/d/made-up', 'demo:QZZZZZZ', '9.9.9', 'https://acme-shop.pagerduty.com/incidents/NOPE123', 'evidence cites call_id t1.c999, which no tool call has']));
    expect(answer.unsupportedClaims).not.toContain('#1042');
    expect(answer.unsupportedClaims).not.toContain('2.14.0');
    expect(answer.conclusion).toContain('2.15.1 ⚠unverified');
    expect(answer.conclusion).toContain('#1042.');
    expect(answer.findings.map((f) => f.title)).toEqual(['Errors since 2.14.0', 'Deploy by Jonas Weber']);
    expect(answer.findings[1]!.unsupported).toEqual(expect.arrayContaining(['9.9.9']));
    expect(answer.findings[1]!.evidence[0]!.sourceUrl).toBeUndefined();
    expect(answer.confidence).toBe('medium');
    // The built-in checks stream their findings first; the model's checked ones follow, the invented one never.
    const streamed = events.flatMap((e) => (e.type === 'finding' ? [e.finding.title] : []));
    expect(streamed.slice(-2)).toEqual(['Errors since 2.14.0', 'Deploy by Jonas Weber']);
    expect(streamed).not.toContain('Database melted');
  });

  it('turns a proposed write into an approval request, and refuses a tool that does not exist', async () => {
    const { fake, events, answer } = await investigate(
      'anthropic',
      [
        {
          toolCalls: [
            { name: 'propose_action', arguments: { tool: 'acknowledge_incident', arguments: { id: 'demo:Q8MZ4KD' }, reason: 'Nobody is on it yet.' } },
            { name: 'propose_action', arguments: { tool: 'drop_database', arguments: {}, reason: 'why not' } },
            { name: 'acknowledge_incident', arguments: { id: 'demo:Q8MZ4KD' } },
          ],
        },
        final({ most_likely_cause: { title: 'orders-db pool saturated', kind: 'saturation', service: 'orders-db' }, conclusion: 'orders-db is saturated (#1043).', findings: [] }),
      ],
      'what is happening?',
      {},
      { incidentId: 'demo:Q8MZ4KD' },
    );
    const approvals = events.flatMap((e) => (e.type === 'approval_required' ? [e.approval] : []));
    expect(approvals).toHaveLength(1);
    expect(approvals[0]).toMatchObject({ tool: 'acknowledge_incident', arguments: { id: 'demo:Q8MZ4KD' }, reason: 'Nobody is on it yet.', status: 'pending' });
    const results = (fake.requests[1].messages as any[]).at(-1).content as any[];
    expect(results[0].content).toMatch(/Approval requested/);
    expect(results[1]).toMatchObject({ is_error: true, content: expect.stringMatching(/drop_database is not a write tool/) });
    // Calling a write directly is refused: writes are proposals.
    expect(results[2]).toMatchObject({ is_error: true, content: expect.stringMatching(/proposes writes for a person to approve/) });
    expect(answer.mostLikelyCause?.service).toBe('orders-db');
  });
});
