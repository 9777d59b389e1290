// Deployments from a Core plugin: `deployment.query|get`.
import type { ProviderContext } from '../src/context.ts';
import { pageOfArray, type PageRequest } from '../src/paging.ts';
import type { DeploymentProvider, DeploymentQuery, DeploymentRecord, DeploymentWindow, ServiceDeploymentsRequest } from '../src/spi/deployments.ts';
import { asArray, lowerEmail, str, time, SNAPSHOT_LIMIT, type CorePlugin, type Json } from './plugin.ts';
import { deploymentStatus, normalized } from './vocabulary.ts';

export class CoreDeploymentProvider implements DeploymentProvider {
  readonly kind = 'core-plugin';
  readonly instance: string;

  constructor(private readonly plugin: CorePlugin) {
    this.instance = plugin.instance;
  }

  private async records(deployments: Json[], ctx: ProviderContext): Promise<DeploymentRecord[]> {
    const services = await this.plugin.canonical(deployments.map((d) => str(d.service)), ctx);
    return deployments.map((d) => {
      const commit = d.fields?.commit as Json | undefined;
      const sha = str(commit?.sha) ?? str(d.fields?.commitSha);
      return {
        id: this.plugin.id(d.id),
        version: String(d.version ?? ''),
        previousVersion: str(d.fields?.previousVersion),
        environment: String(d.environment ?? ''),
        status: normalized(str(d.status), deploymentStatus, 'UNKNOWN'),
        rawStatus: String(d.status ?? ''),
        startedAt: time(d.startedAt) ?? new Date(0).toISOString(),
        finishedAt: time(d.finishedAt),
        commit: sha ? { sha, shortSha: str(commit?.shortSha) ?? sha.slice(0, 7), message: String(commit?.message ?? ''), url: str(commit?.url) } : null,
        pullRequestUrl: str(d.fields?.pullRequestUrl),
        url: str(d.url) ?? '',
        source: this.plugin.source(d.id),
        serviceId: str(d.service) ? (services.get(d.service) ?? null) : null,
        authorId: lowerEmail(d.actor?.email),
      };
    });
  }

  private all(ctx: ProviderContext): Promise<DeploymentRecord[]> {
    return this.plugin.memo('deployments', ctx, async () => {
      const listed = asArray(await this.plugin.call('deployment.query', { limit: SNAPSHOT_LIMIT }, ctx), 'deployment.query');
      return (await this.records(listed, ctx)).sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id));
    });
  }

  private matches(d: DeploymentRecord, filter: Omit<DeploymentQuery, 'serviceIds'>): boolean {
    return (
      (!filter.environment || d.environment === filter.environment) &&
      (!filter.statuses?.length || filter.statuses.includes(d.status)) &&
      (!filter.from || Date.parse(d.startedAt) >= filter.from.getTime()) &&
      (!filter.to || Date.parse(d.startedAt) < filter.to.getTime()) &&
      (!filter.authorId || d.authorId === filter.authorId)
    );
  }

  getMany(ids: readonly string[], ctx: ProviderContext) {
    return this.plugin.getEach(ids, 'deployment id', async (native) => {
      const deployment = await this.plugin.call<Json | null>('deployment.get', { id: native }, ctx);
      return deployment ? (await this.records([deployment], ctx))[0]! : null;
    });
  }

  async query(filter: DeploymentQuery, page: PageRequest, ctx: ProviderContext) {
    const all = await this.all(ctx);
    return pageOfArray(all.filter((d) => (!filter.serviceIds || (d.serviceId !== null && filter.serviceIds.includes(d.serviceId))) && this.matches(d, filter)), page);
  }

  async deploymentsForServices(requests: readonly ServiceDeploymentsRequest[], filter: Omit<DeploymentQuery, 'serviceIds'>, ctx: ProviderContext) {
    const all = await this.all(ctx);
    return requests.map((r) => pageOfArray(all.filter((d) => d.serviceId === r.serviceId && this.matches(d, filter)), r.page));
  }

  async deploymentsInWindows(windows: readonly DeploymentWindow[], ctx: ProviderContext) {
    const all = await this.all(ctx);
    return windows.map((w) =>
      all.filter(
        (d) =>
          d.serviceId === w.serviceId &&
          (!w.environment || d.environment === w.environment) &&
          Date.parse(d.startedAt) >= w.from.getTime() &&
          Date.parse(d.startedAt) <= w.to.getTime(),
      ),
    );
  }

  close() {
    return this.plugin.close();
  }
}
