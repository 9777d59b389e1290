// The CSRF token every form that writes carries (the server checks it against this browser's cookie).
import { useRouteLoaderData } from '@remix-run/react';
import { CSRF_FIELD } from '../lib/context.ts';
import type { loader as rootLoader } from '../root.tsx';

/** A hidden field with the page's CSRF token: put one in every `<Form method="post">`. */
export function CsrfField() {
  const root = useRouteLoaderData<typeof rootLoader>('root');
  return <input type="hidden" name={CSRF_FIELD} value={root?.csrfToken ?? ''} />;
}
