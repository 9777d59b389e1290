// Value suggestions for the log query bar: the values of one field containing what was typed, as JSON.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { ExplorerLogFieldValuesDocument } from '../graphql/explorer/generated.ts';
import { logQueryInput, logSearchFrom } from '../components/explorer/log-search.ts';
import { query } from '../lib/api.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const field = url.searchParams.get('field')?.trim();
  if (!field) return Response.json({ error: 'field is required', values: [] }, { status: 400 });
  const search = logSearchFrom(url);
  const answer = await query(request, context, ExplorerLogFieldValuesDocument, {
    field,
    text: url.searchParams.get('text') || null,
    scope: logQueryInput(search).scope,
    range: search.range,
  });
  return Response.json({ values: answer.data?.logFieldValues ?? [], problems: answer.problems }, { headers: { 'cache-control': 'private, max-age=30' } });
}
