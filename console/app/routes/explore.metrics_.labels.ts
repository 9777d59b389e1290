// Label value suggestions for the metric explorer's label filters, as JSON.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { ExplorerMetricLabelValuesDocument } from '../graphql/explorer/generated.ts';
import { query } from '../lib/api.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  const name = params.get('name')?.trim();
  const label = params.get('label')?.trim();
  if (!name || !label) return Response.json({ error: 'name (the metric) and label are required', values: [] }, { status: 400 });
  const service = params.get('service') || null;
  const environment = params.get('env') || null;
  const answer = await query(request, context, ExplorerMetricLabelValuesDocument, {
    name,
    label,
    scope: service || environment ? { service, environment } : null,
    text: params.get('text') || null,
  });
  return Response.json({ values: answer.data?.metricLabelValues ?? [], problems: answer.problems }, { headers: { 'cache-control': 'private, max-age=30' } });
}
