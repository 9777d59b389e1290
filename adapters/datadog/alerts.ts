// Monitors as alerts: every monitor Datadog holds (with its group states and downtimes) is one alert. States:
// Alert, Warn, No Data, Unknown → FIRING; OK, Ignored, Skipped → RESOLVED; a muted monitor (a downtime or a v1
// silence) that is not OK → SILENCED. The priority is kept raw (`P1`..`P5`), mapped to SEV1..SEV5.
// Silencing an alert schedules a Datadog downtime of its monitor (decision 025).
import type { AlertState, Severity } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { badInput, notFound, OpsOrchError } from '../src/errors.ts';
import { parseId } from '../src/ids.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { AlertProvider, AlertRecord } from '../src/spi/alerts.ts';
import { allFromVendor } from '../kit/paging.ts';
import { SnapshotAlertProvider, type SnapshotToolSettings } from '../kit/snapshot-alerts.ts';
import { DatadogApi, datadogUrls, type DatadogDowntime, type DatadogMonitor } from './api.ts';
import { monitorUrl } from './links.ts';
import type { DatadogSettings } from './settings.ts';

const PAGE_SIZE = 1000;
const MAX_MONITORS = 20_000;
const DOWNTIME_PAGE_SIZE = 100;
const MAX_DOWNTIMES = 10_000;
/** Downtimes OpsOrch scheduled that Datadog's list may not show yet: at most this many, for at most this long. */
const MAX_PENDING = 1_000;
const PENDING_MS = 60_000;
/** The downtime scope that mutes every group of a monitor: the only kind that silences the whole alert. */
const WHOLE_MONITOR = '*';
/** An `@handle` in a downtime's message notifies that handle (Datadog's notation), so a comment may not hold one. */
const MENTION = /(^|\s)@\S/;
const FIRING = new Set(['Alert', 'Warn', 'No Data', 'Unknown']);
const DEFAULT_PRIORITIES: Record<string, Severity> = { '1': 'SEV1', '2': 'SEV2', '3': 'SEV3', '4': 'SEV4', '5': 'SEV5' };

/** Datadog's tags as labels: `key:value` → key = value; a bare tag → tag = ''. */
function labelsOf(tags: readonly string[] | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const tag of tags ?? []) {
    const at = tag.indexOf(':');
    const key = at < 0 ? tag : tag.slice(0, at);
    labels[key] = labels[key] === undefined ? (at < 0 ? '' : tag.slice(at + 1)) : `${labels[key]},${at < 0 ? '' : tag.slice(at + 1)}`;
  }
  return labels;
}

const seconds = (s: number | null | undefined) => (s ? new Date(s * 1000).toISOString() : null);
const isoOf = (text: string | undefined) => (text ? new Date(text).toISOString() : null);
/** A time as Datadog's downtime schedule takes it: ISO 8601 with a UTC offset of zero. */
const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

/** A monitor muted until `until` (ms; null: no end), with the downtime's message when Datadog holds one. */
interface Mute {
  until: number | null;
  message: string | null;
}

/**
 * The mute a v2 downtime puts on a monitor now, or null. Only downtimes of the whole monitor (scope `*`) count:
 * OpsOrch's alert is the monitor, and a downtime of some groups leaves the others alerting.
 */
function muteOf(downtime: DatadogDowntime, monitor: DatadogMonitor, now: number): Mute | null {
  const a = downtime.attributes;
  if (!a || a.canceled || a.status === 'canceled' || a.status === 'ended' || a.scope?.trim() !== WHOLE_MONITOR) return null;
  const target = a.monitor_identifier;
  const tags = new Set(monitor.tags ?? []);
  const targets =
    target?.monitor_id !== undefined ? target.monitor_id === monitor.id : (target?.monitor_tags ?? []).every((t) => t === '*' || tags.has(t)) && !!target?.monitor_tags?.length;
  if (!targets) return null;
  const window = a.schedule?.current_downtime ?? a.schedule;
  const start = window?.start ? Date.parse(window.start) : -Infinity;
  const end = window?.end ? Date.parse(window.end) : null;
  if (start > now || (end !== null && end <= now)) return null;
  return { until: end, message: a.message ?? null };
}

