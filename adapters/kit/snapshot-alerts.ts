// Alert providers over tools that answer "every alert now" in one call (Alertmanager, Prometheus' rules, a
// monitor list): OpsOrch filters, pages and derives health from that snapshot, fetched once per GraphQL request.
import { createHash } from 'node:crypto';
import type { Severity } from '@opsorch/schema';
import { healthFromAlerts } from '../src/alert-health.ts';
import { countsForRequest } from '../src/isolation.ts';
import { alertsOfIncidents, alertsOfServices, filterAlerts } from '../src/alert-queries.ts';
import type { ProviderContext } from '../src/context.ts';
import { composeId, parseId } from '../src/ids.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps, ServiceCatalog } from '../src/provider.ts';
import {
  type AlertLinkQuery,
  type AlertProvider,
  type AlertQuery,
  type AlertRecord,
  type IncidentAlertsKey,
  type ServiceHealthRecord,
} from '../src/spi/alerts.ts';
import { ServiceIdentity } from './identity.ts';

/** The documented mapping (schema/alerts.graphql): one alert is rarely a SEV1 on its own. */
export const DEFAULT_SEVERITIES: Readonly<Record<string, Severity>> = { critical: 'SEV2', warning: 'SEV3', info: 'SEV5' };

export function newestFirst(a: AlertRecord, b: AlertRecord): number {
  return b.startsAt.localeCompare(a.startsAt) || a.id.localeCompare(b.id);
}

