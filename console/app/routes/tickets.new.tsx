import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { incidentPath } from '../components/tables.tsx';
import { FieldError, PageHeader, Problems, Section } from '../components/ui.tsx';
import { CatalogChoicesDocument, CreateTicketDocument, PeopleDocument, TicketDraftFromIncidentDocument } from '../graphql/generated.ts';
import { mutate, newIdempotencyKey, query } from '../lib/api.server.ts';
import { apiFailure, fail, formFields, parseWith } from '../lib/forms.server.ts';
import { redirectWithFlash } from '../lib/session.server.ts';
import { CsrfField } from '../components/csrf.tsx';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction = () => [{ title: 'New ticket · OpsOrch' }];

const PRIORITIES = ['HIGHEST', 'HIGH', 'MEDIUM', 'LOW', 'LOWEST'] as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const incidentId = new URL(request.url).searchParams.get('incident');
  const [choices, people, draft] = await Promise.all([
    query(request, context, CatalogChoicesDocument, {}),
    query(request, context, PeopleDocument, {}),
    incidentId ? query(request, context, TicketDraftFromIncidentDocument, { id: incidentId }) : Promise.resolve(null),
  ]);
  const incident = draft?.data?.incident ?? null;
  // A follow-up ticket prefilled from the incident: the responder only adjusts what differs.
  const prefill = incident
    ? {
        title: `Follow-up #${incident.number}: ${incident.title}`,
        description: `${incident.summary ?? ''}\n\nIncident: ${incident.url}`.trim(),
        priority: incident.severity === 'SEV1' || incident.severity === 'SEV2' ? 'HIGH' : 'MEDIUM',
        serviceId: incident.service?.id ?? '',
        assigneeId: incident.assignee?.id ?? '',
        labels: 'incident follow-up',
        incidentId: incident.id,
      }
    : { title: '', description: '', priority: 'MEDIUM', serviceId: '', assigneeId: '', labels: '', incidentId: '' };
  return {
    prefill,
    incident,
    problems: [...(draft?.problems ?? []), ...choices.problems],
    services: choices.data?.services?.nodes ?? [],
    people: people.data?.users?.nodes ?? [],
    idempotencyKey: newIdempotencyKey(),
  };
}

const optional = z
  .string()
  .trim()
  .transform((v) => v || undefined);
const NewTicket = z.object({
  title: z.string().trim().min(1, 'Give the ticket a title.').max(255, 'Keep the title under 255 characters.'),
  description: z.string().max(32_000, 'Keep the description under 32,000 characters.').optional(),
  priority: z.enum(PRIORITIES, { message: 'Pick a priority.' }),
  serviceId: optional,
  assigneeId: optional,
  incidentId: optional,
  labels: z
    .string()
    .trim()
    .transform((v) => (v ? v.split(/[\s,]+/).filter(Boolean) : []))
    .refine((l) => l.length <= 20, 'At most 20 labels.'),
  idempotencyKey: z.string().min(1),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseWith(NewTicket, await formFields(request, context));
  if (!parsed.ok) return fail('create', parsed.errors, 'Fix the highlighted fields.');
  const { idempotencyKey, labels, ...input } = parsed.value;
  const r = await mutate(request, context, CreateTicketDocument, { input: { ...input, description: input.description || undefined, labels }, idempotencyKey });
  if (!r.data) return apiFailure('create', r.problems, { title: /title/i, labels: /label/i, assigneeId: /assignee/i, serviceId: /service/i, incidentId: /incident/i });
  const ticket = r.data.createTicket;
  return redirectWithFlash(`/tickets/${encodeURIComponent(ticket.id)}`, { kind: 'success', message: `Created ${ticket.key}.` });
}

export default function NewTicket_() {
  const { prefill, incident, problems, services, people, idempotencyKey } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const errors = failure?.errors;
  return (
    <>
      <PageHeader
        crumbs={[{ to: '/tickets', label: 'Tickets' }]}
        title="New ticket"
        subtitle={
          incident ? (
            <>
              Follow-up of <Link to={incidentPath(incident.id)}>incident #{incident.number}</Link>, prefilled from it.
            </>
          ) : (
            'Filed in the configured tracker, with you as the reporter.'
          )
        }
      />
      <Problems problems={problems} />
      <Section title="Ticket">
        <Form method="post" className="stack form-narrow" replace>
          <CsrfField />
          <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
          <input type="hidden" name="incidentId" value={prefill.incidentId} />
          <label>
            Title
            <input name="title" defaultValue={prefill.title} aria-invalid={Boolean(errors?.title)} aria-describedby="title-error" autoFocus />
          </label>
          <FieldError errors={errors} name="title" />
          <label>
            Description
            <textarea name="description" defaultValue={prefill.description} rows={8} />
          </label>
          <FieldError errors={errors} name="description" />
          <div className="row">
            <label>
              Priority
              <select name="priority" defaultValue={prefill.priority}>
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {p.toLowerCase()}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Service
              <select name="serviceId" defaultValue={prefill.serviceId}>
                <option value="">None</option>
                {services.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.id}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Assignee
              <select name="assigneeId" defaultValue={prefill.assigneeId}>
                <option value="">Unassigned</option>
                {people.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <FieldError errors={errors} name="priority" />
          <FieldError errors={errors} name="serviceId" />
          <FieldError errors={errors} name="assigneeId" />
          <label>
            Labels (space or comma separated, no spaces inside a label)
            <input name="labels" defaultValue={prefill.labels} />
          </label>
          <FieldError errors={errors} name="labels" />
          {failure?.message ? <div className="form-error">{failure.message}</div> : null}
          <div className="row">
            <button type="submit" className="primary" disabled={busy}>
              Create ticket
            </button>
            <Link to={incident ? incidentPath(incident.id) : '/tickets'}>Cancel</Link>
          </div>
        </Form>
      </Section>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
