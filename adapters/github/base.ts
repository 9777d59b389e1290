// What every GitHub capability shares: the API client, people, repo ↔ service identity, deep links, ids.
import { ServiceIdentity } from '../kit/identity.ts';
import type { ProviderContext } from '../src/context.ts';
import { fanOutPage, type Page, type PageRequest } from '../src/paging.ts';
import { badInput } from '../src/errors.ts';
import { composeId, parseId } from '../src/ids.ts';
import type { ProviderDeps } from '../src/provider.ts';
import { GithubApi, repoPath } from './api.ts';
import { People } from './people.ts';
import { webBase, type GithubSettings } from './settings.ts';

/** Concurrent calls one batch makes at most (GitHub's secondary limits punish bursts). */
export const CONCURRENCY = 8;

/** Maps `fn` over `items` with at most CONCURRENCY calls in flight, answers in order. */
export async function mapLimited<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return out;
}

export class GithubBase {
  readonly kind = 'github';
  readonly instance: string;
  readonly api: GithubApi;
  readonly people: People;
  readonly web: string;
  protected readonly identity: ServiceIdentity;
  /** Configured repositories by lower-case name → as configured. */
  private readonly repos: Map<string, string>;

  constructor(
    readonly settings: GithubSettings,
    deps: ProviderDeps,
  ) {
    this.instance = deps.instance;
    this.api = new GithubApi(settings, deps.logger);
    this.people = new People(settings);
    this.web = webBase(settings);
    this.identity = new ServiceIdentity({ system: settings.catalogSystem, aliases: settings.serviceAliases, catalog: deps.catalog });
    this.repos = new Map(settings.repos.map((r) => [r.toLowerCase(), r]));
  }

  get repoNames(): string[] {
    return [...this.repos.values()];
  }

  /** The configured spelling of a repository, or null when OpsOrch does not read it. */
  configuredRepo(name: string): string | null {
    return this.repos.get(name.toLowerCase()) ?? null;
  }

  /**
   * Reachability: the first repository, as the credentials see it (GitHub answers 404 for a repository the token
   * may not read; `/rate_limit` would not tell, and is 404 on Enterprise servers without rate limits).
   */
  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.get(repoPath(this.repoNames[0]!), ctx.signal);
  }

  source(nativeId: string) {
    return { provider: this.kind, instance: this.instance, id: nativeId };
  }

  id(nativeId: string): string {
    return composeId(this.instance, nativeId);
  }

  /** The native id of an OpsOrch id of this instance (another instance's id is a caller mistake). */
  nativeId(id: string, what: string): string {
    const parsed = parseId(id, what);
    if (parsed.instance !== this.instance) throw badInput(`${what} "${id}" belongs to provider "${parsed.instance}", not "${this.instance}"`);
    return parsed.nativeId;
  }

  /** Canonical service per repository. */
  async servicesOfRepos(repos: readonly string[], ctx: ProviderContext): Promise<Map<string, string | null>> {
    return this.identity.toCanonical(repos, ctx);
  }

  /** Per canonical service, the configured repositories that are it. */
  async reposOfServices(serviceIds: readonly string[], ctx: ProviderContext): Promise<Map<string, string[]>> {
    const natives = await this.identity.toNative(serviceIds, ctx);
    return new Map(serviceIds.map((id) => [id, (natives.get(id) ?? []).flatMap((r) => this.configuredRepo(r) ?? [])]));
  }
}

/**
 * One page merged newest first from several GitHub lists (repositories, workflows), with one cursor. A list that
 * fails fails the page with its own error: a silent gap would read as "nothing happened".
 */
export async function mergeLists<T>(lists: readonly { key: string; fetch: (page: PageRequest) => Promise<Page<T>> }[], page: PageRequest, compare: (a: T, b: T) => number, capability: string): Promise<Page<T>> {
  let failure: unknown = null;
  const merged = await fanOutPage(
    lists.map((list) => ({
      instance: list.key,
      fetch: (request: PageRequest) =>
        list.fetch(request).catch((error: unknown) => {
          // fanOutPage labels the errors it sees with the list's key; the caller gets the original.
          failure ??= error;
          throw new Error(`GitHub list ${list.key} failed`);
        }),
    })),
    page,
    compare,
    capability,
  ).catch((error: unknown) => {
    // Every list failed: fanOutPage answers one of them, labelled; answer the original.
    throw failure ?? error;
  });
  if (merged.failures.length > 0) throw failure;
  return { items: merged.items.map((i) => i.item), nextCursor: merged.hasNextPage ? merged.endCursor : null };
}

/** Short form of a commit sha as GitHub shows it. */
export const shortSha = (sha: string) => sha.slice(0, 7);

/** A ref that reads as a release (`v2.14.0`, `2.14.0`, `release-7`): a deployment's version; otherwise the short sha is. */
export function versionOf(ref: string | null | undefined, sha: string): string {
  if (ref && ref !== sha && /^(v?\d+[\w.+-]*|release[-/][\w.+-]+)$/i.test(ref)) return ref;
  return shortSha(sha);
}
