import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport, type EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createOpsOrchMcpServer, type McpLogger, type OpsOrchMcpOptions } from './server.ts';
import { parseToolsets } from './toolsets.ts';

/** Largest JSON-RPC request body accepted on /mcp. */
const MAX_BODY_BYTES = 1_000_000;

/**
 * Checks a request's credential before anything else (the gateway's own authentication): the client's identity
 * (one per credential; per address for anonymous callers), or why it is refused.
 */
export type McpAuthenticate = (req: IncomingMessage) => Promise<{ client: string } | { refused: { status: number; message: string; reason?: string } }>;

export interface McpHttpOptions extends Omit<OpsOrchMcpOptions, 'logger'> {
  logger?: McpLogger;
  /**
   * Authentication before a session exists. Without it every request is one client (embedders that
   * authenticate in front of the endpoint). The Host/Origin allow-list is the gateway's, on every route.
   */
  authenticate?: McpAuthenticate;
  /** Sessions idle this long are closed (default 5 minutes; OPSORCH_MCP_SESSION_IDLE_SECONDS). */
  sessionIdleMs?: number;
  /** At most this many open sessions in all (default 1000); more are refused with 503. */
  maxSessions?: number;
  /**
   * At most this many open sessions per client (default 10; OPSORCH_MCP_MAX_SESSIONS_PER_CLIENT): a client opening
   * one more closes its own least recently used, so no client can fill the table for the others.
   */
  maxSessionsPerClient?: number;
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

/**
 * What the sessions' event logs may hold in all, in characters of JSON: a session's share of it, between 64 Ki and
 * 1 Mi characters, bounds its own log. Kept as objects, a thousand tool answers held 17 MiB per session.
 */
const EVENT_CHARS_TOTAL = 64 * 2 ** 20;
const eventCharsPerSession = (sessions: number) => Math.min(2 ** 20, Math.max(64 * 2 ** 10, EVENT_CHARS_TOTAL / Math.max(1, sessions)));

/**
 * Per-session, bounded event log so a client that lost its SSE stream resumes with Last-Event-ID. Events are kept
 * as their JSON text (compact, and measured exactly), at most `limit` of them and `maxChars()` characters; the
 * newest is always kept, since that is the one a client that just lost its stream asks for.
 */
function boundedEventStore(maxChars: () => number, limit = 1000): EventStore {
  const events: { id: string; streamId: string; json: string }[] = [];
  let chars = 0;
  let sequence = 0;
  return {
    async storeEvent(streamId, message) {
      const id = `${streamId}_${String(++sequence).padStart(12, '0')}`;
      const json = JSON.stringify(message);
      events.push({ id, streamId, json });
      chars += json.length;
      const max = maxChars();
      let drop = 0;
      while (drop < events.length - 1 && (events.length - drop > limit || chars > max)) chars -= events[drop++]!.json.length;
      if (drop > 0) events.splice(0, drop);
      return id;
    },
    async getStreamIdForEventId(eventId) {
      return events.find((e) => e.id === eventId)?.streamId;
    },
    async replayEventsAfter(lastEventId, { send }) {
      const index = events.findIndex((e) => e.id === lastEventId);
      const streamId = index >= 0 ? events[index]!.streamId : lastEventId.slice(0, lastEventId.lastIndexOf('_'));
      for (const event of events.slice(index + 1)) {
        if (event.streamId === streamId) await send(event.id, JSON.parse(event.json) as JSONRPCMessage);
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
  /** The client (credential) that opened it: only that client may use it. */
  client: string;
  lastSeen: number;
}

/** Reads the MCP endpoint's settings from the environment (OPSORCH_MCP_*). */
export function mcpHttpSettingsFromEnv(
  env: Record<string, string | undefined>,
): Pick<McpHttpOptions, 'toolsets' | 'enableWrites' | 'maxResultChars' | 'conformanceFixtures' | 'sessionIdleMs' | 'maxSessionsPerClient'> {
  const positive = (name: string, min: number) => {
    const text = env[name]?.trim();
    if (!text) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, got "${text}"`);
    return value;
  };
  const idleSeconds = positive('OPSORCH_MCP_SESSION_IDLE_SECONDS', 1);
  const maxChars = env.OPSORCH_MCP_MAX_RESULT_CHARS ? Number(env.OPSORCH_MCP_MAX_RESULT_CHARS) : undefined;
  if (maxChars !== undefined && !(Number.isInteger(maxChars) && maxChars >= 1000)) {
    throw new Error(`OPSORCH_MCP_MAX_RESULT_CHARS must be a whole number of at least 1000, got "${env.OPSORCH_MCP_MAX_RESULT_CHARS}"`);
  }
  return {
    toolsets: parseToolsets(env.OPSORCH_MCP_TOOLSETS),
    enableWrites: isTrue(env.OPSORCH_MCP_ENABLE_WRITES),
    sessionIdleMs: idleSeconds === undefined ? undefined : idleSeconds * 1000,
    maxSessionsPerClient: positive('OPSORCH_MCP_MAX_SESSIONS_PER_CLIENT', 1),
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
  const idleMs = options.sessionIdleMs ?? 5 * 60_000;
  const maxSessions = options.maxSessions ?? 1000;
  const perClient = options.maxSessionsPerClient ?? 10;
  const authenticate: McpAuthenticate = options.authenticate ?? (async () => ({ client: 'any' }));

  const closeSession = (id: string, session: Session) => {
    sessions.delete(id);
    void session.transport.close().catch(() => {});
  };
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [id, session] of sessions) if (now - session.lastSeen > idleMs) closeSession(id, session);
  }, Math.max(250, Math.min(idleMs / 2, 60_000)));
  sweeper.unref();

  /** Makes room for one more session of `client`: its own least recently used goes when it is at its limit. */
  const makeRoomFor = (client: string) => {
    const own = [...sessions].filter(([, s]) => s.client === client).sort(([, a], [, b]) => a.lastSeen - b.lastSeen);
    for (const [id, session] of own.slice(0, Math.max(0, own.length - perClient + 1))) {
      options.logger?.info({ client, sessions: own.length }, 'mcp: closing the least recently used session of a client at its session limit');
      closeSession(id, session);
    }
  };

  app.all('/mcp', (req, res) => {
    void (async () => {
      // Authenticate before anything, above all before a session exists: an anonymous flood creates nothing.
      const identity = await authenticate(req);
      if ('refused' in identity) {
        return jsonRpcError(res, identity.refused.status, -32001, identity.refused.message, { 'www-authenticate': 'Bearer realm="opsorch"' });
      }
      const sessionId = req.headers['mcp-session-id'];
      const found = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
      // A session answers only the client that opened it; to anyone else it does not exist.
      const existing = found && found.client === identity.client ? found : undefined;
      if (req.method === 'POST') {
        const body = await readJson(req);
        if (existing) {
          existing.lastSeen = Date.now();
          return existing.transport.handleRequest(req, res, body);
        }
        if (sessionId) return jsonRpcError(res, 404, -32001, `Session ${String(sessionId)} not found (expired or the server restarted); initialize a new one.`);
        const initialize = Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);
        if (!initialize) return jsonRpcError(res, 400, -32000, 'No Mcp-Session-Id header: the first request of a session must be initialize.');
        makeRoomFor(identity.client);
        if (sessions.size >= maxSessions) return jsonRpcError(res, 503, -32000, 'Too many open MCP sessions; try again later.', { 'retry-after': '30' });
        const narrowed = new URL(req.url ?? '/', 'http://localhost').searchParams.get('toolsets');
        const toolsets = narrowed ? parseToolsets(narrowed).filter((t) => (options.toolsets ?? parseToolsets(undefined)).includes(t)) : options.toolsets;
        const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          eventStore: boundedEventStore(() => eventCharsPerSession(sessions.size)),
          retryInterval: 1000,
          onsessioninitialized: (id) => {
            sessions.set(id, { transport, client: identity.client, lastSeen: Date.now() });
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
