// The demo world's operational signals as pure functions of (DEMO_SEED, service, time): traffic shape,
// scenario effects with their ramps, disk growth, versions and pods. Shared by the logs and metrics
// generators so a scenario reads the same in both.
import { notFound } from '../src/errors.ts';
import { closeMatches, suggest } from '../src/suggest.ts';
import { minutesAgo } from './clock.ts';
import { hexFor } from './random.ts';
import {
  DEMO_SEED,
  deployHistory,
  scenarios,
  serviceById,
  services,
  teamById,
  teams,
  type DemoService,
  type Environment,
  type LogPattern,
  type SignalEffects,
} from './world.ts';

export const ENVIRONMENTS: readonly Environment[] = ['production', 'staging'];

/** How long a scenario effect takes to reach full strength, and to fade after it ends. */
export const RAMP_IN_MS = 2 * 60_000;
export const RAMP_OUT_MS = 3 * 60_000;

/** A scenario signal placed on the clock. */
export interface TimedSignal {
  scenarioId: string;
  serviceId: string;
  startMs: number;
  /** Null while the scenario is still going on. */
  endMs: number | null;
  effects: SignalEffects;
  logPatterns: LogPattern[];
}

const signalCache = new Map<string, TimedSignal[]>();

/** The scenario signals touching one service (derived once; the demo clock is fixed per process). */
export function signalsFor(serviceId: string): TimedSignal[] {
  let hit = signalCache.get(serviceId);
  if (!hit) {
    hit = scenarios.flatMap((scenario) =>
      scenario.signals
        .filter((signal) => signal.serviceId === serviceId)
        .map((signal) => {
          const startMs = minutesAgo(signal.startedMinutesAgo).getTime();
          const endMs = signal.endedMinutesAgo === undefined ? null : minutesAgo(signal.endedMinutesAgo).getTime();
          // A signal shorter than its ramp would never reach full strength; stretch it to one ramp.
          return {
            scenarioId: scenario.id,
            serviceId,
            startMs,
            endMs: endMs === null ? null : Math.max(endMs, startMs + RAMP_IN_MS),
            effects: signal.effects,
            logPatterns: signal.logPatterns,
          };
        }),
    );
    signalCache.set(serviceId, hit);
  }
  return hit;
}

/** Strength of a signal at an instant, 0..1: a trapezoid ramping in at the start and out after the end. */
export function intensityAt(signal: TimedSignal, tMs: number): number {
  if (tMs < signal.startMs) return 0;
  if (tMs < signal.startMs + RAMP_IN_MS) return (tMs - signal.startMs) / RAMP_IN_MS;
  if (signal.endMs === null || tMs < signal.endMs) return 1;
  if (tMs < signal.endMs + RAMP_OUT_MS) return 1 - (tMs - signal.endMs) / RAMP_OUT_MS;
  return 0;
}

/** Integral of `intensityAt` from the signal's start to `x`, in ms (closed form of the trapezoid). */
function cumulativeIntensity(signal: TimedSignal, x: number): number {
  const s = signal.startMs;
  if (x <= s) return 0;
  if (x < s + RAMP_IN_MS) return (x - s) ** 2 / (2 * RAMP_IN_MS);
  const full = RAMP_IN_MS / 2;
  if (signal.endMs === null || x < signal.endMs) return full + (x - s - RAMP_IN_MS);
  const plateau = full + (signal.endMs - s - RAMP_IN_MS);
  const d = Math.min(x - signal.endMs, RAMP_OUT_MS);
  return plateau + d - d ** 2 / (2 * RAMP_OUT_MS);
}

/** Mean strength of a signal over (fromMs, toMs]: what a metric averaged over a step sees. */
export function intensityOver(signal: TimedSignal, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return intensityAt(signal, toMs);
  return (cumulativeIntensity(signal, toMs) - cumulativeIntensity(signal, fromMs)) / (toMs - fromMs);
}

/** Scenario effects on a service over a window, combined across its signals. */
export interface CombinedEffects {
  /** Added to the baseline error ratio. */
  extraErrorRate: number;
  /** Multiplies baseline latency. */
  latencyFactor: number;
  /** Saturation targets and how strongly each pulls (0..1). */
  saturation: { target: number; weight: number }[];
}

