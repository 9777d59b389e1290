// One fuzzing session against a running product: harvest a dictionary, then GraphQL operations generated
// from the schema's introspection and MCP tool calls generated from each tool's input schema, in concurrent
// batches, each answer judged (oracle.ts). Seeded: the same seed replays the same requests, and a failure
// prints the seed, the fast-check path and the request that failed.
import { request } from 'node:http';
import fc from 'fast-check';
import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectHttp } from '../mcp/test/harness.ts';
import { DictionaryBuilder, harvestDocuments } from './dictionary.ts';
import { operations, printOperation, rootFieldNames } from './graphql.ts';
import { knownFailureOf } from './known-failures.ts';
import { toolArguments, type JsonSchema } from './mcp.ts';
import { judgeGraphQL, judgeToolCall, type Judgement, type Observation } from './oracle.ts';
import type { Memory, Target } from './target.ts';
import type { Dictionary } from './values.ts';

export interface FuzzSettings {
  seed: number;
  /** GraphQL property runs; each sends a batch of 1..`batch` requests at once. */
  graphqlRuns: number;
  /** MCP property runs; each sends a batch of 1..`batch` tool calls at once. */
  mcpRuns: number;
  batch: number;
  /** Stop each phase after this long even if runs remain. */
  timeLimitMs?: number;
  /** A request that has no answer after this long is a failure (a hang). */
  requestTimeoutMs: number;
  /** Replays one counterexample: the phase (`graphql`/`mcp`) and fast-check path printed by a failed run. */
  replay?: { phase: 'graphql' | 'mcp'; path: string };
  log(line: string): void;
}

/** A request that failed the oracle, with what it takes to send it again. */
export interface Failure {
  phase: 'graphql' | 'mcp';
  request: unknown;
  problems: string[];
}

export interface FuzzReport {
  seed: number;
  requests: { graphql: number; mcp: number };
  /** HTTP statuses of /graphql answers. */
  statuses: Record<string, number>;
  /** Error signature → times seen. */
  distinctErrors: Map<string, number>;
  serverErrors: number;
  internalErrors: number;
  /** Why the process under test is gone, when it is. */
  crashed?: string;
  failures: Failure[];
  /** Known holes (fixed on another branch) → times seen: reported, not failed. */
  knownFailures: Map<string, number>;
  /** Root fields and tools that got at least one request, of all there are. */
  coverage: { rootFields: [number, number]; tools: [number, number] };
  /** Heap used after a full collection, before and after; the peak heap and RSS seen on the way. */
  memory: { start: Memory; end: Memory; peakHeapUsed: number; peakRss: number };
  /** fast-check's verdict per phase: how to replay a failure. */
  replays: string[];
  durationMs: number;
}

/** Schema the product serves, from its own introspection. */
export async function introspect(graphqlUrl: string): Promise<GraphQLSchema> {
  const response = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: getIntrospectionQuery() }) });
  const body = (await response.json()) as { data?: IntrospectionQuery; errors?: unknown };
  if (!body.data) throw new Error(`introspection failed: ${JSON.stringify(body.errors)}`);
  return buildClientSchema(body.data);
}

/**
 * Posts one request, on a connection of its own; a missing answer (refused, reset, timed out) is an observation
 * too. A kept-alive connection would race the server's keep-alive timeout whenever building a batch's huge bodies
 * holds this process's event loop past it: the request would go out on a socket the server had closed, a failure
 * of the client (regressions.e2e.ts checks what the server does with kept-alive connections).
 */
export function post(url: string, body: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<Observation> {
  const sentBytes = Buffer.byteLength(body);
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), sentBytes }));
      res.on('error', (error) => resolve({ status: 0, body: '', sentBytes, failure: `${error.name}: ${error.message}` }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, body: '', sentBytes, failure: `${error.name}: ${error.message}${error.code ? ` (${error.code})` : ''}` }));
    req.end(body);
  });
}

/** Cuts long strings in a request for printing, saying how long they were. */
export function printable(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 300 ? `${value.slice(0, 120)}…[${value.length} chars]` : value;
  if (Array.isArray(value)) return value.length > 20 ? [...value.slice(0, 20).map(printable), `…[${value.length} items]`] : value.map(printable);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, printable(v)]));
  return value;
}

