// The incident page's forms: which action failed, and its message beside the form that sent it.
import { useActionData } from '@remix-run/react';
import type { ActionFailure } from '../../lib/forms.server.ts';
import type { IncidentDetailQuery } from '../../graphql/generated.ts';

/** The incident as the page's loader returns it. */
export type IncidentDetail = NonNullable<IncidentDetailQuery['incident']>;

/** What the incident page's parts share: the incident, the page's problems and its forms' state. */
export interface IncidentFormProps {
  incident: IncidentDetail;
  /** Prefix of the idempotency keys of this rendering's forms. */
  idempotencyKey: string;
  /** A write is in flight: buttons wait. */
  busy: boolean;
  /** The field errors of the last action, when it was `intent`. */
  errorsOf: (intent: string) => Record<string, string> | null;
}

/** The failure of this form's intent, if the last action was it. */
export function useFailure(intent: string) {
  const failure = useActionData<ActionFailure>();
  return failure && failure.intent === intent ? failure : null;
}

export function FormFailure({ intent }: { intent: string }) {
  const failure = useFailure(intent);
  return failure?.message ? <div className="form-error">{failure.message}</div> : null;
}
