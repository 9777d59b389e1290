// Live tail: the lines newer than `since` for the same query, oldest first, as JSON. The page polls it every
// two seconds; polling (not SSE) works through any proxy and needs no connection held per viewer.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { ExplorerLogsDocument } from '../graphql/explorer/generated.ts';
import { logQueryInput, logSearchFrom } from '../components/explorer/log-search.ts';
import { query } from '../lib/api.server.ts';

/** Lines one poll returns at most; more in two seconds means the tail skips some (and says so). */
const TAIL_LINES = 200;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const since = url.searchParams.get('since');
  if (!since || Number.isNaN(Date.parse(since))) return Response.json({ error: 'since must be an RFC 3339 time (the newest line shown)' }, { status: 400 });
  // A tail never looks back more than five minutes, however long the page was paused.
  const from = new Date(Math.max(Date.parse(since), Date.now() - 5 * 60_000)).toISOString();
  const search = logSearchFrom(url);
  const answer = await query(request, context, ExplorerLogsDocument, {
    query: logQueryInput(search),
    range: { from, to: 'now' },
    first: TAIL_LINES,
    order: 'NEWEST_FIRST',
  });
  const logs = answer.data?.logs;
  if (!logs) return Response.json({ lines: [], skipped: false, problems: answer.problems }, { status: 502 });
  // Newest first from the API (so a burst keeps the latest lines); oldest first to the page.
  return Response.json(
    { lines: [...logs.nodes].reverse(), skipped: logs.pageInfo.hasNextPage && logs.nodes.length >= TAIL_LINES, problems: answer.problems },
    { headers: { 'cache-control': 'no-store' } },
  );
}
