// The deployments capability from PagerDuty change events (deploys, config changes sent by CI/CD integrations).
// PagerDuty filters change events by time only: services, environments and statuses are applied here, and a batch
// of windows is one time range read once.
import type { DeploymentStatus } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { composeId, parseId } from '../src/ids.ts';
import { pageOfArray, type Page } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type {
  DeploymentProvider,
  DeploymentQuery,
  DeploymentRecord,
  DeploymentWindow,
  ServiceDeploymentsRequest,
} from '../src/spi/deployments.ts';
import type { PageRequest } from '../src/paging.ts';
import type { ServiceIdentity } from '../kit/identity.ts';
import { allFromVendor } from '../kit/paging.ts';
import { detailText, PagerDutyAccount, type PagerDutyApi, PD_MAX_PAGE, type PdChangeEvent } from './api.ts';
import type { PagerDutySettings } from './settings.ts';

const STATUSES: Record<string, DeploymentStatus> = {
  passed: 'SUCCEEDED', success: 'SUCCEEDED', succeeded: 'SUCCEEDED', successful: 'SUCCEEDED',
  failed: 'FAILED', failure: 'FAILED', error: 'FAILED',
  running: 'IN_PROGRESS', in_progress: 'IN_PROGRESS', started: 'IN_PROGRESS',
  rolled_back: 'ROLLED_BACK', rollback: 'ROLLED_BACK',
};

/** How far back a list without a range reaches: PagerDuty keeps change events 90 days. */
const DEFAULT_LOOKBACK_MS = 90 * 86_400_000;

/**
 * Change events as deployments. The integration's `custom_details` give `version` (or `build_number`),
 * `environment`, `build_state`/`status`, `commit`/`sha`, `commit_message` and `author`; missing ones are null or
 * defaults (environment the `environment` setting, version the event's summary), and the raw state is kept.
 */
export class PagerDutyDeploymentProvider implements DeploymentProvider {
  readonly kind = 'pagerduty';
  readonly instance: string;
  private readonly api: PagerDutyApi;
  private readonly identity: ServiceIdentity;
  private readonly webUrl: string | null;

  constructor(
    private readonly settings: PagerDutySettings,
    deps: ProviderDeps,
  ) {
    this.instance = deps.instance;
    ({ api: this.api, identity: this.identity, webUrl: this.webUrl } = new PagerDutyAccount(settings, deps));
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.get('/change_events', { limit: 1 }, ctx);
  }

