// The real gateway on a free loopback port with the copilot mounted at /copilot, and a client for its API.
import { createHash, randomBytes } from 'node:crypto';
import type { Env, ProviderModule } from '@opsorch/adapters';
import { startGateway, type RunningGateway } from '../../gateway/src/index.ts';
import { captureLogs } from '../../gateway/test/harness.ts';
import { MemoryConversationStore, type ConversationStore } from '../src/conversations/store.ts';
import { copilotRouter } from '../src/http/api.ts';
import { BuiltinInvestigator } from '../src/investigator/index.ts';
import { personFromRequest } from '../src/mount.ts';
import type { Planner } from '../src/planner.ts';
import { Copilot, type CopilotLimits } from '../src/runtime.ts';
import { inProcessTools, type ToolConnector } from '../src/tools.ts';
import type { CopilotEvent } from '../src/types.ts';
import { ALL_TOOLSETS, httpGatewayClient, mountMcpHttp, type McpHttpHandle } from '@opsorch/mcp';

export interface CopilotTestServer {
  gateway: RunningGateway;
  copilot: Copilot;
  /** http://127.0.0.1:<port>/copilot */
  url: string;
  logs: string[];
  close(): Promise<void>;
}

export interface CopilotTestOptions {
  env?: Env;
  extraProviders?: Record<string, ProviderModule>;
  limits?: Partial<CopilotLimits>;
  llm?: (builtin: Planner) => Planner;
  store?: ConversationStore;
  tools?: (graphqlUrl: () => string, mcpUrl: () => string) => ToolConnector;
  /** Also serve MCP at /mcp (with write tools), for the copilot's remote mode. */
  mcp?: boolean;
}

export async function startCopilotGateway(options: CopilotTestOptions = {}): Promise<CopilotTestServer> {
  const { lines, logger } = captureLogs();
  let copilot: Copilot | undefined;
  let mcp: McpHttpHandle | undefined;
  const gateway = await startGateway({
    port: 0,
    host: '127.0.0.1',
    env: options.env ?? {},
    extraProviders: options.extraProviders,
    logger,
    mount: (app, gw) => {
      if (options.mcp) mcp = mountMcpHttp(app, { gateway: httpGatewayClient({ url: gw.graphqlUrl }), toolsets: ALL_TOOLSETS, enableWrites: true });
      const builtin = new BuiltinInvestigator();
      const mcpUrl = () => gw.graphqlUrl().replace(/\/graphql$/, '/mcp');
      copilot = new Copilot({
        tools: options.tools?.(gw.graphqlUrl, mcpUrl) ?? inProcessTools({ graphqlUrl: gw.graphqlUrl }),
        store: options.store ?? new MemoryConversationStore(),
        planners: { builtin, llm: options.llm?.(builtin) },
        limits: options.limits,
        logger,
      });
      app.use('/copilot', gw.authenticate, copilotRouter(copilot, { personOf: (req) => personFromRequest(req, gw.principalOf(req)), heartbeatMs: 500 }));
    },
  });
  return {
    gateway,
    copilot: copilot!,
    url: `http://127.0.0.1:${gateway.port}/copilot`,
    logs: lines,
    async close() {
      await copilot?.close();
      await mcp?.close();
      await gateway.close();
    },
  };
}

/** An API key and its configuration entry (OPSORCH_API_KEYS). */
export function apiKey(name: string, scopes: string[]) {
  const key = `opsorch_test_${randomBytes(16).toString('hex')}`;
  return { key, entry: { name, hash: `sha256:${createHash('sha256').update(key).digest('hex')}`, scopes, actor: 'user' } };
}

export async function api(url: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Reads a server-sent event stream to its end (or until `until` says stop), parsing each event's JSON. */
export async function readEvents(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal },
  until?: (event: CopilotEvent, all: CopilotEvent[]) => boolean,
): Promise<{ status: number; events: CopilotEvent[]; firstEventMs: number | null; ms: number }> {
  const started = performance.now();
  const controller = new AbortController();
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { accept: 'text/event-stream', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal,
  });
  const events: CopilotEvent[] = [];
  let firstEventMs: number | null = null;
  if (!response.body || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return { status: response.status, events, firstEventMs, ms: performance.now() - started };
  }
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let boundary: number;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (!data) continue;
        const event = JSON.parse(data) as CopilotEvent;
        firstEventMs ??= performance.now() - started;
        events.push(event);
        if (until?.(event, events)) {
          controller.abort();
          return { status: response.status, events, firstEventMs, ms: performance.now() - started };
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted && !init.signal?.aborted) throw error;
  }
  return { status: response.status, events, firstEventMs, ms: performance.now() - started };
}

export function answerOf(events: CopilotEvent[]) {
  const event = events.find((e) => e.type === 'answer');
  if (!event || event.type !== 'answer') throw new Error(`no answer event; got ${events.map((e) => e.type).join(', ')}`);
  return event.answer;
}

export { captureLogs };
