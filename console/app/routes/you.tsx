import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { FieldError, PageHeader, Problems, Section } from '../components/ui.tsx';
import { PeopleDocument } from '../graphql/generated.ts';
import { accessOf, query, requireSignedIn } from '../lib/api.server.ts';
import { fail, formFields, parseWith } from '../lib/forms.server.ts';
import { actorCookieHeader, actorFromRequest, redirectWithFlash } from '../lib/session.server.ts';
import { CsrfField } from '../components/csrf.tsx';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction = () => [{ title: 'You · OpsOrch' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const access = accessOf(context);
  if (access.mode !== 'open') {
    // Signed in (or kiosk): who acts comes from the credential, not from a choice on this page.
    requireSignedIn(request, context);
    const person = access.mode === 'sign-in' ? access.person : null;
    return { mode: access.mode, person, people: [], problems: [], actor: null };
  }
  const [people, actor] = await Promise.all([query(request, context, PeopleDocument, {}), actorFromRequest(request)]);
  return { mode: access.mode, person: null, people: people.data?.users?.nodes ?? [], problems: people.problems, actor: actor ?? null };
}

const ActAs = z.object({ email: z.union([z.literal(''), z.email('Pick a person from the list, or nobody.')]) });

export async function action({ request, context }: ActionFunctionArgs) {
  if (accessOf(context).mode !== 'open') return fail('act-as', {}, 'The console acts as the signed-in person (or the kiosk key); there is nobody to pick.');
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
  const { mode, person, people, problems, actor } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  if (mode === 'sign-in' && person) {
    return (
      <>
        <PageHeader title="Who you are" subtitle="You signed in with your identity provider: the console acts as you, with the scopes your groups grant." />
        <Section title="Signed in">
          <dl className="facts">
            <dt>Name</dt>
            <dd>{person.name ?? '—'}</dd>
            <dt>E-mail</dt>
            <dd>{person.email ?? '—'}</dd>
            <dt>Groups</dt>
            <dd>{person.groups.length ? person.groups.join(', ') : 'none'}</dd>
          </dl>
        </Section>
      </>
    );
  }
  if (mode === 'kiosk') {
    return <PageHeader title="Who you are" subtitle="Kiosk mode: everyone here acts with the console's shared API key. Ask for sign-in to act as yourself." />;
  }
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

export function ErrorBoundary() {
  return <RouteError />;
}
