// The action bar of a list with row checkboxes: rows point at it with `form="bulk"`, and each action posts the selected ids.
import { Form, useNavigation } from '@remix-run/react';
import type { ReactNode } from 'react';
import { CsrfField } from './csrf.tsx';

/** Holds the idempotency key (so a resubmitted bulk action runs once), the match count and the action's error. Acknowledge comes first on every list. */
export function BulkBar({ idempotencyKey, totalCount, error, children }: { idempotencyKey: string; totalCount?: number | null; error?: string; children: ReactNode }) {
  return (
    <Form method="post" id="bulk" className="bulk" replace>
      <CsrfField />
      <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
      <span className="muted small">Selected:</span>
      <BulkButton intent="acknowledge" label="Acknowledge" />
      {children}
      <span className="muted small">{totalCount != null ? `${totalCount} matching` : null}</span>
      {error ? <span className="form-error">{error}</span> : null}
    </Form>
  );
}

/** A submit button of the bulk bar, disabled while an action is in flight. */
export function BulkButton({ intent, label }: { intent: string; label: string }) {
  const busy = useNavigation().state === 'submitting';
  return (
    <button type="submit" name="intent" value={intent} disabled={busy}>
      {label}
    </button>
  );
}
