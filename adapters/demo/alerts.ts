import type { AlertState, Severity } from '@opsorch/schema';
import { healthFromAlerts } from '../src/alert-health.ts';
import { countsForRequest } from '../src/isolation.ts';
import { alertsOfIncidents, alertsOfServices, filterAlerts } from '../src/alert-queries.ts';
import type { ProviderContext } from '../src/context.ts';
import { badInput, notFound } from '../src/errors.ts';
import { composeId, parseId } from '../src/ids.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import {
  type AlertLinkQuery,
  type AlertProvider,
  type AlertQuery,
  type AlertRecord,
  type IncidentAlertsKey,
  type ServiceHealthRecord,
} from '../src/spi/alerts.ts';
import { minutesAgo } from './clock.ts';
import { hexFor } from './random.ts';
import { DEMO_SEED, scenarios, serviceById, type AlertSeverity, type ScenarioAlert } from './world.ts';

const PROMETHEUS = 'http://prometheus.acme-shop.example';
const ALERTMANAGER = 'http://alertmanager.acme-shop.example';

/** The documented mapping: one alert is rarely a SEV1 on its own, so critical stops at SEV2. */
const SEVERITY: Record<AlertSeverity, Severity> = { critical: 'SEV2', warning: 'SEV3', info: 'SEV5' };

const RAW_STATE: Record<AlertState, string> = {
  FIRING: 'firing',
  ACKNOWLEDGED: 'acknowledged',
  SILENCED: 'suppressed',
  RESOLVED: 'resolved',
};

/** A background alert: low-noise alerts no scenario explains, so lists look like a real Alertmanager. */
interface BackgroundAlert extends ScenarioAlert {
  /** Minutes after the demo anchor when a pre-existing silence ends (negative: already ended). */
  silencedForMinutes?: number;
  silenceComment?: string;
}

const BACKGROUND_ALERTS: readonly BackgroundAlert[] = [
  {
    name: 'CertificateExpiringSoon',
    serviceId: 'api-gateway',
    severity: 'info',
    summary: 'TLS certificate for api.acme-shop.example expires in 21 days',
    description: '(probe_ssl_earliest_cert_expiry{instance="api.acme-shop.example:443"} - time()) / 86400 = 21.3',
    labels: { alertname: 'CertificateExpiringSoon', service: 'api-gateway', instance: 'api.acme-shop.example:443', severity: 'info', team: 'platform', env: 'production' },
    firingMinutesAgo: 2890,
  },
  {
    name: 'SearchIndexLagHigh',
    serviceId: 'search',
    severity: 'warning',
    summary: 'search index is more than 15 minutes behind the catalog',
    description: 'max(search_index_lag_seconds{index="products"}) = 1260',
    labels: { alertname: 'SearchIndexLagHigh', service: 'search', index: 'products', severity: 'warning', team: 'growth', env: 'production' },
    firingMinutesAgo: 140,
    silencedForMinutes: 240,
    silenceComment: 'Full reindex of the products index after the catalog schema change; lag expected until it finishes.',
  },
  {
    name: 'ContainerMemoryHigh',
    serviceId: 'recommendations',
    severity: 'warning',
    summary: 'recommendations pods above 90% of their memory limit',
    description: 'max(container_memory_working_set_bytes{service="recommendations"} / container_spec_memory_limit_bytes{service="recommendations"}) = 0.93',
    labels: { alertname: 'ContainerMemoryHigh', service: 'recommendations', severity: 'warning', team: 'growth', env: 'production' },
    firingMinutesAgo: 420,
    resolvedMinutesAgo: 384,
  },
  {
    name: 'KafkaConsumerLagHigh',
    serviceId: 'notifications',
    severity: 'warning',
    summary: 'notifications consumer group lagging more than 10k messages',
    description: 'sum(kafka_consumergroup_lag{group="notifications",topic="order-events"}) = 14210',
    labels: { alertname: 'KafkaConsumerLagHigh', service: 'notifications', group: 'notifications', topic: 'order-events', severity: 'warning', team: 'growth', env: 'production' },
    firingMinutesAgo: 985,
    resolvedMinutesAgo: 941,
  },
  {
    name: 'PodRestartsFrequent',
    serviceId: 'fraud-check',
    severity: 'info',
    summary: 'fraud-check pod restarted 3 times in the last hour',
    description: 'increase(kube_pod_container_status_restarts_total{service="fraud-check"}[1h]) = 3',
    labels: { alertname: 'PodRestartsFrequent', service: 'fraud-check', pod: 'fraud-check-7c9d5b6f4-x2kqp', severity: 'info', team: 'payments', env: 'staging' },
    firingMinutesAgo: 75,
  },
];

