import type { NextFunction, Request, Response } from 'express';
import { sendRefusal } from './http-errors.ts';
import { stateOf } from './state.ts';

export interface RateLimit {
  requestsPerMinute: number;
  burst?: number;
}

export interface RateLimitOptions {
  /** Default per-actor limit; null means no limit unless a credential sets its own. */
  limit: RateLimit | null;
  /** Most actors tracked at once; the least recently seen are forgotten first. */
  maxActors: number;
  onRefused(req: Request, status: number, code: string, reason: string): void;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

function burstOf(limit: RateLimit): number {
  return limit.burst ?? Math.max(10, Math.ceil(limit.requestsPerMinute / 10));
}

/**
 * Per-actor rate limit as a token bucket: `burst` requests at once, refilled at `requestsPerMinute`. A
 * refused request gets 429 RATE_LIMITED with `Retry-After` (whole seconds until one token is back). The
 * buckets live in this process: with N replicas behind a load balancer an actor gets up to N times the rate.
 */
export function createRateLimit(options: RateLimitOptions) {
  const buckets = new Map<string, Bucket>();
  const now = options.now ?? (() => performance.now());

  /** Takes one token; returns 0 when allowed, else the seconds to wait. */
  function take(key: string, limit: RateLimit): number {
    const perMs = limit.requestsPerMinute / 60_000;
    const burst = burstOf(limit);
    const t = now();
    let bucket = buckets.get(key);
    if (bucket) {
      buckets.delete(key);
      bucket.tokens = Math.min(burst, bucket.tokens + (t - bucket.updatedAt) * perMs);
      bucket.updatedAt = t;
    } else {
      bucket = { tokens: burst, updatedAt: t };
      if (buckets.size >= options.maxActors) buckets.delete(buckets.keys().next().value as string);
    }
    buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  }

  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const principal = stateOf(req)?.principal;
    const limit = principal?.rateLimit ?? options.limit;
    if (!principal || !limit || limit.requestsPerMinute === 0) return next();
    const wait = take(principal.rateKey, limit);
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

  return { middleware, take };
}
