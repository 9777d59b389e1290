// Mounts the console on the gateway's express app: the Remix request handler (@remix-run/express) at `/`,
// its hashed assets with long caching, and an on-demand build. /graphql, /graphiql, /healthz, /readyz and
// /mcp stay the gateway's.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequestHandler } from '@remix-run/express';
import type { ServerBuild } from '@remix-run/node';
import compression from 'compression';
import express from 'express';
import type { RequestHandler } from 'express';
import { BUILD_DIR, buildIsFresh, builtHash, ensureConsoleBuild, type BuildLog } from './build.ts';

export { ensureConsoleBuild, buildIsFresh, sourceHash, BUILD_DIR, CONSOLE_DIR } from './build.ts';

/** Paths the console never answers: they belong to the gateway (and the MCP endpoint). */
const GATEWAY_PATHS = /^\/(graphql|graphiql|healthz|readyz|mcp)(\/|$|\?)/;

export interface ConsoleMountOptions {
  /** The API the console's loaders call: the gateway's own /graphql (known once it listens). */
  graphqlUrl: () => string;
  /** Public path of GraphiQL, linked from every page. Default `/graphql`. */
  graphiqlPath?: string;
  logger?: BuildLog & { warn?(obj: object, msg: string): void };
  /**
   * `eager` starts a missing or stale build right away (the default for `opsorch start`); `lazy` builds on
   * the first console request (tests and benchmarks that never open the console pay nothing).
   */
  build?: 'eager' | 'lazy';
}

export interface MountedConsole {
  /** Resolves when the console can answer (its build is ready); rejects when the build failed. */
  ready(): Promise<void>;
}

/** Anything with express's `use`: the gateway's express 5 app (the handler itself is framework-light). */
interface AppLike {
  use(...handlers: unknown[]): unknown;
}

const BUILDING_PAGE = (detail: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="3"><title>OpsOrch console — building</title>
<style>body{font:14px system-ui,sans-serif;background:#0f1216;color:#d8dee6;display:grid;place-items:center;height:100vh;margin:0}
main{max-width:36rem}code,pre{font:12px ui-monospace,monospace;white-space:pre-wrap;color:#f3a0a0}a{color:#7cb7ff}</style></head>
<body><main>${detail}</main></body></html>`;

/**
 * Serves the console from `app`. Returns at once; the first requests wait for the build (a page that
 * refreshes itself answers when it takes long) so `npm ci && npm start` works without a separate step.
 */
export function mountConsole(app: AppLike, options: ConsoleMountOptions): MountedConsole {
  const log = options.logger;
  let building: Promise<ServerBuild> | null = null;
  let loaded: { hash: string; handler: RequestHandler } | null = null;
  let failure: Error | null = null;

  const load = async (): Promise<ServerBuild> => {
    await ensureConsoleBuild(log);
    const hash = builtHash()!;
    // The query string makes a rebuilt server module a new ESM module instead of the cached old one.
    const url = `${pathToFileURL(join(BUILD_DIR, 'server', 'index.js')).href}?v=${hash}`;
    const build = (await import(url)) as ServerBuild;
    loaded = {
      hash,
      handler: createRequestHandler({
        build,
        mode: 'production',
        getLoadContext: () => ({ graphqlUrl: options.graphqlUrl(), graphiqlUrl: options.graphiqlPath ?? '/graphql' }),
      }) as unknown as RequestHandler,
    };
    return build;
  };

  const start = () => {
    if (!building) {
      failure = null;
      building = load().catch((error: Error) => {
        failure = error;
        building = null;
        log?.error({ err: error.message }, 'console: build failed; the API keeps serving');
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
    gzip(req, res, () => {
      void (async () => {
        if (!loaded) {
          // Wait a while for a build in progress; past that, a page that refreshes itself.
          const pending = start();
          const waited = await Promise.race([
            pending.then(() => 'ready' as const, () => 'failed' as const),
            new Promise<'slow'>((resolve) => setTimeout(() => resolve('slow'), 25_000)),
          ]);
          if (waited !== 'ready') {
            const detail =
              waited === 'failed'
                ? `<h1>The console could not be built</h1><pre>${escapeHtml(failure?.message ?? 'unknown error')}</pre><p>The API still answers at <a href="/graphql">/graphql</a>.</p>`
                : `<h1>Building the console…</h1><p>First start after install or a change: this page refreshes until it is ready. The API already answers at <a href="/graphql">/graphql</a>.</p>`;
            res.status(503).type('html').send(BUILDING_PAGE(detail));
            return;
          }
        }
        if (req.path.startsWith('/assets/')) {
          req.url = req.url.slice('/assets'.length);
          return assets(req, res, next);
        }
        publicFiles(req, res, () => loaded!.handler(req, res, next));
      })().catch(next);
    });
  });

  return {
    async ready() {
      if (loaded && buildIsFresh()) return;
      await start();
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