export function effectsOver(serviceId: string, fromMs: number, toMs: number): CombinedEffects {
  const combined: CombinedEffects = { extraErrorRate: 0, latencyFactor: 1, saturation: [] };
  for (const signal of signalsFor(serviceId)) {
    if (signal.effects.diskUsedFraction === undefined && Object.keys(signal.effects).length === 0) continue;
    const i = intensityOver(signal, fromMs, toMs);
    if (i <= 0) continue;
    const { errorRate, latencyFactor, saturation } = signal.effects;
    if (errorRate !== undefined) combined.extraErrorRate += i * errorRate;
    if (latencyFactor !== undefined) combined.latencyFactor *= 1 + i * (latencyFactor - 1);
    if (saturation !== undefined) combined.saturation.push({ target: saturation, weight: i });
  }
  return combined;
}

/** Pulls a normal saturation value towards the scenario targets (the strongest pull wins). */
export function applySaturation(normal: number, pulls: CombinedEffects['saturation']): number {
  let value = normal;
  for (const pull of pulls) value = Math.max(value, normal + pull.weight * (pull.target - normal));
  return Math.min(1, value);
}

/**
 * Relative traffic at an instant (mean about 1): a daily curve peaking in the European evening, a smaller
 * lunchtime bump, and quieter weekends.
 */
export function trafficShape(tMs: number): number {
  const hour = (tMs / 3_600_000) % 24;
  const daily = 1 + 0.38 * Math.cos((2 * Math.PI * (hour - 19)) / 24) + 0.07 * Math.cos((4 * Math.PI * (hour - 13)) / 24);
  const weekday = (Math.floor(tMs / 86_400_000) + 4) % 7; // 1970-01-01 was a Thursday
  return daily * (weekday === 0 || weekday === 6 ? 0.86 : 1.05);
}

// ---------------------------------------------------------------------------------------------
// Resources

/** Services whose disks matter: databases, queues and storage services. */
export function hasDisk(service: DemoService): boolean {
  return service.kind === 'database' || service.kind === 'queue' || service.tags.includes('storage') || service.tags.includes('disk-heavy');
}

/** Services that run as a StatefulSet (pods named `<service>-0..2`). */
export function isStateful(service: DemoService): boolean {
  return hasDisk(service);
}

/** Services that hold a client connection pool to a Postgres database. */
export function hasDbClientPool(service: DemoService): boolean {
  return service.dependencies.some((id) => serviceById.get(id)?.language === 'postgresql');
}

/** Capacity of a service's connection pool: the PgBouncer server pool, Redis maxclients, or a client pool. */
export function poolCapacity(service: DemoService): number {
  if (service.language === 'postgresql') return 200;
  if (service.language === 'redis') return 10_000;
  return 20;
}

export function poolName(service: DemoService): string {
  if (service.language === 'postgresql') return 'pgbouncer';
  if (service.language === 'redis') return 'maxclients';
  if (service.language === 'java' || service.language === 'kotlin') return 'HikariPool-1';
  if (service.language === 'python') return 'sqlalchemy';
  if (service.language === 'go') return 'pgxpool';
  if (service.language === 'ruby') return 'activerecord';
  return 'pg-pool';
}

/** Normal pool use (0..1) following traffic. */
export function normalPoolUse(service: DemoService, tMs: number): number {
  const base = service.language === 'postgresql' ? 0.42 : service.language === 'redis' ? 0.08 : 0.3;
  return base * (0.7 + 0.3 * trafficShape(tMs));
}

/** Pool use (0..1) over a window, scenario saturation included. */
export function poolUseOver(service: DemoService, fromMs: number, toMs: number): number {
  return applySaturation(normalPoolUse(service, toMs), effectsOver(service.id, fromMs, toMs).saturation);
}

const DISK_BASE = 0.85; // where a disk signal starts from (see world.ts media-storage scenario)
const DISK_GROWTH_BEFORE_PER_HOUR = 0.005; // the week-long fill-up that led to the scenario

/**
 * Fraction of the data volume used on one pod at an instant. Normally a per-service level with a daily
 * compaction sawtooth; under a disk signal it climbs linearly from 85% at the signal's start to the signal's
 * value at the demo's "now", and kept climbing before that since the cache eviction stopped. Pod 2 is the
 * fullest (the alert names media-storage-2).
 */
