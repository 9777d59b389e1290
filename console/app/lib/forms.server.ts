// Writes are Remix actions that work without JavaScript: one zod schema per form, field errors answered
// with 400 beside the form, API failures turned into a message that says what happened.
import { data } from '@remix-run/node';
import type { z } from 'zod';
import type { ApiProblem } from './problems.ts';

/** What an action answers when it could not do the write; the page shows it beside the form. */
export interface ActionFailure {
  intent: string;
  errors: Record<string, string>;
  message?: string;
}

/** A form's fields; repeated fields (checkbox lists) become arrays. */
export async function formFields(request: Request): Promise<Record<string, string | string[]>> {
  const form = await request.formData();
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of form) {
    if (typeof value !== 'string') continue;
    const existing = out[key];
    out[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

export function fail(intent: string, errors: Record<string, string>, message?: string) {
  return data<ActionFailure>({ intent, errors, message }, { status: 400 });
}

/** Parses with a zod schema; the failure names each field and what to fix. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  fields: Record<string, unknown>,
): { ok: true; value: z.infer<S> } | { ok: false; errors: Record<string, string> } {
  const result = schema.safeParse(fields);
  if (result.success) return { ok: true, value: result.data };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? 'form');
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

/** The API's own words for a refused write (its messages say what to fix), with the failing capability. */
export function problemMessage(problems: readonly ApiProblem[]): string {
  return problems
    .map((p) => (p.capability && p.code && p.code !== 'BAD_USER_INPUT' ? `${p.capability} (${p.provider ?? '?'}) ${p.code}: ${p.message}` : p.message))
    .join(' · ');
}

/** Turns the API's BAD_USER_INPUT answer into a field error when the message names the argument. */
export function apiFailure(intent: string, problems: readonly ApiProblem[], fieldHints: Record<string, RegExp> = {}) {
  const errors: Record<string, string> = {};
  for (const p of problems) {
    if (p.code !== 'BAD_USER_INPUT') continue;
    for (const [field, pattern] of Object.entries(fieldHints)) if (pattern.test(p.message)) errors[field] ??= p.message;
  }
  return fail(intent, errors, problemMessage(problems) || 'The write failed without an explanation.');
}
