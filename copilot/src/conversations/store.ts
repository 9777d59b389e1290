// Where conversations live: in this process by default, in Redis when configured (replicas share them). Never
// operational data beyond what the conversation showed its person; bounded in count, size and age.
import type { Conversation, ConversationSummary, CopilotEvent } from '../types.ts';

export interface ConversationLimits {
  /** Most conversations kept; the least recently updated go first. */
  maxConversations: number;
  /** Largest stored conversation in bytes of JSON; older turns' events are dropped to fit. */
  maxBytes: number;
  /** Conversations untouched this long are forgotten. */
  maxAgeMs: number;
}

export const DEFAULT_LIMITS: ConversationLimits = { maxConversations: 1000, maxBytes: 2_000_000, maxAgeMs: 7 * 24 * 3_600_000 };

export interface ConversationStore {
  readonly kind: 'memory' | 'redis';
  get(id: string): Promise<Conversation | null>;
  save(conversation: Conversation): Promise<void>;
  /** The owner's conversations, most recently updated first; `text` matches titles and questions. */
  list(owner: string, options: { text?: string; limit: number }): Promise<ConversationSummary[]>;
  delete(id: string): Promise<void>;
  /** Live events of a conversation, from whichever replica runs its turn. */
  publish(conversationId: string, event: CopilotEvent): void;
  subscribe(conversationId: string, listener: (event: CopilotEvent) => void): () => void;
  close(): Promise<void>;
}

export function summarize(conversation: Conversation): ConversationSummary {
  const last = conversation.turns[conversation.turns.length - 1];
  return {
    id: conversation.id,
    title: conversation.title,
    context: conversation.context,
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    status: last ? last.status : 'idle',
    turns: conversation.turns.length,
    pendingApprovals: conversation.approvals.filter((a) => a.status === 'pending').length,
  };
}

/** Whether a conversation matches a search: every word in its title or one of its questions. */
export function matches(conversation: Conversation, text: string | undefined): boolean {
  if (!text?.trim()) return true;
  const haystack = [conversation.title, ...conversation.turns.map((t) => t.question)].join('\n').toLowerCase();
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

/**
 * Fits a conversation into `maxBytes`: the events of the oldest turns go first (their answers stay in
 * `turns`), then the bulkiest events of the rest. Returns the JSON to store.
 */
export function fitConversation(conversation: Conversation, maxBytes: number): string {
  let json = JSON.stringify(conversation);
  if (Buffer.byteLength(json) <= maxBytes) return json;
  const turnOrder = conversation.turns.map((t) => t.id);
  for (const turnId of turnOrder.slice(0, -1)) {
    conversation.events = conversation.events.filter((e) => e.turnId !== turnId);
    json = JSON.stringify(conversation);
    if (Buffer.byteLength(json) <= maxBytes) return json;
  }
  // Still too big: keep the stream's shape, drop tool-call arguments and finding details of the last turn.
  conversation.events = conversation.events.map((e) => (e.type === 'tool_call' ? { ...e, call: { ...e.call, arguments: {} } } : e.type === 'finding' ? { ...e, finding: { ...e.finding, evidence: [] } } : e));
  return JSON.stringify(conversation);
}

type Listener = (event: CopilotEvent) => void;

/** Live-event fan-out inside one process (both stores use it; Redis adds pub/sub across replicas). */
export class LocalBus {
  private readonly listeners = new Map<string, Set<Listener>>();

  emit(conversationId: string, event: CopilotEvent): void {
    for (const listener of this.listeners.get(conversationId) ?? []) listener(event);
  }

  on(conversationId: string, listener: Listener): () => void {
    const set = this.listeners.get(conversationId) ?? new Set();
    set.add(listener);
    this.listeners.set(conversationId, set);
    return () => {
      set.delete(listener);
      if (!set.size) this.listeners.delete(conversationId);
    };
  }

  has(conversationId: string): boolean {
    return this.listeners.has(conversationId);
  }
}

export class MemoryConversationStore implements ConversationStore {
  readonly kind = 'memory' as const;
  private readonly conversations = new Map<string, string>();
  private readonly bus = new LocalBus();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly limits: ConversationLimits = DEFAULT_LIMITS) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(limits.maxAgeMs, 60_000));
    this.sweeper.unref();
  }

  async get(id: string): Promise<Conversation | null> {
    const json = this.conversations.get(id);
    if (!json) return null;
    const conversation = JSON.parse(json) as Conversation;
    if (Date.now() - Date.parse(conversation.updatedAt) > this.limits.maxAgeMs) {
      this.conversations.delete(id);
      return null;
    }
    return conversation;
  }

  async save(conversation: Conversation): Promise<void> {
    const json = fitConversation(structuredClone(conversation), this.limits.maxBytes);
    // Re-inserting moves it to the end: Map order is least recently updated first.
    this.conversations.delete(conversation.id);
    this.conversations.set(conversation.id, json);
    while (this.conversations.size > this.limits.maxConversations) {
      const oldest = this.conversations.keys().next().value as string;
      this.conversations.delete(oldest);
    }
  }

  async list(owner: string, options: { text?: string; limit: number }): Promise<ConversationSummary[]> {
    const out: ConversationSummary[] = [];
    for (const json of [...this.conversations.values()].reverse()) {
      const conversation = JSON.parse(json) as Conversation;
      if (conversation.owner !== owner || !matches(conversation, options.text)) continue;
      if (Date.now() - Date.parse(conversation.updatedAt) > this.limits.maxAgeMs) continue;
      out.push(summarize(conversation));
      if (out.length >= options.limit) break;
    }
    return out;
  }

  async delete(id: string): Promise<void> {
    this.conversations.delete(id);
  }

  publish(conversationId: string, event: CopilotEvent): void {
    this.bus.emit(conversationId, event);
  }

  subscribe(conversationId: string, listener: Listener): () => void {
    return this.bus.on(conversationId, listener);
  }

  private sweep(): void {
    for (const [id, json] of this.conversations) {
      const updatedAt = Date.parse((JSON.parse(json) as Conversation).updatedAt);
      if (Date.now() - updatedAt > this.limits.maxAgeMs) this.conversations.delete(id);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }
}
