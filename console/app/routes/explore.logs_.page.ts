// The next page of a log search (the "Older lines" button), as JSON: the same query, the resolved window the
// first page searched, and its cursor.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { DEFAULT_LIMIT, logQueryInput, logSearchFrom } from '../components/explorer/log-search.ts';
import { fetchLines } from '../components/explorer/logs.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const search = logSearchFrom(url);
  const after = url.searchParams.get('after');
  if (!after) return Response.json({ error: 'after (the cursor of the previous page) is required' }, { status: 400 });
  const page = await fetchLines(request, context, logQueryInput(search), search.range, search.order, Math.min(search.limit, DEFAULT_LIMIT * 4), after);
  return Response.json({ lines: page.lines, cursor: page.cursor, problems: page.problems }, { headers: { 'cache-control': 'no-store' } });
}
