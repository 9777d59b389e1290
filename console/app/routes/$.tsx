// Any path no other route serves: a 404 response (with the console around it), not a routing error.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { RouteError } from '../components/route-error.tsx';

export function loader({ request }: LoaderFunctionArgs): never {
  throw new Response(`There is no console page at ${new URL(request.url).pathname}.`, { status: 404, statusText: 'Not Found' });
}

export default function NoPage() {
  return null;
}

export function ErrorBoundary() {
  return <RouteError />;
}
