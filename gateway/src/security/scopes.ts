import { SUBGRAPH_NAMES } from '@opsorch/schema';

/** What a request may do: the verb on a capability. `write` includes `read` of the same capability. */
export type Verb = 'read' | 'write';

/** Scopes follow the subgraph that owns a field (decision 006): every subgraph, `platform` included, is a capability here. */
const CAPABILITY_SET = new Set<string>(SUBGRAPH_NAMES);
const SCOPE = /^(\*|[a-z]+):(read|write|\*)$/;

/** `incidents:read`, `incidents:write`, `incidents:*`, `*:read`, `*:write`, `*`. */
export function isScope(value: string): boolean {
  if (value === '*') return true;
  const match = SCOPE.exec(value);
  return !!match && (match[1] === '*' || CAPABILITY_SET.has(match[1]!));
}

/** The scope a capability and verb need, as the FORBIDDEN error names it. */
export function scopeName(capability: string, verb: Verb): string {
  return `${capability}:${verb}`;
}

/** The scope naming an environment, as the FORBIDDEN error names it (`env:production`). */
export function environmentScope(environment: string): string {
  return `env:${environment}`;
}

/**
 * A credential's grants, checked in constant time per field: scopes per capability and verb, and the
 * environments it may touch (`'*'` = every one).
 */
export class Grants {
  private readonly scopes: ReadonlySet<string>;
  readonly environments: ReadonlySet<string>;

  constructor(scopes: Iterable<string>, environments: Iterable<string>) {
    this.scopes = new Set(scopes);
    this.environments = new Set(environments);
  }

  static readonly everything = new Grants(['*'], ['*']);

  allows(capability: string, verb: Verb): boolean {
    const s = this.scopes;
    if (s.has('*') || s.has(`${capability}:*`) || s.has(`*:write`) || s.has(`${capability}:write`)) return true;
    return verb === 'read' && (s.has(`${capability}:read`) || s.has('*:read'));
  }

  /** Any scope as written in `@requiresScopes`: `<capability>:<verb>`, `env:<name>`, or one granted verbatim. */
  has(scope: string): boolean {
    if (this.scopes.has(scope)) return true;
    if (scope.startsWith('env:')) return this.allowsEnvironment(scope.slice(4));
    const [capability, verb] = scope.split(':');
    return (verb === 'read' || verb === 'write') && !!capability && this.allows(capability, verb);
  }

  allowsEnvironment(environment: string): boolean {
    return this.environments.has('*') || this.environments.has(environment);
  }

  /** True when the credential is limited to some environments. */
  get restrictedToEnvironments(): boolean {
    return !this.environments.has('*');
  }

  describe(): { scopes: string[]; environments: string[] } {
    return { scopes: [...this.scopes].sort(), environments: [...this.environments].sort() };
  }
}
