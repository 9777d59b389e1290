// The copilot's vocabulary: what an investigation is asked, what it streams, and what it answers.

/** Who asks: the copilot acts on their behalf, with exactly their credential and scopes. */
export interface Person {
  /** Stable id of the person or credential, `user:maya.patel@acme-shop.example` or `api-key:oncall-bot`. */
  id: string;
  /** Sent as the on-behalf-of label when no credential says who it is (the open demo). */
  label?: string;
  /** The credential to pass on (`Bearer ...`); absent in the open demo. */
  authorization?: string;
  /**
   * Whether the person holds a scope such as `incidents:write`. Undefined when it cannot be known here
   * (the gateway still decides on every call).
   */
  may?(scope: string): boolean;
}

/** Where the question comes from: the page the person was on. */
export interface QuestionContext {
  incidentId?: string;
  service?: string;
  /** The page's time range (RFC 3339 or relative). */
  from?: string;
  to?: string;
  /** The console path the question was asked from, for the record. */
  page?: string;
}

export type EvidenceKind = 'deploy' | 'config-change' | 'log' | 'metric' | 'alert' | 'incident' | 'dependency' | 'runbook' | 'ticket' | 'timeline';

/** The tool call that produced a piece of evidence: a person can run it again and see the same thing. */
export interface ToolCallRef {
  id: string;
  tool: string;
  arguments: Record<string, unknown>;
}

/** One piece of evidence: what it is, where it lives in the tool that holds it, and where the console shows it. */
export interface Evidence {
  kind: EvidenceKind;
  title: string;
  detail?: string;
  /** Deep link into the source tool (PagerDuty, Grafana, GitHub, the CI run...). */
  sourceUrl?: string;
  /** The console view: the log explorer with the exact query and range, the metric explorer with the series and range, the incident... */
  consoleUrl?: string;
  toolCall: ToolCallRef;
}

/** One deterministic check of the built-in investigator. */
export interface CheckResult {
  name: string;
  title: string;
  interesting: boolean;
  summary: string;
  evidence: Evidence[];
}

export type CauseKind = 'deploy' | 'config-change' | 'dependency' | 'saturation' | 'external' | 'errors' | 'unknown';

export interface Hypothesis {
  id: string;
  title: string;
  kind: CauseKind;
  /** The service the cause sits in (canonical id). */
  service: string;
  /** 0..1, how well the evidence supports it. */
  score: number;
  status: 'likely' | 'possible' | 'ruled-out';
  reason: string;
  evidence: Evidence[];
}

export interface Finding {
  id: string;
  title: string;
  /** Markdown. */
  summary: string;
  evidence: Evidence[];
  /** Claims of this finding that no tool result supports (LLM answers only); the finding is kept but marked. */
  unsupported?: string[];
}

export interface RecommendedAction {
  title: string;
  kind: 'runbook' | 'write' | 'check';
  detail?: string;
  runbook?: { id: string; name: string; url?: string; consoleUrl: string };
  /** For writes: the approval request that carries it. */
  approvalId?: string;
}

/** A structured answer: every claim backed by evidence, what was ruled out, what could not be checked. */
export interface Answer {
  /** Markdown. */
  conclusion: string;
  confidence: 'high' | 'medium' | 'low';
  mostLikelyCause: { title: string; kind: CauseKind; service: string } | null;
  findings: Finding[];
  hypotheses: Hypothesis[];
  ruledOut: { title: string; reason: string; evidence: Evidence[] }[];
  missing: string[];
  actions: RecommendedAction[];
  checks: CheckResult[];
  scope: { service: string | null; incidentId: string | null; from: string; to: string; onset: string | null };
  planner: 'builtin' | 'llm';
  /** Tool calls the investigation made. */
  toolCalls: number;
  /** Ids, URLs or numbers the answer stated that no tool returned (LLM answers; dropped or marked). */
  unsupportedClaims: string[];
}

export interface PlanItem {
  id: string;
  title: string;
  status: 'pending' | 'running' | 'done' | 'skipped';
}

export type ApprovalStatus = 'pending' | 'executed' | 'failed' | 'rejected';

/** A write the copilot proposes: nothing runs until a person with the scope approves it, then it runs as them. */
export interface Approval {
  id: string;
  conversationId: string;
  tool: string;
  arguments: Record<string, unknown>;
  /** Why the copilot proposes it. */
  reason: string;
  /** The scope the approver needs, for example `incidents:write`. */
  requiredScope: string;
  status: ApprovalStatus;
  proposedAt: string;
  decidedBy?: string;
  decidedAt?: string;
  /** Rejection reason, or what the tool answered. */
  note?: string;
  result?: unknown;
}

/** What an investigation streams, in order; `seq` is the server-sent event id. */
export type CopilotEventBody =
  | { type: 'turn'; turnId: string; question: string; planner: 'builtin' | 'llm' }
  | { type: 'plan'; items: PlanItem[] }
  | { type: 'tool_call'; call: ToolCallRef }
  | { type: 'tool_result'; callId: string; ok: boolean; summary: string; ms: number }
  | { type: 'finding'; finding: Finding }
  | { type: 'message'; text: string }
  | { type: 'approval_required'; approval: Approval }
  | { type: 'approval_resolved'; approval: Approval }
  | { type: 'answer'; answer: Answer }
  | { type: 'error'; message: string }
  | { type: 'done'; status: TurnStatus };

export type CopilotEvent = CopilotEventBody & { seq: number; at: string; turnId: string };

export type TurnStatus = 'running' | 'completed' | 'cancelled' | 'failed';

export interface Turn {
  id: string;
  question: string;
  planner: 'builtin' | 'llm';
  status: TurnStatus;
  startedAt: string;
  finishedAt?: string;
  answer?: Answer;
}

/** A conversation: its turns, every event they streamed, and the approvals they asked for. */
export interface Conversation {
  id: string;
  /** Person id of whoever started it; only they list, read and continue it. */
  owner: string;
  title: string;
  context: QuestionContext;
  createdAt: string;
  updatedAt: string;
  turns: Turn[];
  events: CopilotEvent[];
  approvals: Approval[];
}

export type ConversationSummary = Pick<Conversation, 'id' | 'title' | 'context' | 'createdAt' | 'updatedAt'> & {
  status: TurnStatus | 'idle';
  turns: number;
  pendingApprovals: number;
};
