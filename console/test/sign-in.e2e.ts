// Signing in to the console with OpenID Connect, end to end: `opsorch start` as its own process (gateway
// verifying the people's tokens, console signing them in), a real OpenID provider, real Chromium. Login,
// acting as oneself, refresh before expiry, a session ended at the provider, logout, and a refused scope.
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnOpsOrch, type SpawnedServer } from '../../gateway/test/harness.ts';
import { tempDir } from '../../gateway/test/security-fixtures.ts';
import { ensureConsoleBuild } from '../server/build.ts';
import { launchBrowser, screenshot, type TestBrowser } from './browser.ts';
import { failOnBrowserErrors } from './console-session.ts';
import { startOpenIdProvider } from './openid-provider.ts';

/** Lifetime of access tokens, and how long before expiry the console refreshes them (the console setting). */
const ACCESS_TOKEN_TTL = 8;
const REFRESH_BEFORE = 4;
const CLIENT_SECRET = 'test-client-secret-0123456789abcdef';

const accounts = {
  ravi: { password: 'ravi-pw', email: 'ravi.deshpande@acme-shop.example', name: 'Ravi Deshpande', groups: ['sre'] },
  maya: { password: 'maya-pw', email: 'maya.patel@acme-shop.example', name: 'Maya Patel', groups: ['viewers'] },
};

let idp: Awaited<ReturnType<typeof startOpenIdProvider>>;
let server: SpawnedServer;
let browser: TestBrowser;
let page: Page;
/** The console as people reach it: `localhost`, another site than the provider's 127.0.0.1, as in production. */
let base: string;

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Waits until whatever access token the console holds now (issued at the latest now) is within the
 * refresh window: the next API call must refresh it.
 */
async function untilTokenNearsExpiry(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, (ACCESS_TOKEN_TTL - REFRESH_BEFORE + 0.5) * 1000));
}

/** Types the person's password on the provider's login page and waits to be back in the console at `expectedPath`. */
async function signInAs(who: keyof typeof accounts, expectedPath: string): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(`${idp.issuer}/interaction/`));
  await page.fill('input[name=login]', who);
  await page.fill('input[name=password]', accounts[who].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}${expectedPath}`);
  await page.locator('.sidebar .actor', { hasText: `You: ${accounts[who].name}` }).waitFor();
  // The page's scripts have loaded and hydrated before a test types into a form (hydration would reset it).
  await page.waitForLoadState('networkidle');
}

beforeAll(async () => {
  await ensureConsoleBuild();
  const port = await freePort();
  base = `http://localhost:${port}`;
  idp = await startOpenIdProvider({
    accounts,
    clientId: 'opsorch-console',
    clientSecret: CLIENT_SECRET,
    redirectUri: `${base}/auth/callback`,
    postLogoutRedirectUri: `${base}/auth/signed-out`,
    accessTokenTtl: ACCESS_TOKEN_TTL,
    audience: 'opsorch',
  });
  const config = join(tempDir(), 'opsorch.yaml');
  writeFileSync(
    config,
    stringify({
      gateway: {
        auth: {
          jwt: { jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: 'opsorch', actorClaim: 'email', groupScopes: { sre: ['*:read', 'incidents:write'], viewers: ['*:read'] } },
        },
      },
      console: {
        signIn: { issuer: idp.issuer, clientId: 'opsorch-console', clientSecret: 'secret://env/TEST_CONSOLE_CLIENT_SECRET', redirectUrl: `${base}/auth/callback`, refreshBeforeSeconds: REFRESH_BEFORE },
        sessions: { secrets: ['a-session-secret-of-at-least-32-characters'] },
      },
    }),
  );
  [server, browser] = await Promise.all([
    spawnOpsOrch(['start', '--port', String(port), '--host', '127.0.0.1'], { OPSORCH_CONFIG: config, TEST_CONSOLE_CLIENT_SECRET: CLIENT_SECRET }),
    launchBrowser(),
  ]);
  page = await browser.newPage();
}, 240_000);

failOnBrowserErrors(() => browser);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await idp?.close();
});

describe('console sign-in with OpenID Connect', { timeout: 60_000 }, () => {
  let incidentPath: string;

  it('sends a person to the provider, and back to the page they asked for once signed in', async () => {
    await page.goto(`${base}/incidents`);
    await signInAs('ravi', '/incidents');
    await page.locator('h1', { hasText: 'Incidents' }).waitFor();
    await screenshot(page, 'sign-in-incidents');
    await page.getByRole('link', { name: 'orders-db connection pool saturated' }).click();
    await page.waitForURL(/\/incidents\/demo(:|%3A)/);
    incidentPath = new URL(page.url()).pathname;
  });

  it('acts as the signed-in person: the write carries their token, the timeline their name', async () => {
    await page.getByRole('button', { name: /Acknowledge/ }).click();
    await page.locator('.flash', { hasText: 'Acknowledged #1043' }).waitFor();
    await page.locator('.timeline li', { hasText: 'Acknowledged by Ravi Deshpande' }).first().waitFor();
    // The audit line names the person from their token, not a label the console chose.
    expect(server.output.join('')).toMatch(/"actor":\{"kind":"user","id":"ravi\.deshpande@acme-shop\.example"\}/);
  });

  it('refreshes the access token before it expires, without sending the person away', async () => {
    const refreshes = idp.refreshes;
    const signIns = idp.signIns;
    await untilTokenNearsExpiry();
    await page.getByRole('link', { name: 'Alerts' }).first().click();
    await page.waitForURL(`${base}/alerts`);
    await page.locator('h1', { hasText: 'Alerts' }).waitFor();
      expect(idp.refreshes).toBeGreaterThan(refreshes);
    expect(idp.signIns).toBe(signIns);
  });

  it('sends the person to sign in again when the provider ended the session, and back to the same page', async () => {
    idp.endEverySession();
    await untilTokenNearsExpiry();
    // A client-side navigation (a data request): the console answers with a document redirect to sign-in.
    await page.getByRole('link', { name: 'Teams' }).first().click();
    await signInAs('ravi', '/teams');
    await page.locator('h1', { hasText: 'Teams' }).waitFor();
  });

  it('signs out at the console and at the provider', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${base}/auth/signed-out`);
    await page.locator('h1', { hasText: 'You are signed out' }).waitFor();
    // Neither the console nor the provider remembers the person: the password is asked for again.
    await page.goto(`${base}${incidentPath}`);
    await page.waitForURL((url) => url.href.startsWith(`${idp.issuer}/interaction/`));
  });

  it('shows a person without incidents:write that the write is refused, and why', async () => {
    await signInAs('maya', incidentPath);
    const note = `Maya's note ${Date.now()}`;
    await page.fill('textarea[name=body]', note);
    const errorsBefore = browser.consoleErrors.length;
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.form-error', { hasText: 'Missing scope incidents:write' }).first().waitFor();
    // Chromium logs the refused write's 400 answer as a failed resource: expected here, and only here.
    expect(browser.consoleErrors.slice(errorsBefore).every((e) => /status of 400/.test(e))).toBe(true);
    browser.consoleErrors.splice(errorsBefore);
    await screenshot(page, 'sign-in-refused-scope');
    expect(await page.locator('.timeline').textContent()).not.toContain(note);
  });

  it('never logs the client secret, and the browser saw no errors', () => {
    const output = server.output.join('');
    expect(output).toContain('console: signed in');
    expect(output).not.toContain(CLIENT_SECRET);
    expect(browser.consoleErrors).toEqual([]);
  });
});
