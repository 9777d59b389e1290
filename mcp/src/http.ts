import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport, type EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createOpsOrchMcpServer, type McpLogger, type OpsOrchMcpOptions } from './server.ts';
import { parseToolsets } from './toolsets.ts';

/** Largest JSON-RPC request body accepted on /mcp. */
const MAX_BODY_BYTES = 1_000_000;

/** Host names every local setup reaches the server by; DNS rebinding attacks use any other. */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

export interface McpHttpOptions extends Omit<OpsOrchMcpOptions, 'logger'> {
  logger?: McpLogger;
  /**
   * Extra host names (or `host:port`) the server may be reached by, beyond localhost, 127.0.0.1 and [::1].
   * `*` turns the Host check off (only behind a proxy that checks it). Default: OPSORCH_MCP_ALLOWED_HOSTS.
   */
  allowedHosts?: string[];
  /** Extra browser origins (`https://ops.example.com`) beyond loopback ones. Default: OPSORCH_MCP_ALLOWED_ORIGINS. */
  allowedOrigins?: string[];
  /** Sessions idle this long are closed (default 30 minutes). */
  sessionIdleMs?: number;
  /** At most this many open sessions (default 1000); more are refused with 503. */
  maxSessions?: number;
}

export interface McpHttpHandle {
  /** Open sessions now. */
  sessions(): number;
  /** Closes every session (their SSE streams end). */
  close(): Promise<void>;
}

/** What the gateway's Express app offers that the MCP endpoint needs. */
export interface RouteTarget {
  all(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): unknown;
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string, extraHeaders: Record<string, string> = {}) {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...extraHeaders });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

function hostnameOf(host: string): string {
  // `[::1]:4000` → `[::1]`, `localhost:4000` → `localhost`
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
}

/**
 * DNS-rebinding protection (MCP transport security): a request must name an allowed Host, and when a
 * browser sends an Origin, that origin must be allowed. Answers the reason to refuse, or undefined.
 */
export function checkHostAndOrigin(req: IncomingMessage, allowedHosts: readonly string[], allowedOrigins: readonly string[]): string | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  const hosts = [...LOOPBACK_HOSTS, ...allowedHosts.map((h) => h.toLowerCase())];
  if (!hosts.includes('*') && !hosts.includes(host) && !hosts.includes(hostnameOf(host))) {
    return `Host "${host}" is not allowed to reach /mcp (DNS-rebinding protection). If this server is meant to be reached by that name, add it to OPSORCH_MCP_ALLOWED_HOSTS.`;
  }
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    let hostname: string;
    try {
      hostname = new URL(origin).host;
    } catch {
      return `Origin "${origin}" is not a URL.`;
    }
    const loopback = LOOPBACK_HOSTS.includes(hostnameOf(hostname.toLowerCase()));
    if (!loopback && !allowedOrigins.map((o) => o.toLowerCase().replace(/\/$/, '')).includes(origin.toLowerCase())) {
      return `Origin "${origin}" is not allowed to reach /mcp (DNS-rebinding protection). Add it to OPSORCH_MCP_ALLOWED_ORIGINS to allow that web app.`;
    }
  }
  return undefined;
}

/** Per-session, bounded event log so a client that lost its SSE stream resumes with Last-Event-ID. */
function boundedEventStore(limit = 1000): EventStore {
  const events: { id: string; streamId: string; message: JSONRPCMessage }[] = [];
  let sequence = 0;
  return {
    async storeEvent(streamId, message) {
      const id = `${streamId}_${String(++sequence).padStart(12, '0')}`;
      events.push({ id, streamId, message });
      if (events.length > limit) events.splice(0, events.length - limit);
      return id;
    },
    async getStreamIdForEventId(eventId) {
      return events.find((e) => e.id === eventId)?.streamId;
    },
    async replayEventsAfter(lastEventId, { send }) {
      const index = events.findIndex((e) => e.id === lastEventId);
      const streamId = index >= 0 ? events[index]!.streamId : lastEventId.slice(0, lastEventId.lastIndexOf('_'));
      for (const event of events.slice(index + 1)) {
        if (event.streamId === streamId) await send(event.id, event.message);
      }
      return streamId;
    },
  };
}

/** An oversized body is refused without reading the rest; the connection closes so no client reuses it. */
const tooLarge = () => Object.assign(new Error(`request body over ${MAX_BODY_BYTES} bytes`), { status: 413, headers: { connection: 'close' } });

async function readJson(req: IncomingMessage): Promise<unknown> {
  const preParsed = (req as IncomingMessage & { body?: unknown }).body;
  if (preParsed !== undefined) return preParsed;
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  // Listeners rather than `for await`: leaving that loop early destroys the socket under the 413 it answers.
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      req.pause();
      reject(tooLarge());
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
  try {
    return JSON.parse(text);
  } catch {
    throw Object.assign(new Error('the body is not JSON'), { status: 400 });
  }
}

interface Session {
  transport: StreamableHTTPServerTransport;
  lastSeen: number;
}

