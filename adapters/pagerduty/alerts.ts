// The alerts capability over PagerDuty: the alerts grouped into incidents. PagerDuty lists alerts per incident, so
// the snapshot is the alerts of the open incidents (bounded), and an incident's own alerts are read directly.
import type { AlertState } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { composeId, parseId } from '../src/ids.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { AlertProvider, AlertRecord, IncidentAlertsKey } from '../src/spi/alerts.ts';
import { allFromVendor } from '../kit/paging.ts';
import { SnapshotAlertProvider, severityOf, sortedLabels, type SnapshotToolSettings } from '../kit/snapshot-alerts.ts';
import { detailText, PagerDutyAccount, PagerDutyApi, PD_MAX_PAGE, type PdIncident, type PdReference } from './api.ts';
import type { PagerDutySettings } from './settings.ts';

interface PdAlert {
  id: string;
  summary?: string;
  html_url?: string;
  created_at: string;
  status: 'triggered' | 'resolved';
  alert_key?: string;
  service?: PdReference;
  incident?: PdReference;
  suppressed?: boolean;
  severity?: 'info' | 'warning' | 'error' | 'critical';
  body?: { details?: Record<string, unknown> | string };
}

type Settings = PagerDutySettings & SnapshotToolSettings;

/**
 * PagerDuty alerts: `triggered` → FIRING (ACKNOWLEDGED when its incident is), `resolved` → RESOLVED, suppressed
 * → SILENCED; severity from PagerDuty's (`critical` → SEV2, `error` and `warning` → SEV3, `info` → SEV5) with the raw
 * value kept. Labels: `service` (PagerDuty service id), `severity`, `incident`, `alert_key`, `env` (the details'
 * `environment` or `env`, else the `environment` setting: the account's, as for its incidents). The fingerprint is the
 * alert key (PagerDuty's de-duplication key). Writes are absent (NOT_SUPPORTED): the API slice has none for alerts.
 */
export class PagerDutyAlertProvider extends SnapshotAlertProvider<Settings> implements AlertProvider {
  readonly kind = 'pagerduty';
  private readonly api: PagerDutyApi;
  private readonly web: string;

  constructor(settings: PagerDutySettings, deps: ProviderDeps) {
    super(
      {
        ...settings,
        externalUrl: new PagerDutyAccount(settings, deps).webUrl ?? 'https://app.pagerduty.com',
        serviceLabel: 'service',
        environmentLabel: 'env',
        severityLabel: 'severity',
        severityMap: { error: 'SEV3' },
      },
      deps,
    );
    this.api = new PagerDutyApi(settings, deps.logger);
    this.web = this.externalUrl;
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.get('/incidents', { limit: 1 }, ctx);
  }

  private alertsOf(incidentId: string, ctx: ProviderContext): Promise<PdAlert[]> {
    return allFromVendor(this.api.pages<PdAlert>(`/incidents/${encodeURIComponent(incidentId)}/alerts`, 'alerts', {}, ctx), { pageSize: PD_MAX_PAGE, maxItems: 1000 });
  }

  protected async fetchSnapshot(ctx: ProviderContext): Promise<AlertRecord[]> {
    const open = await allFromVendor(
      this.api.pages<PdIncident>('/incidents', 'incidents', { 'statuses[]': ['triggered', 'acknowledged'], sort_by: 'created_at:desc', date_range: 'all' }, ctx),
      { pageSize: PD_MAX_PAGE, maxItems: this.settings.maxAlertIncidents },
    );
    const alerts = await Promise.all(open.map(async (incident) => (await this.alertsOf(incident.id, ctx)).map((a) => ({ alert: a, incident }))));
    return this.toRecords(alerts.flat(), ctx);
  }

  /** Alerts of PagerDuty incidents of the same instance name are read from the incident itself; others by service and time. */
  override async alertsForIncidents(incidents: readonly IncidentAlertsKey[], ctx: ProviderContext): Promise<AlertRecord[][]> {
    const own = incidents.map((key) => {
      const { instance, nativeId } = parseId(key.incidentId, 'incident id');
      return instance === this.instance ? nativeId : null;
    });
    const others = incidents.filter((_, i) => own[i] === null);
    const byService = new Map<IncidentAlertsKey, AlertRecord[]>();
    if (others.length > 0) (await super.alertsForIncidents(others, ctx)).forEach((list, i) => byService.set(others[i]!, list));
    return Promise.all(
      own.map(async (native, i) => {
        if (native === null) return byService.get(incidents[i]!) ?? [];
        // The incident too: its alerts are ACKNOWLEDGED when it is, as the alert list says of the same alerts.
        const [alerts, incident] = await Promise.all([
          this.alertsOf(native, ctx),
          this.api.get<{ incident: PdIncident }>(`/incidents/${encodeURIComponent(native)}`, {}, ctx).then((r) => r.incident),
        ]);
        const records = await this.toRecords(alerts.map((alert) => ({ alert, incident })), ctx);
        return records.sort((a, b) => b.startsAt.localeCompare(a.startsAt) || a.id.localeCompare(b.id));
      }),
    );
  }

  private async toRecords(alerts: readonly { alert: PdAlert; incident: PdIncident | null }[], ctx: ProviderContext): Promise<AlertRecord[]> {
    const labelSets = alerts.map(({ alert }) => this.labelsOf(alert));
    const services = await this.servicesOf(labelSets, ctx);
    return alerts.map(({ alert, incident }, i) => {
      const labels = labelSets[i]!;
      const { state, rawState } = this.stateOf(alert, incident);
      const service = labels.service;
      const details = alert.body?.details;
      return {
        id: composeId(this.instance, alert.id),
        name: alert.summary ?? alert.alert_key ?? alert.id,
        summary: alert.summary ?? alert.id,
        description: typeof details === 'string' ? details : details ? JSON.stringify(details) : null,
        state,
        rawState,
        ...severityOf(labels, this.settings),
        labels: sortedLabels(labels),
        startsAt: new Date(alert.created_at).toISOString(),
        endsAt: null,
        acknowledgedAt: null,
        silencedUntil: null,
        silenceComment: null,
        generatorUrl: null,
        url: alert.html_url ?? `${this.web}/alerts/${encodeURIComponent(alert.id)}`,
        source: { provider: this.kind, instance: this.instance, id: alert.id },
        fingerprint: alert.alert_key ?? alert.id,
        serviceId: service ? (services.get(service) ?? null) : null,
        environment: labels.env ?? null,
      };
    });
  }

  private labelsOf(alert: PdAlert): Record<string, string> {
    const labels: Record<string, string> = {};
    if (alert.service?.id) labels.service = alert.service.id;
    if (alert.severity) labels.severity = alert.severity;
    if (alert.incident?.id) labels.incident = alert.incident.id;
    if (alert.alert_key) labels.alert_key = alert.alert_key;
    const details = typeof alert.body?.details === 'object' ? alert.body.details : {};
    labels.env = detailText(details.environment) ?? detailText(details.env) ?? this.settings.environment;
    return labels;
  }

  private stateOf(alert: PdAlert, incident: PdIncident | null): { state: AlertState; rawState: string } {
    if (alert.status === 'resolved') return { state: 'RESOLVED', rawState: 'resolved' };
    if (alert.suppressed) return { state: 'SILENCED', rawState: 'triggered,suppressed' };
    if (incident?.status === 'acknowledged') return { state: 'ACKNOWLEDGED', rawState: 'triggered,incident_acknowledged' };
    return { state: 'FIRING', rawState: alert.status };
  }
}