/** Alerts from Datadog monitors. */
export class DatadogAlertProvider extends SnapshotAlertProvider<SnapshotToolSettings> implements AlertProvider {
  readonly kind = 'datadog';
  readonly api: DatadogApi;
  /** Downtimes scheduled here, by id, until Datadog's list shows them (it may lag a moment behind the write). */
  private readonly pending = new Map<string, { downtime: DatadogDowntime; until: number }>();
  private readonly logger: ProviderDeps['logger'];

  constructor(
    private readonly datadog: DatadogSettings,
    deps: ProviderDeps,
  ) {
    const urls = datadogUrls(datadog);
    super(
      {
        url: urls.api,
        externalUrl: urls.app,
        serviceLabel: datadog.serviceTag,
        environmentLabel: datadog.environmentTag,
        severityLabel: 'priority',
        severityMap: {},
        catalogSystem: datadog.catalogSystem,
        serviceAliases: datadog.serviceAliases,
      },
      deps,
    );
    this.api = new DatadogApi(datadog, deps.logger);
    this.logger = deps.logger;
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.monitors(0, 1, this.datadog.monitorTags, ctx.signal);
  }

  protected async fetchSnapshot(ctx: ProviderContext): Promise<AlertRecord[]> {
    const [monitors, downtimes] = await Promise.all([
      allFromVendor<DatadogMonitor, number>(
        async (page, size) => {
          const items = (await this.api.monitors(page ?? 0, size, this.datadog.monitorTags, ctx.signal)) ?? [];
          return { items, next: items.length >= size ? (page ?? 0) + 1 : null };
        },
        { pageSize: PAGE_SIZE, maxItems: MAX_MONITORS },
      ),
      this.currentDowntimes(ctx),
    ]);
    const services = await this.servicesOf(monitors.map((m) => labelsOf(m.tags)), ctx);
    return monitors.map((m) => this.toRecord(m, downtimes, services, ctx.now));
  }

  /**
   * The v2 downtimes active now, with the ones scheduled here that the list does not show yet. Listing needs the
   * application key's `monitors_downtime` permission: without it the monitors are still read (their v1 downtimes
   * and silences count), and the refusal is logged.
   */
  private async currentDowntimes(ctx: ProviderContext): Promise<DatadogDowntime[]> {
    let listed: DatadogDowntime[];
    try {
      listed = await allFromVendor<DatadogDowntime, number>(
        async (offset, size) => {
          const items = await this.api.currentDowntimes(offset ?? 0, size, ctx.signal);
          return { items, next: items.length >= size ? (offset ?? 0) + items.length : null };
        },
        { pageSize: DOWNTIME_PAGE_SIZE, maxItems: MAX_DOWNTIMES },
      );
    } catch (error) {
      if (!(error instanceof OpsOrchError) || error.code !== 'PROVIDER_AUTH_FAILED') throw error;
      this.logger.warn({ code: error.code }, 'Datadog refused to list downtimes (the application key needs monitors_downtime): only v1 downtimes and silences count');
      listed = [];
    }
    const ids = new Set(listed.map((d) => d.id));
    for (const [id, { downtime, until }] of this.pending) {
      if (ids.has(id) || until <= ctx.now.getTime()) this.pending.delete(id);
      else listed.push(downtime);
    }
    return listed;
  }

  /** Every mute on the monitor now: its v1 silences and downtimes, and the v2 downtimes of the whole monitor. */
  private mutesOf(monitor: DatadogMonitor, downtimes: readonly DatadogDowntime[], now: Date): Mute[] {
    const at = now.getTime();
    const mutes: Mute[] = [];
    for (const end of Object.values(monitor.options?.silenced ?? {})) if (end === null || end * 1000 > at) mutes.push({ until: end === null ? null : end * 1000, message: null });
    for (const d of monitor.matching_downtimes ?? []) {
      const started = d.start === undefined || d.start * 1000 <= at;
      if (d.active !== false && started && (d.end == null || d.end * 1000 > at)) mutes.push({ until: d.end == null ? null : d.end * 1000, message: null });
    }
    for (const downtime of downtimes) {
      const mute = muteOf(downtime, monitor, at);
      if (mute) mutes.push(mute);
    }
    return mutes;
  }

