// DNS-rebinding and cross-site protection for every route of the gateway (decision 014): a request must name a
// Host the gateway is meant to be reached by, and a browser's Origin must be the gateway's own or an allowed one.
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@opsorch/adapters';
import { requestIdOf } from '../observability/request-scope.ts';

/** Host names every local setup reaches the gateway by. */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

export interface HostPolicy {
  /** Extra host names (or `host:port`); `*` turns the Host check off (only behind a proxy that checks it). */
  allowedHosts: readonly string[];
  /** Extra browser origins (`https://ops.example.com`) beyond the gateway's own and loopback ones. */
  allowedOrigins: readonly string[];
}

function hostnameOf(host: string): string {
  // `[::1]:4000` → `[::1]`, `localhost:4000` → `localhost`
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
}

/** An address, not a name: DNS rebinding needs a name the attacker controls, so an IP in Host is never one (probes and scrapes use them). */
function isAddress(hostname: string): boolean {
  return isIP(hostname.startsWith('[') ? hostname.slice(1, -1) : hostname) !== 0;
}

/** Answers why a request is refused, or undefined when its Host and Origin are allowed. */
export function checkHostAndOrigin(req: IncomingMessage, policy: HostPolicy): string | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  const hosts = [...LOOPBACK_HOSTS, ...policy.allowedHosts.map((h) => h.toLowerCase())];
  const hostname = hostnameOf(host);
  if (!hosts.includes('*') && !hosts.includes(host) && !hosts.includes(hostname) && !isAddress(hostname)) {
    return `Host "${host}" is not allowed (DNS-rebinding protection). If OpsOrch is meant to be reached by that name, add it to OPSORCH_ALLOWED_HOSTS (gateway.http.allowedHosts).`;
  }
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  // The Origin check stops requests a browser makes on the user's ambient authority (cookies, network position,
  // the open demo). A request carrying its own credential cannot be forged by another site, which does not know
  // it; OPTIONS (a CORS preflight) changes nothing. Cross-origin token clients are the routes' CORS policy's business.
  if (req.headers.authorization || req.headers['x-api-key'] || req.method === 'OPTIONS') return undefined;
  // `null` is what sandboxed frames and local files send: nobody's page, so nobody's to trust.
  let originHost: string;
  try {
    if (origin === 'null') throw new Error('opaque');
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return `Origin "${origin}" is not allowed (cross-site protection): requests from a browser must come from a page with a real origin.`;
  }
  const sameOrigin = originHost === host;
  const loopback = LOOPBACK_HOSTS.includes(hostnameOf(originHost));
  const listed = policy.allowedOrigins.map((o) => o.toLowerCase().replace(/\/$/, '')).includes(origin.toLowerCase());
  if (!sameOrigin && !loopback && !listed) {
    return `Origin "${origin}" is not allowed (cross-site protection). Add it to OPSORCH_ALLOWED_ORIGINS (gateway.http.allowedOrigins) to let that web app call OpsOrch.`;
  }
  return undefined;
}

/** The Express middleware: 403 in the shape the route's clients read (JSON-RPC on /mcp, GraphQL errors elsewhere). */
export function hostCheck(policy: HostPolicy, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const refusal = checkHostAndOrigin(req, policy);
    if (!refusal) return next();
    logger.warn(
      { host: req.headers.host ?? null, origin: req.headers.origin ?? null, path: req.path, requestId: requestIdOf(req) },
      'request refused: host or origin not allowed',
    );
    res.status(403).setHeader('cache-control', 'no-store');
    if (req.path === '/mcp') {
      res.json({ jsonrpc: '2.0', error: { code: -32000, message: refusal }, id: null });
      return;
    }
    res.json({ errors: [{ message: refusal, extensions: { code: 'FORBIDDEN', reason: 'HOST_NOT_ALLOWED' } }] });
  };
}
