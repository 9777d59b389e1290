// The incident page's action bar: acknowledge, resolve, severity, reassign, create a ticket.
import { Form, Link } from '@remix-run/react';
import { CsrfField } from '../csrf.tsx';
import { FieldError } from '../ui.tsx';
import { FormFailure, type IncidentFormProps } from './forms.tsx';

export function IncidentActions({ incident, people, idempotencyKey, busy, errorsOf }: IncidentFormProps & { people: { id: string; name: string }[] }) {
  const open = incident.status !== 'RESOLVED';
  return (
    <>
      <div className="actions-bar">
        <Form method="post" className="inline-form" replace>
          <CsrfField />
          <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:ack`} />
          <button
            type="submit"
            name="intent"
            value="acknowledge"
            className="primary"
            disabled={busy || incident.status !== 'TRIGGERED'}
            data-key="a"
            title={incident.status === 'TRIGGERED' ? 'Acknowledge (a)' : 'Already acknowledged'}
          >
            Acknowledge <kbd>a</kbd>
          </button>
        </Form>
        <details className="popover">
          <summary className="button" data-key="r" aria-disabled={!open}>
            Resolve… <kbd>r</kbd>
          </summary>
          <Form method="post" className="stack popover-body" replace>
            <CsrfField />
            <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:resolve`} />
            <label>
              What fixed it (goes into the timeline)
              <textarea name="resolution" placeholder="Rolled back to 2.13.4; error rate back under 0.1%." />
            </label>
            <FieldError errors={errorsOf('resolve')} name="resolution" />
            <button type="submit" name="intent" value="resolve" className="good" disabled={busy || !open}>
              Resolve #{incident.number}
            </button>
            <FormFailure intent="resolve" />
          </Form>
        </details>
        <Form method="post" className="inline-form" replace>
          <CsrfField />
          <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:sev`} />
          <input type="hidden" name="intent" value="severity" />
          <select name="severity" defaultValue={incident.severity} aria-label="Severity">
            {['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy}>
            Change severity
          </button>
          <FieldError errors={errorsOf('severity')} name="severity" />
        </Form>
        <Form method="post" className="inline-form" replace>
          <CsrfField />
          <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:assign`} />
          <input type="hidden" name="intent" value="reassign" />
          <select name="assigneeId" defaultValue={incident.assignee?.id ?? ''} aria-label="Assignee">
            <option value="" disabled>
              Pick a person
            </option>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy}>
            Reassign
          </button>
        </Form>
        <Link className="button" to={`/tickets/new?incident=${encodeURIComponent(incident.id)}`} data-key="t">
          Create ticket <kbd>t</kbd>
        </Link>
      </div>
      <FormFailure intent="acknowledge" />
      <FormFailure intent="severity" />
      <FormFailure intent="reassign" />
    </>
  );
}
