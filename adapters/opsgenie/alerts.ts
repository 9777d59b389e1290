// The alerts capability over Opsgenie: open alerts as a snapshot (filtered, paged and turned into service health
// by the kit), single alerts by id, and acknowledgement through Opsgenie's asynchronous action API.
import type { AlertState } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { badInput, notFound, OpsOrchError } from '../src/errors.ts';
import { composeId, parseId } from '../src/ids.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { AlertProvider, AlertRecord } from '../src/spi/alerts.ts';
import { allFromVendor } from '../kit/paging.ts';
import { severityOf, SnapshotAlertProvider, sortedLabels } from '../kit/snapshot-alerts.ts';
import { labelsOfTags, OG_MAX_PAGE, OpsgenieApi, type OgAlert } from './api.ts';
import { apiUrlOf, DEFAULT_PRIORITY_SEVERITIES, webUrlOf, type OpsgenieSettings } from './settings.ts';

type SnapshotSettings = OpsgenieSettings & { url: string; externalUrl: string; severityLabel: string };

/**
 * Opsgenie alerts. `closed` → RESOLVED, snoozed → SILENCED until `snoozedUntil`, acknowledged → ACKNOWLEDGED,
 * else FIRING; `rawState` is Opsgenie's status with its flags (`open`, `open,acknowledged`, `open,snoozed`).
 * Labels are the alert's `key:value` tags plus `priority`, `source`, `entity` and `owner`; severity is the priority.
 * The fingerprint is Opsgenie's alias (its de-duplication key).
 */
export class OpsgenieAlertProvider extends SnapshotAlertProvider<SnapshotSettings> implements AlertProvider {
  readonly kind = 'opsgenie';
  private readonly api: OpsgenieApi;

  constructor(settings: OpsgenieSettings, deps: ProviderDeps) {
    super(
      {
        ...settings,
        url: apiUrlOf(settings),
        externalUrl: webUrlOf(settings),
        severityLabel: 'priority',
        severityMap: { ...DEFAULT_PRIORITY_SEVERITIES, ...settings.severityMap },
      },
      deps,
      // Tags are free text: `service:checkout` names the catalog service itself.
      { acceptCanonicalIds: true },
    );
    this.api = new OpsgenieApi(settings, deps.logger);
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.get('/v2/alerts', { limit: 1 }, ctx);
  }

  protected async fetchSnapshot(ctx: ProviderContext): Promise<AlertRecord[]> {
    const alerts = await allFromVendor(this.api.pages<OgAlert>('/v2/alerts', { query: 'status:open', sort: 'createdAt', order: 'desc' }, ctx), {
      pageSize: OG_MAX_PAGE,
      maxItems: this.settings.maxAlerts,
    });
    return this.toRecords(alerts, ctx);
  }

  /** Open alerts come from the snapshot; the others (closed ones) are read one by one (Opsgenie has no filter by ids). */
  override async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(AlertRecord | null)[]> {
    const open = new Map((await this.snapshot(ctx)).map((a) => [a.source.id, a]));
    return Promise.all(
      ids.map(async (id) => {
        const { instance, nativeId } = parseId(id, 'alert id');
        if (instance !== this.instance) return null;
        return open.get(nativeId) ?? this.read(nativeId, ctx);
      }),
    );
  }