async function harvest(target: Target, schema: GraphQLSchema, timeoutMs: number): Promise<Dictionary> {
  const builder = new DictionaryBuilder();
  for (const query of harvestDocuments(schema)) {
    const observation = await post(target.graphqlUrl, JSON.stringify({ query }), timeoutMs);
    try {
      builder.collect((JSON.parse(observation.body) as { data?: unknown }).data);
    } catch {
      // judged in the fuzzing phase; a harvest answer only feeds the dictionary
    }
  }
  return builder.build();
}

class Tally {
  readonly report: FuzzReport;
  private readonly rootsSeen = new Set<string>();
  private readonly toolsSeen = new Set<string>();

  constructor(seed: number, memory: Memory) {
    this.report = {
      seed,
      requests: { graphql: 0, mcp: 0 },
      statuses: {},
      distinctErrors: new Map(),
      serverErrors: 0,
      internalErrors: 0,
      failures: [],
      knownFailures: new Map(),
      coverage: { rootFields: [0, 0], tools: [0, 0] },
      memory: { start: memory, end: memory, peakHeapUsed: memory.heapUsed, peakRss: memory.rss },
      replays: [],
      durationMs: 0,
    };
  }

  /** Records a judged answer; answers true when it is a new (not known) failure. */
  judged(phase: 'graphql' | 'mcp', request: unknown, judgement: Judgement, status?: number): boolean {
    const r = this.report;
    if (status !== undefined) r.statuses[status] = (r.statuses[status] ?? 0) + 1;
    if (status !== undefined && status >= 500) r.serverErrors++;
    for (const error of judgement.errors) r.distinctErrors.set(error, (r.distinctErrors.get(error) ?? 0) + 1);
    if (judgement.problems.some((p) => p.includes('INTERNAL'))) r.internalErrors++;
    if (judgement.problems.length === 0) return false;
    const known = knownFailureOf(phase, request, judgement.problems);
    if (known) {
      r.knownFailures.set(known, (r.knownFailures.get(known) ?? 0) + 1);
      return false;
    }
    r.failures.push({ phase, request, problems: judgement.problems });
    return true;
  }

  rootField(kind: string, name: string): void {
    this.rootsSeen.add(`${kind}.${name}`);
  }

  tool(name: string): void {
    this.toolsSeen.add(name);
  }

  coverage(rootFields: number, tools: number): void {
    this.report.coverage = { rootFields: [this.rootsSeen.size, rootFields], tools: [this.toolsSeen.size, tools] };
  }
}

/** fast-check's parameters for one phase: seeded, time-bounded, replaying a path when asked. */
function runParameters(settings: FuzzSettings, phase: 'graphql' | 'mcp', numRuns: number): fc.Parameters<unknown> {
  const replay = settings.replay?.phase === phase ? { path: settings.replay.path, numRuns: 1 } : {};
  return {
    seed: settings.seed,
    numRuns,
    ...(settings.timeLimitMs ? { interruptAfterTimeLimit: settings.timeLimitMs, markInterruptAsFailure: false } : {}),
    ...replay,
  };
}

/** Runs one phase as a fast-check property; a counterexample is recorded, not thrown. */
async function runPhase<T>(
  settings: FuzzSettings,
  tally: Tally,
  phase: 'graphql' | 'mcp',
  numRuns: number,
  arbitrary: fc.Arbitrary<T[]>,
  send: (batch: T[]) => Promise<boolean>,
): Promise<void> {
  if (numRuns <= 0 || (settings.replay && settings.replay.phase !== phase)) return;
  let inFlight: Promise<unknown> = Promise.resolve();
  const details = await fc.check(fc.asyncProperty(arbitrary, (batch) => (inFlight = send(batch)) as Promise<boolean>), runParameters(settings, phase, numRuns));
  // The time limit returns without waiting for the batch it interrupted: let that batch finish, so that the next
  // phase, or closing the MCP client under its calls, does not cut it short and count its calls as failures.
  await inFlight.catch(() => {});
  if (details.failed) {
    const line = `${phase}: failed after ${details.numRuns} runs; replay with FUZZ_SEED=${details.seed} FUZZ_REPLAY=${phase}:${details.counterexamplePath}`;
    tally.report.replays.push(line);
    settings.log(line);
  }
}

