// Attack probes: each reproduces one attack from a security report against `opsorch start` and says whether
// the product held. An active probe runs in npm test (probes.e2e.ts) and must hold; a probe whose fix is still
// on its way names the change it waits for, is listed as skipped there, and `npm run probes` runs it anyway to
// show which holes are still open. When the fix lands, delete `waitsFor`: the probe then guards against the
// hole coming back.
import { request } from 'node:http';
import { writeGatewayConfig } from '../../gateway/test/security-fixtures.ts';
import type { Target, TargetOptions } from '../target.ts';

export interface Probe {
  /** Short, stable name, e.g. `env-isolation-by-id`. */
  id: string;
  /** Where the attack is described, e.g. `issue 18 item 1`. */
  source: string;
  /** What the attacker tries, in a sentence. */
  attack: string;
  /** The change that closes the hole; absent once it has landed (the probe is then active). */
  waitsFor?: string;
  /** How the product under attack is configured (probes with equal settings share one process). */
  target: TargetOptions | (() => Promise<TargetOptions>);
  /** Runs the attack: answers what went wrong (the hole is open), or undefined when the product held. */
  run(target: Target): Promise<string | undefined>;
}

/** A gateway that requires credentials: an admin key, and a key limited to the staging environment. */
export function securedTarget(keys: Record<string, { key: string; entry: Record<string, unknown> }>, gateway: Record<string, unknown> = {}): TargetOptions {
  return {
    env: {
      OPSORCH_CONFIG: writeGatewayConfig({ auth: { apiKeys: Object.values(keys).map((k) => k.entry), anonymous: { enabled: false } }, audit: { sinks: [] }, ...gateway }),
    },
  };
}

export interface PostResult {
  status: number;
  headers: Headers;
  text: string;
  json?: any;
}

/** Sends one request; a connection closed without an answer is status 0. */
export async function send(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<PostResult> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  } catch (error) {
    return { status: 0, headers: new Headers(), text: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** POSTs with headers fetch() refuses to set (Host); answers the status, 0 when no answer came. */
export function rawPost(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', (error) => resolve({ status: 0, text: error.message }));
    req.end(body);
  });
}

/** POSTs a GraphQL operation with extra headers. */
export function graphql(target: Target, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}, timeoutMs?: number): Promise<PostResult> {
  return send(target.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }), timeoutMs });
}

/** A probe's verdict. */
export interface ProbeOutcome {
  probe: Probe;
  /** What went wrong (the hole is open), or undefined when the product held. */
  problem?: string;
}

/**
 * Runs probes against `opsorch start` processes, one per distinct configuration, one probe after another
 * (a probe that succeeds in its attack may leave its process busy, so it never shares with the next group).
 */
export async function runProbes(probes: readonly Probe[], log: (line: string) => void = () => {}): Promise<ProbeOutcome[]> {
  const { startTarget } = await import('../target.ts');
  const outcomes: ProbeOutcome[] = [];
  const groups = new Map<string, { options: TargetOptions; probes: Probe[] }>();
  for (const probe of probes) {
    const options = typeof probe.target === 'function' ? await probe.target() : probe.target;
    const key = JSON.stringify(options);
    const group = groups.get(key) ?? { options, probes: [] };
    group.probes.push(probe);
    groups.set(key, group);
  }
  for (const { options, probes: members } of groups.values()) {
    const target = await startTarget(options);
    try {
      for (const probe of members) {
        let problem: string | undefined;
        try {
          problem = await probe.run(target);
        } catch (error) {
          problem = `the probe itself failed: ${(error as Error).message}`;
        }
        if (target.exited()) problem = `${problem ? `${problem}; ` : ''}the process ${target.exited()}`;
        outcomes.push({ probe, problem });
        log(`${problem ? 'OPEN ' : 'held '} ${probe.id} (${probe.source}${probe.waitsFor ? `, waits for ${probe.waitsFor}` : ''})${problem ? `: ${problem}` : ''}`);
        if (target.exited()) break;
      }
    } finally {
      await target.stop();
    }
  }
  return outcomes;
}
