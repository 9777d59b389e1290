// The alerts capability straight from Prometheus' alerting rules (`/api/v1/rules`), for setups without
// Alertmanager or to see pending alerts. Read-only: silences live in Alertmanager.
import type { ProviderContext } from '../src/context.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { AlertProvider, AlertRecord } from '../src/spi/alerts.ts';
import { fingerprintOf, SnapshotAlertProvider } from '../kit/snapshot-alerts.ts';
import { PrometheusApi } from './api.ts';
import { graphUrl } from './metrics.ts';
import type { PrometheusSettings } from './settings.ts';

/** Firing (and, when asked, pending) alerts of every alerting rule; the rule's query is the generator link. */
export class PrometheusAlertProvider extends SnapshotAlertProvider<PrometheusSettings> implements AlertProvider {
  readonly kind = 'prometheus';
  readonly api: PrometheusApi;

  constructor(settings: PrometheusSettings, deps: ProviderDeps) {
    super(settings, deps);
    this.api = new PrometheusApi({ baseUrl: this.settings.url, auth: this.settings.auth, headers: this.settings.headers, logger: deps.logger });
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.http.send({ path: '/-/ready', signal: ctx.signal });
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
    const services = await this.servicesOf(alerts.map(({ alert }) => alert.labels), ctx);
    return alerts.map(({ rule, alert }) => {
      const fingerprint = fingerprintOf(alert.labels);
      const name = alert.labels.alertname ?? rule.name;
      const startsAt = alert.activeAt ? new Date(alert.activeAt) : ctx.now;
      const generator = graphUrl(this.externalUrl, rule.query, { from: new Date(startsAt.getTime() - 3_600_000), to: ctx.now }, 15);
      return {
        ...this.labelledFields(alert.labels, fingerprint, services),
        name,
        summary: alert.annotations.summary ?? alert.annotations.message ?? name,
        description: alert.annotations.description ?? `${rule.query} = ${alert.value}`,
        state: 'FIRING',
        rawState: alert.state,
        startsAt: startsAt.toISOString(),
        endsAt: null,
        acknowledgedAt: null,
        silencedUntil: null,
        silenceComment: null,
        generatorUrl: generator,
        url: `${this.externalUrl}/alerts?search=${encodeURIComponent(name)}`,
      } satisfies AlertRecord;
    });
  }
}
