// What the panels on service and incident pages show, as JSON: the service's golden signals with deploy and
// incident markers, and its latest warnings and errors, for one window. Loaded by the panel after the page,
// so those pages' own loaders stay as fast as they were.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { ExplorerGoldenSignalsDocument, ExplorerLogsDocument } from '../graphql/explorer/generated.ts';
import { rangeFromParams } from '../components/explorer/range.ts';
import { query } from '../lib/api.server.ts';
import { dedupeProblems } from '../lib/problems.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  const service = params.get('service')?.trim();
  if (!service) return Response.json({ error: 'service is required' }, { status: 400 });
  const range = rangeFromParams(params);
  const points = Number(params.get('points'));
  const maxPoints = Number.isInteger(points) && points >= 50 && points <= 2000 ? points : 400;
  const [signals, logs] = await Promise.all([
    query(request, context, ExplorerGoldenSignalsDocument, {
      id: service,
      range,
      maxPoints,
      markerScope: { service, environment: 'production' },
      markerRange: range,
    }),
    query(request, context, ExplorerLogsDocument, {
      query: { scope: { service, environment: 'production' }, levels: ['WARN', 'ERROR', 'FATAL'] },
      range,
      first: 50,
    }),
  ]);
  return Response.json(
    {
      service,
      range,
      signals: signals.data?.service?.goldenSignals ?? null,
      deploys: signals.data?.deployments?.nodes ?? [],
      incidents: signals.data?.incidents?.nodes ?? [],
      lines: logs.data?.logs?.nodes ?? [],
      resolvedRange: logs.data?.logs?.range ?? signals.data?.service?.goldenSignals?.range ?? null,
      problems: dedupeProblems([...signals.problems, ...logs.problems]),
    },
    { headers: { 'cache-control': 'no-store' } },
  );
}
