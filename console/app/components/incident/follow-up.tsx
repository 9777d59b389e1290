// What to do next about the incident: suggested runbooks, tickets, an update to its channel, its links.
import { Form, Link } from '@remix-run/react';
import { CsrfField } from '../csrf.tsx';
import { runbookPath } from '../tables.tsx';
import { Badge, Empty, FieldError, Section } from '../ui.tsx';
import { sectionProblems, type ApiProblem } from '../../lib/problems.ts';
import { FormFailure, type IncidentFormProps } from './forms.tsx';

export function IncidentFollowUp({ incident, problems, idempotencyKey, busy, errorsOf }: IncidentFormProps & { problems: ApiProblem[] }) {
  const service = incident.service;
  return (
    <>
      <Section title="Suggested runbooks" problems={sectionProblems(problems, ['incident', 'suggestedRunbooks'])}>
        {incident.suggestedRunbooks?.length ? (
          <ul className="runbook-list">
            {incident.suggestedRunbooks.map((r) => (
              <li key={r.id}>
                <div>
                  <Link to={runbookPath(r.id)}>{r.name}</Link>
                  <div className="muted small">{r.description}</div>
                </div>
                <Form method="post" replace>
                  <CsrfField />
                  <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:run:${r.id}`} />
                  <input type="hidden" name="runbookId" value={r.id} />
                  <button type="submit" name="intent" value="start-runbook" disabled={busy} title="Start a run of this runbook for this incident">
                    Start run
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        ) : (
          <Empty>No runbook suggested.</Empty>
        )}
        <FormFailure intent="start-runbook" />
      </Section>
      <Section
        title="Tickets"
        count={incident.tickets?.length}
        actions={<Link to={`/tickets/new?incident=${encodeURIComponent(incident.id)}`}>Create from incident →</Link>}
        problems={sectionProblems(problems, ['incident', 'tickets'])}
      >
        {incident.tickets?.length ? (
          <ul className="link-list">
            {incident.tickets.map((t) => (
              <li key={t.id}>
                <Link to={`/tickets/${encodeURIComponent(t.id)}`}>
                  <span className="mono">{t.key}</span> {t.title}
                </Link>{' '}
                <Badge kind="ticket" value={t.status} label={t.rawStatus} />
              </li>
            ))}
          </ul>
        ) : (
          <Empty>No ticket linked yet.</Empty>
        )}
      </Section>
      <Section title="Post an update">
        <Form method="post" className="stack" replace>
          <CsrfField />
          <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:post`} />
          <label>
            Channel
            <input name="channel" defaultValue={incident.channel ?? service?.owner?.chatChannel ?? ''} placeholder="#inc-..." required />
          </label>
          <FieldError errors={errorsOf('post-update')} name="channel" />
          <label>
            Update
            <textarea
              name="text"
              required
              defaultValue={`Update on #${incident.number} (${incident.severity}, ${incident.status.toLowerCase()}): `}
              aria-label="Update text"
            />
          </label>
          <FieldError errors={errorsOf('post-update')} name="text" />
          <button type="submit" name="intent" value="post-update" disabled={busy}>
            Post
          </button>
          <FormFailure intent="post-update" />
        </Form>
      </Section>
      {incident.links.length ? (
        <Section title="Links">
          <ul className="link-list">
            {incident.links.map((l) => (
              <li key={l.url}>
                <a href={l.url} target="_blank" rel="noreferrer">
                  {l.title} ↗
                </a>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
    </>
  );
}
