// What every console request passes before Remix sees it: framing headers, a refusal of cross-site writes,
// a bound on request bodies, and the CSRF cookie whose token the forms carry. Remix's own origin check
// covers document POSTs only; its data requests (`?_data=`) skip it, so the check lives here, for both.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createCookie } from '@remix-run/node';
import type { NextFunction, Request, Response } from 'express';
import { CSRF_FIELD, type CsrfContext } from '../app/lib/context.ts';
import { plainPage } from './page.ts';

export interface RequestGuardOptions {
  /** Largest body a console route reads (413 above it, before any byte is parsed). */
  maxBodyBytes: number;
  /** Secrets that sign the CSRF cookie; the first signs, every one verifies. */
  cookieSecrets: string[];
  /** Cookies only over https (`__Host-` names): true when the console's public URL is https. */
  secureCookies: boolean;
  /** Origins besides the request's own Host that may post (the public URL behind a proxy that rewrites Host). */
  trustedOrigins: string[];
}

/** Methods that never change anything: no origin, body or token checks. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A request of Remix's client for a loader's or action's data (`/path.data`, or the older `?_data=<route>`), not a page. */
function isDataRequest(req: Request): boolean {
  return req.path.endsWith('.data') || /[?&]_data=/.test(req.originalUrl);
}

/** Refuses a request with a page that says why (plain text for Remix's data requests). */
export function refuse(req: Request, res: Response, status: number, title: string, detail: string, extraHeaders: Record<string, string> = {}): void {
  res.status(status);
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  if (isDataRequest(req)) {
    res.type('text/plain').send(`${title}: ${detail}`);
    return;
  }
  res.type('html').send(plainPage(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p><p><a href="/">Back to the console</a></p>`));
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Why a state-changing request looks cross-site, or null. Browsers send `Sec-Fetch-Site` (same-origin,
 * same-site, cross-site, none) and `Origin` on every POST; a request with neither (curl, very old browsers)
 * is left to the CSRF token, which a cross-site page cannot read.
 */
function crossSiteReason(req: Request, trustedOrigins: ReadonlySet<string>): string | null {
  const site = header(req, 'sec-fetch-site');
  // `none` is a navigation the person started themselves (typed, bookmarked): no other site is involved.
  if (site && site !== 'same-origin' && site !== 'none') return `the browser marked it ${site}`;
  const origin = header(req, 'origin');
  if (origin === undefined) return null;
  if (origin === 'null') return 'it came from an opaque origin (a sandboxed frame or a file)';
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return `its Origin "${origin.slice(0, 100)}" is not a URL`;
  }
  if (host === header(req, 'host') || trustedOrigins.has(origin)) return null;
  return `it came from ${origin.slice(0, 100)}`;
}

/**
 * One random token per browser in a signed, HttpOnly cookie; pages embed it masked with a fresh pad
 * (so compressed pages never repeat the same secret bytes), and a form's copy must match the cookie.
 */
export { CSRF_FIELD };

function createCsrf(options: RequestGuardOptions) {
  const cookie = createCookie(options.secureCookies ? '__Host-opsorch_csrf' : 'opsorch_csrf', {
    secrets: options.cookieSecrets,
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secureCookies,
    path: '/',
  });
  const mask = (token: Buffer) => {
    const pad = randomBytes(token.length);
    const masked = Buffer.alloc(token.length);
    for (let i = 0; i < token.length; i++) masked[i] = token[i]! ^ pad[i]!;
    return Buffer.concat([pad, masked]).toString('base64url');
  };
  const unmask = (value: string): Buffer | null => {
    const bytes = Buffer.from(value, 'base64url');
    if (bytes.length !== 64) return null;
    const out = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) out[i] = bytes[i]! ^ bytes[i + 32]!;
    return out;
  };
  return {
    /** The token of this browser (issuing the cookie on `res` when it has none) and a check for a submitted copy. */
    async contextFor(req: Request, res: Response): Promise<CsrfContext> {
      const stored = (await cookie.parse(header(req, 'cookie') ?? null)) as unknown;
      let token = typeof stored === 'string' && /^[A-Za-z0-9_-]{43}$/.test(stored) ? Buffer.from(stored, 'base64url') : null;
      if (!token) {
        token = randomBytes(32);
        res.append('set-cookie', await cookie.serialize(token.toString('base64url')));
      }
      const expected = token;
      return {
        token: mask(expected),
        verify(submitted: unknown) {
          if (typeof submitted !== 'string' || submitted.length > 200) return false;
          const given = unmask(submitted);
          return !!given && timingSafeEqual(given, expected);
        },
      };
    },
  };
}

/** The guard: an Express middleware for every console path, and the CSRF context handed to Remix. */
export function createRequestGuard(options: RequestGuardOptions) {
  const trusted = new Set(options.trustedOrigins);
  const csrf = createCsrf(options);
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    // Write buttons must not be clickable inside another site's frame (clickjacking).
    res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    if (SAFE_METHODS.has(req.method)) return next();

    const crossSite = crossSiteReason(req, trusted);
    if (crossSite) {
      refuse(req, res, 403, 'Refused: a write from another site', `This ${req.method} to the console was refused because ${crossSite}. Open the console itself and submit the form there.`);
      return;
    }
    // Bodies are bounded before anything reads them: a declared length above the limit is refused at once,
    // and a body without a declared length (chunked) is refused too (browsers always declare form bodies).
    const length = header(req, 'content-length');
    if (length === undefined && header(req, 'transfer-encoding') !== undefined) {
      refuse(req, res, 411, 'Length required', 'Console forms are sent with a Content-Length; this body had none.', { connection: 'close' });
      return;
    }
    if (length !== undefined && !(/^\d+$/.test(length) && Number(length) <= options.maxBodyBytes)) {
      if (isDataRequest(req) && /^\d+$/.test(length)) {
        // Submitted from a console page: the action refuses it unread (forms.server.ts) so the page's error
        // boundary says why; the connection closes after the answer instead of draining the body.
        res.setHeader('connection', 'close');
        return next();
      }
      const limit = `${Math.round(options.maxBodyBytes / 1024)} KiB`;
      refuse(req, res, 413, 'Too large', `The form sent ${/^\d+$/.test(length) ? `${Math.round(Number(length) / 1024)} KiB` : 'a body of unknown size'}; the console accepts at most ${limit}. Shorten the text, or attach long output to a ticket instead.`, {
        connection: 'close',
      });
      return;
    }
    next();
  };
  return { middleware, csrfContext: csrf.contextFor };
}

/** A random secret for cookies when none is configured: forms keep working until this process restarts. */
export function ephemeralSecret(): string {
  return randomBytes(32).toString('base64url');
}
