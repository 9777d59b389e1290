// The console end to end: `opsorch start` as its own process, real Chromium clicking through what an
// on-call engineer does. Every page leaves a screenshot in test-artifacts/console/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, type SpawnedServer } from '../../gateway/test/harness.ts';
import { screenshot, type TestBrowser } from './browser.ts';
import { CookieJar, openForToken, postForm } from './console-http.ts';
import { failOnBrowserErrors, startConsoleInBrowser, type ConsoleInBrowser } from './console-session.ts';

let session: ConsoleInBrowser;
let server: SpawnedServer;
let base: string;
let browser: TestBrowser;
let page: Page;

const open = (path: string) => session.open(path);

/** Waits for the notice a write leaves on the next page (a stale one from an earlier write does not count). */
async function flash(expected: string | RegExp): Promise<void> {
  await page.locator('.flash', { hasText: expected }).waitFor({ timeout: 10_000 });
}

/** Waits until `selector` shows `text` (client navigations render after the URL changes). */
async function shows(selector: string, text: string | RegExp): Promise<void> {
  await page.locator(selector, { hasText: text }).first().waitFor({ timeout: 10_000 });
}

beforeAll(async () => {
  session = await startConsoleInBrowser();
  ({ server, base, browser, page } = session);
}, 240_000);

afterAll(() => session?.stop());
failOnBrowserErrors(() => browser);

