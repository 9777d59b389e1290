// The setup shared by the console's Chromium tests (kept out of browser.ts, which benches and scripts use without vitest).
import type { Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';
import type { Env, ProviderModule } from '@opsorch/adapters';
import { captureLogs, spawnOpsOrch, type SpawnedServer } from '../../gateway/test/harness.ts';
import { startGateway, type RunningGateway } from '../../gateway/src/index.ts';
import { ensureConsoleBuild } from '../server/build.ts';
import { mountConsole } from '../server/index.ts';
import type { ConsoleSettings } from '../server/settings.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';

export interface ConsoleInBrowser {
  /** `opsorch start` as its own process (demo world), serving the console at `base`. */
  server: SpawnedServer;
  base: string;
  browser: TestBrowser;
  page: Page;
  /** Loads `path` on `page` until the network is idle, expecting 200. */
  open(path: string): Promise<void>;
  stop(): Promise<void>;
}

/** The setup of the console's Chromium tests: the built console behind a real `opsorch start`, and one page. */
export async function startConsoleInBrowser(): Promise<ConsoleInBrowser> {
  // Build first (the server would build on the first request, but a test should not time out on it).
  await ensureConsoleBuild();
  const [server, browser] = await Promise.all([spawnOpsOrch(['start', '--port', '0', '--host', '127.0.0.1']), launchBrowser()]);
  const base = server.url.replace(/\/graphql$/, '');
  const page = await browser.newPage();
  return {
    server,
    base,
    browser,
    page,
    async open(path) {
      const response = await page.goto(base + path, { waitUntil: 'networkidle' });
      expect(response?.status(), `GET ${path}`).toBe(200);
    },
    async stop() {
      await browser.close();
      await server.stop();
    },
  };
}

/**
 * Fails the test during which the browser logged an error (console.error, an uncaught exception, a failed
 * request): warnings are bugs that have not happened yet. A test that provokes an expected failure removes
 * it from `browser.consoleErrors` itself, saying why.
 */
export function failOnBrowserErrors(browser: () => TestBrowser | undefined): void {
  afterEach(() => {
    const errors = browser()?.consoleErrors ?? [];
    const seen = errors.splice(0);
    expect(seen, 'errors the browser logged during this test').toEqual([]);
  });
}

/** The gateway in this process on a free loopback port with the built console mounted (faster than `opsorch start`). */
export async function startConsoleInProcess(
  options: { env?: Env; settings?: ConsoleSettings; logger?: ReturnType<typeof captureLogs>['logger']; extraProviders?: Record<string, ProviderModule> } = {},
): Promise<{ gateway: RunningGateway; base: string }> {
  await ensureConsoleBuild();
  const logger = options.logger ?? captureLogs().logger;
  const gateway = await startGateway({
    port: 0,
    host: '127.0.0.1',
    env: options.env ?? {},
    extraProviders: options.extraProviders,
    logger,
    mount: (app, { graphqlUrl }) => {
      mountConsole(app, { graphqlUrl, build: 'lazy', logger, settings: options.settings });
    },
  });
  return { gateway, base: gateway.url.replace(/\/graphql$/, '') };
}
