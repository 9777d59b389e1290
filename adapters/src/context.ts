/** Who is calling: a person, an LLM agent, another service, or nobody (anonymous demo access). */
export interface Actor {
  kind: 'user' | 'agent' | 'service' | 'anonymous';
  /** Stable identifier of the caller: an email for people, a client name for agents. */
  id: string;
  name?: string;
}

export const ANONYMOUS: Actor = { kind: 'anonymous', id: 'anonymous' };

/** The logging surface providers may use; pino's loggers satisfy it. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

/**
 * Passed as the last argument of every provider call. `signal` aborts when the request ends or the
 * provider's timeout passes; `now` is fixed per request so relative times agree across providers.
 */
export interface ProviderContext {
  signal: AbortSignal;
  logger: Logger;
  actor: Actor;
  /** The agent acting for `actor` (an MCP client using their credential), when one said so: the tools may mention it. */
  agent?: string;
  requestId: string;
  now: Date;
  /** Environment the request is scoped to, when the caller chose one. */
  environment?: string;
  /**
   * Environments the caller may see and act on; absent: every one. The registry hides objects of other
   * environments as if they did not exist and refuses writes to them (src/isolation.ts, decision 014).
   */
  environments?: readonly string[];
  /** Told when an object was hidden or a write refused because of its environment (the audit log records it). */
  onEnvironmentDenied?(denial: EnvironmentDenial): void;
}

/** One object a caller reached by id but may not see or change: its environment is not among the caller's. */
export interface EnvironmentDenial {
  capability: string;
  /** The OpsOrch id of the object. */
  id: string;
  /** Its environment; null when the tool does not say (such objects are only for callers of every environment). */
  environment: string | null;
  action: 'read' | 'write';
}
