// The log search as NDJSON (one JSON object per line), streamed while it pages through the API, for jq, a
// ticket attachment or another log tool. Up to 50,000 lines.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { logQueryInput, logSearchFrom, ndjsonRecord } from '../components/explorer/log-search.ts';
import { fetchLines } from '../components/explorer/logs.server.ts';

const MAX_LINES = 50_000;
const CHUNK = 1_000;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const search = logSearchFrom(url);
  const asked = Number(url.searchParams.get('limit'));
  const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, MAX_LINES) : 10_000;
  const input = logQueryInput(search);
  // The first chunk is fetched before answering, so a failing API is an error status rather than a cut file.
  let page = await fetchLines(request, context, input, search.range, search.order, Math.min(CHUNK, limit));
  if (!page.lines.length && page.problems.length) {
    return Response.json({ error: 'the log search failed', problems: page.problems }, { status: 502 });
  }
  const range = page.range ?? search.range;
  const encoder = new TextEncoder();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (page.lines.length) {
        const lines = page.lines.slice(0, limit - sent);
        controller.enqueue(encoder.encode(lines.map(ndjsonRecord).join('\n') + '\n'));
        sent += lines.length;
      }
      if (!page.cursor || sent >= limit || request.signal.aborted) {
        controller.close();
        return;
      }
      page = await fetchLines(request, context, input, range, search.order, Math.min(CHUNK, limit - sent), page.cursor);
    },
  });
  const name = `opsorch-logs-${search.service ?? 'all'}-${range.from.replace(/[:]/g, '').slice(0, 15)}.ndjson`;
  return new Response(body, {
    headers: {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
    },
  });
}
