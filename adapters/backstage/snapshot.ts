// One read of a catalog list reused for a while: the services, teams and people capabilities answer their
// orderings, reverse relations (dependents, sub-teams, members) and identity lookups from it, which the catalog's
// API cannot (it orders by fields, not by tier, and has no reverse-relation or annotation-value index we could
// pass user input to). Concurrent callers share one read; a failed read is not kept.
import type { ProviderContext } from '../src/context.ts';

export class Snapshot<T> {
  private value: { data: T; until: number } | null = null;
  private pending: Promise<T> | null = null;

  constructor(
    private readonly read: (ctx: ProviderContext) => Promise<T>,
    private readonly ttlMs: number,
  ) {}

  async get(ctx: ProviderContext): Promise<T> {
    if (this.value && this.value.until > Date.now()) return this.value.data;
    if (!this.pending) {
      this.pending = this.read(ctx)
        .then((data) => {
          this.value = { data, until: Date.now() + this.ttlMs };
          return data;
        })
        .finally(() => {
          this.pending = null;
        });
    }
    return this.pending;
  }
}
