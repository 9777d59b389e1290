// One conversation: read it (GET), ask a follow-up or cancel its running turn (POST {intent}).
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { copilotFetch, jsonBody } from '../lib/copilot.server.ts';

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return copilotFetch(request, context, `/conversations/${encodeURIComponent(params.id!)}`);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const body = await jsonBody(request);
  const id = encodeURIComponent(params.id!);
  if (body.intent === 'cancel') return copilotFetch(request, context, `/conversations/${id}/cancel`, { body: {} });
  return copilotFetch(request, context, `/conversations/${id}/messages`, { body: { question: body.question, planner: body.planner } });
}
