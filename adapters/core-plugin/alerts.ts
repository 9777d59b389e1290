// Alerts from a Core plugin: `alert.query|get`. Core lists every alert in one call, so the provider works like the
// snapshot providers (Alertmanager, Prometheus): one list per request, filtered, paged and turned into health here.
import type { ProviderContext } from '../src/context.ts';
import type { ProviderDeps } from '../src/registry.ts';
import type { AlertRecord } from '../src/spi/alerts.ts';
import { resolvedAt, SnapshotAlertProvider, type SnapshotToolSettings } from '../kit/snapshot-alerts.ts';
import { asArray, pairs, str, time, SNAPSHOT_LIMIT, type CorePlugin } from './plugin.ts';
import { alertState, normalized, severity } from './vocabulary.ts';

export class CoreAlertProvider extends SnapshotAlertProvider {
  readonly kind = 'core-plugin';

  constructor(
    private readonly plugin: CorePlugin,
    deps: ProviderDeps,
  ) {
    const settings: SnapshotToolSettings = {
      url: '',
      catalogSystem: plugin.settings.tool,
      serviceAliases: plugin.settings.serviceAliases,
      serviceLabel: 'service',
      environmentLabel: 'environment',
      severityLabel: 'severity',
      severityMap: {},
    };
    super(settings, deps);
  }

  protected async fetchSnapshot(ctx: ProviderContext): Promise<AlertRecord[]> {
    const alerts = asArray(await this.plugin.call('alert.query', { limit: SNAPSHOT_LIMIT }, ctx), 'alert.query');
    const services = await this.plugin.canonical(alerts.map((a) => str(a.service)), ctx);
    return alerts.map((a): AlertRecord => {
      const labels = pairs(a.fields?.labels ?? a.metadata?.labels);
      const startsAt = time(a.createdAt) ?? new Date(0).toISOString();
      const endsAt = time(a.fields?.endsAt);
      const state = resolvedAt(endsAt, ctx.now) ? 'RESOLVED' : normalized(str(a.status), alertState, 'FIRING');
      return {
        id: this.plugin.id(a.id),
        name: str(a.fields?.name) ?? String(a.title ?? a.id),
        summary: String(a.title ?? ''),
        description: str(a.description),
        state,
        rawState: String(a.status ?? ''),
        severity: normalized(str(a.severity), severity, 'UNKNOWN'),
        rawSeverity: str(a.severity),
        labels,
        startsAt,
        endsAt,
        acknowledgedAt: state === 'ACKNOWLEDGED' ? (time(a.updatedAt) ?? startsAt) : null,
        silencedUntil: null,
        silenceComment: null,
        generatorUrl: str(a.fields?.generatorUrl),
        url: str(a.url) ?? '',
        source: this.plugin.source(a.id),
        fingerprint: String(a.id),
        serviceId: str(a.service) ? (services.get(a.service) ?? null) : null,
        environment: labels.find((l) => l.name === 'environment' || l.name === 'env')?.value ?? str(a.fields?.environment),
      };
    });
  }

  close() {
    return this.plugin.close();
  }
}
