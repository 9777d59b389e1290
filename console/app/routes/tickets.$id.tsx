import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { z } from 'zod';
import { incidentPath, servicePath, ticketPath } from '../components/tables.tsx';
import { Badge, Empty, FieldError, PageHeader, Person, Problems, Section, Severity, SourceLink } from '../components/ui.tsx';
import { CommentOnTicketDocument, TicketDetailDocument, TransitionTicketDocument } from '../graphql/generated.ts';
import { mutate, newIdempotencyKey, query } from '../lib/api.server.ts';
import { apiFailure, fail, formFields, parseWith } from '../lib/forms.server.ts';
import { sectionProblems, notFoundUnless } from '../lib/problems.ts';
import { redirectWithFlash } from '../lib/session.server.ts';
import { formatUtc, TimeAgo } from '../lib/time.tsx';
import { CsrfField } from '../components/csrf.tsx';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.ticket ? `${data.ticket.key} ${data.ticket.title} · OpsOrch` : 'Ticket · OpsOrch' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { data, problems } = await query(request, context, TicketDetailDocument, { id: params.id! });
  notFoundUnless(data?.ticket, !!data, problems, `No ticket "${params.id}".`);
  return { ticket: data?.ticket ?? null, problems, idempotencyKey: newIdempotencyKey() };
}

const Intent = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('transition'), transition: z.string().min(1, 'Pick a transition.'), idempotencyKey: z.string().min(1) }),
  z.object({
    intent: z.literal('comment'),
    body: z.string().trim().min(1, 'Write the comment first.').max(32_000, 'Keep the comment under 32,000 characters.'),
    idempotencyKey: z.string().min(1),
  }),
]);

export async function action({ request, context, params }: ActionFunctionArgs) {
  const fields = await formFields(request, context);
  const parsed = parseWith(Intent, fields);
  if (!parsed.ok) return fail(String(fields.intent ?? 'unknown'), parsed.errors);
  const id = params.id!;
  const here = `/tickets/${encodeURIComponent(id)}`;
  const input = parsed.value;
  if (input.intent === 'transition') {
    const r = await mutate(request, context, TransitionTicketDocument, { id, transition: input.transition, idempotencyKey: input.idempotencyKey });
    if (!r.data) return apiFailure('transition', r.problems);
    return redirectWithFlash(here, { kind: 'success', message: `${r.data.transitionTicket.key} is now ${r.data.transitionTicket.rawStatus}.` });
  }
  const r = await mutate(request, context, CommentOnTicketDocument, { id, body: input.body, idempotencyKey: input.idempotencyKey });
  if (!r.data) return apiFailure('comment', r.problems, { body: /body|comment/i });
  return redirectWithFlash(`${here}#comments`, { kind: 'success', message: `Commented on ${r.data.commentOnTicket.key}.` });
}

export default function TicketPage() {
  const { ticket, problems, idempotencyKey } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const commentForm = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (navigation.state === 'idle' && !failure) commentForm.current?.reset();
  }, [navigation.state, failure]);
  if (!ticket) return <Problems problems={problems} />;
  const errorsOf = (intent: string) => (failure && failure.intent === intent ? failure.errors : null);
  return (
    <>
      <PageHeader
        crumbs={[{ to: '/tickets', label: 'Tickets' }]}
        title={
          <>
            <span className="mono muted">{ticket.key}</span> {ticket.title}
          </>
        }
        subtitle={
          <>
            <Badge kind="ticket" value={ticket.status} label={ticket.rawStatus} /> <Badge kind="prio" value={ticket.priority} label={ticket.rawPriority ?? ticket.priority.toLowerCase()} /> · filed{' '}
            <TimeAgo at={ticket.createdAt} /> by <Person user={ticket.reporter} /> · updated <TimeAgo at={ticket.updatedAt} />
          </>
        }
        actions={<SourceLink url={ticket.url} />}
      />
      <Problems problems={problems.filter((p) => !p.path || p.path.length <= 2)} />
      <div className="actions-bar">
        {/* The action is this ticket's encoded path: the form's default would lose a GitHub id's `#231` as a fragment. */}
        <Form method="post" action={ticketPath(ticket.id)} className="inline-form" replace>
          <CsrfField />
          <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:transition`} />
          <input type="hidden" name="intent" value="transition" />
          {ticket.availableTransitions.length ? (
            ticket.availableTransitions.map((t) => (
              <button key={t.id} type="submit" name="transition" value={t.id} disabled={busy} title={`Moves the ticket to ${t.rawTo}`}>
                {t.name} → <Badge kind="ticket" value={t.to} label={t.rawTo} />
              </button>
            ))
          ) : (
            <span className="muted">No transition from {ticket.rawStatus}.</span>
          )}
        </Form>
      </div>
      {failure?.message ? <div className="form-error">{failure.message}</div> : null}
      <div className="grid-side">
        <div>
          <Section title="Description">{ticket.description ? <p className="description prose">{ticket.description}</p> : <Empty>No description.</Empty>}</Section>
          <Section id="comments" title="Comments" count={ticket.comments.totalCount ?? ticket.comments.nodes.length} problems={sectionProblems(problems, ['ticket', 'comments'], ticket.comments.providerErrors)}>
            {ticket.comments.nodes.length ? (
              <ol className="comments">
                {ticket.comments.nodes.map((c) => (
                  <li key={c.id}>
                    <div className="small muted">
                      <strong>{c.author?.name ?? 'integration'}</strong> · <span title={formatUtc(c.createdAt, true)}><TimeAgo at={c.createdAt} /></span>
                    </div>
                    <p className="description prose">{c.body}</p>
                  </li>
                ))}
              </ol>
            ) : (
              <Empty>No comments yet.</Empty>
            )}
            <Form method="post" action={ticketPath(ticket.id)} className="stack" ref={commentForm} replace>
              <CsrfField />
              <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:comment`} />
              <textarea name="body" placeholder="Add a comment  ( n )" aria-label="Comment" data-key="n" required />
              <FieldError errors={errorsOf('comment')} name="body" />
              <div>
                <button type="submit" name="intent" value="comment" disabled={busy}>
                  Comment
                </button>
              </div>
            </Form>
          </Section>
        </div>
        <aside>
          <Section title="Details">
            <dl className="facts">
              <dt>Assignee</dt>
              <dd>
                <Person user={ticket.assignee} />
              </dd>
              <dt>Reporter</dt>
              <dd>
                <Person user={ticket.reporter} />
              </dd>
              <dt>Service</dt>
              <dd>{ticket.service ? <Link to={servicePath(ticket.service.id)}>{ticket.service.id}</Link> : '—'}</dd>
              <dt>Incident</dt>
              <dd>
                {ticket.incident ? (
                  <>
                    <Severity value={ticket.incident.severity} /> <Link to={incidentPath(ticket.incident.id)}>#{ticket.incident.number}</Link> {ticket.incident.title}
                  </>
                ) : (
                  '—'
                )}
              </dd>
              <dt>Labels</dt>
              <dd>
                {ticket.labels.length
                  ? ticket.labels.map((l) => (
                      <Link key={l} className="tag" to={`/tickets?q=${encodeURIComponent(l)}&f=1`}>
                        {l}
                      </Link>
                    ))
                  : '—'}
              </dd>
              <dt>Source</dt>
              <dd className="mono small">
                {ticket.source.provider}/{ticket.source.instance} {ticket.source.id}
              </dd>
            </dl>
          </Section>
        </aside>
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
