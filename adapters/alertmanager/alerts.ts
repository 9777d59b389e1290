// The alerts capability over Alertmanager's API v2 (../shared/vendor-api/alertmanager.openapi.json).
import { z } from 'zod';
import type { AlertState } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { badInput, notFound, OpsOrchError } from '../src/errors.ts';
import { HttpClient } from '../kit/http.ts';
import { parseId } from '../src/ids.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { AlertProvider, AlertRecord } from '../src/spi/alerts.ts';
import { alertSeveritySettingsShape, toolSettingsShape } from '../kit/settings.ts';
import { resolvedAt, SnapshotAlertProvider } from '../kit/snapshot-alerts.ts';

/** Settings of the `alertmanager` provider (OPSORCH_ALERTS_CONFIG). */
export const alertmanagerSettingsSchema = z
  .object({
    ...toolSettingsShape,
    ...alertSeveritySettingsShape,
    /** Only alerts routed to this receiver (Alertmanager's `receiver` filter, a regex). */
    receiver: z.string().optional(),
  })
  .strict();
export type AlertmanagerSettings = z.infer<typeof alertmanagerSettingsSchema>;

/** `gettableAlert` of the API v2. */
interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  fingerprint: string;
  generatorURL?: string;
  receivers: { name: string }[];
  status: { state: 'unprocessed' | 'active' | 'suppressed'; silencedBy: string[]; inhibitedBy: string[] };
}

/** `gettableSilence` of the API v2. */
export interface GettableSilence {
  id: string;
  status: { state: 'expired' | 'active' | 'pending' };
  updatedAt: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** The Alertmanager UI's filter for one alert (`{alertname="X",service="Y"}`), URL-encoded. */
export function alertFilterExpression(labels: Record<string, string>, keys: readonly string[]): string {
  const parts = keys.filter((k) => labels[k] !== undefined).map((k) => `${k}="${labels[k]!.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`);
  return `{${parts.join(',')}}`;
}


/** Who OpsOrch says created a silence, so silences it owns can be told apart. */
const CREATED_BY_SUFFIX = ' (via OpsOrch)';

/**
 * Alerts, groups and silences from Alertmanager. `active` → FIRING, `suppressed` → SILENCED (by a silence or
 * an inhibition), `unprocessed` → FIRING; the raw state is kept. Alertmanager has no acknowledgement, so
 * acknowledgeAlert is absent (NOT_SUPPORTED); silenceAlert creates a silence matching the alert's labels.
 */
export class AlertmanagerAlertProvider extends SnapshotAlertProvider<AlertmanagerSettings> implements AlertProvider {
  readonly kind = 'alertmanager';
  readonly http: HttpClient;

  constructor(settings: AlertmanagerSettings, deps: ProviderDeps) {
    super(settings, deps);
    this.http = new HttpClient({ baseUrl: this.settings.url, tool: 'Alertmanager', auth: this.settings.auth, headers: this.settings.headers, logger: deps.logger });
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    const status = await this.http.json<{ cluster?: { status?: string } }>({ path: '/api/v2/status', signal: ctx.signal });
    if (status?.cluster?.status && status.cluster.status !== 'ready' && status.cluster.status !== 'disabled') {
      throw new OpsOrchError('PROVIDER_UNAVAILABLE', `Alertmanager cluster is ${status.cluster.status}`);
    }
  }

  /** Every silence Alertmanager holds (active, pending and recently expired). */
  listSilences(ctx: ProviderContext): Promise<GettableSilence[]> {
    return this.http.json<GettableSilence[]>({ path: '/api/v2/silences', signal: ctx.signal });
  }

  /** Expires a silence now; Alertmanager answers 404 for one it does not know. */
  async expireSilence(silenceId: string, ctx: ProviderContext): Promise<void> {
    await this.http.send({ method: 'DELETE', path: `/api/v2/silence/${encodeURIComponent(silenceId)}`, signal: ctx.signal });
  }

  private stateOf(alert: GettableAlert, now: Date): { state: AlertState; rawState: string } {
    if (resolvedAt(alert.endsAt, now)) return { state: 'RESOLVED', rawState: 'resolved' };
    if (alert.status.state === 'suppressed') return { state: 'SILENCED', rawState: 'suppressed' };
    return { state: 'FIRING', rawState: alert.status.state };
  }