interface StoredAlert {
  fingerprint: string;
  serviceId: string | null;
  name: string;
  summary: string;
  description: string;
  /** The rule's PromQL, for the generator link. */
  expression: string;
  rawSeverity: AlertSeverity;
  labels: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
  acknowledgedAt: string | null;
  silencedUntil: string | null;
  silenceComment: string | null;
}

/** The rule's PromQL: what the description states before ` = <value>`; otherwise the ALERTS series of the rule. */
function expressionOf(alert: ScenarioAlert): string {
  const [expr] = alert.description.split(' = ');
  return expr && expr !== alert.description ? expr : `ALERTS{alertname="${alert.name}",service="${alert.serviceId}"}`;
}

function stateAt(alert: StoredAlert, now: Date): AlertState {
  const t = now.getTime();
  if (alert.endsAt && Date.parse(alert.endsAt) <= t) return 'RESOLVED';
  if (alert.silencedUntil && Date.parse(alert.silencedUntil) > t) return 'SILENCED';
  return alert.acknowledgedAt ? 'ACKNOWLEDGED' : 'FIRING';
}

/** Newest first by startsAt, then id: the order of every alert list (same as the subgraph's merge). */
function newestFirst(a: AlertRecord, b: AlertRecord): number {
  return b.startsAt.localeCompare(a.startsAt) || a.id.localeCompare(b.id);
}

/**
 * The demo world's alerting tool, shaped like Prometheus + Alertmanager: the scenarios' alerts plus a few
 * background ones. State is computed at each request's `now`, so silences expire on their own.
 */
export class DemoAlertProvider implements AlertProvider {
  readonly kind = 'demo';
  private readonly alerts = new Map<string, StoredAlert>();

  constructor(readonly instance: string) {
    const all: BackgroundAlert[] = [...scenarios.flatMap((s) => s.alerts), ...BACKGROUND_ALERTS];
    for (const alert of all) {
      const stored = this.store(alert);
      this.alerts.set(stored.fingerprint, stored);
    }
  }

  private store(alert: BackgroundAlert): StoredAlert {
    const labelText = Object.entries(alert.labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',');
    return {
      fingerprint: hexFor([DEMO_SEED, 'alert', labelText], 16),
      serviceId: serviceById.has(alert.serviceId) ? alert.serviceId : null,
      name: alert.name,
      summary: alert.summary,
      description: alert.description,
      expression: expressionOf(alert),
      rawSeverity: alert.severity,
      labels: { ...alert.labels },
      startsAt: minutesAgo(alert.firingMinutesAgo).toISOString(),
      endsAt: alert.resolvedMinutesAgo === undefined ? null : minutesAgo(alert.resolvedMinutesAgo).toISOString(),
      acknowledgedAt: null,
      silencedUntil: alert.silencedForMinutes === undefined ? null : minutesAgo(-alert.silencedForMinutes).toISOString(),
      silenceComment: alert.silenceComment ?? null,
    };
  }

