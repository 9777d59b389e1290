import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { ANONYMOUS, type Actor, type Logger } from '@opsorch/adapters';
import { requestIdOf } from '../observability/request-scope.ts';
import { actorFromHeader, actorToHeader, CLIENT_HEADERS } from '../request-context.ts';
import type { ApiKeyConfig, JwtConfig, SecurityConfig } from './config.ts';
import { sendRefusal } from './http-errors.ts';
import { burstOf, createTokenBuckets } from './rate-limit.ts';
import { environmentScope, Grants } from './scopes.ts';
import { stateOf, type Principal } from './state.ts';

/** Why a credential was refused; `reason` goes to the client and the audit log, never the credential. */
export interface AuthenticationFailure {
  reason: string;
  message: string;
}

export interface AuthenticationOptions {
  config: SecurityConfig['auth'];
  /** Nothing configured: anonymous access with every scope unless configured otherwise. */
  demoDefaults: boolean;
  logger: Logger;
  /** Called for every refused request, so it is audited. */
  onRefused(req: Request, status: number, code: string, reason: string): void;
  /** Called for every failed authentication (401, and 429 once an address failed too often): audited in aggregate. */
  onFailed(req: Request, status: number, code: string, reason: string): void;
}

/** Failed authentications allowed per client address by default: a typo or an expired token, not a guessing run. */
const DEFAULT_FAILURE_LIMIT = { requestsPerMinute: 10, burst: 20 };

const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;

function clientOf(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function claimStrings(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Grants from a list that may mix capability scopes and `env:<name>` scopes; other scopes (openid...) are kept verbatim. */
function grantsFrom(scopes: string[], environments: string[]): Grants {
  const envs = [...environments, ...scopes.filter((s) => s.startsWith('env:')).map((s) => s.slice(4))];
  return new Grants(
    scopes.filter((s) => !s.startsWith('env:')),
    envs.length > 0 ? envs : ['*'],
  );
}

function jwtFailure(error: unknown, jwt: JwtConfig): AuthenticationFailure {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return { reason: 'TOKEN_EXPIRED', message: 'The bearer token has expired; get a new one from your identity provider.' };
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (error as { claim?: string }).claim ?? 'a claim';
      const expected = claim === 'iss' ? ` (expected issuer ${jwt.issuer})` : claim === 'aud' ? ` (expected audience ${[jwt.audience].flat().join(' or ')})` : '';
      return { reason: 'TOKEN_CLAIM_INVALID', message: `The bearer token's "${claim}" claim is not accepted${expected}.` };
    }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return { reason: 'TOKEN_SIGNATURE_INVALID', message: 'The bearer token signature does not verify.' };
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return { reason: 'TOKEN_KEY_UNKNOWN', message: "The bearer token's signing key (kid) is not in the identity provider's key set." };
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return { reason: 'TOKEN_ALGORITHM_REFUSED', message: `The bearer token's algorithm is not accepted; accepted: ${jwt.algorithms.join(', ')}.` };
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return { reason: 'JWKS_UNAVAILABLE', message: `The identity provider's key set at ${jwt.jwksUrl} could not be read; try again shortly.` };
    default:
      if (error instanceof TypeError || (error as { cause?: unknown }).cause) {
        return { reason: 'JWKS_UNAVAILABLE', message: `The identity provider's key set at ${jwt.jwksUrl} could not be read; try again shortly.` };
      }
      return { reason: 'TOKEN_INVALID', message: 'The bearer token is not a valid JWT.' };
  }
}

/**
 * Authentication: API keys (looked up by their SHA-256, never stored in the clear) and JWT bearer tokens
 * verified against the identity provider's JWKS (issuer, audience, expiry; an unknown `kid` re-fetches the
 * key set, so rotation needs no restart). Anonymous access exists only when enabled, or in the open demo.
 * Returns an Express middleware that establishes the request's principal or answers 401.
 */
