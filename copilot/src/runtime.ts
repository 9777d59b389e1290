// The copilot runtime: conversations and their turns, the stream of events, approvals for writes, cancellation.
// Planners only investigate; everything a person can see or approve goes through here.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { checkArguments } from '@opsorch/mcp';
import type { ConversationStore } from './conversations/store.ts';
import { clip } from './investigator/analysis.ts';
import { PlanTracker, type Planner } from './planner.ts';
import { InvestigationTools } from './session.ts';
import { capabilityOfTool, type ToolConnector, type ToolInfo } from './tools.ts';
import type { Approval, Conversation, CopilotEvent, CopilotEventBody, Person, QuestionContext, Turn } from './types.ts';

export interface CopilotLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface CopilotLimits {
  /** Tool calls one turn may make. */
  maxToolCalls: number;
  /** A turn running longer is cancelled. */
  maxTurnMs: number;
  /** A turn whose every watcher left is cancelled after this long (they may reconnect meanwhile). */
  abandonedAfterMs: number;
}

export const DEFAULT_COPILOT_LIMITS: CopilotLimits = { maxToolCalls: 60, maxTurnMs: 5 * 60_000, abandonedAfterMs: 15_000 };

export interface CopilotOptions {
  tools: ToolConnector;
  store: ConversationStore;
  planners: { builtin: Planner; llm?: Planner };
  /** The planner used when a request names none: `llm` when one is configured, else `builtin`. */
  defaultPlanner?: 'builtin' | 'llm';
  limits?: Partial<CopilotLimits>;
  logger?: CopilotLogger;
}

/** An error the HTTP API answers with its status and message. */
export class CopilotError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CopilotError';
  }
}

interface RunningTurn {
  turnId: string;
  controller: AbortController;
  watchers: number;
  abandonTimer: NodeJS.Timeout | null;
}

const MAX_QUESTION = 2000;

export class Copilot {
  readonly limits: CopilotLimits;
  readonly defaultPlanner: 'builtin' | 'llm';
  private readonly running = new Map<string, RunningTurn>();
  private readonly live = new Map<string, Conversation>();

  constructor(private readonly options: CopilotOptions) {
    this.limits = { ...DEFAULT_COPILOT_LIMITS, ...options.limits };
    this.defaultPlanner = options.defaultPlanner ?? (options.planners.llm ? 'llm' : 'builtin');
  }

  get store(): ConversationStore {
    return this.options.store;
  }

  get connector(): ToolConnector {
    return this.options.tools;
  }

  plannerNames(): ('builtin' | 'llm')[] {
    return this.options.planners.llm ? ['builtin', 'llm'] : ['builtin'];
  }

  /** Starts a conversation with its first turn; the turn runs in the background and streams its events. */
  async start(person: Person, request: { question: string; context?: QuestionContext; planner?: string; now?: Date }): Promise<{ conversation: Conversation; turn: Turn }> {
    const question = this.checkQuestion(request.question);
    const now = new Date().toISOString();
    const conversation: Conversation = {
      id: randomUUID(),
      owner: person.id,
      title: clip(question, 90),
      context: cleanContext(request.context),
      createdAt: now,
      updatedAt: now,
      turns: [],
      events: [],
      approvals: [],
    };
    const turn = await this.begin(person, conversation, question, request.planner, request.now);
    return { conversation, turn };
  }

  /** A follow-up question in an existing conversation (a chat turn). */
  async continue(person: Person, conversationId: string, request: { question: string; planner?: string; now?: Date }): Promise<{ conversation: Conversation; turn: Turn }> {
    const question = this.checkQuestion(request.question);
    const conversation = await this.read(person, conversationId);
    if (this.running.has(conversationId)) throw new CopilotError(409, 'CONFLICT', 'A turn of this conversation is still running; wait for its answer or cancel it.');
    const turn = await this.begin(person, conversation, question, request.planner, request.now);
    return { conversation, turn };
  }

  /** The person's own conversation (live state while a turn runs), or 404. */
  async read(person: Person, conversationId: string): Promise<Conversation> {
    const conversation = this.live.get(conversationId) ?? (await this.options.store.get(conversationId));
    // Someone else's conversation is reported as missing: ids are not secrets, but conversations are private.
    if (!conversation || conversation.owner !== person.id) throw new CopilotError(404, 'NOT_FOUND', `No conversation ${conversationId} of yours (it may have expired).`);
    return conversation;
  }

