import type { DeploymentStatus } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { composeId, parseId } from '../src/ids.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type {
  DeploymentProvider,
  DeploymentQuery,
  DeploymentRecord,
  DeploymentWindow,
  ServiceDeploymentsRequest,
} from '../src/spi/deployments.ts';
import { minutesAgo } from './clock.ts';
import { hashString, intBetween, rngFor } from './random.ts';
import { DEMO_SEED, deployHistory, personById, services, type DemoDeploy } from './world.ts';

const GITHUB = 'https://github.com/acme-shop';

const STATUSES: Record<DemoDeploy['status'], DeploymentStatus> = {
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  rolled_back: 'ROLLED_BACK',
};

/** Newest first, then id: the same order the subgraph merges instances in. */
const newestFirst = (a: DeploymentRecord, b: DeploymentRecord) => b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id);


/** The demo world's CI/CD history (GitHub Actions-like): 14 days of staging then production deploys per service. */
export class DemoDeploymentProvider implements DeploymentProvider {
  readonly kind = 'demo';
  private readonly byService: ReadonlyMap<string, DeploymentRecord[]>;
  private readonly byId: ReadonlyMap<string, DeploymentRecord>;
  private readonly all: readonly DeploymentRecord[];
  /** Each deploy's start in epoch ms, parsed once: every war-room asks for the deploys around each incident. */
  private readonly startedMs = new Map<DeploymentRecord, number>();

  constructor(readonly instance: string) {
    this.byService = new Map(services.map((s) => [s.id, this.historyOf(s.id)]));
    this.all = [...this.byService.values()].flat().sort(newestFirst);
    this.byId = new Map(this.all.map((d) => [d.id, d]));
    for (const d of this.all) this.startedMs.set(d, Date.parse(d.startedAt));
  }

  private historyOf(serviceId: string): DeploymentRecord[] {
    const history = deployHistory(serviceId); // newest first
    return history
      .map((d, i) => {
        // The version that ran before: the next older deploy to the same environment.
        const previous = history.slice(i + 1).find((older) => older.environment === d.environment);
        return this.toRecord(d, previous?.version ?? null);
      })
      .sort(newestFirst);
  }

  private toRecord(d: DemoDeploy, previousVersion: string | null): DeploymentRecord {
    const started = minutesAgo(d.minutesAgo);
    const rolloutSeconds = intBetween(rngFor(DEMO_SEED, 'rollout', d.id), 60, 240);
    const runId = 9_000_000_000 + (hashString(`${DEMO_SEED}:${d.id}`) % 900_000_000);
    const author = personById.get(d.authorId);
    return {
      id: composeId(this.instance, d.id),
      serviceId: d.serviceId,
      version: d.version,
      previousVersion,
      environment: d.environment,
      status: STATUSES[d.status] ?? 'UNKNOWN',
      rawStatus: d.status,
      startedAt: started.toISOString(),
      finishedAt: new Date(started.getTime() + rolloutSeconds * 1000).toISOString(),
      commit: {
        sha: d.commitSha,
        shortSha: d.commitSha.slice(0, 7),
        message: d.commitMessage,
        url: `${GITHUB}/${d.serviceId}/commit/${d.commitSha}`,
      },
      pullRequestUrl: `${GITHUB}/${d.serviceId}/pull/${d.prNumber}`,
      authorId: author ? author.email.toLowerCase() : null,
      url: `${GITHUB}/${d.serviceId}/actions/runs/${runId}`,
      source: { provider: 'demo', instance: this.instance, id: d.id },
    };
  }

  private matches(record: DeploymentRecord, filter: Omit<DeploymentQuery, 'serviceIds'>): boolean {
    return (
      (!filter.environment || record.environment === filter.environment) &&
      (!filter.statuses || filter.statuses.includes(record.status)) &&
      (!filter.authorId || record.authorId === filter.authorId) &&
      (!filter.from || this.startedMs.get(record)! >= filter.from.getTime()) &&
      (!filter.to || this.startedMs.get(record)! < filter.to.getTime())
    );
  }

  async getMany(ids: readonly string[], _ctx: ProviderContext): Promise<(DeploymentRecord | null)[]> {
    return ids.map((id) => (parseId(id).instance === this.instance ? (this.byId.get(id) ?? null) : null));
  }

  async query(filter: DeploymentQuery, page: PageRequest, _ctx: ProviderContext): Promise<Page<DeploymentRecord>> {
    const wanted = filter.serviceIds ? new Set(filter.serviceIds) : null;
    return pageOfArray(
      this.all.filter((d) => (!wanted || (d.serviceId !== null && wanted.has(d.serviceId))) && this.matches(d, filter)),
      page,
    );
  }

  async deploymentsForServices(
    requests: readonly ServiceDeploymentsRequest[],
    filter: Omit<DeploymentQuery, 'serviceIds'>,
    _ctx: ProviderContext,
  ): Promise<Page<DeploymentRecord>[]> {
    return requests.map(({ serviceId, page }) =>
      pageOfArray((this.byService.get(serviceId) ?? []).filter((d) => this.matches(d, filter)), page),
    );
  }

  async deploymentsInWindows(windows: readonly DeploymentWindow[], _ctx: ProviderContext): Promise<DeploymentRecord[][]> {
    return windows.map((w) => {
      const from = w.from.getTime();
      const to = w.to.getTime();
      return (this.byService.get(w.serviceId) ?? []).filter((d) => {
        const started = this.startedMs.get(d)!;
        return (!w.environment || d.environment === w.environment) && started >= from && started <= to;
      });
    });
  }
}

export function createDemoDeploymentProvider(_settings: unknown, deps: ProviderDeps): DeploymentProvider {
  return new DemoDeploymentProvider(deps.instance);
}
