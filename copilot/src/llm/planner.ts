// The LLM planner: the built-in checks first (their results are the model's starting context), then a
// tool-calling loop with a visible plan, parallel reads, a step and token budget, and a final structured answer
// that is checked against the tool results before anyone sees it.
import { consoleLinks } from '../links.ts';
import type { Planner, PlannerContext, PlannerInput } from '../planner.ts';
import { ToolBudgetExceeded, type ToolRecord } from '../session.ts';
import type { LlmSettings } from '../settings.ts';
import type { Answer, CauseKind, Evidence, EvidenceKind, Finding, RecommendedAction } from '../types.ts';
import { backendFor, parseObject, type LlmBackend, type LlmMessage, type LlmTool, type LlmToolCall } from './backends.ts';
import { Corpus, markUnsupported, unsupportedClaims } from './grounding.ts';

/** Longest tool result handed back to the model (characters); the full one stays evidence. */
const MAX_TOOL_TEXT = 12_000;
/** The same call repeated this many times means the model is looping. */
const REPEAT_LIMIT = 2;
const MAX_OUTPUT_TOKENS = 4096;

const SYSTEM = `You are the OpsOrch copilot, helping an on-call engineer find out what is wrong and why. You reach every ops tool only through the tools given here, and you act for the person asking.
Rules:
- Every claim must come from a tool result. Never invent ids, URLs, versions, numbers or names; if you did not see it in a tool result, do not state it.
- Start by writing a short plan with update_plan, and update it as you learn. Call several read tools at once when they are independent.
- Times in tool arguments are absolute RFC 3339 (the investigation's now is given); prefer narrow windows around when the symptom began.
- Writes (acknowledge, notes, messages, tickets, runbook runs) are never yours to do: propose them with propose_action; a person approves them.
- Finish with final_answer: a Markdown conclusion, your confidence, findings each citing the call_id of the tool calls that show it, what you ruled out, what you could not check, and recommended actions (runbooks first).
- Built-in checks already ran; their results are below. Confirm, refine or refute them; do not repeat the same calls.`;

function tool(name: string, description: string, properties: Record<string, unknown>, required: string[]): LlmTool {
  return { name, description, parameters: { type: 'object', properties, required, additionalProperties: false } };
}

const EVIDENCE_KINDS: EvidenceKind[] = ['deploy', 'config-change', 'log', 'metric', 'alert', 'incident', 'dependency', 'runbook', 'ticket', 'timeline'];
const CAUSE_KINDS: CauseKind[] = ['deploy', 'config-change', 'dependency', 'saturation', 'external', 'errors', 'unknown'];

function metaTools(writeTools: string[]): LlmTool[] {
  const tools = [
    tool('update_plan', 'Replace your visible plan (a todo list the person watches).', {
      items: { type: 'array', items: { type: 'object', properties: { title: { type: 'string' }, status: { type: 'string', enum: ['pending', 'running', 'done', 'skipped'] } }, required: ['title', 'status'] } },
    }, ['items']),
    tool('final_answer', 'Finish the investigation with the structured answer. Cite tool calls by their call_id.', {
      conclusion: { type: 'string', description: 'Markdown: the most likely cause first, with the facts behind it.' },
      confidence: { type: 'string', enum: ['high', 'medium', 'low'] },
      most_likely_cause: { type: 'object', properties: { title: { type: 'string' }, kind: { type: 'string', enum: CAUSE_KINDS }, service: { type: 'string' } }, required: ['title', 'kind', 'service'] },
      findings: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            title: { type: 'string' },
            summary: { type: 'string' },
            evidence: { type: 'array', items: { type: 'object', properties: { call_id: { type: 'string' }, title: { type: 'string' }, kind: { type: 'string', enum: EVIDENCE_KINDS }, url: { type: 'string' } }, required: ['call_id', 'title', 'kind'] } },
          },
          required: ['title', 'summary', 'evidence'],
        },
      },
      ruled_out: { type: 'array', items: { type: 'object', properties: { title: { type: 'string' }, reason: { type: 'string' } }, required: ['title', 'reason'] } },
      missing: { type: 'array', items: { type: 'string' } },
      actions: { type: 'array', items: { type: 'object', properties: { title: { type: 'string' }, runbook_id: { type: 'string' } }, required: ['title'] } },
    }, ['conclusion', 'confidence', 'findings']),
  ];
  if (writeTools.length) {
    tools.push(
      tool('propose_action', 'Propose a write for the person to approve (it runs as them once approved). Never claim it was done.', {
        tool: { type: 'string', enum: writeTools },
        arguments: { type: 'object', description: "The write tool's arguments." },
        reason: { type: 'string' },
      }, ['tool', 'arguments', 'reason']),
    );
  }
  return tools;
}

