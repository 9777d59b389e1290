// Where console sessions live: in this process (bounded, least recently used first), or in Redis so every
// replica shares them. The browser only holds a signed, HttpOnly cookie with a random session id; tokens
// never leave the server.
import { randomBytes } from 'node:crypto';
import { createSessionStorage, type Cookie, type SessionStorage } from '@remix-run/node';
import { Redis } from 'ioredis';
import type { Logger } from '@opsorch/adapters';

/** A session's records, kept as JSON. */
export type SessionRecord = Record<string, unknown>;

/** A key/value store with expiry: the only thing session storage needs. */
export interface SessionStore {
  readonly kind: 'memory' | 'redis';
  get(id: string): Promise<SessionRecord | undefined>;
  set(id: string, record: SessionRecord, ttlSeconds: number): Promise<void>;
  delete(id: string): Promise<void>;
  close(): Promise<void>;
}

/** Sessions in this process: at most `maxSessions` (a Map keeps insertion order, so the first key is the least recently used). */
export function memorySessionStore(maxSessions: number): SessionStore {
  const entries = new Map<string, { record: SessionRecord; expiresAt: number }>();
  return {
    kind: 'memory',
    async get(id) {
      const entry = entries.get(id);
      if (!entry) return undefined;
      entries.delete(id);
      if (entry.expiresAt <= Date.now()) return undefined;
      entries.set(id, entry);
      return structuredClone(entry.record);
    },
    async set(id, record, ttlSeconds) {
      entries.delete(id);
      entries.set(id, { record: structuredClone(record), expiresAt: Date.now() + ttlSeconds * 1000 });
      while (entries.size > maxSessions) entries.delete(entries.keys().next().value!);
    },
    async delete(id) {
      entries.delete(id);
    },
    async close() {
      entries.clear();
    },
  };
}

/**
 * Sessions in Redis. Unlike the gateway's APQ cache, Redis is not optional here once configured: a failed
 * read is an error page ("sessions are unavailable"), never a silent sign-out or a session served stale.
 */
export function redisSessionStore(url: string, logger: Logger, prefix = 'opsorch:console-session:'): SessionStore {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, enableOfflineQueue: true, lazyConnect: false });
  let lastWarning = 0;
  redis.on('error', (error: Error) => {
    if (Date.now() - lastWarning > 60_000) {
      lastWarning = Date.now();
      logger.warn({ err: error.message }, 'console sessions: Redis unreachable; signed-in pages fail until it answers');
    }
  });
  return {
    kind: 'redis',
    async get(id) {
      const text = await redis.get(prefix + id);
      return text ? (JSON.parse(text) as SessionRecord) : undefined;
    },
    async set(id, record, ttlSeconds) {
      await redis.set(prefix + id, JSON.stringify(record), 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    },
    async delete(id) {
      await redis.del(prefix + id);
    },
    async close() {
      redis.disconnect();
    },
  };
}

/**
 * Remix session storage over a store: the cookie carries a random 192-bit id, signed with the session
 * secrets. `ttlOf` decides how long a record lives (the session's absolute end, not the cookie's).
 */
export function sessionStorageOver(store: SessionStore, cookie: Cookie, ttlOf: (record: SessionRecord) => number): SessionStorage {
  return createSessionStorage({
    cookie,
    async createData(data) {
      const id = randomBytes(24).toString('base64url');
      await store.set(id, data as SessionRecord, ttlOf(data as SessionRecord));
      return id;
    },
    async readData(id) {
      return (await store.get(id)) ?? null;
    },
    async updateData(id, data) {
      await store.set(id, data as SessionRecord, ttlOf(data as SessionRecord));
    },
    async deleteData(id) {
      await store.delete(id);
    },
  });
}