  /** Every change event in [from, to], newest first. */
  private async between(from: Date, to: Date, ctx: ProviderContext): Promise<DeploymentRecord[]> {
    const utc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const events = await allFromVendor(this.api.pages<PdChangeEvent>('/change_events', 'change_events', { since: utc(from), until: utc(to) }, ctx), {
      pageSize: PD_MAX_PAGE,
      maxItems: this.settings.maxChangeEvents,
    });
    const services = await this.identity.toCanonical(events.flatMap((e) => (e.services ?? []).map((s) => s.id)), ctx);
    return events
      .filter((e) => e.id && e.timestamp)
      .map((e) => this.toRecord(e, services))
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id));
  }

  private matches(record: DeploymentRecord, filter: Omit<DeploymentQuery, 'serviceIds'>): boolean {
    const at = Date.parse(record.startedAt);
    return (
      (!filter.environment || record.environment === filter.environment) &&
      (!filter.statuses || filter.statuses.includes(record.status)) &&
      (!filter.authorId || record.authorId === filter.authorId) &&
      (!filter.from || at >= filter.from.getTime()) &&
      (!filter.to || at < filter.to.getTime())
    );
  }

  private range(filter: Omit<DeploymentQuery, 'serviceIds'>, ctx: ProviderContext): [Date, Date] {
    return [filter.from ?? new Date(ctx.now.getTime() - DEFAULT_LOOKBACK_MS), filter.to ?? ctx.now];
  }

  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(DeploymentRecord | null)[]> {
    // The API slice has no read of one change event: the retained ones are read once and looked up.
    const wanted = ids.map((id) => parseId(id, 'deployment id')).filter((p) => p.instance === this.instance);
    if (wanted.length === 0) return ids.map(() => null);
    const byId = new Map((await this.between(new Date(ctx.now.getTime() - DEFAULT_LOOKBACK_MS), ctx.now, ctx)).map((d) => [d.id, d]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async query(filter: DeploymentQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<DeploymentRecord>> {
    if (filter.serviceIds && filter.serviceIds.length === 0) return { items: [], nextCursor: null, totalCount: 0 };
    const [from, to] = this.range(filter, ctx);
    const all = (await this.between(from, to, ctx)).filter((d) => this.matches(d, filter) && (!filter.serviceIds || (d.serviceId !== null && filter.serviceIds.includes(d.serviceId))));
    return pageOfArray(all, page);
  }

  async deploymentsForServices(requests: readonly ServiceDeploymentsRequest[], filter: Omit<DeploymentQuery, 'serviceIds'>, ctx: ProviderContext): Promise<Page<DeploymentRecord>[]> {
    const [from, to] = this.range(filter, ctx);
    const all = (await this.between(from, to, ctx)).filter((d) => this.matches(d, filter));
    return requests.map((r) => pageOfArray(all.filter((d) => d.serviceId === r.serviceId), r.page));
  }

  async deploymentsInWindows(windows: readonly DeploymentWindow[], ctx: ProviderContext): Promise<DeploymentRecord[][]> {
    if (windows.length === 0) return [];
    // One read covering every window: the war room's N incidents cost one PagerDuty call chain, not N.
    const from = new Date(Math.min(...windows.map((w) => w.from.getTime())));
    const to = new Date(Math.max(...windows.map((w) => w.to.getTime())));
    const all = await this.between(from, to, ctx);
    return windows.map((w) =>
      all.filter((d) => {
        const at = Date.parse(d.startedAt);
        return d.serviceId === w.serviceId && at >= w.from.getTime() && at <= w.to.getTime() && (!w.environment || d.environment === w.environment);
      }),
    );
  }

  private toRecord(event: PdChangeEvent, services: Map<string, string | null>): DeploymentRecord {
    const details = (event.custom_details ?? {}) as Record<string, unknown>;
    const raw = detailText(details.build_state) ?? detailText(details.status) ?? detailText(details.state);
    const sha = detailText(details.commit) ?? detailText(details.sha) ?? detailText(details.commit_sha);
    const link = event.links?.find((l) => l.href)?.href ?? null;
    const service = event.services?.[0]?.id;
    const author = detailText(details.author) ?? detailText(details.author_email);
    const web = this.webUrl ?? 'https://app.pagerduty.com';
    return {
      id: composeId(this.instance, event.id!),
      version: detailText(details.version) ?? detailText(details.build_number) ?? detailText(details.tag) ?? sha?.slice(0, 12) ?? event.summary ?? event.id!,
      previousVersion: detailText(details.previous_version),
      environment: detailText(details.environment) ?? detailText(details.env) ?? this.settings.environment,
      status: raw ? (STATUSES[raw.toLowerCase()] ?? 'UNKNOWN') : 'UNKNOWN',
      rawStatus: raw ?? 'change_event',
      startedAt: new Date(event.timestamp!).toISOString(),
      finishedAt: null,
      commit: sha ? { sha, shortSha: sha.slice(0, 7), message: detailText(details.commit_message) ?? event.summary ?? '', url: null } : null,
      pullRequestUrl: detailText(details.pull_request_url),
      // PagerDuty shows a change event on its service's page; one without a service links to where it came from.
      url: service ? `${web}/service-directory/${encodeURIComponent(service)}` : (link ?? web),
      source: { provider: this.kind, instance: this.instance, id: event.id! },
      serviceId: service ? (services.get(service) ?? null) : null,
      authorId: author && author.includes('@') ? author.toLowerCase() : null,
    };
  }
}
