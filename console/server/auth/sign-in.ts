// Sign-in to the console with OpenID Connect: authorization code with PKCE (openid-client), a server-side
// session per person, access tokens refreshed before they expire, and RP-initiated logout where the
// provider offers it. Each API call then carries the person's own token, so the gateway applies their
// scopes, environments and audit (docs/decisions/015-console-sign-in.md).
import express, { type NextFunction, type Request, type Response } from 'express';
import * as oidc from 'openid-client';
import { createCookie, type Session, type SessionStorage } from '@remix-run/node';
import type { Logger } from '@opsorch/adapters';
import type { ConsoleAccess, ConsolePerson, CsrfContext } from '../../app/lib/context.ts';
import { CSRF_FIELD, escapeHtml } from '../guard.ts';
import { plainPage } from '../page.ts';
import { isLoopbackUrl, type ConsoleSettings, type SignInSettings } from '../settings.ts';
import { memorySessionStore, redisSessionStore, sessionStorageOver, type SessionStore } from './sessions.ts';

/** The id the gateway gave the request (its access-log line names it too). */
const requestIdOf = (req: Request): string | undefined => {
  const id = req.headers['x-request-id'];
  return typeof id === 'string' ? id : undefined;
};

/** The paths sign-in answers itself, before Remix. */
export const AUTH_PATHS = { login: '/auth/login', callback: '/auth/callback', logout: '/auth/logout', signedOut: '/auth/signed-out' } as const;

/** What a session holds once the person signed in. Tokens stay on the server. */
interface SignedIn {
  person: ConsolePerson;
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
  /** When the access token expires (ms since the epoch). */
  expiresAt: number;
  /** When the person signed in: the session ends `maxAgeSeconds` later whatever happens. */
  signedInAt: number;
}

/** A sign-in in progress, keyed by its `state`: what the callback checks and where it returns to. */
interface PendingSignIn {
  verifier: string;
  nonce: string;
  returnTo: string;
  createdAt: number;
}

const PENDING_TTL_MS = 10 * 60_000;
const MAX_PENDING = 5;

/** A path on this console (never another site, nor a protocol-relative `//host`). */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || value.length > 2000) return '/';
  if (value.startsWith('/auth/')) return '/';
  return value;
}

function stringClaim(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value ? value : undefined;
}

function groupsOf(claims: Record<string, unknown>, name: string): string[] {
  const value = claims[name];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : [];
}

/** Seconds until `exp` of a JWT access token, when the token endpoint did not say (`expires_in` is optional). */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export interface SignInOptions {
  signIn: SignInSettings;
  sessions: ConsoleSettings['sessions'];
  logger: Logger;
  /** Checks the CSRF token of the logout form (the guard's context for this request). */
  csrfContext(req: Request, res: Response): Promise<CsrfContext>;
}

