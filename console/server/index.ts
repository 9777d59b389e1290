// Mounts the console on the gateway's express app: the Remix request handler (@remix-run/express) at `/`,
// its hashed assets with long caching, and an on-demand build. /graphql, /graphiql, /healthz, /readyz, /copilot and
// /mcp stay the gateway's.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequestHandler } from '@remix-run/express';
import type { ServerBuild } from '@remix-run/node';
import compression from 'compression';
import express from 'express';
import type { RequestHandler } from 'express';
import type { Env, Logger } from '@opsorch/adapters';
import type { ConsoleAccess, ConsoleLoadContext } from '../app/lib/context.ts';
import { createSignIn } from './auth/sign-in.ts';
import { BUILD_DIR, buildIsFresh, builtHash, ensureConsoleBuild, type BuildLog } from './build.ts';
import { createRequestGuard, ephemeralSecret } from './guard.ts';
import { plainPage } from './page.ts';
import { consoleSettingsSchema, loadConsoleSettings, type ConsoleSettings } from './settings.ts';

export { ensureConsoleBuild, buildIsFresh, sourceHash, BUILD_DIR, CONSOLE_DIR } from './build.ts';
export { ConsoleSettingsError, loadConsoleSettings, type ConsoleSettings } from './settings.ts';

/** Paths the console never answers: they belong to the gateway (and the MCP endpoint). */
const GATEWAY_PATHS = /^\/(graphql|graphiql|healthz|readyz|mcp|copilot)(\/|$|\?)/;

export interface ConsoleMountOptions {
  /** The API the console's loaders call: the gateway's own /graphql (known once it listens). */
  graphqlUrl: () => string;
  /** Public path of GraphiQL, linked from every page. Default `/graphql`. */
  graphiqlPath?: string;
  logger?: Logger;
  /**
   * `eager` starts a missing or stale build right away (the default for `opsorch start`); `lazy` builds on
   * the first console request (tests and benchmarks that never open the console pay nothing).
   */
  build?: 'eager' | 'lazy';
  /** Sign-in, sessions, kiosk mode and limits (`loadConsoleSettings`); default: no sign-in, no key (the open demo). */
  settings?: ConsoleSettings;
  /** How the build is checked and made (default console/server/build.ts); tests stand in a slow build. */
  builder?: { isFresh(): boolean; ensure(log?: BuildLog): Promise<unknown> };
}

export interface MountedConsole {
  /** Resolves when the console can answer (its build is ready); rejects when the build failed. */
  ready(): Promise<void>;
}

/** Anything with express's `use`: the gateway's express 5 app (the handler itself is framework-light). */
interface AppLike {
  use(...handlers: unknown[]): unknown;
}

const BUILDING_PAGE = (detail: string) => plainPage('building', detail, { refreshSeconds: 3 });

/** `mountConsole` with the settings read from the environment and OPSORCH_CONFIG (what `opsorch start` uses). */
export async function mountConsoleFromEnv(
  app: AppLike,
  options: Omit<ConsoleMountOptions, 'settings'> & { env: Env; /** The `console:` section as the gateway's settings read it. */ section?: unknown },
): Promise<MountedConsole> {
  return mountConsole(app, { ...options, settings: await loadConsoleSettings(options.env, options.section) });
}

/**
 * Serves the console from `app`. Returns at once. While the console builds (first start after install or a
 * change), `/` answers at once with a page that says so and refreshes itself; once a build exists, requests wait
 * for it to load (a moment), so `npm ci && npm start` works without a separate step.
 */
