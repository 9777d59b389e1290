// The incidents capability over Opsgenie's incident API (read-only: the published API slice has list and get).
import type { IncidentStatus, Severity, TimelineOrder } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { OpsOrchError } from '../src/errors.ts';
import { composeId, parseId } from '../src/ids.ts';
import type { Page, PageRequest } from '../src/paging.ts';
import type { ProviderDeps, ServiceCatalog } from '../src/provider.ts';
import type { IncidentLinkQuery, IncidentProvider, IncidentQuery, IncidentRecord, TimelineEntryRecord } from '../src/spi/incidents.ts';
import { ServiceIdentity } from '../kit/identity.ts';
import { pageFromVendor } from '../kit/paging.ts';
import { labelsOfTags, OG_MAX_PAGE, OpsgenieApi, type OgIncident } from './api.ts';
import { DEFAULT_PRIORITY_SEVERITIES, webUrlOf, type OpsgenieSettings } from './settings.ts';

/** Opsgenie's incident statuses for each of OpsOrch's (Opsgenie incidents have no acknowledged state). */
const STATUSES: Record<IncidentStatus, string[]> = { TRIGGERED: ['open'], ACKNOWLEDGED: [], RESOLVED: ['resolved', 'closed'] };

/**
 * Opsgenie incidents: `open` → TRIGGERED, `resolved` and `closed` → RESOLVED (raw status kept), priority → severity,
 * the service from the `service:<name>` tag. Opsgenie's query language is only given values OpsOrch chose (statuses
 * and priorities); the service and text filters are applied to the answers, never concatenated into a query.
 * Opsgenie's incident timeline is not in its published API slice: timelines are empty.
 */
export class OpsgenieIncidentProvider implements IncidentProvider {
  readonly kind = 'opsgenie';
  readonly instance: string;
  private readonly api: OpsgenieApi;
  private readonly identity: ServiceIdentity;
  private readonly catalog: ServiceCatalog | undefined;
  private readonly webUrl: string;

  constructor(
    private readonly settings: OpsgenieSettings,
    deps: ProviderDeps,
  ) {
    this.instance = deps.instance;
    this.api = new OpsgenieApi(settings, deps.logger);
    this.identity = new ServiceIdentity({ system: settings.catalogSystem, aliases: settings.serviceAliases, catalog: deps.catalog, acceptCanonicalIds: true });
    this.catalog = deps.catalog;
    this.webUrl = webUrlOf(settings);
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.get('/v1/incidents/', { query: 'status:open', limit: 1 }, ctx);
  }

  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(IncidentRecord | null)[]> {
    // Opsgenie's incident search has no filter by ids: one read per id, in parallel.
    const incidents = await Promise.all(
      ids.map(async (id) => {
        const { instance, nativeId } = parseId(id, 'incident id');
        if (instance !== this.instance) return null;
        try {
          return (await this.api.get<{ data: OgIncident }>(`/v1/incidents/${encodeURIComponent(nativeId)}`, { identifierType: 'id' }, ctx)).data;
        } catch (error) {
          if (error instanceof OpsOrchError && error.code === 'NOT_FOUND') return null;
          throw error;
        }
      }),
    );
    return this.toRecords(incidents, ctx);
  }