/** One full session: harvest, GraphQL phase, MCP phase, memory before and after. */
export async function runFuzz(target: Target, settings: FuzzSettings, mcpHeaders: Record<string, string> = {}): Promise<FuzzReport> {
  const started = Date.now();
  const schema = await introspect(target.graphqlUrl);
  const dictionary = await harvest(target, schema, settings.requestTimeoutMs);
  const tally = new Tally(settings.seed, await target.memory(true));
  const report = tally.report;
  const sampleMemory = async () => {
    if (target.exited()) return;
    const now = await target.memory(false);
    report.memory.peakHeapUsed = Math.max(report.memory.peakHeapUsed, now.heapUsed);
    report.memory.peakRss = Math.max(report.memory.peakRss, now.rss);
  };
  const crashed = (inFlight: unknown[]) => {
    if (!target.exited() || report.crashed) return Boolean(report.crashed);
    report.crashed = target.exited();
    report.failures.push({ phase: 'graphql', request: inFlight.map(printable), problems: [`the process under test ${report.crashed} while these requests were in flight`] });
    return true;
  };

  // GraphQL: operations over every root field, sent in concurrent batches.
  let runs = 0;
  await runPhase(settings, tally, 'graphql', settings.graphqlRuns, fc.array(operations(schema, dictionary), { minLength: 1, maxLength: settings.batch }), async (batch) => {
    if (report.crashed) return false;
    const requests = batch.map((operation) => {
      for (const root of operation.roots) tally.rootField(operation.kind, root.name);
      return printOperation(operation);
    });
    const answers = await Promise.all(requests.map((request) => post(target.graphqlUrl, JSON.stringify(request), settings.requestTimeoutMs)));
    report.requests.graphql += requests.length;
    if (crashed(requests)) return false;
    let held = true;
    answers.forEach((answer, i) => {
      const judgement = judgeGraphQL(answer);
      if (tally.judged('graphql', requests[i], judgement, answer.status)) {
        held = false;
        settings.log(`graphql failure: ${JSON.stringify({ problems: judgement.problems, request: printable(requests[i]) })}`);
      }
    });
    if (++runs % 50 === 0) await sampleMemory();
    return held;
  });

  // MCP: every tool through a real MCP client over Streamable HTTP.
  let client: Client | undefined;
  const tools: { name: string; inputSchema: JsonSchema }[] = [];
  if (settings.mcpRuns > 0 && !report.crashed) {
    client = await connectHttp(target.mcpUrl, 'opsorch-fuzz', mcpHeaders);
    tools.push(...((await client.listTools()).tools as typeof tools));
  }
  const documents = operations(schema, dictionary).map((operation) => printOperation(operation).query);
  const calls = tools.length
    ? fc.constantFrom(...tools).chain((tool) => toolArguments(tool.inputSchema, { tool: tool.name, dictionary, documents }).map((args) => ({ name: tool.name, arguments: args })))
    : fc.constant({ name: '', arguments: {} });
  // Each call leaves an abort listener on the transport's one long-lived signal until garbage collection reclaims
  // the request; a fresh client every 1,000 calls keeps the fuzzer's output free of MaxListenersExceededWarning.
  let callsOfClient = 0;
  await runPhase(settings, tally, 'mcp', tools.length ? settings.mcpRuns : 0, fc.array(calls, { minLength: 1, maxLength: settings.batch }), async (batch) => {
    if (report.crashed) return false;
    if ((callsOfClient += batch.length) > 1_000) {
      // Ends the session on the server too (DELETE), as a polite client does, rather than leaving it to idle out.
      await (client!.transport as StreamableHTTPClientTransport | undefined)?.terminateSession().catch(() => {});
      await client!.close().catch(() => {});
      client = await connectHttp(target.mcpUrl, 'opsorch-fuzz', mcpHeaders);
      callsOfClient = batch.length;
    }
    const outcomes = await Promise.all(
      batch.map(async (call) => {
        tally.tool(call.name);
        try {
          return { result: (await client!.callTool(call, undefined, { timeout: settings.requestTimeoutMs })) as { isError?: boolean; content?: { type: string; text?: string }[] } };
        } catch (error) {
          const cause = (error as Error & { cause?: Error }).cause;
          // The JSON-RPC message the client sent, about: the endpoint's body limit applies to it.
          const sentBytes = Buffer.byteLength(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'tools/call', params: call }));
          return { error: { code: (error as { code?: number }).code, message: `${(error as Error).message}${cause ? ` (${cause.message})` : ''}` }, sentBytes };
        }
      }),
    );
    report.requests.mcp += batch.length;
    if (crashed(batch)) return false;
    let held = true;
    outcomes.forEach((outcome, i) => {
      const judgement = judgeToolCall(outcome);
      if (tally.judged('mcp', batch[i], judgement)) {
        held = false;
        settings.log(`mcp failure: ${JSON.stringify({ problems: judgement.problems, call: printable(batch[i]) })}`);
      }
    });
    if (++runs % 50 === 0) await sampleMemory();
    return held;
  });
  await client?.close().catch(() => {});

  tally.coverage(rootFieldNames(schema).length, tools.length);
  if (!report.crashed) {
    await sampleMemory();
    report.memory.end = await target.memory(true);
  }
  report.durationMs = Date.now() - started;
  return report;
}

