// The tools as an investigation sees them: every call numbered, streamed, kept for evidence and for checking
// what an answer claims; reads only (a write is a proposal, see approvals.ts); a budget on the number of calls.
import type { ToolAnswer, ToolConnection, ToolInfo } from './tools.ts';
import type { CopilotEventBody, ToolCallRef } from './types.ts';

/** A finished tool call, as evidence refers to it. */
export interface ToolRecord extends ToolCallRef, ToolAnswer {
  ms: number;
}

export class ToolBudgetExceeded extends Error {
  constructor(limit: number) {
    super(`the investigation used its ${limit} tool calls`);
    this.name = 'ToolBudgetExceeded';
  }
}

/** A short line for the stream: how much came back, or why it failed. */
export function summarize(answer: ToolAnswer): string {
  if (!answer.ok) return answer.text.slice(0, 300);
  const counts: string[] = [];
  const visit = (value: unknown, key: string, depth: number) => {
    if (depth > 3 || !value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      counts.push(`${value.length} ${key}`);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      if (k === 'nodes' && Array.isArray(v)) counts.push(`${v.length} ${key}`);
      else if (k !== 'pageInfo' && k !== 'providerErrors' && k !== 'labels' && k !== 'fields' && k !== 'points') visit(v, k, depth + 1);
    }
  };
  visit(answer.data, 'items', 0);
  const errors = Array.isArray(answer.data?.errors) ? `; ${answer.data.errors.length} part(s) failed` : '';
  return `${counts.slice(0, 4).join(', ') || 'answered'}${errors}`;
}

export class InvestigationTools {
  readonly records: ToolRecord[] = [];
  private counter = 0;

  constructor(
    private readonly connection: ToolConnection,
    private readonly emit: (event: CopilotEventBody) => void,
    private readonly signal: AbortSignal,
    private readonly maxCalls: number,
    /** Prefix of call ids, so several turns of one conversation never share one. */
    private readonly prefix = 'c',
  ) {}

  /** Every tool of the session, reads and (listed for proposals) writes. */
  get all(): ToolInfo[] {
    return this.connection.tools;
  }

  get reads(): ToolInfo[] {
    return this.connection.tools.filter((t) => t.readOnly);
  }

  has(name: string): boolean {
    return this.connection.tools.some((t) => t.name === name && t.readOnly);
  }

  get remaining(): number {
    return this.maxCalls - this.counter;
  }

  /** Calls a read tool. A failing tool is an answer with `ok: false` (the investigation carries on without it). */
  async call(tool: string, args: Record<string, unknown>): Promise<ToolRecord> {
    this.signal.throwIfAborted();
    const known = this.connection.tools.find((t) => t.name === tool);
    if (known && !known.readOnly) throw new Error(`${tool} writes; the copilot proposes writes for a person to approve instead of calling them`);
    if (this.counter >= this.maxCalls) throw new ToolBudgetExceeded(this.maxCalls);
    const id = `${this.prefix}${++this.counter}`;
    this.emit({ type: 'tool_call', call: { id, tool, arguments: args } });
    const started = performance.now();
    let answer: ToolAnswer;
    if (!known) answer = { ok: false, data: undefined, text: `There is no tool named ${tool}.` };
    else {
      try {
        answer = await this.connection.call(tool, args, this.signal);
      } catch (error) {
        this.signal.throwIfAborted();
        answer = { ok: false, data: undefined, text: `${tool} failed: ${(error as Error).message}` };
      }
    }
    const record: ToolRecord = { id, tool, arguments: args, ...answer, ms: Math.round(performance.now() - started) };
    this.records.push(record);
    this.emit({ type: 'tool_result', callId: id, ok: answer.ok, summary: summarize(answer), ms: record.ms });
    return record;
  }
}
