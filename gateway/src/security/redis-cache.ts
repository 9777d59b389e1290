import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { Redis } from 'ioredis';
import type { Logger } from '@opsorch/adapters';

/**
 * A connection for caches and shared counters: Redis is an accelerator, never a dependency of a request, so a
 * command fails fast (no offline queue, 500 ms) and the connection is retried slowly in the background.
 */
export function connectRedis(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    commandTimeout: 500,
    // Reconnect forever, but slowly: a missing Redis costs a log line a minute, not a storm.
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });
}

/** Resolves true once `redis` is connected, false after `timeoutMs` (callers start either way). */
export function redisReady(redis: Redis, timeoutMs = 2000): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}

/**
 * Apollo's KeyValueCache over Redis, so every gateway replica shares automatic persisted queries. Redis is
 * an accelerator, never a dependency of a request: when it is down or slow, a read is a miss and a write is
 * skipped (logged at most once a minute), and the client simply sends the full query again.
 */
export class RedisKeyValueCache implements KeyValueCache<string> {
  private readonly redis: Redis;
  private lastWarning = 0;

  constructor(
    url: string,
    private readonly logger: Logger,
    private readonly prefix = 'opsorch:',
  ) {
    this.redis = connectRedis(url);
    this.redis.on('error', (error: Error) => this.warn(error));
  }

  /** Waits until connected, at most `timeoutMs`; the gateway starts either way. */
  async ready(timeoutMs = 2000): Promise<boolean> {
    return redisReady(this.redis, timeoutMs);
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < 60_000) return;
    this.lastWarning = now;
    // ioredis messages name host and port, never the password; scrubbing is the logger's job anyway.
    this.logger.warn({ err: String((error as Error)?.message ?? error) }, 'Redis cache unavailable; persisted queries fall back to full queries');
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(this.prefix + key)) ?? undefined;
    } catch (error) {
      this.warn(error);
      return undefined;
    }
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    try {
      if (options?.ttl) await this.redis.set(this.prefix + key, value, 'EX', Math.ceil(options.ttl));
      else await this.redis.set(this.prefix + key, value);
    } catch (error) {
      this.warn(error);
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      return (await this.redis.del(this.prefix + key)) > 0;
    } catch (error) {
      this.warn(error);
      return false;
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