  async list(person: Person, options: { text?: string; limit?: number }) {
    return this.options.store.list(person.id, { text: options.text, limit: Math.min(Math.max(options.limit ?? 25, 1), 100) });
  }

  /** Cancels the running turn of a conversation; resolves to whether one was running. */
  async cancel(person: Person, conversationId: string): Promise<boolean> {
    await this.read(person, conversationId);
    const running = this.running.get(conversationId);
    if (!running) return false;
    running.controller.abort(new Error('cancelled by the person who asked'));
    return true;
  }

  /**
   * Live events of a conversation after `afterSeq`; the stored ones first. Watching keeps a running turn alive:
   * when the last watcher leaves, the turn is cancelled after `abandonedAfterMs` unless someone watches again.
   */
  async watch(person: Person, conversationId: string, afterSeq: number, listener: (event: CopilotEvent) => void): Promise<{ replayed: CopilotEvent[]; running: boolean; stop(): void }> {
    // Subscribe before reading, so nothing published in between is lost (the turn may run on another replica).
    let last = afterSeq;
    let ready = false;
    const early: CopilotEvent[] = [];
    const unsubscribe = this.options.store.subscribe(conversationId, (event) => {
      if (!ready) return void early.push(event);
      if (event.seq <= last) return;
      last = event.seq;
      listener(event);
    });
    let conversation: Conversation;
    try {
      conversation = await this.read(person, conversationId);
    } catch (error) {
      unsubscribe();
      throw error;
    }
    const bySeq = new Map<number, CopilotEvent>();
    for (const event of [...conversation.events, ...early]) if (event.seq > afterSeq) bySeq.set(event.seq, event);
    const replayed = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    last = replayed[replayed.length - 1]?.seq ?? afterSeq;
    ready = true;
    const running = this.running.get(conversationId);
    if (running) {
      running.watchers++;
      if (running.abandonTimer) clearTimeout(running.abandonTimer);
      running.abandonTimer = null;
    }
    const lastTurn = conversation.turns[conversation.turns.length - 1];
    const finished = !lastTurn || lastTurn.status !== 'running' || [...conversation.events, ...replayed].some((e) => e.type === 'done' && e.turnId === lastTurn.id);
    let stopped = false;
    return {
      replayed,
      running: !finished,
      stop: () => {
        if (stopped) return;
        stopped = true;
        unsubscribe();
        const current = this.running.get(conversationId);
        if (current && current === running && --current.watchers <= 0) {
          current.abandonTimer = setTimeout(() => current.controller.abort(new Error('nobody is watching any more')), this.limits.abandonedAfterMs);
          current.abandonTimer.unref();
        }
      },
    };
  }

  private checkQuestion(question: unknown): string {
    if (typeof question !== 'string' || !question.trim()) throw new CopilotError(400, 'BAD_USER_INPUT', '`question` is required: what do you want to know, for example "why is checkout failing?"');
    if (question.length > MAX_QUESTION) throw new CopilotError(400, 'BAD_USER_INPUT', `\`question\` is ${question.length} characters; keep it under ${MAX_QUESTION}.`);
    return question.trim();
  }

  private plannerFor(name: string | undefined): 'builtin' | 'llm' {
    const chosen = name ?? this.defaultPlanner;
    if (chosen !== 'builtin' && chosen !== 'llm') throw new CopilotError(400, 'BAD_USER_INPUT', `\`planner\` must be "builtin" or "llm", got "${chosen}".`);
    if (chosen === 'llm' && !this.options.planners.llm) throw new CopilotError(400, 'BAD_USER_INPUT', 'No LLM is configured (OPSORCH_COPILOT_LLM_PROVIDER); use the built-in investigator ("builtin").');
    return chosen;
  }

