// The copilot panel: ask from the page you are on, watch the plan and the tool calls stream, read findings
// whose evidence opens the right console view, decide on proposed writes, and go back to earlier conversations.
import { micromark } from 'micromark';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Answer, Approval, CopilotEvent, ConversationSummary, Evidence, Finding, PlanItem, ToolCallRef } from '@opsorch/copilot/types';
import { pageContext } from './context.ts';
import type { CopilotRequest } from './launcher.tsx';
import { loadHistory, useConversation } from './use-conversation.ts';
import './copilot.css';

interface TurnView {
  id: string;
  question: string;
  plan: PlanItem[];
  calls: { call: ToolCallRef; result?: { ok: boolean; summary: string; ms: number } }[];
  findings: Finding[];
  messages: string[];
  approvals: Approval[];
  answer: Answer | null;
  error: string | null;
  status: string | null;
}

/** The stream folded into turns: the latest plan, calls with their results, approvals in their latest state. */
function turnsOf(events: CopilotEvent[], decisions: Record<string, Approval>): TurnView[] {
  const turns: TurnView[] = [];
  const approvals = new Map<string, Approval>();
  for (const event of events) {
    if (event.type === 'turn') turns.push({ id: event.turnId, question: event.question, plan: [], calls: [], findings: [], messages: [], approvals: [], answer: null, error: null, status: null });
    const turn = turns.find((t) => t.id === event.turnId) ?? turns[turns.length - 1];
    if (!turn) continue;
    switch (event.type) {
      case 'plan':
        turn.plan = event.items;
        break;
      case 'tool_call':
        turn.calls.push({ call: event.call });
        break;
      case 'tool_result': {
        const entry = turn.calls.find((c) => c.call.id === event.callId);
        if (entry) entry.result = { ok: event.ok, summary: event.summary, ms: event.ms };
        break;
      }
      case 'finding':
        turn.findings.push(event.finding);
        break;
      case 'message':
        turn.messages.push(event.text);
        break;
      case 'approval_required':
      case 'approval_resolved':
        if (!approvals.has(event.approval.id)) turn.approvals.push(event.approval);
        approvals.set(event.approval.id, event.approval);
        break;
      case 'answer':
        turn.answer = event.answer;
        break;
      case 'error':
        turn.error = event.message;
        break;
      case 'done':
        turn.status = event.status;
        break;
    }
  }
  for (const turn of turns) turn.approvals = turn.approvals.map((a) => decisions[a.id] ?? approvals.get(a.id) ?? a);
  return turns;
}

