// Writes are Remix actions that work without JavaScript: one zod schema per form, field errors answered
// with 400 beside the form, API failures turned into a message that says what happened.
import { data, type AppLoadContext } from '@remix-run/node';
import { z } from 'zod';
import { CSRF_FIELD, type ConsoleLoadContext } from './context.ts';
import type { ApiProblem } from './problems.ts';

/** Most items one bulk action writes: each is one API call, so a bigger selection is refused with a message. */
export const MAX_BULK_ITEMS = 100;

/** Body size read when the server in front set no limit (vite dev); the gateway's console mount refuses bigger bodies first. */
const FALLBACK_MAX_BODY_BYTES = 1_048_576;

/** What an action answers when it could not do the write; the page shows it beside the form. */
export interface ActionFailure {
  intent: string;
  errors: Record<string, string>;
  message?: string;
}

/** Reads a body, never more than `limit` bytes of it (a body without a declared length is cut there too). */
async function boundedBody(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  const tooLarge = () => new Response(`The form is larger than the console accepts (${Math.round(limit / 1024)} KiB).`, { status: 413, statusText: 'Too large' });
  if (declared > limit) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const body = new Uint8Array(new ArrayBuffer(size));
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * A form's fields; repeated fields (checkbox lists) become arrays. The body is read within the size limit,
 * and the form must carry this browser's CSRF token: a form posted from another site cannot, so it is
 * refused (403) before any field is used.
 */
export async function formFields(request: Request, context: AppLoadContext): Promise<Record<string, string | string[]>> {
  const { csrf, maxBodyBytes } = context as Partial<ConsoleLoadContext>;
  const body = await boundedBody(request, maxBodyBytes ?? FALLBACK_MAX_BODY_BYTES);
  const form = await new Response(body, { headers: { 'content-type': request.headers.get('content-type') ?? 'application/x-www-form-urlencoded' } }).formData();
  if (csrf ? !csrf.verify(form.get(CSRF_FIELD)) : process.env.NODE_ENV !== 'development') {
    throw new Response('The form was not sent by this console page (its security token is missing or stale). Reload the page and submit it again.', {
      status: 403,
      statusText: 'Form refused',
    });
  }
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of form) {
    if (typeof value !== 'string' || key === CSRF_FIELD) continue;
    const existing = out[key];
    out[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

export function fail(intent: string, errors: Record<string, string>, message?: string) {
  return data<ActionFailure>({ intent, errors, message }, { status: 400 });
}

/** The ids a bulk action acts on (repeated `id` fields), at most MAX_BULK_ITEMS. */
export function bulkIds(noun: string) {
  return z
    .union([z.string(), z.array(z.string())], { message: `Select at least one ${noun} (x, or the checkboxes).` })
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .refine((ids) => ids.length <= MAX_BULK_ITEMS, {
      message: `Select at most ${MAX_BULK_ITEMS} ${noun}s at a time: narrow the filters, or act on the rest in a second step.`,
    });
}

/** Runs `write` for every item with at most `concurrency` calls in flight, answers in item order. */
export async function eachBounded<T, R>(items: readonly T[], write: (item: T) => Promise<R>, concurrency = 8): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await write(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
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
    .map((p) => {
      // The gateway names the missing scope; say plainly that it is about who is acting, not about the input.
      if (p.code === 'FORBIDDEN') return `Not allowed for you: ${p.message} Ask an administrator for a group that grants it.`;
      return p.capability && p.code && p.code !== 'BAD_USER_INPUT' ? `${p.capability} (${p.provider ?? '?'}) ${p.code}: ${p.message}` : p.message;
    })
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