  private toRecord(monitor: DatadogMonitor, downtimes: readonly DatadogDowntime[], services: Map<string, string | null>, now: Date): AlertRecord {
    const labels = labelsOf(monitor.tags);
    const raw = monitor.overall_state ?? 'Unknown';
    // The mute that lasts longest (one without an end first) says until when, and why when Datadog holds a message.
    const latest = this.mutesOf(monitor, downtimes, now).sort((a, b) => (b.until ?? Infinity) - (a.until ?? Infinity))[0];
    const muted = { muted: latest !== undefined, until: latest?.until == null ? null : new Date(latest.until).toISOString() };
    const firing = FIRING.has(raw);
    const state: AlertState = !firing ? 'RESOLVED' : muted.muted ? 'SILENCED' : 'FIRING';
    const groups = Object.values(monitor.state?.groups ?? {});
    const triggered = Math.max(0, ...groups.map((g) => g.last_triggered_ts ?? 0));
    const resolved = Math.max(0, ...groups.map((g) => g.last_resolved_ts ?? 0));
    const priority = monitor.priority == null ? null : String(monitor.priority);
    const id = String(monitor.id);
    const base = this.labelledFields(labels, id, services);
    return {
      ...base,
      severity: priority === null ? 'UNKNOWN' : (this.datadog.priorityMap[priority as '1'] ?? DEFAULT_PRIORITIES[priority] ?? 'UNKNOWN'),
      rawSeverity: priority === null ? null : `P${priority}`,
      name: monitor.name ?? `monitor ${id}`,
      summary: monitor.name ?? `monitor ${id}`,
      description: monitor.message ?? null,
      state,
      rawState: raw,
      startsAt: seconds(triggered) ?? isoOf(monitor.modified) ?? isoOf(monitor.created) ?? now.toISOString(),
      endsAt: state === 'RESOLVED' ? (seconds(resolved) ?? isoOf(monitor.modified)) : null,
      acknowledgedAt: null,
      silencedUntil: muted.until,
      silenceComment: latest?.message ?? null,
      generatorUrl: null,
      url: monitorUrl(this.externalUrl, id),
    };
  }

  /**
   * Schedules a downtime of the alert's monitor (every group: scope `*`) from now for `durationMs`, its message
   * naming who silenced it through OpsOrch and why. Datadog has no idempotency key: a retry with the same key is
   * answered once by the gateway's idempotency store (decision 018).
   */
  async silenceAlert(id: string, durationMs: number, comment: string | null, ctx: ProviderContext): Promise<AlertRecord> {
    const { instance, nativeId } = parseId(id, 'alert id');
    if (instance !== this.instance) throw notFound(`alert "${id}" does not belong to ${this.instance}`);
    if (comment && MENTION.test(comment)) {
      throw badInput('comment must not @-mention anyone: Datadog would notify them from the downtime message; write the name without @');
    }
    const alert = (await this.snapshot(ctx)).find((a) => a.fingerprint === nativeId);
    if (!alert) throw notFound(`alert "${id}" is not a monitor of Datadog ${this.instance}; list alerts with Query.alerts`);
    if (alert.state === 'RESOLVED') throw badInput(`alert ${alert.name} (${id}) is ${alert.rawState} in Datadog; there is nothing to silence`);
    const who = ctx.actor.name ? `${ctx.actor.name} (${ctx.actor.id})` : ctx.actor.id;
    const start = ctx.now.getTime();
    const downtime = await this.api.createDowntime(
      {
        monitorId: Number(nativeId),
        scope: WHOLE_MONITOR,
        start: utc(start),
        end: utc(start + durationMs),
        message: `Silenced through OpsOrch by ${who}${comment ? `: ${comment}` : ''}`,
      },
      ctx.signal,
    );
    if (downtime?.id) {
      this.pending.set(downtime.id, { downtime, until: start + PENDING_MS });
      if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    }
    const updated = (await this.snapshot(ctx, true)).find((a) => a.fingerprint === nativeId);
    if (!updated) throw notFound(`alert "${id}" was deleted in Datadog while it was being silenced`);
    return updated;
  }
}
