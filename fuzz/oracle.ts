// What counts as a bug when the product answers a hostile request: a 5xx, an INTERNAL (or code-less) error,
// an answer that is not JSON, a stack trace or a path of the server's disk in the answer, an error that echoes a value
// whole (a message past MAX_MESSAGE_LENGTH), or no answer at all.
// Every other error (BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, 413, 429...) is the product doing its job.
import { MAX_MESSAGE_LENGTH } from '@opsorch/adapters';
import { ROOT } from '../gateway/test/harness.ts';

/** One answer as the fuzzer saw it. */
export interface Observation {
  status: number;
  body: string;
  /** Set when no answer came (connection refused or reset, timeout). */
  failure?: string;
  /** Size of the request body. */
  sentBytes?: number;
}

/** Largest body the endpoints read (`limits.maxBodyBytes`, MCP's own limit); past it a server may close early. */
export const MAX_BODY_BYTES = 1_000_000;

/** A connection closed while an oversized body was still being sent: the server refused it without reading it. */
function refusedOversized(failure: string | undefined, sentBytes: number | undefined): boolean {
  return Boolean(failure) && (sentBytes ?? 0) > MAX_BODY_BYTES && /EPIPE|ECONNRESET|other side closed|socket/i.test(failure!);
}

export interface Judgement {
  /** What is wrong with the answer (empty: nothing). */
  problems: string[];
  /** Error signatures (code, reason, message shape) for the count of distinct errors. */
  errors: string[];
}

/** Longest error text judged fine: a message past it echoes a value whole (the cut's marker adds a few characters). */
const MAX_ERROR_TEXT = MAX_MESSAGE_LENGTH + 50;
/** A tool's error text may join several messages and add what to do next; MCP cuts it at 4,000 characters. */
const MAX_TOOL_ERROR_TEXT = 4_050;

/** A stack frame or this checkout's absolute path: the server's insides, never for a client. */
const INSIDES = [/\n\s+at [^\n]+:\d+:\d+/, new RegExp(ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))];

/** Groups messages that differ only in the values they quote, so "distinct errors" counts kinds, not inputs. */
export function messageShape(message: string): string {
  return message
    .slice(0, 300)
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/`[^`]*`/g, '`…`')
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, 'N')
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, 'UUID');
}

interface GraphQLError {
  message?: string;
  path?: (string | number)[];
  extensions?: { code?: unknown; reason?: unknown };
}

/** Judges one answer of POST /graphql. */
export function judgeGraphQL(observation: Observation): Judgement {
  const problems: string[] = [];
  const errors: string[] = [];
  if (refusedOversized(observation.failure, observation.sentBytes)) return { problems, errors: ['connection closed on an oversized body'] };
  if (observation.failure) return { problems: [`no answer: ${observation.failure}`], errors };
  if (observation.status >= 500) problems.push(`HTTP ${observation.status}`);
  for (const pattern of INSIDES) if (pattern.test(observation.body)) problems.push(`the answer shows the server's insides (${pattern.source.slice(0, 40)})`);
  let parsed: { data?: unknown; errors?: GraphQLError[] };
  try {
    parsed = JSON.parse(observation.body) as typeof parsed;
  } catch {
    problems.push(`HTTP ${observation.status} answer is not JSON: ${observation.body.slice(0, 200)}`);
    return { problems, errors: [`HTTP ${observation.status} non-JSON`] };
  }
  if (parsed.data === undefined && !parsed.errors?.length) problems.push('neither data nor errors');
  for (const error of parsed.errors ?? []) {
    const code = typeof error.extensions?.code === 'string' ? error.extensions.code : undefined;
    const reason = typeof error.extensions?.reason === 'string' ? `/${error.extensions.reason}` : '';
    errors.push(`${observation.status} ${code ?? 'NO_CODE'}${reason}: ${messageShape(error.message ?? '')}`);
    if (!code) problems.push(`an error without a code: ${error.message}`);
    if ((error.message?.length ?? 0) > MAX_ERROR_TEXT) problems.push(`an error message of ${error.message!.length} characters: ${error.message!.slice(0, 200)}`);
    if (code === 'INTERNAL') problems.push(`INTERNAL at ${(error.path ?? []).join('.') || '(request)'}: ${error.message}`);
  }
  return { problems, errors };
}

/** Judges one MCP tool call: its result, or the error the client raised. `sentBytes`: the size of the call's body. */
export function judgeToolCall(outcome: { result?: { isError?: boolean; content?: { type: string; text?: string }[] }; error?: { code?: number; message: string }; sentBytes?: number }): Judgement {
  const problems: string[] = [];
  const errors: string[] = [];
  if (outcome.error) {
    const { code, message } = outcome.error;
    // As for GraphQL: the endpoint refuses a body past its limit without reading the rest.
    if (code === undefined && refusedOversized(message, outcome.sentBytes)) return { problems, errors: ['connection closed on an oversized body'] };
    errors.push(`mcp ${code ?? 'transport'}: ${messageShape(message)}`);
    // -32602 invalid params is the SDK refusing hostile arguments, a 4xx the endpoint refusing the request
    // (413 for an oversized body); an output that misses its schema, a 5xx or no answer is a bug.
    if (code === -32602 && !/output schema|structured content/i.test(message)) return { problems, errors };
    if (code !== undefined && code >= 400 && code < 500) return { problems, errors };
    problems.push(`MCP error ${code ?? '(transport)'}: ${message.slice(0, 500)}`);
    return { problems, errors };
  }
  const text = (outcome.result?.content ?? []).map((c) => c.text ?? '').join('\n');
  for (const pattern of INSIDES) if (pattern.test(text)) problems.push("the tool answer shows the server's insides");
  if (outcome.result?.isError) {
    const code = /\(([A-Z_]+)[,)]/.exec(text)?.[1] ?? 'TOOL_ERROR';
    errors.push(`tool ${code}: ${messageShape(text)}`);
    if (code === 'INTERNAL' || /\bINTERNAL\b|Internal error/.test(text)) problems.push(`INTERNAL in a tool answer: ${text.slice(0, 500)}`);
    if (text.length > MAX_TOOL_ERROR_TEXT) problems.push(`a tool error of ${text.length} characters: ${text.slice(0, 200)}`);
  }
  return { problems, errors };
}
