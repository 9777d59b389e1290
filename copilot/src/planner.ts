// One interface for both planners: the built-in investigator and the LLM loop.
import type { InvestigationTools } from './session.ts';
import type { ToolInfo } from './tools.ts';
import type { Answer, Approval, CopilotEventBody, PlanItem, QuestionContext, Turn } from './types.ts';

export interface PlannerInput {
  question: string;
  context: QuestionContext;
  /** The investigation's "now": every time window is absolute and computed from it (evaluations mock it). */
  now: Date;
  /** Earlier turns of the conversation, oldest first (a chat follow-up builds on them). */
  history: Turn[];
}

export interface PlannerContext {
  tools: InvestigationTools;
  plan: PlanTracker;
  emit(event: CopilotEventBody): void;
  signal: AbortSignal;
  /** Write tools a person could approve (listed, never called by the planner). */
  writeTools: ToolInfo[];
  /** Turns a write into an approval request; throws with what is wrong when the tool or arguments are invalid. */
  propose(tool: string, args: Record<string, unknown>, reason: string): Approval;
}

export interface Planner {
  readonly name: 'builtin' | 'llm';
  investigate(input: PlannerInput, context: PlannerContext): Promise<Answer>;
}

/** The visible plan: a todo list streamed whole on every change. */
export class PlanTracker {
  private readonly items: PlanItem[] = [];
  private counter = 0;

  constructor(private readonly emit: (event: CopilotEventBody) => void) {}

  add(title: string, status: PlanItem['status'] = 'pending'): string {
    const id = `p${++this.counter}`;
    this.items.push({ id, title, status });
    this.publish();
    return id;
  }

  set(id: string, status: PlanItem['status'], title?: string): void {
    const item = this.items.find((i) => i.id === id);
    if (!item || (item.status === status && (title === undefined || title === item.title))) return;
    item.status = status;
    if (title !== undefined) item.title = title;
    this.publish();
  }

  /** Replaces the whole list (the LLM rewrites its plan as it learns). */
  replace(items: { title: string; status: PlanItem['status'] }[]): void {
    this.items.splice(0, this.items.length, ...items.map((item, index) => ({ id: `p${index + 1}`, ...item })));
    this.counter = this.items.length;
    this.publish();
  }

  /** Runs `work` as a plan item: running, then done (or skipped when it throws, and the error is rethrown). */
  async step<T>(title: string, work: () => Promise<T>): Promise<T> {
    const id = this.add(title, 'running');
    try {
      const result = await work();
      this.set(id, 'done');
      return result;
    } catch (error) {
      this.set(id, 'skipped');
      throw error;
    }
  }

  get snapshot(): PlanItem[] {
    return this.items.map((i) => ({ ...i }));
  }

  private publish(): void {
    this.emit({ type: 'plan', items: this.snapshot });
  }
}
