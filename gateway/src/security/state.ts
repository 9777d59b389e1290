import type { Actor, EnvironmentDenial } from '@opsorch/adapters';
import type { Grants } from './scopes.ts';

/** Who is calling, as established from the credential (never from a self-declared header alone). */
export interface Principal {
  /** Who acts: the audit log's actor. An agent using a person's credential is `agent` with `onBehalfOf`. */
  actor: Actor;
  /** Whom the tools attribute writes to (timelines, comments): the credential's owner, also when an agent acts for them. */
  subject: Actor;
  /** The credential that authenticated the request. */
  credential: { type: 'api-key' | 'jwt' | 'anonymous'; id: string };
  /** The person or service whose credential an agent uses. */
  onBehalfOf?: string;
  grants: Grants;
  /** Per-actor rate limit override. */
  rateLimit?: { requestsPerMinute: number; burst?: number };
  /** Key of the rate-limit bucket (anonymous callers are limited per address). */
  rateKey: string;
}

/** What the security plugins learn about one request, from the first middleware to the audit line. */
export interface RequestSecurityState {
  startedAt: number;
  requestId: string;
  principal?: Principal;
  /** The environment the request is scoped to: the one it asked for (granted), or the only one its credential has. */
  environment?: string;
  /** Objects the request reached by id but may not see (another environment): audited as a denial. */
  environmentDenials?: EnvironmentDenial[];
  client: { ip: string | null; userAgent: string | null };
  /** `capability/instance` of every provider called while answering (in-process subgraphs). */
  providers: Set<string>;
  /** Set once a request has been denied and audited, so it is not audited twice. */
  audited?: boolean;
  /** The operation as analysed by the authorization plugin, for the audit line. */
  operation?: {
    name: string | null;
    type: string;
    rootFields: string[];
    capabilities: string[];
  };
}

// Keyed by the HTTP request and by the provider context of the GraphQL context built for it, so the Express middlewares and the
// Apollo plugins share one record without touching either object's shape.
const states = new WeakMap<object, RequestSecurityState>();

export function stateOf(key: object): RequestSecurityState | undefined {
  return states.get(key);
}

/**
 * The record of a GraphQL context. Apollo Server hands plugins a shallow copy of the context it built, so
 * the record is keyed by the per-request provider context that every copy shares.
 */
export function stateOfContext(context: object): RequestSecurityState | undefined {
  const provider = (context as { provider?: unknown }).provider;
  return states.get(provider && typeof provider === 'object' ? provider : context);
}

export function setState(key: object, state: RequestSecurityState): void {
  states.set(key, state);
}
