// Paging through `logs` on the server until a line budget is reached (the page, Older lines, NDJSON download).
import type { AppLoadContext } from '@remix-run/node';
import { ExplorerLogsDocument, type ExplorerLogsQuery, type LogQueryInput } from '../../graphql/explorer/generated.ts';
import { query, type ApiResult } from '../../lib/api.server.ts';
import type { ApiProblem } from '../../lib/problems.ts';
import type { LogLine, LogSearch } from './log-search.ts';

const API_PAGE = 200;

export interface LinesPage {
  lines: LogLine[];
  /** Where to continue (older lines when newest first); null at the end of the range. */
  cursor: string | null;
  /** The searched window, resolved: every later page uses it so the window does not slide. */
  range: { from: string; to: string } | null;
  problems: ApiProblem[];
}

/**
 * Pages through `logs` until `limit` lines, the end of the range or a failure. A provider may hand back short
 * pages (it bounds the work of each call), so the number of calls is capped too.
 */
export async function fetchLines(
  request: Request,
  context: AppLoadContext,
  input: LogQueryInput,
  range: { from: string; to?: string | null },
  order: LogSearch['order'],
  limit: number,
  after: string | null = null,
): Promise<LinesPage> {
  const lines: LogLine[] = [];
  const problems: ApiProblem[] = [];
  let cursor: string | null = after;
  let resolved: LinesPage['range'] = null;
  const maxCalls = Math.ceil(limit / API_PAGE) + 10;
  for (let call = 0; call < maxCalls && lines.length < limit; call++) {
    const first = Math.min(API_PAGE, limit - lines.length);
    const answer: ApiResult<ExplorerLogsQuery> = await query(request, context, ExplorerLogsDocument, { query: input, range: resolved ?? range, first, after: cursor, order });
    problems.push(...answer.problems);
    const logs = answer.data?.logs;
    if (!logs) return { lines, cursor: null, range: resolved, problems };
    resolved ??= logs.range;
    problems.push(...logs.providerErrors.map((e) => ({ message: e.message, code: e.code, capability: e.capability, provider: e.provider })));
    lines.push(...logs.nodes);
    cursor = logs.pageInfo.hasNextPage ? logs.pageInfo.endCursor : null;
    if (!cursor) break;
  }
  return { lines, cursor, range: resolved, problems };
}

