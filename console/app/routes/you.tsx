import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { FieldError, PageHeader, Problems, Section } from '../components/ui.tsx';
import { PeopleDocument } from '../graphql/generated.ts';
import { query } from '../lib/api.server.ts';
import { fail, formFields, parseWith } from '../lib/forms.server.ts';
import { actorCookieHeader, actorFromRequest, redirectWithFlash } from '../lib/session.server.ts';
import { CsrfField } from '../components/csrf.tsx';

export const meta: MetaFunction = () => [{ title: 'You · OpsOrch' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const [people, actor] = await Promise.all([query(request, context, PeopleDocument, {}), actorFromRequest(request)]);
  return { people: people.data?.users?.nodes ?? [], problems: people.problems, actor: actor ?? null };
}

const ActAs = z.object({ email: z.union([z.literal(''), z.email('Pick a person from the list, or nobody.')]) });

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseWith(ActAs, await formFields(request, context));
  if (!parsed.ok) return fail('act-as', parsed.errors);
  const email = parsed.value.email || null;
  const response = await redirectWithFlash('/you', {
    kind: 'success',
    message: email ? `The console now acts as ${email}: your acknowledgements and notes carry your name.` : 'The console now acts anonymously.',
  });
  response.headers.append('set-cookie', await actorCookieHeader(email));
  return response;
}

export default function You() {
  const { people, problems, actor } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Who you are" subtitle="Timelines, tickets and runs record who did what. Until sign-in lands, pick yourself here (kept in a cookie on this browser)." />
      <Problems problems={problems} />
      <Section title="Act as">
        <Form method="post" className="row">
          <CsrfField />
          <select name="email" defaultValue={actor ?? ''} aria-label="Person" data-search>
            <option value="">Nobody (anonymous)</option>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} — {p.id}
              </option>
            ))}
          </select>
          <button type="submit" className="primary">
            Save
          </button>
          <FieldError errors={failure?.errors} name="email" />
        </Form>
      </Section>
    </>
  );
}
