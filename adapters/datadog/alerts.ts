// Monitors as alerts: every monitor Datadog holds (with its group states and downtimes) is one alert. States:
// Alert, Warn, No Data, Unknown → FIRING; OK, Ignored, Skipped → RESOLVED; a muted monitor (a downtime or a v1
// silence) that is not OK → SILENCED. The priority is kept raw (`P1`..`P5`), mapped to SEV1..SEV5.
import type { AlertState, Severity } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { AlertProvider, AlertRecord } from '../src/spi/alerts.ts';
import { allFromVendor } from '../kit/paging.ts';
import { SnapshotAlertProvider, type SnapshotToolSettings } from '../kit/snapshot-alerts.ts';
import { DatadogApi, datadogUrls, type DatadogMonitor } from './api.ts';
import { monitorUrl } from './links.ts';
import type { DatadogSettings } from './settings.ts';

const PAGE_SIZE = 1000;
const MAX_MONITORS = 20_000;
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

/** Alerts from Datadog monitors. */
export class DatadogAlertProvider extends SnapshotAlertProvider<SnapshotToolSettings> implements AlertProvider {
  readonly kind = 'datadog';
  readonly api: DatadogApi;

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
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.monitors(0, 1, this.datadog.monitorTags, ctx.signal);
  }

  protected async fetchSnapshot(ctx: ProviderContext): Promise<AlertRecord[]> {
    const monitors = await allFromVendor<DatadogMonitor, number>(
      async (page, size) => {
        const items = (await this.api.monitors(page ?? 0, size, this.datadog.monitorTags, ctx.signal)) ?? [];
        return { items, next: items.length >= size ? (page ?? 0) + 1 : null };
      },
      { pageSize: PAGE_SIZE, maxItems: MAX_MONITORS },
    );
    const services = await this.servicesOf(monitors.map((m) => labelsOf(m.tags)), ctx);
    return monitors.map((m) => this.toRecord(m, services, ctx.now));
  }

  /** When the monitor is muted until (null: not muted; `forever` when a mute has no end). */
  private mutedUntil(monitor: DatadogMonitor, now: Date): { until: string | null; muted: boolean } {
    const ends: (number | null)[] = [];
    for (const end of Object.values(monitor.options?.silenced ?? {})) if (end === null || end * 1000 > now.getTime()) ends.push(end);
    for (const d of monitor.matching_downtimes ?? []) {
      const started = d.start === undefined || d.start * 1000 <= now.getTime();
      if (d.active !== false && started && (d.end == null || d.end * 1000 > now.getTime())) ends.push(d.end ?? null);
    }
    if (ends.length === 0) return { until: null, muted: false };
    if (ends.includes(null)) return { until: null, muted: true };
    return { until: seconds(Math.max(...(ends as number[]))), muted: true };
  }

  private toRecord(monitor: DatadogMonitor, services: Map<string, string | null>, now: Date): AlertRecord {
    const labels = labelsOf(monitor.tags);
    const raw = monitor.overall_state ?? 'Unknown';
    const muted = this.mutedUntil(monitor, now);
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
      silenceComment: null,
      generatorUrl: null,
      url: monitorUrl(this.externalUrl, id),
    };
  }
}
