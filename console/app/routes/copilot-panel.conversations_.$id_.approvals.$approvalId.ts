// A person's decision on a proposed write: POST {decision: "approve" | "reject", reason}.
import type { ActionFunctionArgs } from '@remix-run/node';
import { copilotFetch, jsonBody } from '../lib/copilot.server.ts';

export async function action({ request, context, params }: ActionFunctionArgs) {
  const body = await jsonBody(request);
  const decision = body.decision === 'approve' ? 'approve' : body.decision === 'reject' ? 'reject' : null;
  if (!decision) return Response.json({ error: { code: 'BAD_USER_INPUT', message: 'decision must be "approve" or "reject".' } }, { status: 400 });
  const path = `/conversations/${encodeURIComponent(params.id!)}/approvals/${encodeURIComponent(params.approvalId!)}/${decision}`;
  return copilotFetch(request, context, path, { body: decision === 'reject' ? { reason: body.reason } : {} });
}
