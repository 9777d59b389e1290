import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { GraphQLErrorLike } from './gateway-client.ts';

/** Default size budget of one tool answer, in characters of JSON (≈10k tokens at 4 characters per token). */
export const DEFAULT_MAX_RESULT_CHARS = 40_000;

/** Longest single string kept whole (log messages, descriptions); longer ones end in an explicit marker. */
const MAX_STRING_CHARS = 4_000;

/** Where valid ids come from, naming the list tools given. */
export const checkIdHint = (listTools: readonly string[]) =>
  listTools.length ? `Check the id: ${listTools.join(', ')} return${listTools.length === 1 ? 's' : ''} valid ids.` : 'Check the id: the list_* tools return valid ids.';

/** What an LLM can do about each error code of the gateway. */
const NEXT_STEP: Record<string, string> = {
  BAD_USER_INPUT: 'Fix the argument as the message says and call again.',
  GRAPHQL_VALIDATION_FAILED: 'Fix the operation: check field and argument names with introspect or search_schema.',
  GRAPHQL_PARSE_FAILED: 'Fix the GraphQL syntax.',
  NOT_FOUND: checkIdHint([]),
  NOT_SUPPORTED: 'The configured tool cannot do this through OpsOrch; do it in the tool itself (follow the url).',
  PROVIDER_UNAVAILABLE: 'The tool behind OpsOrch is unreachable; retry in a minute, and tell the user if it persists.',
  PROVIDER_TIMEOUT: 'The tool behind OpsOrch was too slow; retry, or ask for less (a shorter time window, a smaller page).',
  PROVIDER_RATE_LIMITED: 'The tool behind OpsOrch is rate limiting; wait before retrying.',
  PROVIDER_AUTH_FAILED: "OpsOrch's credentials for that tool were rejected; an administrator must fix its configuration.",
  UNAUTHENTICATED: 'OpsOrch needs a credential: configure the MCP client with a bearer token (OPSORCH_TOKEN or an Authorization header).',
  FORBIDDEN: 'The credential in use is not allowed to do this; ask a person who is, or use a read-only tool.',
  INTERNAL: 'An unexpected error inside OpsOrch; retry once, then report it with the request id.',
};

/**
 * One GraphQL error as a line an LLM can act on: what, where, which provider, what to do next. `listTools` names
 * the tools that list valid ids for the failing one, so a NOT_FOUND hint points at tools the client has.
 */
export function describeError(error: GraphQLErrorLike, listTools: readonly string[] = []): string {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : undefined;
  const parts = [error.message];
  const where: string[] = [];
  if (code) where.push(code);
  if (error.path?.length) where.push(`at ${error.path.join('.')}`);
  if (typeof error.extensions?.provider === 'string') where.push(`provider ${error.extensions.provider}`);
  if (typeof error.extensions?.retryAfter === 'number') where.push(`retry after ${error.extensions.retryAfter} s`);
  if (where.length) parts.push(`(${where.join(', ')})`);
  const next = code === 'NOT_FOUND' ? checkIdHint(listTools) : code ? NEXT_STEP[code] : undefined;
  if (next) parts.push(next);
  return parts.join(' ');
}

/** A failed tool call as MCP wants it: a result with `isError`, never a protocol error, and never a huge echo. */
export function errorResult(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: cutLongStrings(message) as string }] };
}

export interface Truncation {
  /** Where items were cut, for example `logs.nodes`. */
  path: string;
  kept: number;
  omitted: number;
  hint: string;
}

interface Cut {
  path: (string | number)[];
  array: unknown[];
}

function sizeOf(value: unknown): number {
  return JSON.stringify(value)?.length ?? 0;
}

/** Cuts overlong strings in place, marking each cut in the string itself. */
function cutLongStrings(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_STRING_CHARS ? `${value.slice(0, MAX_STRING_CHARS)}… [cut ${value.length - MAX_STRING_CHARS} characters]` : value;
  }
  if (Array.isArray(value)) return value.map(cutLongStrings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutLongStrings(v)]));
  }
  return value;
}

/** The array whose items weigh the most in the answer: cutting it frees the most room. */
function heaviestArray(value: unknown, path: (string | number)[] = [], best: { cut?: Cut; size: number } = { size: 0 }) {
  if (Array.isArray(value)) {
    const size = sizeOf(value);
    if (value.length > 1 && size > best.size) {
      best.cut = { path, array: value };
      best.size = size;
    }
    value.forEach((item, index) => heaviestArray(item, [...path, index], best));
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) heaviestArray(child, [...path, key], best);
  }
  return best.cut;
}

/**
 * Makes `answer` fit `maxChars` of JSON by dropping items from the end of its heaviest list, and says so:
 * never a silent cut. Returns the (copied) answer and what was cut.
 */
export function fitToBudget<T extends Record<string, unknown>>(answer: T, maxChars: number, narrowHint: string): { answer: T; truncated?: Truncation } {
  let fitted = cutLongStrings(answer) as T;
  if (sizeOf(fitted) <= maxChars) return { answer: fitted };
  fitted = structuredClone(fitted);
  const cut = heaviestArray(fitted);
  if (!cut) return { answer: fitted };
  const total = cut.array.length;
  const overhead = sizeOf(fitted) - sizeOf(cut.array);
  // Largest prefix that fits (the marker itself needs room too).
  let low = 0;
  let high = total;
  const room = maxChars - overhead - 400;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (sizeOf(cut.array.slice(0, mid)) <= room) low = mid;
    else high = mid - 1;
  }
  const kept = Math.max(low, 1);
  cut.array.splice(kept);
  const path = cut.path.filter((p) => typeof p === 'string').join('.');
  return {
    answer: fitted,
    truncated: {
      path,
      kept,
      omitted: total - kept,
      hint: `The answer was cut to ${kept} of ${total} items of ${path} to stay under ${maxChars} characters. ${narrowHint}`,
    },
  };
}

/** Reads `value` at `path` (response keys). */
export function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
