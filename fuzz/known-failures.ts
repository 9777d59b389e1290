// Holes the fuzzer trips on that are known and being fixed elsewhere (issue 18's list). A match is counted
// and printed, not failed, so the sweep keeps running meanwhile; when the fix lands its entry goes, and the
// probe in probes/ that reproduces it becomes active. Keep each matcher as narrow as the hole.

export interface KnownFailure {
  id: string;
  /** Where the hole is described and which change fixes it. */
  issue: string;
  matches(phase: 'graphql' | 'mcp', request: unknown, problems: string[]): boolean;
}

const onlyInternal = (problems: string[]) => problems.length > 0 && problems.every((p) => p.startsWith('INTERNAL'));

export const KNOWN_FAILURES: KnownFailure[] = [
  {
    // `logVolume(range: {from: "now-1000000d"})` answers INTERNAL: a relative time past what a Date holds
    // becomes an Invalid Date (metricSeries and the MCP tools over it too). Probe: probes/smaller.ts.
    id: 'relative-range-overflow',
    issue: 'issue 18 item 9 (branch hardening)',
    matches: (_phase, request, problems) => onlyInternal(problems) && /now\s*[-+]\s*\d{6,}\s*[smhdw]/.test(JSON.stringify(request)),
  },
];

/** The id of the known hole a failure is, or undefined when it is new. */
export function knownFailureOf(phase: 'graphql' | 'mcp', request: unknown, problems: string[]): string | undefined {
  return KNOWN_FAILURES.find((known) => known.matches(phase, request, problems))?.id;
}
