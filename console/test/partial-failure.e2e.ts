// A provider failing never blanks a page: the console shows which capability failed beside what arrived.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { failing } from '../../gateway/test/doubles.ts';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { launchBrowser, screenshot, type TestBrowser } from './browser.ts';
import { failOnBrowserErrors, startConsoleInProcess } from './console-session.ts';

let gateway: RunningGateway;
let base: string;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  ({ gateway, base } = await startConsoleInProcess({
    // A second alerts instance that is down, and a deployments provider that is down altogether.
    env: { OPSORCH_ALERTS_PROVIDER: 'demo,eu=failing', OPSORCH_DEPLOYMENTS_PROVIDER: 'failing' },
    extraProviders: { failing },
  }));
  browser = await launchBrowser();
  page = await browser.newPage();
}, 240_000);

failOnBrowserErrors(() => browser);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

it('home shows the failed capabilities beside the partial data', async () => {
  const response = await page.goto(`${base}/`, { waitUntil: 'networkidle' });
  expect(response?.status()).toBe(200);
  const alerts = page.locator('section[aria-label="Firing alerts"]');
  await expect(alerts.locator('.problem').first().textContent()).resolves.toMatch(/alerts \(eu\) failed\s*PROVIDER_UNAVAILABLE/);
  // The healthy demo instance still answers beside it.
  expect(await alerts.locator('tbody tr').count()).toBeGreaterThan(5);
  const deploys = page.locator('section[aria-label="Recent deployments"]');
  await expect(deploys.locator('.problem').first().textContent()).resolves.toMatch(/deployments \(failing\) failed\s*PROVIDER_UNAVAILABLE/);
  // Incidents come from a healthy provider and are all there.
  expect(await page.locator('section[aria-label="Open incidents"] tbody tr').count()).toBe(4);
  await screenshot(page, 'partial-failure-home');
});

it('a service page keeps its catalog facts when its deployments and health fail', async () => {
  const response = await page.goto(`${base}/services/checkout`, { waitUntil: 'networkidle' });
  expect(response?.status()).toBe(200);
  await expect(page.locator('h1').textContent()).resolves.toContain('Checkout');
  await expect(page.locator('section[aria-label="Recent deployments"] .problem').first().textContent()).resolves.toContain('deployments (failing) failed');
  await screenshot(page, 'partial-failure-service');
  expect(browser.consoleErrors).toEqual([]);
});
