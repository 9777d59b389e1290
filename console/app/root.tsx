import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import {
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useNavigation,
  useRouteLoaderData,
} from '@remix-run/react';
import { CopilotLauncher } from './components/copilot/launcher.tsx';
import { RouteError } from './components/route-error.tsx';
import { Shortcuts, SHORTCUT_HELP } from './components/shortcuts.tsx';
import { accessOf, graphiqlUrlOf, requireSignedIn } from './lib/api.server.ts';
import { FAVICON_HREF } from './lib/brand.ts';
import type { ConsoleLoadContext } from './lib/context.ts';
import { CSRF_FIELD } from './lib/context.ts';
import { actorFromRequest, readFlash } from './lib/session.server.ts';
import { NowProvider } from './lib/time.tsx';
import stylesUrl from './styles.css?url';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesUrl },
  { rel: 'icon', href: FAVICON_HREF },
];

export const meta: MetaFunction = () => [{ title: 'OpsOrch' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireSignedIn(request, context);
  const access = accessOf(context);
  const [actor, { flash, clear }] = await Promise.all([access.mode === 'open' ? actorFromRequest(request) : undefined, readFlash(request)]);
  const person = access.mode === 'sign-in' && access.person ? { name: access.person.name ?? access.person.email ?? access.person.subject, email: access.person.email ?? null } : null;
  return data(
    {
      now: new Date().toISOString(),
      mode: access.mode,
      actor: person?.email ?? actor ?? null,
      person,
      csrfToken: (context as Partial<ConsoleLoadContext>).csrf?.token ?? '',
      flash,
      graphiqlUrl: graphiqlUrlOf(context),
    },
    clear ? { headers: { 'set-cookie': clear } } : undefined,
  );
}

/**
 * The navigation. Logs and Metrics (the explorers) join as an "Explore" group when they land; groups
 * with no items are not drawn.
 */
const NAV: { group: string; items: { to: string; label: string; key: string }[] }[] = [
  {
    group: 'Respond',
    items: [
      { to: '/', label: 'Home', key: 'g h' },
      { to: '/incidents', label: 'Incidents', key: 'g i' },
      { to: '/alerts', label: 'Alerts', key: 'g a' },
    ],
  },
  {
    group: 'Catalog',
    items: [
      { to: '/services', label: 'Services', key: 'g s' },
      { to: '/teams', label: 'Teams', key: 'g t' },
    ],
  },
  {
    group: 'Change',
    items: [
      { to: '/deployments', label: 'Deployments', key: 'g d' },
      { to: '/tickets', label: 'Tickets', key: 'g k' },
      { to: '/runbooks', label: 'Runbooks', key: 'g r' },
      { to: '/runs', label: 'Runs', key: 'g u' },
    ],
  },
  {
    group: 'Explore',
    items: [
      { to: '/explore/logs', label: 'Logs', key: 'g l' },
      { to: '/explore/metrics', label: 'Metrics', key: 'g m' },
    ],
  },
];

/** Who the console acts as: the signed-in person with a sign-out button, the kiosk key, or the self-declared label. */
function Identity({ root }: { root: ReturnType<typeof useRouteLoaderData<typeof loader>> }) {
  if (root?.mode === 'sign-in' && root.person) {
    return (
      <>
        <Link to="/you" className="actor" title={root.person.email ?? undefined}>
          You: {root.person.name}
        </Link>
        {/* A document POST, not a Remix form: sign-out ends at the identity provider. */}
        <form method="post" action="/auth/logout" className="signout">
          <input type="hidden" name={CSRF_FIELD} value={root.csrfToken} />
          <button type="submit" className="linklike">
            Sign out
          </button>
        </form>
      </>
    );
  }
  if (root?.mode === 'kiosk') {
    return (
      <Link to="/you" className="actor" title="Everyone acts with the console's API key">
        Kiosk (shared key)
      </Link>
    );
  }
  return (
    <Link to="/you" className="actor" title="Who the console acts as (recorded in timelines)">
      {root?.actor ? <>You: {root.actor.split('@')[0]}</> : <>Acting anonymously</>}
    </Link>
  );
}

function Shell({ children }: { children: React.ReactNode }) {
  const root = useRouteLoaderData<typeof loader>('root');
  const navigation = useNavigation();
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <Link to="/" className="brand">
          <span className="brand-dot" aria-hidden /> OpsOrch
        </Link>
        {NAV.filter((g) => g.items.length).map((g) => (
          <div key={g.group} className="nav-group">
            <div className="nav-group-title">{g.group}</div>
            {g.items.map((item) => (
              <NavLink key={item.to} to={item.to} end={item.to === '/'} prefetch="intent" title={`${item.label} (${item.key})`}>
                <span>{item.label}</span>
                <kbd>{item.key}</kbd>
              </NavLink>
            ))}
          </div>
        ))}
        <div className="nav-group nav-foot">
          <a href={root?.graphiqlUrl ?? '/graphql'} target="_blank" rel="noreferrer">
            GraphiQL ↗
          </a>
          <Identity root={root} />

          <CopilotLauncher />
          <button type="button" className="linklike" data-shortcut-help>
            Shortcuts <kbd>?</kbd>
          </button>
        </div>
      </nav>
      <main className={navigation.state === 'loading' ? 'content loading' : 'content'} id="main">
        {root?.mode === 'kiosk' ? (
          <div className="flash flash-error kiosk" role="note">
            Kiosk mode: everyone here acts with the console's shared key; actions are not recorded per person.
          </div>
        ) : null}
        {root?.flash ? (
          <div className={`flash flash-${root.flash.kind}`} role="status">
            {root.flash.message}
          </div>
        ) : null}
        {children}
      </main>
      <Shortcuts help={SHORTCUT_HELP} />
    </div>
  );
}

export function Layout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="dark" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  const { now } = useLoaderData<typeof loader>();
  return (
    <NowProvider now={now}>
      <Shell>
        <Outlet />
      </Shell>
    </NowProvider>
  );
}

export function ErrorBoundary() {
  return (
    <NowProvider now={new Date().toISOString()}>
      <Shell>
        <RouteError />
      </Shell>
    </NowProvider>
  );
}
