// Every attack probe the fuzz suite keeps. A new report's probes join this list (see probe.ts).
import { ISSUE_18_PROBES } from './issue-18.ts';
import type { Probe } from './probe.ts';

export { runProbes, type Probe, type ProbeOutcome } from './probe.ts';

export const PROBES: readonly Probe[] = [...ISSUE_18_PROBES];
