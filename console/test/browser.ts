// Real Chromium for end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core (a browser
// download cannot work here). The setup installs the package when it is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');

/** Installs Debian's chromium when missing, serialized with every other apt user of this machine. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  execFileSync(
    'flock',
    ['/tmp/opsorch-apt.lock', 'sh', '-c', `test -x ${CHROMIUM} || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core)`],
    { stdio: 'inherit', timeout: 600_000 },
  );
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is still missing after apt-get install chromium`);
}

/**
 * A navigation cut short by the next one (a filter changed again, a link clicked while a page loads) aborts
 * its fetches; Chromium may report that AbortError on the console. It is the expected outcome of the user's
 * newer action, not a bug, so it alone does not fail a test. Every other console error still does.
 */
function isSupersededNavigation(text: string): boolean {
  return /AbortError|signal is aborted|net::ERR_ABORTED/.test(text);
}

export interface TestBrowser {
  context: BrowserContext;
  /** Console errors and failed requests seen by any page: a test fails on them. */
  consoleErrors: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  ensureChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'opsorch-chromium-'));
  // A fresh profile per run; playwright takes it as the persistent context's directory.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const consoleErrors: string[] = [];
  return {
    context,
    consoleErrors,
    async newPage() {
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error' && !isSupersededNavigation(message.text())) consoleErrors.push(`${page.url()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => {
        if (!isSupersededNavigation(`${error.name}: ${error.message}`)) consoleErrors.push(`${page.url()}: ${error.message}`);
      });
      return page;
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Keeps a full-page screenshot as a test artifact (test-artifacts/ is git-ignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
