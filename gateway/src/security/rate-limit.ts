import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from '@opsorch/adapters';
import { sendRefusal } from './http-errors.ts';
import { connectRedis, redisReady } from './redis-cache.ts';
import { stateOf } from './state.ts';

export interface RateLimit {
  requestsPerMinute: number;
  burst?: number;
}

export interface RateLimitOptions {
  /** Default per-actor limit; null means no limit unless a credential sets its own. */
  limit: RateLimit | null;
  /** Most actors tracked at once in this process; the least recently seen are forgotten first. */
  maxActors: number;
  onRefused(req: Request, status: number, code: string, reason: string): void;
  /** Shares the buckets among every replica (`caches.redisUrl`); the local buckets answer while Redis does not. */
  redisUrl?: string;
  logger?: Logger;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export function burstOf(limit: RateLimit): number {
  return limit.burst ?? Math.max(10, Math.ceil(limit.requestsPerMinute / 10));
}

/**
 * The same token bucket in Redis, atomic in one script. Time is Redis's own (`TIME`), so replicas with
 * different clocks agree; an idle bucket expires once it would be full again.
 */
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(stored[1])
local at = tonumber(stored[2])
if tokens == nil or at == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) * perMs)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) / perMs / 1000))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / perMs) + 1000)
return wait
`;

type TakingRedis = Redis & { opsorchTakeToken(key: string, burst: number, perMs: number): Promise<number> };

/**
 * Token buckets by key, at most `maxKeys` of them (the least recently used forgotten first): `burst` at once,
 * refilled at `requestsPerMinute`.
 */
export function createTokenBuckets(maxKeys: number, now: () => number = () => performance.now()) {
  const buckets = new Map<string, Bucket>();

  function refreshed(key: string, limit: RateLimit): Bucket {
    const perMs = limit.requestsPerMinute / 60_000;
    const t = now();
    let bucket = buckets.get(key);
    if (bucket) {
      buckets.delete(key);
      bucket.tokens = Math.min(burstOf(limit), bucket.tokens + (t - bucket.updatedAt) * perMs);
      bucket.updatedAt = t;
    } else {
      bucket = { tokens: burstOf(limit), updatedAt: t };
      if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
    }
    buckets.set(key, bucket);
    return bucket;
  }

  const waitFor = (bucket: Bucket, limit: RateLimit) => Math.max(1, Math.ceil((1 - bucket.tokens) / (limit.requestsPerMinute / 60_000) / 1000));

  return {
    /** Takes one token; returns 0 when allowed, else the seconds to wait. */
    take(key: string, limit: RateLimit): number {
      const bucket = refreshed(key, limit);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return waitFor(bucket, limit);
    },
    /** Like `take`, without taking: 0 when a token is there, else the seconds until one is. */
    peek(key: string, limit: RateLimit): number {
      const bucket = refreshed(key, limit);
      return bucket.tokens >= 1 ? 0 : waitFor(bucket, limit);
    },
  };
}

/**
 * Per-actor rate limit as a token bucket: `burst` requests at once, refilled at `requestsPerMinute`. A
 * refused request gets 429 RATE_LIMITED with `Retry-After` (whole seconds until one token is back). With Redis
 * configured every replica takes from the same bucket, so N replicas still allow an actor the rate once; while
 * Redis is unreachable each replica limits on its own (a request is never refused or delayed for Redis).
 */
export function createRateLimit(options: RateLimitOptions) {
  const local = createTokenBuckets(options.maxActors, options.now);
  let redis: TakingRedis | null = null;
  let lastWarning = 0;
  if (options.redisUrl) {
    redis = connectRedis(options.redisUrl) as TakingRedis;
    redis.defineCommand('opsorchTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    redis.on('error', (error: Error) => warn(error));
  }

  function warn(error: unknown): void {
    if (Date.now() - lastWarning < 60_000) return;
    lastWarning = Date.now();
    options.logger?.warn({ err: String((error as Error)?.message ?? error) }, 'Redis unavailable; rate limits are per replica until it is back');
  }

  /** Takes one token, from the shared bucket when Redis answers; returns 0 when allowed, else the seconds to wait. */
  async function take(key: string, limit: RateLimit): Promise<number> {
    if (redis && redis.status === 'ready') {
      try {
        return Number(await redis.opsorchTakeToken(`opsorch:rate:${key}`, burstOf(limit), limit.requestsPerMinute / 60_000));
      } catch (error) {
        warn(error);
      }
    }
    return local.take(key, limit);
  }

  const middleware = async (req: Request, res: Response, next: NextFunction) => {
    const principal = stateOf(req)?.principal;
    const limit = principal?.rateLimit ?? options.limit;
    if (!principal || !limit || limit.requestsPerMinute === 0) return next();
    const wait = await take(principal.rateKey, limit);
    if (wait === 0) return next();
    options.onRefused(req, 429, 'RATE_LIMITED', 'RATE_LIMITED');
    sendRefusal(
      req,
      res,
      429,
      'RATE_LIMITED',
      `Rate limit of ${limit.requestsPerMinute} requests a minute (burst ${burstOf(limit)}) reached for ${principal.actor.kind} ${principal.actor.id}; retry in ${wait} s.`,
      { retryAfter: wait, limit: limit.requestsPerMinute },
      { 'retry-after': String(wait) },
    );
  };

  return {
    middleware,
    take,
    /** Where the buckets live, for the start-up log. */
    describe: () => (redis ? 'redis (shared by replicas)' : 'per replica'),
    /** Waits (briefly) for Redis at start-up; the gateway starts either way. */
    async ready(): Promise<void> {
      if (redis && !(await redisReady(redis))) options.logger?.warn({}, 'Redis not reachable at start-up; rate limits are per replica until it is');
    },
    async close(): Promise<void> {
      redis?.disconnect();
    },
  };
}
