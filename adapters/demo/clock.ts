let anchor: Date | undefined;
/** Real time when a pinned anchor was read first; undefined while unpinned. */
let pinnedAtRealMs: number | undefined;

/**
 * The demo world's "now": OPSORCH_DEMO_NOW (RFC 3339) when set, else the process start time floored
 * to the minute. Computed once so every capability agrees on the same scenario timestamps.
 */
export function demoAnchor(): Date {
  if (anchor) return new Date(anchor.getTime());
  const fromEnv = process.env.OPSORCH_DEMO_NOW?.trim();
  let ms: number;
  if (fromEnv) {
    ms = Date.parse(fromEnv);
    if (Number.isNaN(ms)) throw new Error(`OPSORCH_DEMO_NOW is not an RFC 3339 date: ${fromEnv}`);
    pinnedAtRealMs = Date.now();
  } else {
    ms = Math.floor((Date.now() - process.uptime() * 1000) / 60_000) * 60_000;
  }
  anchor = new Date(ms);
  return new Date(ms);
}

/**
 * The demo world's clock at the real instant `at` (a request's time). Unpinned, the world lives in real time. Pinned by
 * OPSORCH_DEMO_NOW, it starts at the pinned instant and runs on from there: without this, who is on call (a function of
 * the clock, unlike the scenarios, which sit at the anchor) would follow the real day and not the pinned one.
 */
export function worldTime(at: Date): Date {
  if (!anchor) demoAnchor();
  if (pinnedAtRealMs === undefined) return at;
  return new Date(anchor!.getTime() + Math.max(0, at.getTime() - pinnedAtRealMs));
}

export function minutesAgo(min: number): Date {
  return new Date(demoAnchor().getTime() - min * 60_000);
}

export function isoMinutesAgo(min: number): string {
  return minutesAgo(min).toISOString();
}
