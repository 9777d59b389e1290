// What a page shows when its loader or action failed: the status and the server's own words (not found,
// refused, too large, the API not answering), inside the console's layout so navigation keeps working.
import { isRouteErrorResponse, Link, useLocation, useRouteError } from '@remix-run/react';

const TITLES: Record<number, string> = {
  403: 'Refused',
  404: 'Not found',
  413: 'Too large',
  503: 'The OpsOrch API is not answering',
};

/** The body of every error boundary: each route module exports `ErrorBoundary` rendering it. */
export function RouteError() {
  const error = useRouteError();
  const location = useLocation();
  let title = 'Something went wrong';
  let detail = 'The console hit an unexpected error. The API may still answer in GraphiQL.';
  if (isRouteErrorResponse(error)) {
    title = TITLES[error.status] ?? `${error.status} ${error.statusText}`;
    if (typeof error.data === 'string' && error.data) detail = error.data;
  }
  return (
    <div className="page-error">
      <h1>{title}</h1>
      <p>{detail}</p>
      <p>
        <Link to={location.pathname + location.search} reloadDocument>
          Try again
        </Link>{' '}
        · <Link to="/">Home</Link> · <a href="/graphql">GraphiQL</a>
      </p>
    </div>
  );
}
