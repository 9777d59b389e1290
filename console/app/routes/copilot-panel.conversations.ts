// The panel's history (GET, `?q=` searches) and new investigations (POST {question, context, planner}).
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { copilotFetch, jsonBody } from '../lib/copilot.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const q = new URL(request.url).searchParams.get('q');
  return copilotFetch(request, context, `/conversations?limit=30${q ? `&q=${encodeURIComponent(q)}` : ''}`);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const body = await jsonBody(request);
  return copilotFetch(request, context, '/conversations', { body: { question: body.question, context: body.context, planner: body.planner } });
}