/** Markdown from the copilot, rendered by micromark: raw HTML is escaped and unsafe link protocols dropped. */
function Markdown({ text }: { text: string }) {
  const html = useMemo(() => micromark(text), [text]);
  return <div className="copilot-markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

function EvidenceLink({ evidence }: { evidence: Evidence }) {
  return (
    <li className="copilot-evidence">
      <span className={`badge copilot-kind`}>{evidence.kind}</span>{' '}
      {evidence.consoleUrl ? <a href={evidence.consoleUrl}>{evidence.title}</a> : <span>{evidence.title}</span>}
      {evidence.sourceUrl ? (
        <>
          {' '}
          <a href={evidence.sourceUrl} target="_blank" rel="noreferrer" className="small" title="Open it in the tool that holds it">
            source ↗
          </a>
        </>
      ) : null}{' '}
      <span className="muted small mono" title={JSON.stringify(evidence.toolCall.arguments)}>
        via {evidence.toolCall.tool} ({evidence.toolCall.id})
      </span>
      {evidence.detail ? <div className="muted small copilot-detail">{evidence.detail}</div> : null}
    </li>
  );
}

function FindingCard({ finding }: { finding: Finding }) {
  return (
    <article className="copilot-finding">
      <h4>{finding.title}</h4>
      <Markdown text={finding.summary} />
      {finding.unsupported?.length ? <p className="copilot-warning small">Not backed by any tool result: {finding.unsupported.join(', ')}</p> : null}
      <ul>
        {finding.evidence.map((e, i) => (
          <EvidenceLink key={`${e.toolCall.id}-${i}`} evidence={e} />
        ))}
      </ul>
    </article>
  );
}

function ApprovalCard({ approval, onDecide }: { approval: Approval; onDecide(decision: 'approve' | 'reject', reason?: string): Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const decide = async (decision: 'approve' | 'reject') => {
    setBusy(true);
    const reason = decision === 'reject' ? (window.prompt('Why not? (recorded with the rejection)') ?? undefined) : undefined;
    await onDecide(decision, reason);
    setBusy(false);
  };
  return (
    <div className="copilot-approval" data-status={approval.status}>
      <div>
        <strong>Proposed: {approval.tool}</strong> <span className="badge">{approval.status}</span> <span className="muted small">needs {approval.requiredScope}</span>
      </div>
      <p className="small">{approval.reason}</p>
      <pre className="copilot-args">{JSON.stringify(approval.arguments, null, 2)}</pre>
      {approval.status === 'pending' ? (
        <div className="copilot-actions">
          <button type="button" className="good" disabled={busy} onClick={() => void decide('approve')}>
            Approve and run as me
          </button>
          <button type="button" disabled={busy} onClick={() => void decide('reject')}>
            Reject
          </button>
        </div>
      ) : (
        <p className="small muted">
          {approval.status} by {approval.decidedBy}
          {approval.note ? `: ${approval.note}` : ''}
        </p>
      )}
    </div>
  );
}

function Turn({ turn, onDecide }: { turn: TurnView; onDecide(approval: Approval, decision: 'approve' | 'reject', reason?: string): Promise<void> }) {
  const answerFindings = turn.answer?.findings ?? turn.findings;
  return (
    <section className="copilot-turn" data-turn={turn.id}>
      <p className="copilot-question">{turn.question}</p>
      {turn.plan.length ? (
        <ol className="copilot-plan" aria-label="Plan">
          {turn.plan.map((item) => (
            <li key={item.id} data-status={item.status}>
              {item.title}
            </li>
          ))}
        </ol>
      ) : null}
      {turn.calls.length ? (
        <details className="copilot-calls">
          <summary>
            {turn.calls.length} tool call{turn.calls.length === 1 ? '' : 's'}
            {turn.calls.some((c) => !c.result) ? ' (running…)' : ''}
          </summary>
          <ul>
            {turn.calls.map(({ call, result }) => (
              <li key={call.id} data-ok={result ? String(result.ok) : 'pending'}>
                <details>
                  <summary>
                    <span className="mono">{call.tool}</span> <span className="muted small">{call.id}</span> {result ? <span className="muted small">{result.ms} ms · {result.summary}</span> : <span className="muted small">…</span>}
                  </summary>
                  <pre className="copilot-args">{JSON.stringify(call.arguments, null, 2)}</pre>
                </details>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {turn.messages.map((m, i) => (
        <p key={i} className="copilot-message small muted">
          {m}
        </p>
      ))}
      {turn.answer ? (
        <div className="copilot-answer" aria-label="Answer">
          <div className="small muted">
            Confidence: <strong>{turn.answer.confidence}</strong> · {turn.answer.planner === 'llm' ? 'LLM planner' : 'built-in investigator'} · {turn.answer.toolCalls} tool calls
          </div>
          <Markdown text={turn.answer.conclusion} />
          {turn.answer.unsupportedClaims.length ? <p className="copilot-warning small">Claims no tool result supports (marked ⚠unverified): {turn.answer.unsupportedClaims.join(', ')}</p> : null}
        </div>
      ) : null}
      {answerFindings.map((f) => (
        <FindingCard key={f.id} finding={f} />
      ))}
      {turn.answer?.ruledOut.length ? (
        <details className="copilot-ruled-out">
          <summary>Ruled out ({turn.answer.ruledOut.length})</summary>
          <ul>
            {turn.answer.ruledOut.map((r, i) => (
              <li key={i}>
                <strong>{r.title}</strong> — {r.reason}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {turn.answer?.actions.filter((a) => a.runbook).length ? (
        <ul className="copilot-runbooks">
          {turn.answer.actions
            .filter((a) => a.runbook)
            .map((a) => (
              <li key={a.runbook!.id}>
                Runbook: <a href={a.runbook!.consoleUrl}>{a.runbook!.name}</a>
              </li>
            ))}
        </ul>
      ) : null}
      {turn.approvals.map((a) => (
        <ApprovalCard key={a.id} approval={a} onDecide={(decision, reason) => onDecide(a, decision, reason)} />
      ))}
      {turn.error ? <p className="copilot-warning">{turn.error}</p> : null}
    </section>
  );
}

function History({ onOpen }: { onOpen(id: string): void }) {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<ConversationSummary[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => {
      loadHistory(q)
        .then((list) => (setItems(list), setProblem(null)))
        .catch((error: Error) => setProblem(error.message));
    }, 200);
    return () => clearTimeout(timer);
  }, [q]);
  return (
    <div className="copilot-history">
      <input type="search" placeholder="Search your conversations" value={q} onChange={(e) => setQ(e.target.value)} aria-label="Search conversations" />
      {problem ? <p className="copilot-warning">{problem}</p> : null}
      {items && !items.length ? <p className="muted">No conversation yet.</p> : null}
      <ul>
        {(items ?? []).map((c) => (
          <li key={c.id}>
            <button type="button" className="linklike" onClick={() => onOpen(c.id)}>
              {c.title}
            </button>{' '}
            <span className="muted small">
              {c.updatedAt.slice(0, 16).replace('T', ' ')} · {c.turns} turn{c.turns === 1 ? '' : 's'} · {c.status}
              {c.pendingApprovals ? ` · ${c.pendingApprovals} to approve` : ''}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export default function CopilotPanel({
  pathname,
  search,
  request,
  onRequestHandled,
  onClose,
}: {
  pathname: string;
  search: string;
  request: CopilotRequest | null;
  onRequestHandled(): void;
  onClose(): void;
}) {
  const page = useMemo(() => pageContext(pathname, search), [pathname, search]);
  const conversation = useConversation();
  const [question, setQuestion] = useState(page.suggestion);
  const [view, setView] = useState<'chat' | 'history'>('chat');
  const input = useRef<HTMLTextAreaElement>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const turns = useMemo(() => turnsOf(conversation.events, conversation.decisions), [conversation.events, conversation.decisions]);

  useEffect(() => {
    if (!request) return;
    onRequestHandled();
    setView('chat');
    void conversation.ask(request.question, request.context, true);
    // Once per request from a page.
  }, [request]);

  useEffect(() => {
    if (!conversation.conversationId) setQuestion(page.suggestion);
  }, [page.suggestion, conversation.conversationId]);

  useEffect(() => {
    input.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [conversation.events.length]);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const text = question.trim();
    if (!text || conversation.running) return;
    setQuestion('');
    void conversation.ask(text, page.context, false);
  };

  return (
    <aside className="copilot-panel" aria-label="Copilot">
      <header className="copilot-head">
        <strong>Copilot</strong>
        <div className="copilot-tabs">
          <button type="button" className="linklike" aria-pressed={view === 'chat'} onClick={() => setView('chat')}>
            Conversation
          </button>
          <button type="button" className="linklike" aria-pressed={view === 'history'} onClick={() => setView('history')}>
            History
          </button>
          <button
            type="button"
            className="linklike"
            onClick={() => {
              conversation.reset();
              setView('chat');
              setQuestion(page.suggestion);
            }}
          >
            New
          </button>
          <button type="button" className="linklike" onClick={onClose} aria-label="Close the copilot">
            ✕
          </button>
        </div>
      </header>
      {view === 'history' ? (
        <History
          onOpen={(id) => {
            setView('chat');
            void conversation.open(id);
          }}
        />
      ) : (
        <>
          <div className="copilot-body">
            {!turns.length ? <p className="muted small">{page.label ? `Asks about ${page.label}.` : 'Ask about a service, an incident or what changed.'} Every answer links to its evidence; writes wait for your approval.</p> : null}
            {turns.map((turn) => (
              <Turn key={turn.id} turn={turn} onDecide={(approval, decision, reason) => conversation.decide(approval, decision, reason)} />
            ))}
            {conversation.problem ? <p className="copilot-warning">{conversation.problem}</p> : null}
            <div ref={bottom} />
          </div>
          <form className="copilot-ask" onSubmit={submit}>
            {page.label && !conversation.conversationId ? <div className="small muted">About {page.label}</div> : null}
            <textarea
              ref={input}
              value={question}
              onChange={(e) => setQuestion(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) submit(e);
              }}
              placeholder="Why is checkout failing? What changed before #1042?"
              rows={2}
              aria-label="Question for the copilot"
            />
            <div className="copilot-actions">
              {conversation.running ? (
                <button type="button" className="danger" onClick={() => void conversation.cancel()}>
                  Stop
                </button>
              ) : (
                <button type="submit" className="primary" disabled={!question.trim()}>
                  {conversation.conversationId ? 'Ask a follow-up' : 'Ask'}
                </button>
              )}
            </div>
          </form>
        </>
      )}
    </aside>
  );
}
