// The console against the vendors' contract fakes (the sandbox world of `npm run start:sandbox`), in Chromium: what
// an on-call engineer sees of a PagerDuty incident, a GitHub issue they comment on, and a GitHub Actions run waiting
// for a production approval.
// Every request the adapters send is checked against the vendor's published API.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_INCIDENT, SANDBOX_WAITING_RUN_ID, startSandboxWorld, type SandboxWorld } from '../../adapters/examples/sandbox-world.ts';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { launchBrowser, screenshot, type TestBrowser } from './browser.ts';
import { failOnBrowserErrors, startConsoleInProcess } from './console-session.ts';

let world: SandboxWorld;
let gateway: RunningGateway;
let base: string;
let browser: TestBrowser;
let page: Page;

async function open(path: string): Promise<void> {
  const response = await page.goto(base + path, { waitUntil: 'networkidle' });
  expect(response?.status(), `GET ${path}`).toBe(200);
}

beforeAll(async () => {
  world = await startSandboxWorld();
  [{ gateway, base }, browser] = await Promise.all([startConsoleInProcess({ env: world.env }), launchBrowser()]);
  page = await browser.newPage();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await world?.close();
});

afterEach(() => {
  const violations = Object.entries(world.fakes).flatMap(([vendor, fake]) => fake.violations.splice(0).map((v) => `${vendor}: ${v}`));
  expect(violations, 'requests or answers the vendors\' published APIs refuse').toEqual([]);
});
failOnBrowserErrors(() => browser);

describe('the console against the vendors', { timeout: 60_000 }, () => {
  it('shows a PagerDuty incident with its log as the timeline, who acted, and a link to the incident in PagerDuty', async () => {
    await open(`/incidents/${encodeURIComponent(SANDBOX_INCIDENT)}`);
    await expect(page.locator('h1').textContent()).resolves.toContain('#2041 Checkout 5xx above 5% after v3.2.0');
    const deepLink = page.getByRole('link', { name: /Open in PagerDuty/ });
    await expect(deepLink.getAttribute('href')).resolves.toBe('https://acme-shop.pagerduty.com/incidents/Q1CHK5XX');
    const entries = await page.locator('#timeline ol.timeline > li').allTextContents();
    // Newest first: the responder's note, the acknowledgement, the page, the trigger, each saying who acted.
    expect(entries.map((e) => e.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/note.*Errors started with the v3\.2\.0 rollout; rolling back\. — Maya Patel/),
      expect.stringMatching(/acknowledged.*Acknowledged by Maya Patel — Maya Patel/),
      expect.stringMatching(/Notified Maya Patel by push notification/),
      expect.stringMatching(/triggered.*Triggered through the API/),
    ]);
    await screenshot(page, 'vendors-pagerduty-incident');
  });

  it('comments on a GitHub issue, whose id holds a `#`, and shows the comment GitHub now lists', async () => {
    await open(`/tickets/${encodeURIComponent('gh:acme-shop/checkout#231')}`);
    await page.locator('textarea[name=body]').fill('Retry lands in v3.2.1');
    await page.getByRole('button', { name: 'Comment' }).click();
    await page.locator('.flash', { hasText: 'Commented on acme-shop/checkout#231' }).waitFor({ timeout: 10_000 });
    await page.locator('#comments', { hasText: 'Retry lands in v3.2.1' }).waitFor({ timeout: 10_000 });
  });

  it('shows the approval step of a GitHub Actions run with the environment it approves', async () => {
    await open(`/runs/${encodeURIComponent(SANDBOX_WAITING_RUN_ID)}`);
    const approval = page.locator('li[data-status="WAITING_FOR_INPUT"]');
    await expect(approval.locator('.step-environment').textContent()).resolves.toBe('approves production');
    await expect(approval.getByRole('button', { name: 'Approve production' }).isEnabled()).resolves.toBe(true);
    await expect(page.getByRole('link', { name: /Open in GitHub/ }).getAttribute('href')).resolves.toBe('https://github.com/acme-shop/checkout/actions/runs/401');
    await screenshot(page, 'vendors-github-run');
  });
});