describe('the console in Chromium', { timeout: 60_000 }, () => {
  it('home shows open incidents, firing alerts, on-call, deploys and service health on first paint', async () => {
    await open('/');
    await expect(page.locator('h1').textContent()).resolves.toContain('What is going on');
    const sections = await page.locator('section h2').allTextContents();
    expect(sections.join(' | ')).toMatch(/Open incidents.*On call now.*Firing alerts.*Recent deployments.*Service health/i);
    expect(await page.locator('.health-grid .tile').count()).toBe(18);
    expect(await page.locator('a[href="/graphql"]').count()).toBeGreaterThan(0);
    await screenshot(page, 'home');
  });

  it('acting as a person, acknowledges an incident and sees it on its timeline', async () => {
    const people = await gql<{ users: { nodes: { id: string; name: string }[] } }>(server.url, '{ users(first: 200) { nodes { id name } } }');
    const ravi = people.data!.users.nodes.find((u) => u.name === 'Ravi Deshpande')!;
    await open('/you');
    await page.selectOption('select[name=email]', ravi.id);
    await page.getByRole('button', { name: 'Save' }).click();
    await flash(ravi.id);
    await screenshot(page, 'you');

    await open('/incidents');
    await screenshot(page, 'incidents');
    await page.getByRole('link', { name: 'orders-db connection pool saturated' }).click();
    await page.waitForURL(/\/incidents\/demo(:|%3A)/);
    await shows('h1', '#1043');
    await page.getByRole('button', { name: /Acknowledge/ }).click();
    await flash('Acknowledged #1043');
    await shows('.page-head .badge', /^acknowledged$/);
    await shows('.timeline li', 'Acknowledged by Ravi Deshpande');
    await screenshot(page, 'incident-acknowledged');
  });

  it('adds a note to the timeline', async () => {
    const note = `PgBouncer pool at 100%; pausing the nightly export (e2e ${Date.now()})`;
    await page.fill('textarea[name=body]', note);
    await page.getByRole('button', { name: 'Add note' }).click();
    await flash('Note added');
    await shows('.timeline li:first-child', note);
    await expect(page.locator('.timeline li').first().textContent()).resolves.toContain('Ravi Deshpande');
    await expect.poll(() => page.locator('textarea[name=body]').inputValue()).toBe('');
    await screenshot(page, 'incident-note');
  });

  it('creates a ticket prefilled from the incident', async () => {
    await page.getByRole('link', { name: /Create ticket/ }).click();
    await page.waitForURL(/\/tickets\/new\?incident=/);
    const title = 'Follow-up #1043: orders-db connection pool saturated';
    // The form renders after the URL changes: wait for it to be prefilled.
    await expect.poll(() => page.inputValue('input[name=title]'), { timeout: 15_000 }).toBe(title);
    await expect(page.inputValue('select[name=serviceId]')).resolves.toBe('orders-db');
    await screenshot(page, 'ticket-new');
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page.waitForURL(/\/tickets\/demo(:|%3A)/);
    await flash(/Created [A-Z]+-\d+/);
    await shows('h1', title);
    await shows('aside', '#1043');
    await screenshot(page, 'ticket');
    // And the incident lists it.
    await page.getByRole('link', { name: '#1043' }).click();
    await shows('section[aria-label=Tickets]', title);
  });

  it('silences an alert for a chosen duration', async () => {
    await open('/alerts');
    await screenshot(page, 'alerts');
    await page.getByRole('link', { name: 'PgBouncerPoolSaturated' }).click();
    await page.waitForURL(/\/alerts\/demo(:|%3A)/);
    await page.selectOption('select[name=duration]', '2h');
    await page.fill('input[name=comment]', 'known: INC #1043, pool raise in progress');
    await page.getByRole('button', { name: 'Silence', exact: true }).click();
    await flash('Silenced PgBouncerPoolSaturated until');
    await shows('.page-head .badge', /^silenced$/);
    await shows('.facts', 'known: INC #1043');
    await screenshot(page, 'alert-silenced');
  });

  it('opens the dependency graph and clicks through to a neighbour', async () => {
    await open('/services/checkout');
    await screenshot(page, 'service');
    await page.getByRole('link', { name: /Dependency graph/ }).first().click();
    await page.waitForURL(/\/services\/checkout\/graph/);
    const neighbour = page.locator('.react-flow__node[data-id="orders-db"]');
    await neighbour.waitFor();
    await screenshot(page, 'graph-checkout');
    await neighbour.click();
    await page.waitForURL(/\/services\/orders-db\/graph/);
    await shows('h1', 'orders-db');
    await page.locator('.react-flow__node[data-id="checkout"]').waitFor();
    // Depth control: three hops upstream reaches the web frontend through the gateway.
    await page.selectOption('select[name=direction]', 'DEPENDENTS');
    await page.selectOption('select[name=depth]', '3');
    await page.waitForURL(/depth=3/);
    await page.locator('.react-flow__node[data-id="web-frontend"]').waitFor();
    await screenshot(page, 'graph-orders-db');
  });

  it('starts a runbook run, watches steps progress live and completes a manual step', async () => {
    await open('/runbooks');
    await screenshot(page, 'runbooks');
    await page.getByRole('link', { name: 'Roll back a bad deploy' }).click();
    await page.waitForURL(/\/runbooks\//);
    await page.locator('.react-flow__node').first().waitFor();
    await screenshot(page, 'runbook');
    await page.getByRole('button', { name: /Start run/ }).click();
    await page.waitForURL(/\/runs\/demo(:|%3A)/);
    await flash('Run started');
    // The automated first step finishes on its own: the page refreshes its state without a reload.
    await page.locator('[data-step="confirm-regression"][data-status="SUCCEEDED"]').waitFor({ timeout: 15_000 });
    const manual = page.locator('[data-step="announce-rollback"]');
    await page.locator('[data-step="announce-rollback"][data-status="WAITING_FOR_INPUT"]').waitFor({ timeout: 15_000 });
    await screenshot(page, 'run-waiting');
    await manual.locator('textarea[name=note]').fill('Posted in #team-commerce and the status page');
    await manual.getByRole('button', { name: 'Mark done' }).click();
    await flash('Step announce-rollback succeeded');
    await page.locator('[data-step="announce-rollback"][data-status="SUCCEEDED"]', { hasText: 'Note from Ravi Deshpande: Posted in #team-commerce' }).waitFor();
    await screenshot(page, 'run-completed');
  });

  it('renders every other page with content and no browser errors', async () => {
    const pages: [string, string, RegExp][] = [
      ['/services', 'services', /Services/],
      ['/services?tier=TIER_1&q=pay', 'services-filtered', /Services/],
      ['/teams', 'teams', /Teams/],
      ['/teams/payments', 'team', /Payments/],
      ['/deployments', 'deployments', /Deployments/],
      ['/deployments?service=checkout&env=production', 'deployments-filtered', /Deployments/],
      ['/tickets', 'tickets', /Tickets/],
      ['/runs', 'runs', /runs/i],
      ['/incidents?f=1&status=RESOLVED', 'incidents-resolved', /Incidents/],
    ];
    for (const [path, name, heading] of pages) {
      await open(path);
      await expect(page.locator('h1').textContent(), path).resolves.toMatch(heading);
      expect(await page.locator('table tbody tr').count(), `${path} lists something`).toBeGreaterThan(0);
      await screenshot(page, name);
    }
    const errorsBefore = browser.consoleErrors.length;
    const missing = await page.goto(`${base}/incidents/demo:NOPE`);
    expect(missing?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toBe('Not found');
    await expect(page.locator('.page-error').textContent()).resolves.toContain('No incident "demo:NOPE"');
    await screenshot(page, 'not-found');
    // Chromium logs the 404 document itself as a failed resource: expected here, and only here.
    browser.consoleErrors.splice(errorsBefore);
  }, 60_000);

  it('keyboard: g i goes to incidents, j and Enter open the first one', async () => {
    await open('/');
    await page.locator('html[data-shortcuts=on]').waitFor();
    await page.keyboard.press('g');
    await page.keyboard.press('i');
    await page.waitForURL(/\/incidents$/, { timeout: 15_000 });
    await shows('h1', 'Incidents');
    await page.keyboard.press('j');
    await page.locator('tr.cursor').waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/incidents\/demo/, { timeout: 15_000 });
    await page.keyboard.press('?');
    await page.locator('.help-overlay').waitFor();
    await screenshot(page, 'shortcuts');
  }, 60_000);

  it('logged no browser error on any page', () => {
    expect(browser.consoleErrors).toEqual([]);
  });
});

describe('writes without JavaScript', () => {
  it('a plain form post adds a note, and a bad one answers 400 with what to fix', async () => {
    const id = 'demo:Q5TJ2NB';
    // As a browser without JavaScript: the page first (its CSRF cookie and token), then the form.
    const jar = new CookieJar();
    const csrf = await openForToken(base, `/incidents/${encodeURIComponent(id)}`, jar);
    const post = (body: Record<string, string>) => postForm(base, `/incidents/${encodeURIComponent(id)}`, { ...body, csrf }, { jar });
    const empty = await post({ intent: 'note', body: '   ', idempotencyKey: 'nojs-1' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Write the note first.');
    const ok = await post({ intent: 'note', body: 'Stripe confirmed the incident on their status page', idempotencyKey: 'nojs-2' });
    expect(ok.status).toBe(302);
    const html = await (await fetch(`${base}/incidents/${encodeURIComponent(id)}`)).text();
    expect(html).toContain('Stripe confirmed the incident on their status page');
  });
});