/**
 * Caches that fuzzing fills and that stay filled (they are bounded, not leaks): Apollo's documents and query
 * plans (30 MiB each, gateway.caches) and the in-process subgraphs' parsed fetches (1 Mi characters each).
 */
const BOUNDED_CACHES_BYTES = (30 + 30 + 40) * 2 ** 20;

/** Whether the heap came back near its start once garbage is collected: within the bounded caches and 32 MiB. */
export function memoryBackNearStart(report: FuzzReport): boolean {
  return report.memory.end.heapUsed - report.memory.start.heapUsed < BOUNDED_CACHES_BYTES + 32 * 2 ** 20;
}

/** What makes a session fail: a new failure, a 5xx, a crash, or memory that did not come back. */
export function verdict(report: FuzzReport): string[] {
  const reasons: string[] = [];
  if (report.failures.length) reasons.push(`${report.failures.length} failing requests`);
  if (report.serverErrors) reasons.push(`${report.serverErrors} answers with a 5xx status`);
  if (report.crashed) reasons.push(`the process ${report.crashed}`);
  if (!memoryBackNearStart(report)) reasons.push('the heap did not come back near its start');
  return reasons;
}

const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** The figures of a session, as printed by `npm run fuzz` and the short run in `npm test`. */
export function summarize(report: FuzzReport): string {
  const top = [...report.distinctErrors].sort((a, b) => b[1] - a[1]);
  return [
    `fuzz seed ${report.seed}: ${report.requests.graphql} GraphQL requests + ${report.requests.mcp} MCP tool calls in ${(report.durationMs / 1000).toFixed(1)} s`,
    `  covered ${report.coverage.rootFields[0]}/${report.coverage.rootFields[1]} root fields, ${report.coverage.tools[0]}/${report.coverage.tools[1]} tools`,
    `  HTTP statuses ${JSON.stringify(report.statuses)}; 5xx: ${report.serverErrors}; INTERNAL: ${report.internalErrors}; crashed: ${report.crashed ?? 'no'}`,
    `  distinct errors: ${report.distinctErrors.size}`,
    ...top.slice(0, 12).map(([signature, count]) => `    ${String(count).padStart(6)} × ${signature.slice(0, 160)}`),
    `  known holes seen (fixed elsewhere, not failed): ${report.knownFailures.size ? [...report.knownFailures].map(([id, n]) => `${id} ×${n}`).join(', ') : 'none'}`,
    `  heap after GC ${MiB(report.memory.start.heapUsed)} → ${MiB(report.memory.end.heapUsed)} (back near its start: ${memoryBackNearStart(report) ? 'yes' : 'NO'}); peak heap ${MiB(report.memory.peakHeapUsed)}, peak RSS ${MiB(report.memory.peakRss)}`,
    `  failures: ${report.failures.length}`,
    ...report.failures.slice(0, 5).map((f) => `    ${f.phase}: ${f.problems.join('; ').slice(0, 300)}\n      request: ${JSON.stringify(printable(f.request)).slice(0, 1500)}`),
    ...report.replays.map((line) => `  ${line}`),
  ].join('\n');
}
