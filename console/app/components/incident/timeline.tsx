// The incident's timeline with the note form above it.
import { Form, useNavigation } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { CsrfField } from '../csrf.tsx';
import { Empty, FieldError, Section } from '../ui.tsx';
import { sectionProblems, type ApiProblem } from '../../lib/problems.ts';
import { formatClock, formatUtc } from '../../lib/time.tsx';
import { FormFailure, type IncidentFormProps } from './forms.tsx';

export function IncidentTimeline({ incident, problems, idempotencyKey, busy, errorsOf }: IncidentFormProps & { problems: ApiProblem[] }) {
  const navigation = useNavigation();
  const timeline = incident.timeline;
  const noteRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (navigation.state === 'idle') noteRef.current?.reset();
  }, [navigation.state, incident?.timeline?.totalCount]);
  return (
    <Section
      id="timeline"
      title="Timeline"
      count={timeline?.totalCount}
      problems={sectionProblems(problems, ['incident', 'timeline'], timeline?.providerErrors)}
    >
      <Form method="post" className="stack note-form" ref={noteRef} replace>
        <CsrfField />
        <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:note`} />
        <textarea name="body" placeholder="Add a note for the timeline: what you found, what you are trying  ( n )" aria-label="Note" data-key="n" required />
        <FieldError errors={errorsOf('note')} name="body" />
        <div className="row">
          <button type="submit" name="intent" value="note" disabled={busy}>
            Add note
          </button>
          <FormFailure intent="note" />
        </div>
      </Form>
      {/* A null timeline is a failed provider call: the section's problems say so; the note form still works. */}
      {!timeline ? null : timeline.nodes.length ? (
        <ol className="timeline">
          {timeline.nodes.map((e) => (
            <li key={e.id}>
              <span className="when" title={formatUtc(e.at, true)}>
                {formatClock(e.at)} <span className="small">UTC</span>
              </span>
              <span className={`kind kind-${e.kind.toLowerCase().replace(/_/g, '-')}`} title={`In the tool: ${e.rawKind}`}>
                {e.kind.toLowerCase().replace(/_/g, ' ')}
              </span>
              <span>
                {e.message}
                {e.actor ? <span className="muted small"> — {e.actor.name}</span> : null}
              </span>
            </li>
          ))}
        </ol>
      ) : (
        <Empty>The timeline is empty.</Empty>
      )}
    </Section>
  );
}
