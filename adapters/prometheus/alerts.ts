// The alerts capability straight from Prometheus' alerting rules (`/api/v1/rules`), for setups without
// Alertmanager or to see pending alerts. Read-only: silences live in Alertmanager.
import type { ProviderContext } from '../src/context.ts';
import { composeId } from '../src/ids.ts';
import type { ProviderDeps, ServiceCatalog } from '../src/registry.ts';
import type { AlertProvider, AlertRecord } from '../src/spi/alerts.ts';
import { fingerprintOf, severityOf, SnapshotAlertProvider, sortedLabels } from '../alertmanager/snapshot.ts';
import { PrometheusApi } from './api.ts';
import { ServiceIdentity } from './identity.ts';
import { graphUrl } from './metrics.ts';
import { parseSettings, prometheusSettingsSchema, type PrometheusSettings } from './settings.ts';

/** Firing (and, when asked, pending) alerts of every alerting rule; the rule's query is the generator link. */
export class PrometheusAlertProvider extends SnapshotAlertProvider implements AlertProvider {
  readonly kind = 'prometheus';
  readonly instance: string;
  readonly api: PrometheusApi;
  readonly settings: PrometheusSettings;
  protected readonly identity: ServiceIdentity;
  protected readonly catalog: ServiceCatalog | undefined;
  protected readonly environmentLabel: string;
  private readonly externalUrl: string;

  constructor(settings: Record<string, unknown>, deps: ProviderDeps) {
    super();
    this.instance = deps.instance;
    this.settings = parseSettings(prometheusSettingsSchema, settings, `prometheus provider "${deps.instance}"`);
    this.api = new PrometheusApi({ baseUrl: this.settings.url, auth: this.settings.auth, headers: this.settings.headers });
    this.externalUrl = (this.settings.externalUrl ?? this.settings.url).replace(/\/+$/, '');
    this.catalog = deps.catalog;
    this.environmentLabel = this.settings.environmentLabel;
    this.identity = new ServiceIdentity({ system: this.settings.catalogSystem, aliases: this.settings.serviceAliases, catalog: deps.catalog });
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.http.send({ path: '/-/ready', signal: ctx.signal, retry: false });
  }

  protected async fetchSnapshot(ctx: ProviderContext): Promise<AlertRecord[]> {
    const { groups } = await this.api.rules(ctx.signal);
    const alerts = groups.flatMap((group) =>
      group.rules
        .filter((rule) => rule.type === 'alerting')
        .flatMap((rule) =>
          (rule.alerts ?? [])
            .filter((a) => a.state === 'firing' || (this.settings.includePending && a.state === 'pending'))
            .map((alert) => ({ rule, alert })),
        ),
    );
    const services = await this.canonicalServices(alerts.map(({ alert }) => alert.labels[this.settings.serviceLabel] ?? ''), ctx);
    return alerts.map(({ rule, alert }) => {
      const fingerprint = fingerprintOf(alert.labels);
      const name = alert.labels.alertname ?? rule.name;
      const service = alert.labels[this.settings.serviceLabel];
      const startsAt = alert.activeAt ? new Date(alert.activeAt) : ctx.now;
      const generator = graphUrl(this.externalUrl, rule.query, { from: new Date(startsAt.getTime() - 3_600_000), to: ctx.now }, 15);
      return {
        id: composeId(this.instance, fingerprint),
        name,
        summary: alert.annotations.summary ?? alert.annotations.message ?? name,
        description: alert.annotations.description ?? `${rule.query} = ${alert.value}`,
        state: 'FIRING',
        rawState: alert.state,
        ...severityOf(alert.labels, this.settings),
        serviceId: service ? (services.get(service) ?? null) : null,
        labels: sortedLabels(alert.labels),
        startsAt: startsAt.toISOString(),
        endsAt: null,
        acknowledgedAt: null,
        silencedUntil: null,
        silenceComment: null,
        generatorUrl: generator,
        url: `${this.externalUrl}/alerts?search=${encodeURIComponent(name)}`,
        source: { provider: this.kind, instance: this.instance, id: fingerprint },
        fingerprint,
      } satisfies AlertRecord;
    });
  }
}

export function createPrometheusAlertProvider(settings: Record<string, unknown>, deps: ProviderDeps): AlertProvider {
  return new PrometheusAlertProvider(settings, deps);
}