  protected async fetchSnapshot(ctx: ProviderContext): Promise<AlertRecord[]> {
    const alerts = await this.http.json<GettableAlert[]>({
      path: '/api/v2/alerts',
      query: { active: 'true', silenced: 'true', inhibited: 'true', unprocessed: 'true', receiver: this.settings.receiver },
      signal: ctx.signal,
    });
    const needSilences = alerts.some((a) => a.status.silencedBy.length > 0);
    const silences = needSilences ? new Map((await this.listSilences(ctx)).map((s) => [s.id, s])) : new Map<string, GettableSilence>();
    const services = await this.servicesOf(alerts.map((a) => a.labels), ctx);
    return alerts.map((alert) => this.toRecord(alert, silences, services, ctx.now));
  }

  private toRecord(alert: GettableAlert, silences: Map<string, GettableSilence>, services: Map<string, string | null>, now: Date): AlertRecord {
    const { state, rawState } = this.stateOf(alert, now);
    const latest = alert.status.silencedBy
      .map((id) => silences.get(id))
      .filter((s): s is GettableSilence => s !== undefined)
      .sort((a, b) => b.endsAt.localeCompare(a.endsAt))[0];
    const name = alert.labels.alertname ?? '(no alertname)';
    const filter = alertFilterExpression(alert.labels, ['alertname', this.settings.serviceLabel, this.settings.environmentLabel]);
    return {
      ...this.labelledFields(alert.labels, alert.fingerprint, services),
      name,
      summary: alert.annotations.summary ?? alert.annotations.message ?? alert.annotations.title ?? name,
      description: alert.annotations.description ?? null,
      state,
      rawState,
      startsAt: new Date(alert.startsAt).toISOString(),
      endsAt: state === 'RESOLVED' ? new Date(alert.endsAt).toISOString() : null,
      acknowledgedAt: null,
      silencedUntil: latest ? new Date(latest.endsAt).toISOString() : null,
      silenceComment: latest?.comment ?? null,
      generatorUrl: alert.generatorURL || null,
      url: `${this.externalUrl}/#/alerts?silenced=true&inhibited=true&filter=${encodeURIComponent(filter)}`,
    };
  }

  /**
   * Creates a silence whose matchers are exactly the alert's labels, then expires the earlier silences OpsOrch made
   * for the same labels (new first, so notifications never slip through between the two).
   */
  async silenceAlert(id: string, durationMs: number, comment: string | null, ctx: ProviderContext): Promise<AlertRecord> {
    const { instance, nativeId } = parseId(id, 'alert id');
    if (instance !== this.instance) throw notFound(`alert "${id}" does not belong to ${this.instance}`);
    const alert = (await this.snapshot(ctx, true)).find((a) => a.fingerprint === nativeId);
    if (!alert) throw notFound(`alert "${id}" is not in Alertmanager ${this.instance} (resolved alerts leave it); list alerts with Query.alerts`);
    if (alert.state === 'RESOLVED') throw badInput(`alert ${alert.name} (${id}) is resolved; there is nothing to silence`);
    const matchers = alert.labels.map((l) => ({ name: l.name, value: l.value, isRegex: false, isEqual: true }));
    const createdBy = `${ctx.actor.name ?? ctx.actor.id}${CREATED_BY_SUFFIX}`;
    const startsAt = ctx.now.toISOString();
    const endsAt = new Date(ctx.now.getTime() + durationMs).toISOString();
    const created = await this.http.json<{ silenceID: string }>({
      method: 'POST',
      path: '/api/v2/silences',
      json: { matchers, startsAt, endsAt, createdBy, comment: comment ?? `Silenced from OpsOrch by ${ctx.actor.id}` },
      signal: ctx.signal,
    });
    const sameLabels = (s: GettableSilence) =>
      s.matchers.length === matchers.length &&
      s.matchers.every((m) => !m.isRegex && m.isEqual !== false && alert.labels.some((l) => l.name === m.name && l.value === m.value));
    const earlier = (await this.listSilences(ctx)).filter(
      (s) => s.id !== created.silenceID && s.status.state !== 'expired' && s.createdBy.endsWith(CREATED_BY_SUFFIX) && sameLabels(s),
    );
    await Promise.all(earlier.map((s) => this.expireSilence(s.id, ctx)));
    const updated = (await this.snapshot(ctx, true)).find((a) => a.fingerprint === nativeId);
    if (!updated) throw notFound(`alert "${id}" resolved while it was being silenced`);
    return updated;
  }
}
