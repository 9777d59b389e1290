// A page that does not exist, or an object that does not, is a 404 response shown inside the console,
// never an error rendered as 500; a route's own error keeps the navigation around it.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';
import { failOnBrowserErrors, startConsoleInProcess } from './console-session.ts';

let gateway: RunningGateway;
let base: string;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  ({ gateway, base } = await startConsoleInProcess());
  browser = await launchBrowser();
  page = await browser.newPage();
}, 240_000);

failOnBrowserErrors(() => browser);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

it.each([
  ['/no/such/page', 'There is no console page at /no/such/page.'],
  ['/incidents/demo:NOPE', 'No incident "demo:NOPE".'],
  ['/incidents/not-an-id', 'No incident "not-an-id".'],
  ['/runs/not-an-id', 'No run "not-an-id".'],
  ['/services/nope/graph', 'No service "nope" in the catalog.'],
])('%s answers 404 with the message', async (path, message) => {
  const response = await fetch(base + path);
  expect(response.status).toBe(404);
  const html = await response.text();
  expect(html).toContain('<h1>Not found</h1>');
  expect(html).toContain(message.replace(/"/g, '&quot;'));
});

it('a missing object is shown inside the console, with the navigation intact', async () => {
  const errorsBefore = browser.consoleErrors.length;
  const response = await page.goto(`${base}/teams/no-such-team`);
  expect(response?.status()).toBe(404);
  await page.locator('.page-error h1', { hasText: 'Not found' }).waitFor();
  await expect(page.locator('.page-error').textContent()).resolves.toContain('No team "no-such-team".');
  expect(await page.locator('nav.sidebar a', { hasText: 'Incidents' }).count()).toBe(1);
  // Chromium logs the 404 document itself as a failed resource: expected here, and only here.
  browser.consoleErrors.splice(errorsBefore);
});
