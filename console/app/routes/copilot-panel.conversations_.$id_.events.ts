// The live stream of a conversation (server-sent events), passed through from the copilot.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { copilotFetch } from '../lib/copilot.server.ts';

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const after = new URL(request.url).searchParams.get('after');
  const query = after && /^\d+$/.test(after) ? `?after=${after}` : '';
  return copilotFetch(request, context, `/conversations/${encodeURIComponent(params.id!)}/events${query}`, { eventStream: true });
}
