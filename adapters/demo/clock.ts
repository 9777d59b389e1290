let anchor: Date | undefined;

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
  } else {
    ms = Math.floor((Date.now() - process.uptime() * 1000) / 60_000) * 60_000;
  }
  anchor = new Date(ms);
  return new Date(ms);
}

export function minutesAgo(min: number): Date {
  return new Date(demoAnchor().getTime() - min * 60_000);
}

export function isoMinutesAgo(min: number): string {
  return minutesAgo(min).toISOString();
}
