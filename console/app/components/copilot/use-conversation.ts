// The panel's state: one conversation, its events as they stream (EventSource through the console's server),
// and the person's decisions on proposed writes.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Approval, CopilotEvent, ConversationSummary, QuestionContext } from '@opsorch/copilot/types';

const EVENT_TYPES = ['turn', 'plan', 'tool_call', 'tool_result', 'finding', 'message', 'approval_required', 'approval_resolved', 'answer', 'error', 'done'] as const;
const BASE = '/copilot-panel/conversations';

async function json<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => null)) as (T & { error?: { message: string } }) | null;
  if (!response.ok) throw new Error(body?.error?.message ?? `The copilot answered ${response.status}.`);
  return body as T;
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export function useConversation() {
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [events, setEvents] = useState<CopilotEvent[]>([]);
  const [running, setRunning] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [decisions, setDecisions] = useState<Record<string, Approval>>({});
  const source = useRef<EventSource | null>(null);

  const stopListening = useCallback(() => {
    source.current?.close();
    source.current = null;
  }, []);

  useEffect(() => stopListening, [stopListening]);

  const listen = useCallback(
    (id: string, after: number) => {
      stopListening();
      const stream = new EventSource(`${BASE}/${encodeURIComponent(id)}/events?after=${after}`);
      source.current = stream;
      setRunning(true);
      const onEvent = (message: MessageEvent<string>) => {
        const event = JSON.parse(message.data) as CopilotEvent;
        setEvents((list) => (list.some((e) => e.seq === event.seq) ? list : [...list, event]));
        if (event.type === 'done') {
          stream.close();
          setRunning(false);
        }
      };
      for (const type of EVENT_TYPES) stream.addEventListener(type, onEvent as EventListener);
      // EventSource reconnects by itself (with Last-Event-ID); a stream that stays closed means the server is gone.
      stream.onerror = () => {
        if (stream.readyState === EventSource.CLOSED) {
          setRunning(false);
          setProblem('The connection to the copilot was lost.');
        }
      };
    },
    [stopListening],
  );

  const ask = useCallback(
    async (question: string, context: QuestionContext, fresh: boolean) => {
      setProblem(null);
      try {
        if (!conversationId || fresh) {
          const started = await json<{ conversation: { id: string } }>(await post(BASE, { question, context }));
          setEvents([]);
          setDecisions({});
          setConversationId(started.conversation.id);
          listen(started.conversation.id, 0);
        } else {
          const after = events[events.length - 1]?.seq ?? 0;
          await json(await post(`${BASE}/${encodeURIComponent(conversationId)}`, { question }));
          listen(conversationId, after);
        }
      } catch (error) {
        setProblem((error as Error).message);
      }
    },
    [conversationId, events, listen],
  );

  const open = useCallback(
    async (id: string) => {
      setProblem(null);
      stopListening();
      try {
        const { conversation } = await json<{ conversation: { id: string; events: CopilotEvent[]; turns: { status: string }[] } }>(await fetch(`${BASE}/${encodeURIComponent(id)}`));
        setConversationId(conversation.id);
        setEvents(conversation.events);
        setDecisions({});
        if (conversation.turns.at(-1)?.status === 'running') listen(conversation.id, conversation.events.at(-1)?.seq ?? 0);
        else setRunning(false);
      } catch (error) {
        setProblem((error as Error).message);
      }
    },
    [listen, stopListening],
  );

  const cancel = useCallback(async () => {
    if (conversationId) await post(`${BASE}/${encodeURIComponent(conversationId)}`, { intent: 'cancel' }).catch(() => undefined);
  }, [conversationId]);

  const decide = useCallback(
    async (approval: Approval, decision: 'approve' | 'reject', reason?: string) => {
      setProblem(null);
      try {
        const answer = await json<{ approval: Approval }>(await post(`${BASE}/${encodeURIComponent(approval.conversationId)}/approvals/${encodeURIComponent(approval.id)}`, { decision, reason }));
        setDecisions((d) => ({ ...d, [approval.id]: answer.approval }));
      } catch (error) {
        setProblem((error as Error).message);
      }
    },
    [],
  );

  const reset = useCallback(() => {
    stopListening();
    setConversationId(null);
    setEvents([]);
    setDecisions({});
    setRunning(false);
    setProblem(null);
  }, [stopListening]);

  return { conversationId, events, running, problem, decisions, ask, open, cancel, decide, reset };
}

export async function loadHistory(q: string): Promise<ConversationSummary[]> {
  const response = await fetch(`${BASE}${q ? `?q=${encodeURIComponent(q)}` : ''}`);
  return (await json<{ conversations: ConversationSummary[] }>(response)).conversations;
}
