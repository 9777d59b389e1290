import { badInput, OpsOrchError, stableStringify, unfinishedWrite, type Actor } from '@opsorch/adapters';

/** What resolvers use: run a write at most once per (scope, idempotency key). */
export interface IdempotentWrites {
  run<T>(scope: string, key: string | null | undefined, args: unknown, write: () => Promise<T>): Promise<T>;
}

interface Entry {
  fingerprint: string;
  result: Promise<unknown>;
  expiresAt: number;
  /** The write's provider call, still running after the request was answered with a timeout. */
  inDoubt?: Promise<unknown>;
}

/**
 * Remembers the outcome of each write by (scope, idempotency key) so that a retried mutation returns the
 * first answer instead of writing again. A failed write is forgotten, so retrying it really retries; a write
 * cut at its deadline whose tool call is still running is in doubt until that call settles: a retry meanwhile
 * is told to wait, a retry after it succeeded gets its answer, a retry after it failed writes (decision 018).
 * Reusing a key with different arguments is refused: that is a client bug, not a retry.
 * Bounded: the oldest entries are evicted past `maxEntries`, and entries expire after `ttlMs`.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly ttlMs = 24 * 3_600_000,
  ) {}

  /** The store as one actor sees it: two callers reusing the same key never see each other's writes. */
  forActor(actor: Actor): IdempotentWrites {
    return { run: (scope, key, args, write) => this.run(`${actor.kind}:${actor.id}\u0000${scope}`, key, args, write) };
  }

  async run<T>(scope: string, key: string | null | undefined, args: unknown, write: () => Promise<T>): Promise<T> {
    if (key === null || key === undefined) return write();
    if (key.length === 0 || key.length > 255) throw badInput('idempotencyKey must be 1 to 255 characters');
    const id = `${scope}\u0000${key}`;
    // Sorted keys: the same arguments in another order (graphql-jit builds literal arguments before variables,
    // graphql-js in the operation's order) are the same write.
    const fingerprint = stableStringify(args) ?? JSON.stringify(args);
    const now = Date.now();
    const existing = this.entries.get(id);
    if (existing && existing.expiresAt > now) {
      if (existing.fingerprint !== fingerprint) {
        throw new OpsOrchError(
          'BAD_USER_INPUT',
          `idempotencyKey "${key}" was already used for a different ${scope.split('\u0000').pop()} request; use a new key for a new write`,
          { reason: 'IDEMPOTENCY_KEY_REUSED' },
        );
      }
      if (existing.inDoubt) {
        throw new OpsOrchError(
          'PROVIDER_TIMEOUT',
          `the first ${scope.split('\u0000').pop()} with idempotencyKey "${key}" timed out and its tool has not answered yet; retry later with the same key (a new key could write twice)`,
          { retryAfter: 1 },
        );
      }
      return existing.result as Promise<T>;
    }
    const result = write();
    const entry: Entry = { fingerprint, result, expiresAt: now + this.ttlMs };
    this.entries.set(id, entry);
    result.catch((error: unknown) => {
      if (this.entries.get(id) !== entry) return;
      const unfinished = unfinishedWrite(error);
      if (!unfinished) return void this.entries.delete(id);
      entry.inDoubt = unfinished;
      unfinished.then(
        (value) => {
          entry.result = Promise.resolve(value);
          entry.inDoubt = undefined;
        },
        () => {
          if (this.entries.get(id) === entry) this.entries.delete(id);
        },
      );
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return result;
  }
}
