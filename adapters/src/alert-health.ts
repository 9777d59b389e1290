// Service health as every alerting provider derives it: the worst active alert decides, and the reason names it.
import type { HealthStatus, Severity } from '@opsorch/schema';
import type { AlertRecord, ServiceHealthRecord } from './spi/alerts.ts';

/** SEV1 first; UNKNOWN ranks like a warning so an unmapped alert is never ignored. */
const SEVERITY_RANK: Record<Severity, number> = { SEV1: 0, SEV2: 1, SEV3: 2, UNKNOWN: 2, SEV4: 3, SEV5: 4 };

/** SEV1/SEV2 take a service down, SEV5 is informational, anything else degrades it. */
export function healthStatusOf(severity: Severity): HealthStatus {
  if (severity === 'SEV1' || severity === 'SEV2') return 'DOWN';
  if (severity === 'SEV5') return 'HEALTHY';
  return 'DEGRADED';
}

/** Firing or acknowledged: the alerts that count toward health (silenced and resolved ones do not). */
export function isActiveAlert(alert: Pick<AlertRecord, 'state'>): boolean {
  return alert.state === 'FIRING' || alert.state === 'ACKNOWLEDGED';
}

type HealthAlert = Pick<AlertRecord, 'name' | 'summary' | 'state' | 'severity' | 'rawSeverity'>;

/**
 * Health of one service from its alerts, newest first (any state; only active ones count). The worst severity
 * wins and the newest alert wins a tie. The reason reads as one line in a console, for example
 * `PgBouncerPoolSaturated (critical): orders-db PgBouncer pool exhausted (+1 more)`; when it started is the
 * alert's own `startsAt`.
 */
export function healthFromAlerts(alerts: readonly HealthAlert[]): ServiceHealthRecord {
  const active = alerts.filter(isActiveAlert);
  if (active.length === 0) return { status: 'HEALTHY', reason: null, firingAlerts: 0 };
  // sort is stable, so among equals the newest (first) stays first.
  const worst = [...active].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])[0]!;
  const acknowledged = worst.state === 'ACKNOWLEDGED' ? ', acknowledged' : '';
  const more = active.length > 1 ? ` (+${active.length - 1} more)` : '';
  const reason = `${worst.name} (${worst.rawSeverity ?? 'no severity'}${acknowledged}): ${worst.summary}${more}`;
  return { status: healthStatusOf(worst.severity), reason, firingAlerts: active.length };
}
