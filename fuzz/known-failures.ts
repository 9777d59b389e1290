// Holes the fuzzer trips on that are known and being fixed elsewhere (issue 18's list). A match is counted
// and printed, not failed, so the sweep keeps running meanwhile; when the fix lands its entry goes, and the
// probe in probes/ that reproduces it becomes active. Keep each matcher as narrow as the hole.

export interface KnownFailure {
  id: string;
  /** Where the hole is described and which change fixes it. */
  issue: string;
  matches(phase: 'graphql' | 'mcp', request: unknown, problems: string[]): boolean;
}

export const KNOWN_FAILURES: KnownFailure[] = [];

/** The id of the known hole a failure is, or undefined when it is new. */
export function knownFailureOf(phase: 'graphql' | 'mcp', request: unknown, problems: string[]): string | undefined {
  return KNOWN_FAILURES.find((known) => known.matches(phase, request, problems))?.id;
}