  private async begin(person: Person, conversation: Conversation, question: string, plannerName: string | undefined, now: Date | undefined): Promise<Turn> {
    const planner = this.plannerFor(plannerName);
    const turn: Turn = { id: `t${conversation.turns.length + 1}`, question, planner, status: 'running', startedAt: new Date().toISOString() };
    conversation.turns.push(turn);
    const controller = new AbortController();
    // Every parallel tool call listens to the turn's signal.
    setMaxListeners(200, controller.signal);
    const running: RunningTurn = { turnId: turn.id, controller, watchers: 0, abandonTimer: null };
    this.running.set(conversation.id, running);
    this.live.set(conversation.id, conversation);
    const emit = this.emitter(conversation, turn.id);
    emit({ type: 'turn', turnId: turn.id, question, planner });
    await this.options.store.save(conversation);
    const deadline = setTimeout(() => controller.abort(new Error(`the turn ran longer than ${this.limits.maxTurnMs / 1000} s`)), this.limits.maxTurnMs);
    deadline.unref();
    // Started on the next turn of the event loop, so the caller's stream opens (and shows the turn) first.
    const started = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.run(person, conversation, turn, planner, now ?? new Date(), controller.signal, emit));
    void started.finally(async () => {
      clearTimeout(deadline);
      if (running.abandonTimer) clearTimeout(running.abandonTimer);
      this.running.delete(conversation.id);
      this.live.delete(conversation.id);
      await this.options.store.save(conversation).catch((error: Error) => this.options.logger?.error({ err: error.message }, 'copilot: saving a conversation failed'));
    });
    return turn;
  }

  private emitter(conversation: Conversation, turnId: string): (body: CopilotEventBody) => void {
    return (body) => {
      const event = { ...body, seq: (conversation.events[conversation.events.length - 1]?.seq ?? 0) + 1, at: new Date().toISOString(), turnId } as CopilotEvent;
      conversation.events.push(event);
      conversation.updatedAt = event.at;
      this.options.store.publish(conversation.id, event);
    };
  }

  private async run(person: Person, conversation: Conversation, turn: Turn, plannerName: 'builtin' | 'llm', now: Date, signal: AbortSignal, emit: (body: CopilotEventBody) => void): Promise<void> {
    const planner = this.options.planners[plannerName]!;
    let connection;
    try {
      // Write tools are listed so the planner can propose them; InvestigationTools refuses to call them.
      connection = await this.options.tools.connect(person, { writes: true });
      const tools = new InvestigationTools(connection, emit, signal, this.limits.maxToolCalls, `${turn.id}.c`);
      const writeTools = writeToolsOf(connection.tools);
      const answer = await planner.investigate(
        { question: turn.question, context: conversation.context, now, history: conversation.turns.slice(0, -1) },
        {
          tools,
          plan: new PlanTracker(emit),
          emit,
          signal,
          writeTools,
          propose: (tool, args, reason) => this.propose(conversation, writeTools, tool, args, reason, emit),
        },
      );
      signal.throwIfAborted();
      turn.answer = answer;
      turn.status = 'completed';
      emit({ type: 'answer', answer });
    } catch (error) {
      if (signal.aborted) {
        turn.status = 'cancelled';
        emit({ type: 'error', message: `Cancelled: ${(signal.reason as Error)?.message ?? 'stopped'}.` });
      } else {
        turn.status = 'failed';
        this.options.logger?.error({ err: (error as Error).message, conversation: conversation.id }, 'copilot turn failed');
        emit({ type: 'error', message: `The investigation failed: ${(error as Error).message}` });
      }
    } finally {
      await connection?.close().catch(() => {});
      turn.finishedAt = new Date().toISOString();
      emit({ type: 'done', status: turn.status });
    }
  }

  private propose(conversation: Conversation, writeTools: ToolInfo[], tool: string, args: Record<string, unknown>, reason: string, emit: (body: CopilotEventBody) => void): Approval {
    const definition = writeTools.find((t) => t.name === tool);
    if (!definition) throw new CopilotError(400, 'BAD_USER_INPUT', `${tool} is not a write tool the copilot can propose; write tools: ${writeTools.map((t) => t.name).join(', ') || 'none (the MCP server lists no write tool)'}.`);
    const id = randomUUID();
    const withKey = 'idempotencyKey' in ((definition.inputSchema.properties as object | undefined) ?? {}) ? { ...args, idempotencyKey: `copilot-${id}` } : args;
    const { variables, problems } = checkArguments(definition.inputSchema, withKey);
    if (problems.length) throw new CopilotError(400, 'BAD_USER_INPUT', `Invalid arguments for ${tool}: ${problems.join('; ')}.`);
    const capability = capabilityOfTool(tool) ?? 'unknown';
    const approval: Approval = {
      id,
      conversationId: conversation.id,
      tool,
      arguments: variables,
      reason: reason.slice(0, 1000),
      requiredScope: `${capability}:write`,
      status: 'pending',
      proposedAt: new Date().toISOString(),
    };
    conversation.approvals.push(approval);
    emit({ type: 'approval_required', approval });
    return approval;
  }

  /** Runs a pending write as the approving person, if they hold the scope; the result joins the conversation. */
  async approve(person: Person, conversationId: string, approvalId: string): Promise<Approval> {
    const { conversation, approval } = await this.pending(person, conversationId, approvalId);
    const emit = this.emitter(conversation, conversation.turns[conversation.turns.length - 1]?.id ?? 't0');
    if (person.may && !person.may(approval.requiredScope)) {
      emit({ type: 'message', text: `${person.id} may not approve ${approval.tool}: it needs the scope ${approval.requiredScope}. The proposal stays open for someone who has it.` });
      await this.persist(conversation);
      throw new CopilotError(403, 'FORBIDDEN', `Approving ${approval.tool} needs the scope ${approval.requiredScope}, which your credential does not have; ask someone who has it.`, { missingScopes: [approval.requiredScope] });
    }
    approval.status = 'executed';
    approval.decidedBy = person.id;
    approval.decidedAt = new Date().toISOString();
    const connection = await this.options.tools.connect(person, { writes: true });
    try {
      const answer = await connection.call(approval.tool, approval.arguments);
      approval.status = answer.ok ? 'executed' : 'failed';
      approval.result = answer.ok ? answer.data : undefined;
      approval.note = answer.ok ? undefined : answer.text.slice(0, 1000);
    } catch (error) {
      approval.status = 'failed';
      approval.note = (error as Error).message;
    } finally {
      await connection.close();
    }
    emit({ type: 'approval_resolved', approval });
    await this.persist(conversation);
    return approval;
  }

  async reject(person: Person, conversationId: string, approvalId: string, reason: string | undefined): Promise<Approval> {
    const { conversation, approval } = await this.pending(person, conversationId, approvalId);
    approval.status = 'rejected';
    approval.decidedBy = person.id;
    approval.decidedAt = new Date().toISOString();
    approval.note = reason?.slice(0, 1000) || undefined;
    this.emitter(conversation, conversation.turns[conversation.turns.length - 1]?.id ?? 't0')({ type: 'approval_resolved', approval });
    await this.persist(conversation);
    return approval;
  }

  private async pending(person: Person, conversationId: string, approvalId: string): Promise<{ conversation: Conversation; approval: Approval }> {
    const conversation = await this.read(person, conversationId);
    const approval = conversation.approvals.find((a) => a.id === approvalId);
    if (!approval) throw new CopilotError(404, 'NOT_FOUND', `No approval ${approvalId} in this conversation.`);
    if (approval.status !== 'pending') throw new CopilotError(409, 'CONFLICT', `This approval was already ${approval.status}${approval.decidedBy ? ` by ${approval.decidedBy}` : ''}.`);
    // A turn running on another replica holds the conversation and would overwrite this decision when it saves.
    if (conversation.turns.at(-1)?.status === 'running' && !this.running.has(conversationId)) {
      throw new CopilotError(409, 'CONFLICT', 'The investigation that proposed this is still running; decide once it has answered.');
    }
    return { conversation, approval };
  }

  /** Saves unless a running turn will (it holds the live copy). */
  private async persist(conversation: Conversation): Promise<void> {
    if (!this.running.has(conversation.id)) await this.options.store.save(conversation);
  }

  /** Cancels every running turn (shutdown). */
  async close(): Promise<void> {
    for (const running of this.running.values()) running.controller.abort(new Error('the server is shutting down'));
    await this.options.store.close();
  }
}

/** Write tools an MCP session lists: proposals name one of them. */
export function writeToolsOf(tools: ToolInfo[]): ToolInfo[] {
  return tools.filter((t) => !t.readOnly);
}

function cleanContext(context: QuestionContext | undefined): QuestionContext {
  const out: QuestionContext = {};
  for (const key of ['incidentId', 'service', 'from', 'to', 'page'] as const) {
    const value = context?.[key];
    if (typeof value === 'string' && value.trim() && value.length <= 500) out[key] = value.trim();
  }
  return out;
}
