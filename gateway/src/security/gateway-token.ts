// The gateway's signature on every request it sends to a subgraph server (decision 014). A subgraph trusts the
// actor, scopes, environments, request id and time of a request only from a token it verifies: HS256 with a key
// both sides read from configuration (`gateway.subgraphs.signingKey`, a secret:// reference), short-lived,
// addressed to one subgraph and bound to the operation it came with, so it cannot be replayed elsewhere.
import { createHash } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Actor } from '@opsorch/adapters';
import { actorFromHeader, actorToHeader, type RequestIdentity } from '../request-context.ts';

const ISSUER = 'opsorch-gateway';
const ALGORITHM = 'HS256';
/** Shortest key accepted: HS256 wants at least as many bytes as its output. */
export const MIN_SIGNING_KEY_BYTES = 32;

/** What a verified token tells a subgraph server. */
export interface GatewayClaims extends RequestIdentity {
  /** Who acts, for the record (an agent acting for `actor`). */
  acting: Actor;
  /** The credential's capability scopes (`incidents:read`, `*`...). */
  scopes: string[];
}

/** The operation a token is bound to: its text and variables, as the subgraph receives them. */
export function operationHash(query: string | undefined, variables: unknown): string {
  return createHash('sha256')
    .update(query ?? '')
    .update('\u0000')
    .update(JSON.stringify(variables ?? {}))
    .digest('base64url');
}

export function audienceOf(subgraph: string): string {
  return `opsorch-subgraph:${subgraph}`;
}

export function signingKeyFrom(value: string, where: string): Uint8Array {
  const key = new TextEncoder().encode(value);
  if (key.length < MIN_SIGNING_KEY_BYTES) {
    throw new Error(`${where}: the subgraph signing key must be at least ${MIN_SIGNING_KEY_BYTES} bytes (for example \`openssl rand -base64 48\`)`);
  }
  return key;
}

/** Signs one subgraph request. */
export function createGatewayTokenSigner(key: Uint8Array, ttlSeconds: number) {
  return (subgraph: string, claims: GatewayClaims, operation: string): Promise<string> =>
    new SignJWT({
      act: actorToHeader(claims.acting),
      rid: claims.requestId,
      now: claims.now.toISOString(),
      scp: claims.scopes,
      ...(claims.environment ? { env: claims.environment } : {}),
      ...(claims.environments ? { envs: [...claims.environments] } : {}),
      op: operation,
    })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(audienceOf(subgraph))
      .setSubject(actorToHeader(claims.actor))
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(key);
}

/** Why a subgraph refused a request: the answer names it, never the key or the claims. */
export class GatewayTokenError extends Error {
  override name = 'GatewayTokenError';
}

function strings(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
}

/** Verifies the token of one request to `subgraph`; rejects with GatewayTokenError when it does not hold. */
export function createGatewayTokenVerifier(key: Uint8Array, subgraph: string, clockToleranceSeconds = 5) {
  return async (token: string | undefined, operation: string): Promise<GatewayClaims> => {
    if (!token) throw new GatewayTokenError('this subgraph answers only the OpsOrch gateway: the request carries no gateway token');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: audienceOf(subgraph), algorithms: [ALGORITHM], clockTolerance: clockToleranceSeconds, requiredClaims: ['exp', 'iat', 'sub'] }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new GatewayTokenError(code === 'ERR_JWT_EXPIRED' ? 'the gateway token has expired' : 'the gateway token does not verify');
    }
    if (payload.op !== operation) throw new GatewayTokenError('the gateway token was issued for another operation');
    const scopes = strings(payload.scp);
    const now = typeof payload.now === 'string' ? new Date(payload.now) : null;
    if (!scopes || !now || Number.isNaN(now.getTime()) || typeof payload.rid !== 'string' || typeof payload.act !== 'string') {
      throw new GatewayTokenError('the gateway token lacks the request claims');
    }
    const environments = payload.envs === undefined ? undefined : strings(payload.envs);
    if (environments === null) throw new GatewayTokenError('the gateway token lacks the request claims');
    const actor = actorFromHeader(payload.sub);
    const acting = actorFromHeader(payload.act);
    return {
      actor,
      acting,
      ...(acting.kind === 'agent' && acting.id !== actor.id ? { agent: acting.id } : {}),
      requestId: payload.rid,
      now,
      scopes,
      ...(typeof payload.env === 'string' ? { environment: payload.env } : {}),
      ...(environments ? { environments } : {}),
    };
  };
}