/** Reads the MCP endpoint's settings from the environment (OPSORCH_MCP_*). */
export function mcpHttpSettingsFromEnv(env: Record<string, string | undefined>): Pick<McpHttpOptions, 'toolsets' | 'enableWrites' | 'allowedHosts' | 'allowedOrigins' | 'maxResultChars' | 'conformanceFixtures'> {
  const list = (value: string | undefined) => (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);
  const maxChars = env.OPSORCH_MCP_MAX_RESULT_CHARS ? Number(env.OPSORCH_MCP_MAX_RESULT_CHARS) : undefined;
  if (maxChars !== undefined && !(Number.isInteger(maxChars) && maxChars >= 1000)) {
    throw new Error(`OPSORCH_MCP_MAX_RESULT_CHARS must be a whole number of at least 1000, got "${env.OPSORCH_MCP_MAX_RESULT_CHARS}"`);
  }
  return {
    toolsets: parseToolsets(env.OPSORCH_MCP_TOOLSETS),
    enableWrites: isTrue(env.OPSORCH_MCP_ENABLE_WRITES),
    allowedHosts: list(env.OPSORCH_MCP_ALLOWED_HOSTS),
    allowedOrigins: list(env.OPSORCH_MCP_ALLOWED_ORIGINS),
    maxResultChars: maxChars,
    conformanceFixtures: isTrue(env.OPSORCH_MCP_CONFORMANCE_FIXTURES),
  };
}

export function isTrue(value: string | undefined): boolean {
  return ['1', 'true', 'yes', 'on'].includes((value ?? '').trim().toLowerCase());
}

/**
 * Serves MCP over Streamable HTTP at `/mcp` (stateful sessions, SSE with resumption). A client may narrow
 * the listed toolsets for its session with `/mcp?toolsets=incidents,logs`, never widen writes.
 */
export function mountMcpHttp(app: RouteTarget, options: McpHttpOptions): McpHttpHandle {
  const sessions = new Map<string, Session>();
  const allowedHosts = options.allowedHosts ?? [];
  const allowedOrigins = options.allowedOrigins ?? [];
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const maxSessions = options.maxSessions ?? 1000;

  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [id, session] of sessions) {
      if (now - session.lastSeen > idleMs) {
        sessions.delete(id);
        void session.transport.close();
      }
    }
  }, Math.min(idleMs, 60_000));
  sweeper.unref();

  app.all('/mcp', (req, res) => {
    void (async () => {
      const refusal = checkHostAndOrigin(req, allowedHosts, allowedOrigins);
      if (refusal) {
        options.logger?.warn({ host: req.headers.host, origin: req.headers.origin }, 'mcp request refused: host or origin not allowed');
        return jsonRpcError(res, 403, -32000, refusal);
      }
      const sessionId = req.headers['mcp-session-id'];
      const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
      if (req.method === 'POST') {
        const body = await readJson(req);
        if (existing) {
          existing.lastSeen = Date.now();
          return existing.transport.handleRequest(req, res, body);
        }
        if (sessionId) return jsonRpcError(res, 404, -32001, `Session ${String(sessionId)} not found (expired or the server restarted); initialize a new one.`);
        const initialize = Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);
        if (!initialize) return jsonRpcError(res, 400, -32000, 'No Mcp-Session-Id header: the first request of a session must be initialize.');
        if (sessions.size >= maxSessions) return jsonRpcError(res, 503, -32000, 'Too many open MCP sessions; try again later.', { 'retry-after': '30' });
        const narrowed = new URL(req.url ?? '/', 'http://localhost').searchParams.get('toolsets');
        const toolsets = narrowed ? parseToolsets(narrowed).filter((t) => (options.toolsets ?? parseToolsets(undefined)).includes(t)) : options.toolsets;
        const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          eventStore: boundedEventStore(),
          retryInterval: 1000,
          onsessioninitialized: (id) => {
            sessions.set(id, { transport, lastSeen: Date.now() });
          },
        });
        transport.onclose = () => {
          if (transport.sessionId) sessions.delete(transport.sessionId);
        };
        const server = createOpsOrchMcpServer({ ...options, toolsets });
        await server.connect(transport);
        return transport.handleRequest(req, res, body);
      }
      if (req.method === 'GET' || req.method === 'DELETE') {
        if (!existing) return jsonRpcError(res, sessionId ? 404 : 400, -32000, sessionId ? `Session ${String(sessionId)} not found; initialize a new one.` : 'Mcp-Session-Id header required.');
        existing.lastSeen = Date.now();
        return existing.transport.handleRequest(req, res);
      }
      return jsonRpcError(res, 405, -32000, `Method ${req.method} not allowed on /mcp; use POST, GET or DELETE.`, { allow: 'GET, POST, DELETE' });
    })().catch((error: Error & { status?: number; headers?: Record<string, string> }) => {
      options.logger?.warn({ err: error.message }, 'mcp request failed');
      jsonRpcError(res, error.status ?? 500, error.status ? -32700 : -32603, error.status ? error.message : 'Internal error of the MCP endpoint.', error.headers);
    });
  });

  return {
    sessions: () => sessions.size,
    async close() {
      clearInterval(sweeper);
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((s) => s.transport.close().catch(() => {})));
    },
  };
}