export function diskUsedRatio(service: DemoService, podIndex: number, tMs: number): number {
  const podOffset = [-0.05, -0.03, 0][podIndex % 3] ?? 0;
  const level = 0.38 + (hexNumber([DEMO_SEED, 'disk', service.id]) % 20) / 100;
  const dayFraction = ((tMs / 86_400_000) % 1 + 1) % 1;
  const normal = level + 0.04 * dayFraction;
  const signal = signalsFor(service.id).find((s) => s.effects.diskUsedFraction !== undefined);
  let value = normal;
  if (signal) {
    const target = signal.effects.diskUsedFraction!;
    const nowMs = minutesAgo(0).getTime();
    const slope = (target - DISK_BASE) / Math.max(1, nowMs - signal.startMs);
    const grown =
      tMs >= signal.startMs
        ? DISK_BASE + slope * (tMs - signal.startMs)
        : DISK_BASE - (DISK_GROWTH_BEFORE_PER_HOUR * (signal.startMs - tMs)) / 3_600_000;
    const ended = signal.endMs !== null && tMs > signal.endMs;
    value = ended ? normal : Math.max(normal, grown);
  }
  return Math.min(0.995, Math.max(0.01, value + podOffset));
}

function hexNumber(parts: (string | number)[]): number {
  return Number.parseInt(hexFor(parts, 8), 16);
}

const podCache = new Map<string, string[]>();

/** Pod names of a service in an environment: 3 in production, 1 in staging. */
export function podsOf(service: DemoService, environment: Environment): string[] {
  const key = `${service.id}\u0000${environment}`;
  let pods = podCache.get(key);
  if (!pods) {
    const count = environment === 'production' ? 3 : 1;
    const prefix = environment === 'production' ? service.id : `${service.id}-staging`;
    const replicaSet = hexFor([DEMO_SEED, 'replicaset', service.id, environment], 9);
    pods = Array.from({ length: count }, (_, i) =>
      isStateful(service) ? `${prefix}-${i}` : `${prefix}-${replicaSet}-${hexFor([DEMO_SEED, 'pod', service.id, environment, i], 5)}`,
    );
    podCache.set(key, pods);
  }
  return pods;
}

const versionCache = new Map<string, { ms: number; version: string }[]>();

/** The version running in an environment at an instant, from the deploy history (newest succeeded deploy). */
export function versionAt(service: DemoService, environment: Environment, tMs: number): string {
  const key = `${service.id}\u0000${environment}`;
  let timeline = versionCache.get(key);
  if (!timeline) {
    timeline = deployHistory(service.id)
      .filter((d) => d.environment === environment && d.status === 'succeeded')
      .map((d) => ({ ms: minutesAgo(d.minutesAgo).getTime(), version: d.version }))
      .sort((a, b) => a.ms - b.ms);
    versionCache.set(key, timeline);
  }
  let version = timeline[0]?.version ?? service.version;
  for (const entry of timeline) {
    if (entry.ms > tMs) break;
    version = entry.version;
  }
  return version;
}

// ---------------------------------------------------------------------------------------------
// Scope

export interface ResolvedScope {
  services: DemoService[];
  /** Null = every environment. */
  environment: string | null;
}

function teamAndDescendants(teamId: string): Set<string> {
  const ids = new Set([teamId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const team of teams) {
      if (team.parentId && ids.has(team.parentId) && !ids.has(team.id)) {
        ids.add(team.id);
        grew = true;
      }
    }
  }
  return ids;
}

/**
 * The services and environment a `ScopeInput` means in the demo world. A team includes its sub-teams.
 * Unknown services and teams are NOT_FOUND with close matches, so a typo is easy to fix.
 */
export function resolveScope(
  scope: { service?: string | null; team?: string | null; environment?: string | null } | null | undefined,
  defaultEnvironment?: string,
): ResolvedScope {
  let selected: DemoService[] = [...services];
  if (scope?.service) {
    const service = serviceById.get(scope.service);
    if (!service) throw notFound(`unknown service "${scope.service}"${suggest(scope.service, services.map((s) => s.id))}`);
    selected = [service];
  }
  if (scope?.team) {
    if (!teamById.has(scope.team)) throw notFound(`unknown team "${scope.team}"${suggest(scope.team, teams.map((t) => t.id))}`);
    const owners = teamAndDescendants(scope.team);
    selected = selected.filter((s) => owners.has(s.ownerTeamId));
  }
  return { services: selected, environment: scope?.environment ?? defaultEnvironment ?? null };
}

export { closeMatches, suggest };