/** The console view that shows what a tool call read: the exact query and range. */
export function consoleViewOf(record: ToolRecord): string | undefined {
  const a = record.arguments as Record<string, any>;
  const ms = (value: unknown, fallback: number) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? Date.parse(value) : fallback);
  const now = Date.now();
  switch (record.tool) {
    case 'search_logs':
    case 'log_volume':
      return consoleLinks.logs({ service: a.service, text: a.text, levels: a.levels, fromMs: ms(a.since, now - 3_600_000), toMs: ms(a.until, now) });
    case 'query_metrics':
      return consoleLinks.metric({ metric: a.name, service: a.service, aggregation: a.aggregation, fromMs: ms(a.since, now - 3_600_000), toMs: ms(a.until, now) });
    case 'get_golden_signals': {
      const name = record.data?.service?.goldenSignals?.errorRate?.name ?? 'http_requests_total';
      return consoleLinks.metric({ metric: name, service: a.service, fromMs: ms(a.since, now - 3_600_000), toMs: ms(a.until, now) });
    }
    case 'get_incident':
    case 'get_incident_war_room':
    case 'get_incident_timeline':
      return typeof a.id === 'string' ? consoleLinks.incident(a.id) : undefined;
    case 'get_alert':
      return consoleLinks.alert(a.id);
    case 'get_service':
      return consoleLinks.dependencyGraph(a.id);
    case 'list_deployments':
      return a.service ? consoleLinks.deployments(a.service) : '/deployments';
    case 'get_runbook':
      return consoleLinks.runbook(a.id);
    default:
      return undefined;
  }
}

function stableKey(name: string, args: Record<string, unknown>): string {
  const sort = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(sort) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sort(v)])) : value;
  return `${name} ${JSON.stringify(sort(args))}`;
}

interface CallOutcome {
  content: string;
  isError: boolean;
}

export class LlmPlanner implements Planner {
  readonly name = 'llm' as const;
  private readonly backend: LlmBackend;

  constructor(
    private readonly settings: LlmSettings,
    private readonly builtin: Planner,
    backend?: LlmBackend,
  ) {
    this.backend = backend ?? backendFor(settings);
  }

