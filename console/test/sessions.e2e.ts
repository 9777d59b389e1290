// Console sessions in Redis (shared by every replica) and in memory: what one replica writes another reads,
// a session ends with its lifetime, and the memory store stays within its bound.
import { createCookie } from '@remix-run/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@opsorch/adapters';
import { startRedis } from '../../gateway/test/security-fixtures.ts';
import { memorySessionStore, redisSessionStore, sessionStorageOver, type SessionStore } from '../server/auth/sessions.ts';

const cookie = createCookie('opsorch_session', { secrets: ['a-session-secret-of-at-least-32-characters'], httpOnly: true, sameSite: 'lax', path: '/' });

/** The `name=value` part of a Set-Cookie header, as the browser sends it back. */
const sent = (setCookie: string) => setCookie.split(';')[0]!;

describe('in Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  const stores: SessionStore[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis?.stop();
  });

  it('a session written by one replica is read, updated and ended by another', async () => {
    const [one, two] = [redisSessionStore(redis.url, silentLogger), redisSessionStore(redis.url, silentLogger)];
    stores.push(one, two);
    const [replicaOne, replicaTwo] = [sessionStorageOver(one, cookie, () => 60), sessionStorageOver(two, cookie, () => 60)];
    const session = await replicaOne.getSession();
    session.set('signedIn', { person: { subject: 'ravi' }, accessToken: 'token-1' });
    const header = sent(await replicaOne.commitSession(session));

    const seen = await replicaTwo.getSession(header);
    expect(seen.get('signedIn')).toEqual({ person: { subject: 'ravi' }, accessToken: 'token-1' });
    seen.set('signedIn', { person: { subject: 'ravi' }, accessToken: 'token-2' });
    await replicaTwo.commitSession(seen);
    expect((await replicaOne.getSession(header)).get('signedIn')).toMatchObject({ accessToken: 'token-2' });

    await replicaOne.destroySession(await replicaOne.getSession(header));
    expect((await replicaTwo.getSession(header)).get('signedIn')).toBeUndefined();
  });

  it('ends a session when its lifetime is over', async () => {
    const store = redisSessionStore(redis.url, silentLogger);
    stores.push(store);
    const storage = sessionStorageOver(store, cookie, () => 1);
    const session = await storage.getSession();
    session.set('signedIn', { person: { subject: 'maya' } });
    const header = sent(await storage.commitSession(session));
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await storage.getSession(header)).get('signedIn')).toBeUndefined();
  });

  it('ignores a cookie whose signature does not verify', async () => {
    const store = redisSessionStore(redis.url, silentLogger);
    stores.push(store);
    const storage = sessionStorageOver(store, cookie, () => 60);
    const session = await storage.getSession();
    session.set('signedIn', { person: { subject: 'ravi' } });
    const header = sent(await storage.commitSession(session));
    const forged = `${header.slice(0, -3)}abc`;
    expect((await storage.getSession(forged)).get('signedIn')).toBeUndefined();
  });
});

describe('in memory', () => {
  it('keeps at most its bound, dropping the least recently used first', async () => {
    const store = memorySessionStore(2);
    await store.set('a', { n: 1 }, 60);
    await store.set('b', { n: 2 }, 60);
    await store.get('a');
    await store.set('c', { n: 3 }, 60);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toEqual({ n: 1 });
    expect(await store.get('c')).toEqual({ n: 3 });
  });
});
