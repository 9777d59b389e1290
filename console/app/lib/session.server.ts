// Who is at the keyboard and one-shot notices after a write. Both are plain cookies: until authentication
// lands the actor is a self-declared label (as X-OpsOrch-Actor is for every client), not a credential.
import { createCookie, redirect } from '@remix-run/node';

const ACTOR_COOKIE = 'opsorch_actor';
const FLASH_COOKIE = 'opsorch_flash';
const EMAIL = /^[^\s@]+@[^\s@]+$/;

const actorCookie = createCookie(ACTOR_COOKIE, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 60 * 60 * 24 * 365 });
const flashCookie = createCookie(FLASH_COOKIE, { path: '/', sameSite: 'lax', httpOnly: true });

/** The e-mail of the person the console acts as, or undefined (anonymous). */
export async function actorFromRequest(request: Request): Promise<string | undefined> {
  const value = (await actorCookie.parse(request.headers.get('cookie'))) as unknown;
  return typeof value === 'string' && EMAIL.test(value) ? value.toLowerCase() : undefined;
}

export async function actorCookieHeader(email: string | null): Promise<string> {
  return email ? actorCookie.serialize(email) : actorCookie.serialize('', { maxAge: 0 });
}

/** A notice shown once on the next page: what a write did, with a link to it when useful. */
export interface Flash {
  kind: 'success' | 'error';
  message: string;
}

export async function readFlash(request: Request): Promise<{ flash: Flash | null; clear: string | null }> {
  const value = (await flashCookie.parse(request.headers.get('cookie'))) as Flash | null;
  if (!value || typeof value.message !== 'string') return { flash: null, clear: null };
  return { flash: value, clear: await flashCookie.serialize('', { maxAge: 0 }) };
}

/** Redirects after a successful write (post/redirect/get), with a notice for the next page. */
export async function redirectWithFlash(to: string, flash: Flash): Promise<Response> {
  return redirect(to, { headers: { 'set-cookie': await flashCookie.serialize(flash) } });
}
