import { describe, expect, it } from 'vitest';
import { healthFromAlerts } from './alert-health.ts';

type Alert = Parameters<typeof healthFromAlerts>[0][number];
const alert = (over: Partial<Alert>): Alert => ({ name: 'A', summary: 'a', state: 'FIRING', severity: 'SEV3', rawSeverity: 'warning', ...over });

describe('healthFromAlerts', () => {
  it('is HEALTHY with no reason when nothing is active', () => {
    expect(healthFromAlerts([])).toEqual({ status: 'HEALTHY', reason: null, firingAlerts: 0 });
    expect(healthFromAlerts([alert({ state: 'SILENCED', severity: 'SEV2' }), alert({ state: 'RESOLVED' })])).toEqual({
      status: 'HEALTHY',
      reason: null,
      firingAlerts: 0,
    });
  });

  it('names the worst active alert in one console line, without a timestamp', () => {
    const health = healthFromAlerts([
      alert({ name: 'HighLatency', summary: 'orders-db p99 above 500ms' }),
      alert({ name: 'PgBouncerPoolSaturated', summary: 'orders-db PgBouncer pool exhausted', severity: 'SEV2', rawSeverity: 'critical' }),
      alert({ name: 'Old', state: 'RESOLVED', severity: 'SEV1' }),
    ]);
    expect(health).toEqual({
      status: 'DOWN',
      reason: 'PgBouncerPoolSaturated (critical): orders-db PgBouncer pool exhausted (+1 more)',
      firingAlerts: 2,
    });
  });

  it('keeps the first (newest) alert on a severity tie and says when it is acknowledged or has no severity', () => {
    expect(healthFromAlerts([alert({ name: 'Newer', state: 'ACKNOWLEDGED' }), alert({ name: 'Older' })]).reason).toBe(
      'Newer (warning, acknowledged): a (+1 more)',
    );
    expect(healthFromAlerts([alert({ severity: 'UNKNOWN', rawSeverity: null })])).toEqual({
      status: 'DEGRADED',
      reason: 'A (no severity): a',
      firingAlerts: 1,
    });
    expect(healthFromAlerts([alert({ severity: 'SEV5', rawSeverity: 'info' })]).status).toBe('HEALTHY');
  });
});
