// The copilot's HTTP API, mounted by the gateway at /copilot behind its authentication: start an investigation
// or a chat turn, stream its progress as server-sent events, list/read/search conversations, approve or reject
// proposed writes, cancel. JSON bodies only (a cross-site form cannot post one).
import express, { type NextFunction, type Request, type Response } from 'express';
import { CopilotError, type Copilot } from '../runtime.ts';
import type { CopilotEvent, Person } from '../types.ts';

export interface CopilotApiOptions {
  /** Who the (already authenticated) request is. */
  personOf(req: Request): Person;
  /** Keep-alive comments on event streams, in ms (default 15 s). */
  heartbeatMs?: number;
}

const MAX_BODY = '64kb';

function sendError(res: Response, error: unknown): void {
  const known = error instanceof CopilotError ? error : null;
  const status = known?.status ?? ((error as { status?: number }).status === 400 ? 400 : 500);
  const message = known?.message ?? (status === 400 ? 'The body must be JSON (Content-Type: application/json).' : 'The copilot failed unexpectedly; it has been logged.');
  if (res.headersSent) return void res.end();
  res.status(status).json({ error: { code: known?.code ?? (status === 400 ? 'BAD_USER_INPUT' : 'INTERNAL'), message, ...known?.extensions } });
}

function parseNow(value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new CopilotError(400, 'BAD_USER_INPUT', '`now` must be an RFC 3339 time, for example 2026-11-26T09:00:00Z.');
  return new Date(ms);
}

function body(req: Request): Record<string, unknown> {
  const value = req.body as unknown;
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new CopilotError(400, 'BAD_USER_INPUT', 'Send a JSON object (Content-Type: application/json), for example {"question": "why is checkout failing?"}.');
  return value as Record<string, unknown>;
}

const wantsStream = (req: Request) => (req.headers.accept ?? '').includes('text/event-stream');

/**
 * Streams a conversation's events: the stored ones after `afterSeq`, then live ones until its turn is done.
 * A client that goes away stops watching; a turn nobody watches any more is cancelled by the runtime.
 */
async function stream(copilot: Copilot, person: Person, conversationId: string, afterSeq: number, res: Response, heartbeatMs: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  let finished = false;
  const write = (event: CopilotEvent) => {
    if (finished) return;
    res.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    if (event.type === 'done') end();
  };
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
  heartbeat.unref();
  let watching: Awaited<ReturnType<Copilot['watch']>> | null = null;
  const end = () => {
    if (finished) return;
    finished = true;
    clearInterval(heartbeat);
    watching?.stop();
    res.end();
  };
  res.on('close', end);
  watching = await copilot.watch(person, conversationId, afterSeq, write);
  if (finished) return watching.stop();
  res.write('retry: 2000\n\n');
  for (const event of watching.replayed) write(event);
  // Nothing running: the replay was everything there is.
  if (!watching.running) end();
}

export function copilotRouter(copilot: Copilot, options: CopilotApiOptions): express.Router {
  const router = express.Router();
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  router.use(express.json({ limit: MAX_BODY }));
  const handle =
    (work: (req: Request, res: Response, person: Person) => Promise<unknown>) =>
    (req: Request, res: Response, _next: NextFunction) => {
      void (async () => {
        const person = options.personOf(req);
        await work(req, res, person);
      })().catch((error) => sendError(res, error));
    };

  router.get(
    '/',
    handle(async (_req, res) => {
      res.json({ planners: copilot.plannerNames(), defaultPlanner: copilot.defaultPlanner, tools: copilot.connector.description, conversations: copilot.store.kind, limits: copilot.limits });
    }),
  );

  router.get(
    '/conversations',
    handle(async (req, res, person) => {
      const limit = Number(req.query.limit ?? 25);
      res.json({ conversations: await copilot.list(person, { text: typeof req.query.q === 'string' ? req.query.q : undefined, limit: Number.isFinite(limit) ? limit : 25 }) });
    }),
  );

  router.post(
    '/conversations',
    handle(async (req, res, person) => {
      const input = body(req);
      const { conversation, turn } = await copilot.start(person, {
        question: input.question as string,
        context: (input.context ?? undefined) as never,
        planner: input.planner as string | undefined,
        now: parseNow(input.now),
      });
      if (wantsStream(req)) return stream(copilot, person, conversation.id, 0, res, heartbeatMs);
      res.status(202).location(`conversations/${conversation.id}`).json({ conversation: { id: conversation.id, title: conversation.title }, turn, events: `conversations/${conversation.id}/events` });
    }),
  );

  router.get(
    '/conversations/:id',
    handle(async (req, res, person) => {
      res.json({ conversation: await copilot.read(person, req.params.id as string) });
    }),
  );

  router.post(
    '/conversations/:id/messages',
    handle(async (req, res, person) => {
      const input = body(req);
      const id = req.params.id as string;
      const before = (await copilot.read(person, id)).events.at(-1)?.seq ?? 0;
      const { turn } = await copilot.continue(person, id, { question: input.question as string, planner: input.planner as string | undefined, now: parseNow(input.now) });
      if (wantsStream(req)) return stream(copilot, person, id, before, res, heartbeatMs);
      res.status(202).json({ turn, events: `conversations/${id}/events?after=${before}` });
    }),
  );

  router.get(
    '/conversations/:id/events',
    handle(async (req, res, person) => {
      const raw = req.headers['last-event-id'] ?? req.query.after ?? '0';
      const after = Number(Array.isArray(raw) ? raw[0] : raw);
      await stream(copilot, person, req.params.id as string, Number.isFinite(after) ? after : 0, res, heartbeatMs);
    }),
  );

  router.post(
    '/conversations/:id/cancel',
    handle(async (req, res, person) => {
      res.json({ cancelled: await copilot.cancel(person, req.params.id as string) });
    }),
  );

  router.post(
    '/conversations/:id/approvals/:approvalId/approve',
    handle(async (req, res, person) => {
      res.json({ approval: await copilot.approve(person, req.params.id as string, req.params.approvalId as string) });
    }),
  );

  router.post(
    '/conversations/:id/approvals/:approvalId/reject',
    handle(async (req, res, person) => {
      const reason = req.body && typeof req.body === 'object' ? (req.body as { reason?: unknown }).reason : undefined;
      res.json({ approval: await copilot.reject(person, req.params.id as string, req.params.approvalId as string, typeof reason === 'string' ? reason : undefined) });
    }),
  );

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => sendError(res, error));
  router.use((_req: Request, res: Response) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such copilot endpoint; see GET /copilot.' } });
  });
  return router;
}