export function mountConsole(app: AppLike, options: ConsoleMountOptions): MountedConsole {
  const log = options.logger ?? quietLogger;
  const settings = options.settings ?? consoleSettingsSchema.parse({});
  const access = accessOf(settings, log);
  const cookieSecrets = settings.sessions.secrets ?? [ephemeralSecret()];
  const guard = createRequestGuard({
    maxBodyBytes: settings.maxBodyBytes,
    cookieSecrets,
    secureCookies: settings.signIn?.redirectUrl.startsWith('https://') ?? false,
    trustedOrigins: settings.signIn ? [new URL(settings.signIn.redirectUrl).origin] : [],
  });
  const signIn = settings.signIn
    ? createSignIn({ signIn: settings.signIn, sessions: { ...settings.sessions, secrets: cookieSecrets }, logger: log, csrfContext: guard.csrfContext })
    : null;
  const builder = options.builder ?? { isFresh: buildIsFresh, ensure: ensureConsoleBuild };
  let building: Promise<ServerBuild> | null = null;
  let loaded: { hash: string; handler: RequestHandler } | null = null;
  /** True while a build runs (minutes on a slow machine); false while an existing build loads (a moment). */
  let compiling = false;

  const load = async (): Promise<ServerBuild> => {
    compiling = !builder.isFresh();
    try {
      await builder.ensure(log);
    } finally {
      compiling = false;
    }
    const hash = builtHash()!;
    // The query string makes a rebuilt server module a new ESM module instead of the cached old one.
    const url = `${pathToFileURL(join(BUILD_DIR, 'server', 'index.js')).href}?v=${hash}`;
    const build = (await import(url)) as ServerBuild;
    loaded = {
      hash,
      handler: createRequestHandler({
        build,
        mode: 'production',
        getLoadContext: async (req: express.Request, res: express.Response): Promise<ConsoleLoadContext> => ({
          graphqlUrl: options.graphqlUrl(),
          graphiqlUrl: options.graphiqlPath ?? '/graphql',
          access: signIn ? await signIn.accessFor(req) : access!,
          csrf: await guard.csrfContext(req, res),
          maxBodyBytes: settings.maxBodyBytes,
        }),
      }) as unknown as RequestHandler,
    };
    return build;
  };

  const start = () => {
    if (!building) {
      building = load().catch((error: Error) => {
        building = null;
        log.error({ err: error.message }, 'console: build failed; the API keeps serving');
        throw error;
      });
      building.catch(() => undefined);
    }
    return building;
  };
  if ((options.build ?? 'eager') === 'eager') void start().catch(() => undefined);

  const assets = express.static(join(BUILD_DIR, 'client', 'assets'), { immutable: true, maxAge: '1y', index: false, fallthrough: false });
  const publicFiles = express.static(join(BUILD_DIR, 'client'), { maxAge: '1h', index: false });
  const gzip = compression();

  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (GATEWAY_PATHS.test(req.path)) return next();
    guard.middleware(req, res, () => gzip(req, res, () => {
      void (async () => {
        if (!loaded) {
          // A build in progress is said at once; a build that only loads is waited for (a while at most).
          const pending = start();
          const waited = compiling
            ? ('slow' as const)
            : await Promise.race([
                pending.then(() => 'ready' as const, () => 'failed' as const),
                new Promise<'slow'>((resolve) => setTimeout(() => resolve('slow'), 25_000)),
              ]);
          if (waited !== 'ready') {
            const detail =
              waited === 'failed'
                ? // The build's own error (paths, stack) is in the server log, never on the page.
                  `<h1>The console could not be built</h1><p>The server log says why. The API still answers at <a href="/graphql">/graphql</a>.</p>`
                : `<h1>Building the console…</h1><p>First start after install or a change: this page refreshes until it is ready. The API already answers at <a href="/graphql">/graphql</a>.</p>`;
            res.status(503).set('retry-after', '3').type('html').send(BUILDING_PAGE(detail));
            return;
          }
        }
        if (req.path.startsWith('/assets/')) {
          req.url = req.url.slice('/assets'.length);
          return assets(req, res, next);
        }
        const remix = () => loaded!.handler(req, res, next);
        publicFiles(req, res, signIn ? () => signIn.routes(req, res, remix) : remix);
      })().catch(next);
    }));
  });

  return {
    async ready() {
      if (loaded && buildIsFresh()) return;
      await start();
    },
  };
}

const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quietLogger };

/** How the console reaches the API when nobody signs in: the kiosk key (loudly), or the gateway's anonymous access. */
function accessOf(settings: ConsoleSettings, logger: Logger): ConsoleAccess | null {
  if (settings.signIn) {
    logger.info({ issuer: settings.signIn.issuer, clientId: settings.signIn.clientId, sessions: settings.sessions.redisUrl ? 'redis' : 'memory' }, 'console: people sign in with OpenID Connect');
    return null;
  }
  if (settings.kiosk) {
    logger.warn(
      { mode: 'kiosk' },
      'console: KIOSK MODE: everyone who reaches the console acts with its one API key (OPSORCH_CONSOLE_API_KEY); no one signs in and the audit log cannot tell people apart. Configure console.signIn instead unless this is a wall screen.',
    );
    return { mode: 'kiosk', bearer: settings.kiosk.apiKey };
  }
  return { mode: 'open' };
}