  async query(filter: IncidentQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>> {
    let serviceIds: readonly string[] | undefined = filter.serviceId ? [filter.serviceId] : undefined;
    if (filter.teamId) {
      const owned = this.catalog ? ((await this.catalog.servicesOwnedBy([filter.teamId], ctx))[0] ?? []) : [];
      serviceIds = serviceIds ? serviceIds.filter((s) => owned.includes(s)) : owned;
    }
    return this.list(filter, serviceIds, page, ctx);
  }

  incidentsForServices(serviceIds: readonly string[], filter: IncidentLinkQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>[]> {
    return Promise.all(serviceIds.map((id) => this.list(filter, [id], page, ctx)));
  }

  async incidentsForTeams(teamIds: readonly string[], filter: IncidentLinkQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>[]> {
    const owned = this.catalog ? await this.catalog.servicesOwnedBy(teamIds, ctx) : teamIds.map(() => []);
    return Promise.all(owned.map((services) => this.list(filter, services, page, ctx)));
  }

  async timelines(incidentIds: readonly string[], _order: TimelineOrder, _page: PageRequest, _ctx: ProviderContext): Promise<Page<TimelineEntryRecord>[]> {
    return incidentIds.map(() => ({ items: [], nextCursor: null, totalCount: 0 }));
  }

  private async list(filter: IncidentQuery, serviceIds: readonly string[] | undefined, page: PageRequest, ctx: ProviderContext): Promise<Page<IncidentRecord>> {
    const environment = filter.environment ?? ctx.environment;
    if (serviceIds && serviceIds.length === 0) return { items: [], nextCursor: null, totalCount: 0 };
    const statuses = filter.statuses ? [...new Set(filter.statuses.flatMap((s) => STATUSES[s]))] : ['open', 'resolved', 'closed'];
    if (statuses.length === 0) return { items: [], nextCursor: null, totalCount: 0 };
    const priorities = filter.severities
      ? Object.entries({ ...DEFAULT_PRIORITY_SEVERITIES, ...this.settings.severityMap })
          .filter(([, sev]) => filter.severities!.includes(sev))
          .map(([p]) => p)
          .filter((p) => /^P[1-5]$/.test(p))
      : null;
    if (priorities && priorities.length === 0) return { items: [], nextCursor: null, totalCount: 0 };
    // Only fixed words reach Opsgenie's query language.
    const query = [`(${statuses.map((s) => `status:${s}`).join(' OR ')})`, ...(priorities ? [`(${priorities.map((p) => `priority:${p}`).join(' OR ')})`] : [])].join(' AND ');
    const text = filter.text?.toLowerCase();
    const fetchPage = this.api.pages<OgIncident>('/v1/incidents/', { query, sort: 'createdAt', order: 'desc' }, ctx);
    return pageFromVendor(
      page,
      async (cursor: number | null, limit: number) => {
        const vendor = await fetchPage(cursor, limit);
        const records = (await this.toRecords(vendor.items, ctx)).filter(
          (r): r is IncidentRecord =>
            r !== null &&
            (!serviceIds || (r.serviceId !== null && serviceIds.includes(r.serviceId))) &&
            (!environment || r.environment === environment) &&
            (!text || r.title.toLowerCase().includes(text)) &&
            (!filter.startedFrom || Date.parse(r.startedAt) >= filter.startedFrom.getTime()) &&
            (!filter.startedTo || Date.parse(r.startedAt) < filter.startedTo.getTime()),
        );
        return { items: records, next: vendor.next };
      },
      { maxPageSize: OG_MAX_PAGE },
    );
  }

  private async toRecords(incidents: readonly (OgIncident | null)[], ctx: ProviderContext): Promise<(IncidentRecord | null)[]> {
    const labelSets = incidents.map((i) => (i ? labelsOfTags(i.tags) : {}));
    const services = await this.identity.toCanonical(labelSets.map((l) => l[this.settings.serviceLabel] ?? '').filter(Boolean), ctx);
    return incidents.map((incident, i) => {
      if (!incident) return null;
      const service = labelSets[i]![this.settings.serviceLabel];
      const raw = incident.status ?? 'open';
      const priority = incident.priority ?? null;
      const severity: Severity = priority ? (this.settings.severityMap[priority] ?? DEFAULT_PRIORITY_SEVERITIES[priority] ?? 'UNKNOWN') : 'UNKNOWN';
      const created = new Date(incident.createdAt ?? ctx.now).toISOString();
      const resolved = raw === 'resolved' || raw === 'closed';
      return {
        id: composeId(this.instance, incident.id),
        number: Number.parseInt(incident.tinyId ?? '0', 10) || 0,
        title: incident.message ?? `Opsgenie incident ${incident.tinyId ?? incident.id}`,
        summary: incident.extraProperties?.description ?? null,
        status: resolved ? 'RESOLVED' : 'TRIGGERED',
        rawStatus: raw,
        severity,
        rawSeverity: priority,
        startedAt: created,
        acknowledgedAt: null,
        // Opsgenie's incident has no resolution time of its own: the last update of a resolved incident is it.
        resolvedAt: resolved ? new Date(incident.updatedAt ?? created).toISOString() : null,
        updatedAt: new Date(incident.updatedAt ?? created).toISOString(),
        channel: null,
        links: [],
        url: `${this.webUrl}/incident/detail/${encodeURIComponent(incident.id)}/details`,
        source: { provider: this.kind, instance: this.instance, id: incident.id },
        serviceId: service ? (services.get(service) ?? null) : null,
        // The tag `env:<name>` (environmentLabel); an incident without one is shown only to credentials of every environment.
        environment: labelSets[i]![this.settings.environmentLabel] ?? null,
        assigneeId: null,
        commanderId: null,
      };
    });
  }
}
