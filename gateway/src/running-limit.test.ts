import { describe, expect, it } from 'vitest';
import { createRunningLimit, MAX_RUNNING, MIN_RUNNING, START_RUNNING } from './running-limit.ts';

/** Runs `windows` windows in which `running` requests ran, the loop was `utilization` busy, and requests were held back or not. */
function windows(limit: ReturnType<typeof createRunningLimit>, count: number, utilization: number, running: number, held: boolean): number {
  for (let i = 0; i < count; i++) {
    limit.started(running);
    if (held) limit.heldBack();
    limit.adjust(utilization, running);
  }
  return limit.current();
}

describe('the running limit', () => {
  it('grows by a quarter a window while requests wait for a slot and the loop has idle time, up to its maximum', () => {
    const limit = createRunningLimit(() => 0);
    expect(limit.current()).toBe(START_RUNNING);
    expect(windows(limit, 1, 0.5, START_RUNNING, true)).toBe(40);
    expect(windows(limit, 1, 0.5, 40, true)).toBe(50);
    expect(windows(limit, 100, 0.5, 50, true)).toBe(MAX_RUNNING);
  });

  it('does not grow while nothing waits for a slot, however idle the loop', () => {
    const limit = createRunningLimit(() => 0);
    expect(windows(limit, 10, 0.1, 3, false)).toBe(START_RUNNING);
  });

  it('shrinks toward what ran while the loop is saturated, not below its minimum, and holds in between', () => {
    const limit = createRunningLimit(() => 0);
    // Only 20 ran: the limit comes down to just below that, not an eighth below 32.
    expect(windows(limit, 1, 1, 20, true)).toBe(18);
    expect(windows(limit, 1, 1, 18, true)).toBe(16);
    expect(windows(limit, 50, 1, 16, true)).toBe(MIN_RUNNING);
    expect(windows(limit, 5, 0.99, 16, true)).toBe(MIN_RUNNING);
    expect(windows(limit, 1, 0.9, 16, true)).toBe(20);
  });

  it('is fixed when a limit is set, whatever the loop does', () => {
    let fixed = 5;
    const limit = createRunningLimit(() => fixed);
    expect(windows(limit, 10, 0.1, 5, true)).toBe(5);
    expect(windows(limit, 10, 1, 5, true)).toBe(5);
    fixed = 0;
    expect(limit.current()).toBeGreaterThanOrEqual(MIN_RUNNING);
  });
});