export function createAuthentication(options: AuthenticationOptions) {
  const { config, logger } = options;
  const keysByHash = new Map<string, ApiKeyConfig>();
  for (const key of config.apiKeys) keysByHash.set(key.hash.slice('sha256:'.length), key);
  const jwt = config.jwt;
  const jwks = jwt
    ? createRemoteJWKSet(new URL(jwt.jwksUrl), {
        cooldownDuration: jwt.jwksCooldownSeconds * 1000,
        cacheMaxAge: jwt.jwksCacheMaxAgeSeconds * 1000,
        timeoutDuration: jwt.jwksTimeoutMs,
      })
    : null;
  const anonymous = config.anonymous ?? { enabled: options.demoDefaults, scopes: ['*'], environments: ['*'] };
  const failureLimit = config.failureRateLimit ?? DEFAULT_FAILURE_LIMIT;
  const failures = createTokenBuckets(100_000);
  const anonymousGrants = new Grants(anonymous.scopes, anonymous.environments);

  function apiKeyPrincipal(presented: string): Principal | AuthenticationFailure {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    const entry = keysByHash.get(digest.toString('hex'));
    // The map lookup finds the candidate; the constant-time compare keeps the final check free of timing hints.
    if (!entry || !timingSafeEqual(Buffer.from(entry.hash.slice(7), 'hex'), digest)) {
      return { reason: 'API_KEY_UNKNOWN', message: 'The API key is not valid (unknown or revoked).' };
    }
    return {
      actor: { kind: entry.actor, id: entry.name },
      subject: { kind: entry.actor, id: entry.name },
      credential: { type: 'api-key', id: entry.name },
      grants: grantsFrom(entry.scopes, entry.environments),
      rateLimit: entry.rateLimit,
      rateKey: `api-key:${entry.name}`,
    };
  }

  async function jwtPrincipal(token: string): Promise<Principal | AuthenticationFailure> {
    if (!jwt || !jwks) {
      return { reason: 'JWT_NOT_ACCEPTED', message: 'JWT bearer tokens are not accepted here: no identity provider is configured (gateway.auth.jwt).' };
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: jwt.issuer,
        audience: jwt.audience,
        algorithms: jwt.algorithms,
        clockTolerance: jwt.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      const failure = jwtFailure(error, jwt);
      if (failure.reason === 'JWKS_UNAVAILABLE') logger.warn({ jwksUrl: jwt.jwksUrl, err: String((error as Error).message) }, 'cannot read the JWKS');
      return failure;
    }
    const id = typeof payload[jwt.actorClaim] === 'string' ? (payload[jwt.actorClaim] as string) : payload.sub!;
    const kindClaim = payload[jwt.actorKindClaim];
    const kind: Actor['kind'] = kindClaim === 'agent' ? 'agent' : kindClaim === 'service' ? 'service' : 'user';
    const scopes = [
      ...claimStrings(payload[jwt.scopesClaim]),
      ...(jwt.scopesClaim === 'scp' ? [] : claimStrings(payload.scp)),
      // A person's groups at the identity provider grant what the configuration maps them to.
      ...claimStrings(payload[jwt.groupsClaim]).flatMap((group) => (Object.hasOwn(jwt.groupScopes, group) ? jwt.groupScopes[group]! : [])),
    ];
    return {
      actor: { kind, id },
      subject: { kind, id },
      credential: { type: 'jwt', id: payload.sub! },
      grants: grantsFrom(scopes, claimStrings(payload[jwt.environmentsClaim])),
      rateKey: `jwt:${payload.iss}:${payload.sub}`,
    };
  }

  /** The principal of a request, or why its credential is refused (null: no credential at all). */
  async function authenticate(req: Request): Promise<Principal | AuthenticationFailure | null> {
    const authorization = header(req, 'authorization')?.trim();
    const apiKey = header(req, 'x-api-key')?.trim();
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match) return { reason: 'AUTHORIZATION_MALFORMED', message: 'The Authorization header must be "Bearer <API key or JWT>".' };
      const token = match[1]!;
      return JWT_SHAPE.test(token) ? jwtPrincipal(token) : apiKeyPrincipal(token);
    }
    if (apiKey) return apiKeyPrincipal(apiKey);
    return null;
  }

  // Only the open demo (no credentials configured at all) lets a caller name itself: there it is the console's
  // "who am I" label. Anonymous access enabled beside real credentials never lets anyone claim a person.
  const selfDeclaredActors = options.demoDefaults && !config.anonymous;

  function anonymousPrincipal(req: Request): Principal {
    const ip = req.socket.remoteAddress ?? 'unknown';
    const declared = actorFromHeader(header(req, CLIENT_HEADERS.actor));
    const actor = selfDeclaredActors ? declared : declared.kind === 'agent' ? declared : ANONYMOUS;
    // In the open demo an agent (the copilot) may name the person it acts for, a label like the actor header:
    // the audit log shows the agent on their behalf and the tools record the person. Never with a credential.
    const person = selfDeclaredActors && actor.kind === 'agent' ? actorFromHeader(header(req, CLIENT_HEADERS.onBehalfOf)) : ANONYMOUS;
    const forPerson = person.kind === 'user';
    return {
      actor,
      ...(forPerson ? { onBehalfOf: actorToHeader(person) } : {}),
      // An anonymous agent acts for nobody: what it writes is attributed to it (a label), or to "anonymous".
      subject: forPerson ? person : selfDeclaredActors || actor.kind === 'agent' ? actor : ANONYMOUS,
      credential: { type: 'anonymous', id: 'anonymous' },
      grants: anonymousGrants,
      rateKey: `anonymous:${ip}`,
    };
  }

  /**
   * A credential's own actor, except that `X-OpsOrch-Actor: agent:<name>` marks an agent acting with
   * someone's credential (the MCP server forwards its client's token and names itself): the audit log
   * then shows the agent, on behalf of the credential's owner, while the tools keep attributing what it writes
   * to that owner (`subject`). The header can never claim another person.
   */
  function withDeclaredAgent(principal: Principal, declared: string | undefined): Principal {
    const actor = actorFromHeader(declared);
    if (actor.kind !== 'agent' || principal.actor.kind === 'agent') return principal;
    return { ...principal, actor, onBehalfOf: `${principal.actor.kind}:${principal.actor.id}` };
  }

  /**
   * The principal of a request, or why it is refused: what the /graphql middleware and the MCP endpoint (before
   * it opens a session) both use, without answering the request.
   */
  async function principalOf(req: Request): Promise<Principal | AuthenticationFailure> {
    let result: Principal | AuthenticationFailure | null;
    try {
      result = await authenticate(req);
    } catch (error) {
      logger.error({ err: String((error as Error).message), requestId: requestIdOf(req) }, 'authentication failed unexpectedly');
      return { reason: 'AUTHENTICATION_ERROR', message: 'Authentication failed inside OpsOrch; it has been logged with the request id.' };
    }
    if (result === null) {
      if (!anonymous.enabled) return { reason: 'CREDENTIALS_MISSING', message: 'Authentication required: send "Authorization: Bearer <API key or JWT>".' };
      return anonymousPrincipal(req);
    }
    if ('reason' in result) return result;
    return withDeclaredAgent(result, header(req, CLIENT_HEADERS.actor));
  }

  const middleware = async (req: Request, res: Response, next: NextFunction) => {
    const state = stateOf(req);
    // An address that failed too often waits, whatever it sends now: guessing gets no answers, and costs nothing.
    const wait = failureLimit.requestsPerMinute > 0 ? failures.peek(clientOf(req), failureLimit) : 0;
    if (wait > 0) {
      options.onFailed(req, 429, 'RATE_LIMITED', 'AUTHENTICATION_FAILURES');
      sendRefusal(
        req,
        res,
        429,
        'RATE_LIMITED',
        `Too many failed authentications from this address (${failureLimit.requestsPerMinute} a minute, burst ${burstOf(failureLimit)}); retry in ${wait} s with a valid credential.`,
        { reason: 'AUTHENTICATION_FAILURES', retryAfter: wait },
        { 'retry-after': String(wait) },
      );
      return;
    }
    const result = await principalOf(req);
    if ('reason' in result) {
      // Counted against the client's address, and audited in aggregate.
      if (failureLimit.requestsPerMinute > 0) failures.take(clientOf(req), failureLimit);
      options.onFailed(req, 401, 'UNAUTHENTICATED', result.reason);
      const challenge = result.reason === 'CREDENTIALS_MISSING' ? 'Bearer realm="opsorch"' : 'Bearer realm="opsorch", error="invalid_token"';
      sendRefusal(req, res, 401, 'UNAUTHENTICATED', result.message, { reason: result.reason }, { 'www-authenticate': challenge });
      return;
    }
    const principal = result;
    if (state) state.principal = principal;

    // The environment header is a request, checked against the grants; nothing forwarded is read from it later.
    const environment = header(req, CLIENT_HEADERS.environment)?.trim();
    if (environment && !principal.grants.allowsEnvironment(environment)) {
      const scope = environmentScope(environment);
      options.onRefused(req, 403, 'FORBIDDEN', 'ENVIRONMENT_NOT_ALLOWED');
      sendRefusal(req, res, 403, 'FORBIDDEN', `Missing scope ${scope}: this credential may not act on the ${environment} environment.`, {
        missingScope: scope,
        missingScopes: [scope],
      });
      return;
    }
    const environments = [...principal.grants.environments];
    if (state) state.environment = environment || (environments.length === 1 && environments[0] !== '*' ? environments[0] : undefined);
    next();
  };

  return {
    middleware,
    principalOf,
    /** For the start-up log: how requests are authenticated, without any secret. */
    describe() {
      return {
        anonymous: anonymous.enabled
          ? { enabled: true, ...anonymousGrants.describe(), why: config.anonymous ? 'configured' : 'demo default: no API key or JWT issuer configured' }
          : { enabled: false },
        apiKeys: config.apiKeys.map((k) => ({ name: k.name, actor: k.actor, scopes: k.scopes, environments: k.environments })),
        jwt: jwt ? { issuer: jwt.issuer, audience: jwt.audience, jwksUrl: jwt.jwksUrl } : null,
      };
    },
  };
}