  private async read(nativeId: string, ctx: ProviderContext): Promise<AlertRecord | null> {
    try {
      const { data } = await this.api.get<{ data: OgAlert }>(`/v2/alerts/${encodeURIComponent(nativeId)}`, { identifierType: 'id' }, ctx);
      return (await this.toRecords([data], ctx))[0]!;
    } catch (error) {
      if (error instanceof OpsOrchError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  /**
   * Opsgenie queues the acknowledgement (202 + requestId) and applies it moments later. The alert is read back:
   * when Opsgenie has applied it, it is ACKNOWLEDGED; when not yet, it keeps the state Opsgenie reports and carries
   * the labels `opsgenie_request=accepted` and `opsgenie_request_id`, so nothing claims a change that is not visible.
   */
  async acknowledgeAlert(id: string, ctx: ProviderContext): Promise<AlertRecord> {
    const { instance, nativeId } = parseId(id, 'alert id');
    if (instance !== this.instance) throw notFound(`alert "${id}" does not belong to ${this.instance}`);
    const current = await this.read(nativeId, ctx);
    if (!current) throw notFound(`alert "${id}" does not exist in Opsgenie ${this.instance}`);
    if (current.state === 'RESOLVED') throw badInput(`alert ${current.name} (${id}) is closed; there is nothing to acknowledge`);
    if (current.state === 'ACKNOWLEDGED') return current;
    const accepted = await this.api.alertAction(nativeId, 'acknowledge', { user: ctx.actor.name ?? ctx.actor.id, source: 'OpsOrch', note: `Acknowledged from OpsOrch by ${ctx.actor.id}` }, ctx);
    const after = (await this.read(nativeId, ctx)) ?? current;
    if (after.state === 'ACKNOWLEDGED') return after;
    ctx.logger.info({ alert: id, requestId: accepted.requestId }, 'Opsgenie accepted the acknowledgement and has not applied it yet');
    return {
      ...after,
      labels: sortedLabels({
        ...Object.fromEntries(after.labels.map((l) => [l.name, l.value])),
        opsgenie_request: 'accepted',
        opsgenie_request_id: accepted.requestId,
      }),
    };
  }

  private async toRecords(alerts: readonly OgAlert[], ctx: ProviderContext): Promise<AlertRecord[]> {
    const labelSets = alerts.map((a) => this.labelsOf(a));
    const services = await this.servicesOf(labelSets, ctx);
    return alerts.map((alert, i) => this.toRecord(alert, labelSets[i]!, services, ctx.now));
  }

  private labelsOf(alert: OgAlert): Record<string, string> {
    const labels = labelsOfTags(alert.tags);
    for (const key of ['priority', 'source', 'entity', 'owner'] as const) if (alert[key]) labels[key] = alert[key];
    return labels;
  }

  private stateOf(alert: OgAlert, now: Date): { state: AlertState; rawState: string } {
    const status = alert.status ?? 'open';
    const flags = [status, ...(alert.acknowledged ? ['acknowledged'] : []), ...(alert.snoozed ? ['snoozed'] : [])].join(',');
    if (status === 'closed') return { state: 'RESOLVED', rawState: flags };
    if (alert.snoozed && (!alert.snoozedUntil || Date.parse(alert.snoozedUntil) > now.getTime())) return { state: 'SILENCED', rawState: flags };
    return { state: alert.acknowledged ? 'ACKNOWLEDGED' : 'FIRING', rawState: flags };
  }

  private toRecord(alert: OgAlert, labels: Record<string, string>, services: Map<string, string | null>, now: Date): AlertRecord {
    const { state, rawState } = this.stateOf(alert, now);
    const created = alert.createdAt ? new Date(alert.createdAt) : now;
    const service = labels[this.settings.serviceLabel];
    const name = alert.message ?? alert.alias ?? alert.id;
    return {
      id: composeId(this.instance, alert.id),
      name,
      summary: name,
      description: alert.description || null,
      state,
      rawState,
      ...severityOf(labels, this.settings),
      labels: sortedLabels(labels),
      startsAt: created.toISOString(),
      endsAt: state === 'RESOLVED' ? new Date(alert.report?.closeTime ? created.getTime() + alert.report.closeTime : Date.parse(alert.updatedAt ?? created.toISOString())).toISOString() : null,
      acknowledgedAt: alert.acknowledged && alert.report?.ackTime ? new Date(created.getTime() + alert.report.ackTime).toISOString() : null,
      silencedUntil: alert.snoozed && alert.snoozedUntil ? new Date(alert.snoozedUntil).toISOString() : null,
      silenceComment: null,
      generatorUrl: null,
      url: `${this.externalUrl}/alert/detail/${encodeURIComponent(alert.id)}/details`,
      source: { provider: this.kind, instance: this.instance, id: alert.id },
      fingerprint: alert.alias ?? alert.id,
      serviceId: service ? (services.get(service) ?? null) : null,
      // The tag `env:<name>` (environmentLabel); an alert without one is shown only to credentials of every environment.
      environment: labels[this.settings.environmentLabel] ?? null,
    };
  }
}
