// Conversations in Redis so every replica reads, continues and approves the same ones; live events travel over
// pub/sub, so a person whose stream lands on another replica still sees the turn as it runs.
import { Redis } from 'ioredis';
import type { Conversation, ConversationSummary, CopilotEvent } from '../types.ts';
import { fitConversation, LocalBus, matches, summarize, type ConversationLimits, type ConversationStore } from './store.ts';

const PREFIX = 'opsorch:copilot:';
const key = {
  conversation: (id: string) => `${PREFIX}conversation:${id}`,
  owner: (owner: string) => `${PREFIX}owner:${owner}`,
  all: `${PREFIX}all`,
  events: (id: string) => `${PREFIX}events:${id}`,
  /** Every event of a running turn, so a replica reading mid-turn sees what the last save does not hold yet. */
  log: (id: string) => `${PREFIX}log:${id}`,
};

/** Events kept per conversation in the log (older ones are in the saved conversation). */
const LOG_LENGTH = 2000;

interface Logger {
  warn(obj: object, msg?: string): void;
}

export class RedisConversationStore implements ConversationStore {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly bus = new LocalBus();

  constructor(
    url: string,
    private readonly limits: ConversationLimits,
    private readonly logger?: Logger,
  ) {
    const options = { maxRetriesPerRequest: 2, connectTimeout: 2000, retryStrategy: (attempt: number) => Math.min(attempt * 200, 5000) };
    this.redis = new Redis(url, options);
    this.subscriber = new Redis(url, options);
    for (const client of [this.redis, this.subscriber]) client.on('error', (error: Error) => this.logger?.warn({ err: error.message }, 'copilot: redis error'));
    this.subscriber.on('message', (channel: string, message: string) => {
      const id = channel.slice(key.events('').length);
      try {
        this.bus.emit(id, JSON.parse(message) as CopilotEvent);
      } catch {
        // Not ours: ignore.
      }
    });
  }

  async get(id: string): Promise<Conversation | null> {
    const [json, log] = await Promise.all([this.redis.get(key.conversation(id)), this.redis.lrange(key.log(id), 0, -1)]);
    if (!json) return null;
    const conversation = JSON.parse(json) as Conversation;
    const last = conversation.events[conversation.events.length - 1]?.seq ?? 0;
    for (const event of log.map((line) => JSON.parse(line) as CopilotEvent)) if (event.seq > last) conversation.events.push(event);
    conversation.events.sort((a, b) => a.seq - b.seq);
    return conversation;
  }

  async save(conversation: Conversation): Promise<void> {
    const json = fitConversation(structuredClone(conversation), this.limits.maxBytes);
    const score = Date.parse(conversation.updatedAt);
    const cutoff = Date.now() - this.limits.maxAgeMs;
    // Kept for maxAgeMs after its last update, not after this save.
    const ttl = Math.floor(score - cutoff);
    if (ttl <= 0) return this.delete(conversation.id);
    await this.redis
      .multi()
      .set(key.conversation(conversation.id), json, 'PX', ttl)
      .zadd(key.owner(conversation.owner), score, conversation.id)
      .zremrangebyscore(key.owner(conversation.owner), '-inf', cutoff)
      .pexpire(key.owner(conversation.owner), this.limits.maxAgeMs)
      .zadd(key.all, score, conversation.id)
      .zremrangebyscore(key.all, '-inf', cutoff)
      .exec();
    // Over the count limit: forget the least recently updated ones.
    const excess = (await this.redis.zcard(key.all)) - this.limits.maxConversations;
    if (excess > 0) {
      const oldest = await this.redis.zrange(key.all, 0, excess - 1);
      if (oldest.length) await this.redis.multi().del(...oldest.map(key.conversation), ...oldest.map(key.log)).zrem(key.all, ...oldest).exec();
    }
  }

  async list(owner: string, options: { text?: string; limit: number }): Promise<ConversationSummary[]> {
    // Newest first; a search reads a bounded number of the owner's most recent conversations.
    const ids = await this.redis.zrevrange(key.owner(owner), 0, options.text ? 199 : options.limit - 1);
    if (!ids.length) return [];
    const found = await this.redis.mget(...ids.map(key.conversation));
    const out: ConversationSummary[] = [];
    for (const json of found) {
      if (!json) continue;
      const conversation = JSON.parse(json) as Conversation;
      if (conversation.owner !== owner || !matches(conversation, options.text)) continue;
      out.push(summarize(conversation));
      if (out.length >= options.limit) break;
    }
    return out;
  }

  async delete(id: string): Promise<void> {
    const conversation = await this.get(id);
    await this.redis
      .multi()
      .del(key.conversation(id), key.log(id))
      .zrem(key.all, id)
      .zrem(key.owner(conversation?.owner ?? ''), id)
      .exec();
  }

  publish(conversationId: string, event: CopilotEvent): void {
    // Watchers on this replica get it at once; pub/sub echoes it back, and watchers drop what they have seen.
    this.bus.emit(conversationId, event);
    const json = JSON.stringify(event);
    this.redis
      .multi()
      .rpush(key.log(conversationId), json)
      .ltrim(key.log(conversationId), -LOG_LENGTH, -1)
      .pexpire(key.log(conversationId), this.limits.maxAgeMs)
      .publish(key.events(conversationId), json)
      .exec()
      .catch((error: Error) => this.logger?.warn({ err: error.message }, 'copilot: publishing an event failed'));
  }

  subscribe(conversationId: string, listener: (event: CopilotEvent) => void): () => void {
    const first = !this.bus.has(conversationId);
    const off = this.bus.on(conversationId, listener);
    if (first) void this.subscriber.subscribe(key.events(conversationId)).catch(() => {});
    return () => {
      off();
      if (!this.bus.has(conversationId)) void this.subscriber.unsubscribe(key.events(conversationId)).catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