  private view(alert: StoredAlert, now: Date): AlertRecord {
    const state = stateAt(alert, now);
    const matcher = `{alertname="${alert.name}",service="${alert.labels.service ?? alert.serviceId ?? ''}"}`;
    return {
      id: composeId(this.instance, alert.fingerprint),
      name: alert.name,
      summary: alert.summary,
      description: alert.description,
      state,
      rawState: RAW_STATE[state],
      severity: SEVERITY[alert.rawSeverity] ?? 'UNKNOWN',
      rawSeverity: alert.rawSeverity,
      serviceId: alert.serviceId,
      environment: alert.labels.env ?? null,
      labels: Object.entries(alert.labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value })),
      startsAt: alert.startsAt,
      endsAt: alert.endsAt,
      acknowledgedAt: alert.acknowledgedAt,
      silencedUntil: alert.silencedUntil,
      silenceComment: alert.silenceComment,
      generatorUrl: `${PROMETHEUS}/graph?g0.expr=${encodeURIComponent(alert.expression)}&g0.tab=1`,
      url: `${ALERTMANAGER}/#/alerts?filter=${encodeURIComponent(matcher)}`,
      source: { provider: 'demo', instance: this.instance, id: alert.fingerprint },
      fingerprint: alert.fingerprint,
    };
  }

  private sortedViews(now: Date): AlertRecord[] {
    return [...this.alerts.values()].map((a) => this.view(a, now)).sort(newestFirst);
  }

  private lookup(id: string): StoredAlert | null {
    const { instance, nativeId } = parseId(id, 'alert id');
    if (instance !== this.instance) return null;
    return this.alerts.get(nativeId) ?? null;
  }

  private require(id: string): StoredAlert {
    const alert = this.lookup(id);
    if (!alert) throw notFound(`alert "${id}" does not exist in ${this.instance}; list alerts with Query.alerts`);
    return alert;
  }

  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(AlertRecord | null)[]> {
    return ids.map((id) => {
      const alert = this.lookup(id);
      return alert ? this.view(alert, ctx.now) : null;
    });
  }

  async query(filter: AlertQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<AlertRecord>> {
    const matching = filterAlerts(this.sortedViews(ctx.now), filter, ctx, {
      environmentLabel: 'env',
      ownedByTeam: (serviceId) => serviceById.get(serviceId)?.ownerTeamId === filter.teamId,
    });
    return pageOfArray(matching, page);
  }

  async alertsForServices(
    serviceIds: readonly string[],
    filter: AlertLinkQuery,
    page: PageRequest,
    ctx: ProviderContext,
  ): Promise<Page<AlertRecord>[]> {
    return alertsOfServices(this.sortedViews(ctx.now), serviceIds, filter, ctx, 'env').map((own) => pageOfArray(own, page));
  }

  async healthOfServices(serviceIds: readonly string[], ctx: ProviderContext): Promise<ServiceHealthRecord[]> {
    const views = this.sortedViews(ctx.now);
    return serviceIds.map((serviceId) => {
      if (!serviceById.has(serviceId)) {
        return { status: 'UNKNOWN', reason: `the demo alerting tool has no service "${serviceId}"`, firingAlerts: 0 };
      }
      return healthFromAlerts(views.filter((a) => a.serviceId === serviceId && countsForRequest(ctx, a.environment)));
    });
  }

  async alertsForIncidents(incidents: readonly IncidentAlertsKey[], ctx: ProviderContext): Promise<AlertRecord[][]> {
    return alertsOfIncidents(this.sortedViews(ctx.now), incidents);
  }

  async acknowledgeAlert(id: string, ctx: ProviderContext): Promise<AlertRecord> {
    const alert = this.require(id);
    if (stateAt(alert, ctx.now) === 'RESOLVED') {
      throw badInput(`alert ${alert.name} (${id}) is resolved (ended at ${alert.endsAt}); only active alerts can be acknowledged`);
    }
    alert.acknowledgedAt ??= ctx.now.toISOString();
    return this.view(alert, ctx.now);
  }

  async silenceAlert(id: string, durationMs: number, comment: string | null, ctx: ProviderContext): Promise<AlertRecord> {
    const alert = this.require(id);
    if (stateAt(alert, ctx.now) === 'RESOLVED') {
      throw badInput(`alert ${alert.name} (${id}) is resolved (ended at ${alert.endsAt}); there is nothing to silence`);
    }
    alert.silencedUntil = new Date(ctx.now.getTime() + durationMs).toISOString();
    alert.silenceComment = comment;
    return this.view(alert, ctx.now);
  }
}

export function createDemoAlertProvider(_settings: unknown, deps: ProviderDeps): AlertProvider {
  return new DemoAlertProvider(deps.instance);
}
