// Deployments from two GitHub sources, merged newest first: the Deployments API (a deployment, its latest status
// and its commit) and Actions runs of the workflows configured as deploy workflows (`deployWorkflows`).
import type { DeploymentStatus } from '@opsorch/schema';
import { allFromVendor, pageFromVendor, type FetchVendorPage } from '../kit/paging.ts';
import type { ProviderContext } from '../src/context.ts';
import type { Page, PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { DeploymentProvider, DeploymentQuery, DeploymentRecord, DeploymentWindow, ServiceDeploymentsRequest } from '../src/spi/deployments.ts';
import { repoPath, type GhCommit, type GhDeployment, type GhDeploymentStatus, type GhRun } from './api.ts';
import { GithubBase, mapLimited, mergeLists, shortSha, versionOf } from './base.ts';
import type { GithubSettings } from './settings.ts';

/** A deployment status state → OpsOrch's; `inactive` is a deployment that was live and has been superseded. */
const DEPLOYMENT_STATES: Record<string, DeploymentStatus> = {
  success: 'SUCCEEDED',
  inactive: 'SUCCEEDED',
  failure: 'FAILED',
  error: 'FAILED',
  pending: 'IN_PROGRESS',
  queued: 'IN_PROGRESS',
  in_progress: 'IN_PROGRESS',
};

/** A finished workflow run's conclusion → OpsOrch's (no conclusion: still going). */
const RUN_CONCLUSIONS: Record<string, DeploymentStatus> = {
  success: 'SUCCEEDED',
  failure: 'FAILED',
  timed_out: 'FAILED',
  startup_failure: 'FAILED',
  action_required: 'FAILED',
};

/** One list OpsOrch merges: a repository's Deployments API, or one deploy workflow's runs. */
interface DeploymentSource {
  key: string;
  repo: string;
  workflow: string | null;
  environment: string | null;
}

const newestFirst = (a: DeploymentRecord, b: DeploymentRecord) => b.startedAt.localeCompare(a.startedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class GithubDeploymentProvider extends GithubBase implements DeploymentProvider {
  /** Commits never change: their message and author are read once per sha. */
  private readonly commits = new Map<string, Promise<GhCommit | null>>();

  constructor(settings: GithubSettings, deps: ProviderDeps) {
    super(settings, deps);
  }

  private sources(repos: readonly string[], environment: string | null | undefined): DeploymentSource[] {
    return repos.flatMap((repo) => [
      { key: `${repo}|deployments`, repo, workflow: null, environment: environment ?? null },
      ...Object.entries(this.settings.deployWorkflows)
        .filter(([, env]) => !environment || env === environment)
        .map(([workflow, env]) => ({ key: `${repo}|${workflow}`, repo, workflow, environment: env })),
    ]);
  }

  private commit(repo: string, sha: string, signal: AbortSignal): Promise<GhCommit | null> {
    const key = `${repo}@${sha}`;
    let found = this.commits.get(key);
    if (!found) {
      found = this.api.get<GhCommit>(`${repoPath(repo)}/commits/${sha}`, signal).catch((error) => {
        this.commits.delete(key);
        throw error;
      });
      if (this.commits.size > 5000) this.commits.clear();
      this.commits.set(key, found);
    }
    return found;
  }

  private async fromDeployment(repo: string, deployment: GhDeployment, serviceId: string | null, signal: AbortSignal): Promise<DeploymentRecord> {
    const [statuses, commit] = await Promise.all([
      this.api.get<GhDeploymentStatus[]>(`${repoPath(repo)}/deployments/${deployment.id}/statuses`, signal, { per_page: 1 }),
      this.commit(repo, deployment.sha, signal),
    ]);
    const latest = statuses[0] ?? null;
    const status = latest ? (DEPLOYMENT_STATES[latest.state] ?? 'UNKNOWN') : 'UNKNOWN';
    const nativeId = `${repo}/deployments/${deployment.id}`;
    const creator = this.people.idOf(deployment.creator);
    return {
      id: this.id(nativeId),
      version: versionOf(deployment.ref, deployment.sha),
      previousVersion: null,
      environment: deployment.environment,
      status,
      rawStatus: latest?.state ?? 'created',
      startedAt: deployment.created_at,
      finishedAt: latest && status !== 'IN_PROGRESS' && status !== 'UNKNOWN' ? latest.created_at : null,
      commit: { sha: deployment.sha, shortSha: shortSha(deployment.sha), message: commit?.commit.message ?? deployment.description ?? '', url: `${this.web}/${repo}/commit/${deployment.sha}` },
      pullRequestUrl: null,
      url: latest?.log_url || latest?.target_url || `${this.web}/${repo}/deployments/${encodeURIComponent(deployment.environment)}`,
      source: this.source(nativeId),
      serviceId,
      authorId: creator ?? commit?.commit.author?.email?.toLowerCase() ?? null,
    };
  }

  private fromRun(repo: string, run: GhRun, environment: string, serviceId: string | null): DeploymentRecord {
    const nativeId = `${repo}/runs/${run.id}`;
    const status: DeploymentStatus = run.status !== 'completed' ? 'IN_PROGRESS' : (RUN_CONCLUSIONS[run.conclusion ?? ''] ?? 'UNKNOWN');
    const pr = run.pull_requests?.[0];
    return {
      id: this.id(nativeId),
      version: versionOf(run.head_branch, run.head_sha),
      previousVersion: null,
      environment,
      status,
      rawStatus: run.conclusion ?? run.status ?? 'unknown',
      startedAt: run.created_at,
      finishedAt: run.status === 'completed' ? run.updated_at : null,
      commit: { sha: run.head_sha, shortSha: shortSha(run.head_sha), message: run.head_commit?.message ?? '', url: `${this.web}/${repo}/commit/${run.head_sha}` },
      pullRequestUrl: pr ? `${this.web}/${repo}/pull/${pr.number}` : null,
      url: run.html_url,
      source: this.source(nativeId),
      serviceId,
      authorId: this.people.idOf(run.triggering_actor ?? run.actor) ?? run.head_commit?.author?.email?.toLowerCase() ?? null,
    };
  }

  /**
   * A source's list as vendor pages of records, narrowed by `filter`; it ends at the first deployment older than
   * `filter.from` (GitHub lists newest first).
   */
  private sourcePages(source: DeploymentSource, filter: Omit<DeploymentQuery, 'serviceIds'>, serviceId: string | null, ctx: ProviderContext): FetchVendorPage<DeploymentRecord, string> {
    const from = filter.from?.toISOString();
    const to = filter.to?.toISOString();
    const keep = (d: DeploymentRecord) =>
      (!from || d.startedAt >= from) &&
      (!to || d.startedAt < to) &&
      (!filter.statuses || filter.statuses.includes(d.status)) &&
      (!filter.authorId || d.authorId === filter.authorId.toLowerCase());
    const narrowed = async <T extends { created_at: string }>(fetch: FetchVendorPage<T, string>, cursor: string | null, limit: number, map: (items: T[]) => Promise<DeploymentRecord[]>) => {
      const page = await fetch(cursor, limit);
      const last = page.items.at(-1);
      const records = (await map(page.items.filter((item) => (!from || item.created_at >= from) && (!to || item.created_at < to)))).filter(keep);
      return { items: records, next: last && from && last.created_at < from ? null : page.next };
    };
    if (source.workflow === null) {
      const fetch = this.api.list<GhDeployment>(`${repoPath(source.repo)}/deployments`, { environment: source.environment ?? undefined }, ctx.signal);
      return (cursor, limit) => narrowed(fetch, cursor, limit, (items) => mapLimited(items, (d) => this.fromDeployment(source.repo, d, serviceId, ctx.signal)));
    }
    const created = from && to ? `${from}..${to}` : from ? `>=${from}` : to ? `<${to}` : undefined;
    const fetch = this.api.pages<{ total_count: number; workflow_runs: GhRun[] }, GhRun>(
      `${repoPath(source.repo)}/actions/workflows/${encodeURIComponent(source.workflow)}/runs`,
      { created },
      ctx.signal,
      (body) => ({ items: body.workflow_runs }),
    );
    return (cursor, limit) => narrowed(fetch, cursor, limit, async (items) => items.map((run) => this.fromRun(source.repo, run, source.environment!, serviceId)));
  }

  /** One page merged from every source of `repos`; a failing source fails the page (no silent gaps). */
  private async mergedPage(repos: readonly string[], filter: Omit<DeploymentQuery, 'serviceIds'>, page: PageRequest, ctx: ProviderContext): Promise<Page<DeploymentRecord>> {
    const services = await this.servicesOfRepos(repos, ctx);
    const sources = this.sources(repos, filter.environment);
    return mergeLists(
      sources.map((source) => ({
        key: source.key,
        fetch: (request: PageRequest) => pageFromVendor(request, this.sourcePages(source, filter, services.get(source.repo) ?? null, ctx), { maxPageSize: 100 }),
      })),
      page,
      newestFirst,
      'deployments',
    );
  }

  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(DeploymentRecord | null)[]> {
    // GitHub has no filter by deployment or run ids: one call per id, bounded.
    return mapLimited(ids, async (id) => {
      const match = /^([^/]+\/[^/]+)\/(deployments|runs)\/(\d+)$/.exec(this.nativeId(id, 'deployment id'));
      const repo = match && this.configuredRepo(match[1]!);
      if (!match || !repo) return null;
      const serviceId = (await this.servicesOfRepos([repo], ctx)).get(repo) ?? null;
      try {
        if (match[2] === 'deployments') return await this.fromDeployment(repo, await this.api.get<GhDeployment>(`${repoPath(repo)}/deployments/${match[3]}`, ctx.signal), serviceId, ctx.signal);
        const run = await this.api.get<GhRun>(`${repoPath(repo)}/actions/runs/${match[3]}`, ctx.signal);
        const environment = this.settings.deployWorkflows[run.path.split('/').pop()!];
        return environment ? this.fromRun(repo, run, environment, serviceId) : null;
      } catch (error) {
        if ((error as { code?: string }).code === 'NOT_FOUND') return null;
        throw error;
      }
    });
  }

  async query(filter: DeploymentQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<DeploymentRecord>> {
    const repos = filter.serviceIds ? [...new Set([...(await this.reposOfServices(filter.serviceIds, ctx)).values()].flat())] : this.repoNames;
    if (repos.length === 0) return { items: [], nextCursor: null };
    return this.mergedPage(repos, filter, page, ctx);
  }

  async deploymentsForServices(requests: readonly ServiceDeploymentsRequest[], filter: Omit<DeploymentQuery, 'serviceIds'>, ctx: ProviderContext): Promise<Page<DeploymentRecord>[]> {
    const repos = await this.reposOfServices(requests.map((r) => r.serviceId), ctx);
    return Promise.all(
      requests.map((request) => {
        const of = repos.get(request.serviceId) ?? [];
        return of.length === 0 ? { items: [], nextCursor: null } : this.mergedPage(of, filter, request.page, ctx);
      }),
    );
  }

  /** Windows of one service and environment share one walk down its lists, from the latest `to` to the earliest `from`. */
  async deploymentsInWindows(windows: readonly DeploymentWindow[], ctx: ProviderContext): Promise<DeploymentRecord[][]> {
    const repos = await this.reposOfServices(windows.map((w) => w.serviceId), ctx);
    const groups = new Map<string, DeploymentWindow[]>();
    for (const window of windows) {
      const key = `${window.serviceId}\u0000${window.environment ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), window]);
    }
    const found = new Map<string, DeploymentRecord[]>();
    await Promise.all(
      [...groups].map(async ([key, group]) => {
        const { serviceId, environment } = group[0]!;
        const from = new Date(Math.min(...group.map((w) => w.from.getTime())));
        const to = new Date(Math.max(...group.map((w) => w.to.getTime())) + 1);
        const lists = await Promise.all(
          this.sources(repos.get(serviceId) ?? [], environment).map((source) =>
            allFromVendor(this.sourcePages(source, { from, to, environment }, serviceId, ctx), { pageSize: 100, maxItems: this.settings.maxItems }),
          ),
        );
        found.set(key, lists.flat().sort(newestFirst));
      }),
    );
    return windows.map((w) => {
      const from = w.from.toISOString();
      const to = w.to.toISOString();
      return (found.get(`${w.serviceId}\u0000${w.environment ?? ''}`) ?? []).filter((d) => d.startedAt >= from && d.startedAt <= to);
    });
  }
}