  async investigate(input: PlannerInput, context: PlannerContext): Promise<Answer> {
    const { tools, plan, emit, signal } = context;
    // 1. The built-in checks, streamed like any step; they propose nothing here (the model decides what to propose).
    const baseline = await this.builtin.investigate(input, { ...context, writeTools: [], propose: () => { throw new Error('no proposals from the built-in checks in LLM mode'); } });
    plan.replace([{ title: 'Built-in checks', status: 'done' }]);

    const writeNames = context.writeTools.map((t) => t.name);
    const llmTools: LlmTool[] = [...tools.reads.map((t) => ({ name: t.name, description: t.description, parameters: t.inputSchema })), ...metaTools(writeNames)];
    const messages: LlmMessage[] = [{ role: 'user', content: this.opening(input, baseline, tools.records) }];
    let steps = 0;
    let tokens = 0;
    let repeats = 0;
    const seen = new Map<string, string>();
    let stopReason: string | null = null;
    let final: Record<string, unknown> | null = null;

    while (!final) {
      if (steps >= this.settings.maxSteps) {
        stopReason = `it used its ${this.settings.maxSteps} steps`;
        break;
      }
      if (tokens >= this.settings.maxTokens) {
        stopReason = `it used its budget of ${this.settings.maxTokens} tokens (${tokens} used)`;
        break;
      }
      steps++;
      let response;
      try {
        response = await this.backend.complete({ system: SYSTEM, messages, tools: llmTools, maxOutputTokens: MAX_OUTPUT_TOKENS, signal });
      } catch (error) {
        if (signal.aborted) throw error;
        stopReason = (error as Error).message;
        break;
      }
      tokens += response.usage ? response.usage.input + response.usage.output : Math.ceil(JSON.stringify(messages).length / 4);
      messages.push({ role: 'assistant', content: response.text, toolCalls: response.toolCalls });
      if (response.text) emit({ type: 'message', text: response.text });
      if (!response.toolCalls.length) {
        // A model that answers in prose: take it as the conclusion, checked like any other.
        final = { conclusion: response.text ?? '', confidence: 'low', findings: [] };
        break;
      }
      const outcomes = await Promise.all(
        response.toolCalls.map(async (call): Promise<CallOutcome> => {
          const args = parseObject(call.argumentsText);
          if (!args) return { isError: true, content: `The arguments of ${call.name} are not a JSON object (${call.argumentsText.slice(0, 120)}). Send valid JSON matching the tool's schema.` };
          if (call.name === 'final_answer') {
            final = args;
            return { isError: false, content: 'Answer received.' };
          }
          if (call.name === 'update_plan') {
            const items = Array.isArray(args.items) ? (args.items as { title?: unknown; status?: unknown }[]) : [];
            plan.replace([{ title: 'Built-in checks', status: 'done' }, ...items.filter((i) => typeof i.title === 'string').map((i) => ({ title: String(i.title).slice(0, 200), status: (['pending', 'running', 'done', 'skipped'].includes(String(i.status)) ? i.status : 'pending') as 'pending' }))]);
            return { isError: false, content: 'Plan updated.' };
          }
          if (call.name === 'propose_action') return this.proposeAction(context, args);
          const key = stableKey(call.name, args);
          const earlier = seen.get(key);
          if (earlier) {
            repeats++;
            return { isError: true, content: `You already called ${call.name} with these arguments (call_id ${earlier}); use that result instead of calling again.` };
          }
          try {
            const record = await tools.call(call.name, args);
            seen.set(key, record.id);
            const text = record.text.length > MAX_TOOL_TEXT ? `${record.text.slice(0, MAX_TOOL_TEXT)}… [cut; narrow the query to see more]` : record.text;
            return { isError: !record.ok, content: `call_id: ${record.id}\n${text}` };
          } catch (error) {
            if (error instanceof ToolBudgetExceeded) stopReason = error.message;
            else if (signal.aborted) throw error;
            return { isError: true, content: (error as Error).message };
          }
        }),
      );
      response.toolCalls.forEach((call: LlmToolCall, i) => messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: outcomes[i]!.content, isError: outcomes[i]!.isError }));
      if (repeats > REPEAT_LIMIT) {
        stopReason = `it kept repeating the same tool calls (${repeats} times)`;
        break;
      }
      if (stopReason && !final) break;
    }

    if (!final) {
      // Out of budget or lost: the built-in answer stands, and the answer says why.
      emit({ type: 'message', text: `The LLM planner stopped: ${stopReason ?? 'no answer'}. The built-in investigation's answer follows.` });
      return { ...baseline, planner: 'llm', missing: [...baseline.missing, `The LLM planner stopped before answering: ${stopReason ?? 'no answer'}; this is the built-in investigator's answer.`], toolCalls: tools.records.length };
    }
    return this.grounded(final, input, context, baseline);
  }

  private opening(input: PlannerInput, baseline: Answer, records: readonly ToolRecord[]): string {
    const history = input.history.filter((t) => t.answer).map((t) => `Earlier question: ${t.question}\nEarlier answer: ${t.answer!.conclusion.slice(0, 1500)}`);
    const checks = baseline.checks.map((c) => `- ${c.title}: ${c.interesting ? 'INTERESTING' : 'nothing notable'} — ${c.summary} [evidence: ${c.evidence.map((e) => e.toolCall.id).join(', ') || 'none'}]`);
    const calls = records.map((r) => `- ${r.id}: ${r.tool} ${JSON.stringify(r.arguments)} → ${r.ok ? 'ok' : 'failed'}`);
    return [
      `Question: ${input.question}`,
      `Now: ${input.now.toISOString()}`,
      Object.keys(input.context).length ? `Asked from: ${JSON.stringify(input.context)}` : '',
      ...history,
      `Built-in checks (scope: ${JSON.stringify(baseline.scope)}):`,
      ...checks,
      baseline.mostLikelyCause ? `Built-in ranking, most likely: ${baseline.mostLikelyCause.title} (${baseline.mostLikelyCause.kind} in ${baseline.mostLikelyCause.service}), confidence ${baseline.confidence}.` : 'Built-in ranking found no clear cause.',
      'Tool calls already made (cite their call_id):',
      ...calls,
    ]
      .filter(Boolean)
      .join('\n');
  }

  private proposeAction(context: PlannerContext, args: Record<string, unknown>): CallOutcome {
    try {
      const approval = context.propose(String(args.tool ?? ''), (args.arguments ?? {}) as Record<string, unknown>, String(args.reason ?? ''));
      return { isError: false, content: `Approval requested (${approval.id}); a person with ${approval.requiredScope} decides. Do not say it was done.` };
    } catch (error) {
      return { isError: true, content: (error as Error).message };
    }
  }

  /** The model's answer, with every claim checked against the tool results and evidence tied to real calls. */
  private grounded(final: Record<string, unknown>, input: PlannerInput, context: PlannerContext, baseline: Answer): Answer {
    const records = context.tools.records;
    const byId = new Map(records.map((r) => [r.id, r]));
    const corpus = new Corpus(records, [input.question, JSON.stringify(input.context)]);
    const unsupported = new Set<string>();
    const findings: Finding[] = [];
    const rawFindings = Array.isArray(final.findings) ? (final.findings as Record<string, unknown>[]) : [];
    rawFindings.forEach((raw, index) => {
      const title = String(raw.title ?? '').slice(0, 300);
      const summary = String(raw.summary ?? '').slice(0, 4000);
      const claims = unsupportedClaims(`${title}\n${summary}`, corpus);
      const evidence: Evidence[] = [];
      for (const e of Array.isArray(raw.evidence) ? (raw.evidence as Record<string, unknown>[]) : []) {
        const record = byId.get(String(e.call_id ?? ''));
        if (!record) {
          claims.push(`evidence cites call_id ${String(e.call_id)}, which no tool call has`);
          continue;
        }
        const url = typeof e.url === 'string' && corpus.has(e.url) ? e.url : undefined;
        if (typeof e.url === 'string' && !url) claims.push(e.url);
        evidence.push({
          kind: EVIDENCE_KINDS.includes(e.kind as EvidenceKind) ? (e.kind as EvidenceKind) : 'timeline',
          title: String(e.title ?? record.tool).slice(0, 300),
          sourceUrl: url,
          consoleUrl: consoleViewOf(record),
          toolCall: { id: record.id, tool: record.tool, arguments: record.arguments },
        });
      }
      claims.forEach((c) => unsupported.add(c));
      // A finding no real tool call backs is dropped; one with some unsupported details is kept and marked.
      if (!evidence.length) return;
      const finding: Finding = { id: `f${index + 1}`, title: markUnsupported(title, claims), summary: markUnsupported(summary, claims), evidence, ...(claims.length ? { unsupported: claims } : {}) };
      findings.push(finding);
      context.emit({ type: 'finding', finding });
    });
    const conclusionText = String(final.conclusion ?? '');
    const conclusionClaims = unsupportedClaims(conclusionText, corpus);
    conclusionClaims.forEach((c) => unsupported.add(c));
    const cause = final.most_likely_cause as { title?: unknown; kind?: unknown; service?: unknown } | undefined;
    if (cause && typeof cause.service === 'string' && !corpus.has(cause.service)) unsupported.add(cause.service);
    const actions: RecommendedAction[] = [];
    for (const raw of Array.isArray(final.actions) ? (final.actions as Record<string, unknown>[]) : []) {
      const runbookId = typeof raw.runbook_id === 'string' ? raw.runbook_id : undefined;
      if (runbookId && !corpus.has(runbookId)) {
        unsupported.add(runbookId);
        continue;
      }
      actions.push({ title: String(raw.title ?? '').slice(0, 300), kind: runbookId ? 'runbook' : 'check', ...(runbookId ? { runbook: { id: runbookId, name: String(raw.title ?? runbookId), consoleUrl: consoleLinks.runbook(runbookId) } } : {}) });
    }
    const confidence = ['high', 'medium', 'low'].includes(String(final.confidence)) ? (final.confidence as Answer['confidence']) : 'low';
    return {
      conclusion: markUnsupported(conclusionText, conclusionClaims),
      // Unsupported claims lower the confidence a reader should place in the answer.
      confidence: unsupported.size && confidence === 'high' ? 'medium' : confidence,
      mostLikelyCause:
        cause && typeof cause.title === 'string' && typeof cause.service === 'string'
          ? { title: markUnsupported(cause.title, unsupportedClaims(cause.title, corpus)), kind: CAUSE_KINDS.includes(cause.kind as CauseKind) ? (cause.kind as CauseKind) : 'unknown', service: cause.service }
          : null,
      findings,
      hypotheses: baseline.hypotheses,
      ruledOut: (Array.isArray(final.ruled_out) ? (final.ruled_out as Record<string, unknown>[]) : []).map((r) => ({ title: String(r.title ?? ''), reason: String(r.reason ?? ''), evidence: [] })),
      missing: Array.isArray(final.missing) ? (final.missing as unknown[]).map(String) : [],
      actions,
      checks: baseline.checks,
      scope: baseline.scope,
      planner: 'llm',
      toolCalls: records.length,
      unsupportedClaims: [...unsupported],
    };
  }
}