export function createSignIn(options: SignInOptions) {
  const { signIn, sessions, logger } = options;
  const secure = signIn.redirectUrl.startsWith('https://');
  const consoleOrigin = new URL(signIn.redirectUrl).origin;
  const postLogoutRedirectUrl = signIn.postLogoutRedirectUrl ?? `${consoleOrigin}${AUTH_PATHS.signedOut}`;
  const maxAgeMs = sessions.maxAgeSeconds * 1000;

  const store: SessionStore = sessions.redisUrl ? redisSessionStore(sessions.redisUrl, logger) : memorySessionStore(sessions.memoryMaxSessions);
  const cookie = createCookie(secure ? '__Host-opsorch_session' : 'opsorch_session', {
    secrets: sessions.secrets!,
    httpOnly: true,
    // Lax: the cookie comes along when a person follows a link from chat or e-mail, never on another site's POST.
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: sessions.maxAgeSeconds,
  });
  const storage: SessionStorage = sessionStorageOver(store, cookie, (record) => {
    const signedIn = record.signedIn as SignedIn | undefined;
    return signedIn ? Math.max(1, (signedIn.signedInAt + maxAgeMs - Date.now()) / 1000) : PENDING_TTL_MS / 1000;
  });

  // Discovery happens on first use and is retried after a failure: a provider that is down at start-up
  // must not keep the console from starting, nor be remembered as down.
  let discovered: Promise<oidc.Configuration> | null = null;
  const provider = (): Promise<oidc.Configuration> => {
    discovered ??= oidc
      .discovery(
        new URL(signIn.issuer),
        signIn.clientId,
        undefined,
        signIn.tokenEndpointAuthMethod === 'client_secret_post' ? oidc.ClientSecretPost(signIn.clientSecret) : oidc.ClientSecretBasic(signIn.clientSecret),
        isLoopbackUrl(signIn.issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .then((configuration) => {
        configuration.timeout = 10;
        return configuration;
      })
      .catch((error: unknown) => {
        discovered = null;
        throw error;
      });
    return discovered;
  };

  /** One refresh per session at a time: parallel loaders of one page must not spend the same refresh token twice. */
  const refreshing = new Map<string, Promise<SignedIn | null>>();

  async function refresh(session: Session, current: SignedIn): Promise<SignedIn | null> {
    const configuration = await provider();
    let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
    try {
      tokens = await oidc.refreshTokenGrant(configuration, current.refreshToken!);
    } catch (error) {
      if (error instanceof oidc.ResponseBodyError) {
        // The provider refused the refresh token (expired, revoked, the person was disabled): the session is over.
        logger.info({ subject: current.person.subject, error: error.error }, 'console: refresh refused by the identity provider; signing out');
        await storage.destroySession(session);
        return null;
      }
      throw error;
    }
    const updated: SignedIn = {
      ...current,
      accessToken: tokens.access_token,
      idToken: tokens.id_token ?? current.idToken,
      refreshToken: tokens.refresh_token ?? current.refreshToken,
      expiresAt: expiryOf(tokens),
    };
    session.set('signedIn', updated);
    await storage.commitSession(session);
    return updated;
  }

  function expiryOf(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): number {
    const seconds = tokens.expiresIn();
    return seconds !== undefined ? Date.now() + seconds * 1000 : (jwtExpiry(tokens.access_token) ?? Date.now() + 5 * 60_000);
  }

  function bearerOf(signedIn: SignedIn): string {
    return signIn.forwardToken === 'id' && signedIn.idToken ? signedIn.idToken : signedIn.accessToken;
  }

  const signInUrl = (returnTo: string) => `${AUTH_PATHS.login}?returnTo=${encodeURIComponent(safeReturnTo(returnTo))}`;
  const signedOut: ConsoleAccess = { mode: 'sign-in', person: null, bearer: null, signInUrl };

  /** The person behind a request with a token valid for at least `refreshBeforeSeconds`, or nobody. */
  async function accessFor(req: Request): Promise<ConsoleAccess> {
    const session = await storage.getSession(req.headers.cookie);
    let signedIn = session.get('signedIn') as SignedIn | undefined;
    if (!signedIn) return signedOut;
    const now = Date.now();
    if (now >= signedIn.signedInAt + maxAgeMs) {
      await storage.destroySession(session);
      return signedOut;
    }
    if (signedIn.expiresAt - now <= signIn.refreshBeforeSeconds * 1000) {
      if (signedIn.refreshToken) {
        let pending = refreshing.get(session.id);
        if (!pending) {
          pending = refresh(session, signedIn).finally(() => refreshing.delete(session.id));
          refreshing.set(session.id, pending);
        }
        try {
          signedIn = (await pending) ?? undefined;
        } catch (error) {
          // The provider is unreachable: keep using the token while it is still valid.
          logger.warn({ err: (error as Error).message, requestId: requestIdOf(req) }, 'console: token refresh failed; the identity provider did not answer');
          if (signedIn!.expiresAt <= now) return signedOut;
        }
      } else if (signedIn.expiresAt <= now) {
        await storage.destroySession(session);
        return signedOut;
      }
    }
    if (!signedIn) return signedOut;
    return { mode: 'sign-in', person: signedIn.person, bearer: bearerOf(signedIn), signInUrl };
  }

  function problemPage(res: Response, status: number, title: string, detail: string, returnTo = '/') {
    res
      .status(status)
      .type('html')
      .send(plainPage(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p><p><a href="${escapeHtml(signInUrl(returnTo))}">Sign in again</a></p>`));
  }

  async function login(req: Request, res: Response) {
    const returnTo = safeReturnTo(req.query.returnTo);
    const configuration = await provider();
    const session = await storage.getSession(req.headers.cookie);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const now = Date.now();
    const pending = Object.entries((session.get('pending') as Record<string, PendingSignIn> | undefined) ?? {})
      .filter(([, p]) => now - p.createdAt < PENDING_TTL_MS)
      .slice(-(MAX_PENDING - 1));
    session.set('pending', Object.fromEntries([...pending, [state, { verifier, nonce, returnTo, createdAt: now }]]));
    res.append('set-cookie', await storage.commitSession(session));
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: signIn.redirectUrl,
      scope: signIn.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    res.redirect(303, url.href);
  }

  async function callback(req: Request, res: Response) {
    const session = await storage.getSession(req.headers.cookie);
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    const all = (session.get('pending') as Record<string, PendingSignIn> | undefined) ?? {};
    const pending = all[state];
    if (typeof req.query.error === 'string') {
      const description = typeof req.query.error_description === 'string' ? req.query.error_description.slice(0, 300) : req.query.error;
      return problemPage(res, 403, 'Sign-in was refused', `The identity provider answered: ${description}.`, pending?.returnTo);
    }
    if (!pending || Date.now() - pending.createdAt > PENDING_TTL_MS) {
      return problemPage(res, 400, 'This sign-in has expired', 'It took longer than 10 minutes, or it was started in another browser. Sign in again from here.');
    }
    const configuration = await provider();
    const currentUrl = new URL(signIn.redirectUrl);
    currentUrl.search = new URL(req.originalUrl, consoleOrigin).search;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      logger.warn({ err: (error as Error).message, requestId: requestIdOf(req) }, 'console: sign-in callback refused');
      return problemPage(res, 400, 'Sign-in could not be completed', `The answer of the identity provider was not accepted: ${(error as Error).message}.`, pending.returnTo);
    }
    const claims = (tokens.claims() ?? {}) as Record<string, unknown>;
    const person: ConsolePerson = {
      subject: String(claims.sub),
      email: stringClaim(claims, 'email'),
      name: stringClaim(claims, 'name') ?? stringClaim(claims, 'preferred_username'),
      groups: groupsOf(claims, signIn.groupsClaim),
    };
    // A new session id after sign-in: an id planted before it (session fixation) is worth nothing.
    await storage.destroySession(session);
    const fresh = await storage.getSession();
    const signedIn: SignedIn = {
      person,
      accessToken: tokens.access_token,
      idToken: tokens.id_token,
      refreshToken: tokens.refresh_token,
      expiresAt: expiryOf(tokens),
      signedInAt: Date.now(),
    };
    fresh.set('signedIn', signedIn);
    res.append('set-cookie', await storage.commitSession(fresh));
    logger.info({ subject: person.subject, email: person.email, groups: person.groups, requestId: requestIdOf(req) }, 'console: signed in');
    res.redirect(303, pending.returnTo);
  }

  const readForm = express.urlencoded({ extended: false, limit: '8kb' });

  async function logout(req: Request, res: Response) {
    const csrf = await options.csrfContext(req, res);
    if (!csrf.verify((req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD])) {
      return problemPage(res, 403, 'Sign-out refused', 'The form was not sent by this console (its security token is missing or stale). Reload the page and sign out again.');
    }
    const session = await storage.getSession(req.headers.cookie);
    const signedIn = session.get('signedIn') as SignedIn | undefined;
    res.append('set-cookie', await storage.destroySession(session));
    if (!signedIn) return res.redirect(303, AUTH_PATHS.signedOut);
    logger.info({ subject: signedIn.person.subject, email: signedIn.person.email, requestId: requestIdOf(req) }, 'console: signed out');
    let configuration: oidc.Configuration | null = null;
    try {
      configuration = await provider();
      if (signedIn.refreshToken && configuration.serverMetadata().revocation_endpoint) {
        await oidc.tokenRevocation(configuration, signedIn.refreshToken).catch((error: Error) => logger.warn({ err: error.message }, 'console: refresh token revocation failed'));
      }
    } catch (error) {
      logger.warn({ err: (error as Error).message, requestId: requestIdOf(req) }, 'console: identity provider unreachable at sign-out; the console session ended anyway');
    }
    if (configuration?.serverMetadata().end_session_endpoint) {
      const url = oidc.buildEndSessionUrl(configuration, {
        post_logout_redirect_uri: postLogoutRedirectUrl,
        ...(signedIn.idToken ? { id_token_hint: signedIn.idToken } : { client_id: signIn.clientId }),
      });
      return res.redirect(303, url.href);
    }
    res.redirect(303, AUTH_PATHS.signedOut);
  }

  function signedOutPage(_req: Request, res: Response) {
    res
      .type('html')
      .send(plainPage('Signed out', `<h1>You are signed out</h1><p>Your OpsOrch console session has ended.</p><p><a href="${AUTH_PATHS.login}">Sign in again</a></p>`));
  }

  /** Express middleware answering the sign-in paths; every other path goes on. */
  const routes = (req: Request, res: Response, next: NextFunction) => {
    const run = (handler: (req: Request, res: Response) => Promise<void> | void) =>
      Promise.resolve(handler(req, res)).catch((error: Error) => {
        logger.warn({ err: error.message, path: req.path, requestId: requestIdOf(req) }, 'console: sign-in failed');
        problemPage(res, 503, 'Sign-in is unavailable', `The identity provider (${signIn.issuer}) or the session store did not answer: ${error.message}. Try again in a moment.`, safeReturnTo(req.query.returnTo));
      });
    if (req.method === 'GET' && req.path === AUTH_PATHS.login) return void run(login);
    if (req.method === 'GET' && req.path === AUTH_PATHS.callback) return void run(callback);
    if (req.method === 'POST' && req.path === AUTH_PATHS.logout) return readForm(req, res, () => void run(logout));
    if (req.method === 'GET' && req.path === AUTH_PATHS.signedOut) return signedOutPage(req, res);
    next();
  };

  return {
    routes,
    accessFor,
    describe: () => ({ issuer: signIn.issuer, clientId: signIn.clientId, redirectUrl: signIn.redirectUrl, sessions: store.kind, forwardToken: signIn.forwardToken }),
    close: () => store.close(),
  };
}