/** A stable fingerprint of a label set, for tools that give none (Prometheus' own alerts API). */
export function fingerprintOf(labels: Record<string, string>): string {
  const text = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}\u0000${v}`)
    .join('\u0001');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function sortedLabels(labels: Record<string, string>): { name: string; value: string }[] {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value }));
}

/** Everything a subclass needs to turn a tool's alert into a record. */
export interface AlertLabelSettings {
  serviceLabel: string;
  environmentLabel: string;
  severityLabel: string;
  severityMap: Readonly<Record<string, Severity>>;
}

/** The settings the base class reads: where the tool is and how its labels map to services (kit/settings.ts: toolSettingsShape). */
export interface SnapshotToolSettings extends AlertLabelSettings {
  url: string;
  externalUrl?: string | undefined;
  catalogSystem: string;
  serviceAliases: Readonly<Record<string, string>>;
}

export function severityOf(labels: Record<string, string>, settings: AlertLabelSettings): { severity: Severity; rawSeverity: string | null } {
  const raw = labels[settings.severityLabel] ?? null;
  if (raw === null) return { severity: 'UNKNOWN', rawSeverity: null };
  const key = raw.toLowerCase();
  return { severity: settings.severityMap[raw] ?? settings.severityMap[key] ?? DEFAULT_SEVERITIES[key] ?? 'UNKNOWN', rawSeverity: raw };
}

/**
 * Implements the read side of AlertProvider over `snapshot()`: every alert the tool holds now, as records.
 * The snapshot is memoized per request id for a few seconds, so one GraphQL request (a list, health of twenty
 * services, an incident's alerts) costs one call to the tool.
 */
export abstract class SnapshotAlertProvider<S extends SnapshotToolSettings = SnapshotToolSettings> implements AlertProvider {
  abstract readonly kind: string;
  readonly instance: string;
  readonly settings: S;
  protected readonly identity: ServiceIdentity;
  protected readonly catalog: ServiceCatalog | undefined;
  /** Where deep links point: the external URL when set, without a trailing slash. */
  protected readonly externalUrl: string;
  private memo: { requestId: string; at: number; alerts: Promise<AlertRecord[]> } | null = null;

  /** `identity.acceptCanonicalIds`: the tool's service references may be catalog ids themselves (kit/identity.ts). */
  protected constructor(settings: S, deps: ProviderDeps, identity: { acceptCanonicalIds?: boolean } = {}) {
    this.instance = deps.instance;
    this.settings = settings;
    this.catalog = deps.catalog;
    this.externalUrl = (settings.externalUrl ?? settings.url).replace(/\/+$/, '');
    this.identity = new ServiceIdentity({ system: settings.catalogSystem, aliases: settings.serviceAliases, catalog: deps.catalog, ...identity });
  }

  /** Every alert the tool holds now, newest first. */
  protected abstract fetchSnapshot(ctx: ProviderContext): Promise<AlertRecord[]>;

  protected snapshot(ctx: ProviderContext, fresh = false): Promise<AlertRecord[]> {
    const memo = this.memo;
    if (!fresh && memo && memo.requestId === ctx.requestId && Date.now() - memo.at < 5_000) return memo.alerts;
    const alerts = this.fetchSnapshot(ctx).then((list) => list.sort(newestFirst));
    this.memo = { requestId: ctx.requestId, at: Date.now(), alerts };
    alerts.catch(() => {
      if (this.memo?.alerts === alerts) this.memo = null;
    });
    return alerts;
  }

  /** Canonical service ids of the alerts' service label values, through the identity mapping. */
  protected async servicesOf(labelSets: readonly Record<string, string>[], ctx: ProviderContext): Promise<Map<string, string | null>> {
    return this.identity.toCanonical(labelSets.map((labels) => labels[this.settings.serviceLabel] ?? '').filter(Boolean), ctx);
  }

  /** The fields of a record that follow from the alert's labels and fingerprint alone. */
  protected labelledFields(
    labels: Record<string, string>,
    fingerprint: string,
    services: Map<string, string | null>,
  ): Pick<AlertRecord, 'id' | 'severity' | 'rawSeverity' | 'serviceId' | 'environment' | 'labels' | 'source' | 'fingerprint'> {
    const service = labels[this.settings.serviceLabel];
    return {
      id: composeId(this.instance, fingerprint),
      ...severityOf(labels, this.settings),
      serviceId: service ? (services.get(service) ?? null) : null,
      environment: labels[this.settings.environmentLabel] || null,
      labels: sortedLabels(labels),
      source: { provider: this.kind, instance: this.instance, id: fingerprint },
      fingerprint,
    };
  }

  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(AlertRecord | null)[]> {
    const alerts = await this.snapshot(ctx);
    const byFingerprint = new Map(alerts.map((a) => [a.fingerprint, a]));
    return ids.map((id) => {
      const { instance, nativeId } = parseId(id, 'alert id');
      return instance === this.instance ? (byFingerprint.get(nativeId) ?? null) : null;
    });
  }

  async query(filter: AlertQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<AlertRecord>> {
    const alerts = await this.snapshot(ctx);
    let teamServices = new Set<string>();
    if (filter.teamId && this.catalog) teamServices = new Set((await this.catalog.servicesOwnedBy([filter.teamId], ctx))[0] ?? []);
    const matching = filterAlerts(alerts, filter, ctx, {
      environmentLabel: this.settings.environmentLabel,
      ownedByTeam: (serviceId) => teamServices.has(serviceId),
    });
    return pageOfArray(matching, page);
  }

  async alertsForServices(serviceIds: readonly string[], filter: AlertLinkQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<AlertRecord>[]> {
    const alerts = await this.snapshot(ctx);
    return alertsOfServices(alerts, serviceIds, filter, ctx, this.settings.environmentLabel).map((own) => pageOfArray(own, page));
  }

  async healthOfServices(serviceIds: readonly string[], ctx: ProviderContext): Promise<ServiceHealthRecord[]> {
    const alerts = await this.snapshot(ctx);
    // The alerting tool only sees alerts: no active alert is all it can say, and that is what HEALTHY means.
    // Only alerts of the request's environments count: health must not tell a staging caller about production.
    return serviceIds.map((serviceId) => healthFromAlerts(alerts.filter((a) => a.serviceId === serviceId && countsForRequest(ctx, a.environment))));
  }

  async alertsForIncidents(incidents: readonly IncidentAlertsKey[], ctx: ProviderContext): Promise<AlertRecord[][]> {
    return alertsOfIncidents(await this.snapshot(ctx), incidents);
  }
}

/** State at `now`: an `endsAt` in the past means resolved. */
export function resolvedAt(endsAt: string | null | undefined, now: Date): string | null {
  if (!endsAt || endsAt.startsWith('0001-')) return null;
  return Date.parse(endsAt) <= now.getTime() ? endsAt : null;
}
