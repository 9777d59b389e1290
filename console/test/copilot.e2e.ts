// The copilot panel in real Chromium against `opsorch start`: opened from an incident's "Investigate" button
// and with the `.` key, streaming its plan and tool calls, evidence links into the explorers, approvals, history.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from './browser.ts';
import { startConsoleInBrowser, type ConsoleInBrowser } from './console-session.ts';

let session: ConsoleInBrowser;
let page: Page;

beforeAll(async () => {
  session = await startConsoleInBrowser();
  page = session.page;
}, 240_000);

afterAll(() => session?.stop());

const panel = () => page.locator('aside.copilot-panel');

describe('the copilot panel', { timeout: 90_000 }, () => {
  it('investigates an incident from its page: the plan and tool calls stream, findings link to their evidence', async () => {
    await session.open('/incidents/demo%3AQ3VW8TR');
    await page.getByRole('button', { name: 'Investigate' }).click();
    await panel().locator('.copilot-question', { hasText: 'What is causing #1042?' }).waitFor();
    // The plan shows up while the checks run, then the answer.
    await panel().locator('.copilot-plan li').first().waitFor();
    const answer = panel().locator('.copilot-answer');
    await answer.waitFor({ timeout: 60_000 });
    await expect(answer.textContent()).resolves.toMatch(/Most likely cause:.*2\.14\.0/);
    expect(await panel().locator('.copilot-plan li[data-status="done"]').count()).toBeGreaterThan(3);
    const calls = panel().locator('details.copilot-calls');
    await expect(calls.locator('summary').first().textContent()).resolves.toMatch(/^\d+ tool calls$/);
    await calls.locator('summary').first().click();
    const warRoom = calls.locator('li', { has: page.locator('summary', { hasText: 'get_incident_war_room' }) });
    await warRoom.locator('summary').click();
    await expect(warRoom.locator('pre.copilot-args').textContent()).resolves.toContain('demo:Q3VW8TR');
    expect(await panel().locator('.copilot-finding').count()).toBeGreaterThan(1);
    // The panel covers the page under it: the incident's charts and log lines (positioned, painted later) stay below.
    const box = (await panel().boundingBox())!;
    const covered = await page.evaluate(
      `[0.1, 0.3, 0.5, 0.7, 0.9].flatMap((fy) => [0.05, 0.25, 0.5].map((fx) => {
        const hit = document.elementFromPoint(${box.x} + ${box.width} * fx, ${box.y} + ${box.height} * fy);
        return hit && !hit.closest('.copilot-panel') ? hit.tagName + '.' + hit.className : null;
      })).filter(Boolean)`,
    );
    expect(covered, 'page elements drawn over the copilot panel').toEqual([]);
    await screenshot(page, 'copilot-incident');

    // Evidence opens the right console view: the log explorer with the query and range.
    const logLink = panel().locator('.copilot-evidence', { has: page.locator('.copilot-kind', { hasText: 'log' }) }).locator('a').first();
    const href = await logLink.getAttribute('href');
    expect(href).toMatch(/^\/explore\/logs\?service=checkout&q=.+&from=.+&to=.+/);
    await logLink.click();
    await page.waitForURL(/\/explore\/logs\?service=checkout/);
    await page.locator('h1', { hasText: 'Logs' }).waitFor();
  });

  it('opens with the `.` key on a service page, asks about it, and proposes writes that a person approves', async () => {
    await session.open('/incidents/demo%3AQ8MZ4KD');
    await page.keyboard.press('.');
    const input = panel().getByLabel('Question for the copilot');
    await input.waitFor();
    await expect(input.inputValue()).resolves.toBe('What is causing this incident?');
    await page.keyboard.press('Enter');
    await panel().locator('.copilot-answer').waitFor({ timeout: 60_000 });
    await expect(panel().locator('.copilot-answer').textContent()).resolves.toMatch(/orders-db is saturated/);
    const card = panel().locator('.copilot-approval', { hasText: 'acknowledge_incident' });
    await expect(card.locator('pre').textContent()).resolves.toContain('demo:Q8MZ4KD');
    await card.getByRole('button', { name: 'Approve and run as me' }).click();
    await panel().locator('.copilot-approval[data-status="executed"]', { hasText: 'acknowledge_incident' }).waitFor();
    await screenshot(page, 'copilot-approval');
    page.once('dialog', (dialog) => void dialog.accept('handled by hand'));
    await panel().locator('.copilot-approval', { hasText: 'start_runbook_run' }).getByRole('button', { name: 'Reject' }).click();
    await panel().locator('.copilot-approval[data-status="rejected"]', { hasText: 'handled by hand' }).waitFor();
    // The write happened, as the copilot for the person at the keyboard.
    await page.keyboard.press('Escape');
    await session.open('/incidents/demo%3AQ8MZ4KD');
    await page.locator('.badge', { hasText: /acknowledged/i }).first().waitFor();
  });

  it('keeps a history of conversations to search and reopen', async () => {
    await session.open('/services/checkout');
    await page.keyboard.press('.');
    await panel().getByRole('button', { name: 'History' }).click();
    const items = panel().locator('.copilot-history li');
    await items.nth(1).waitFor();
    await panel().getByLabel('Search conversations').fill('1042');
    await expect.poll(() => items.count()).toBe(1);
    await items.first().getByRole('button').click();
    await panel().locator('.copilot-answer', { hasText: '2.14.0' }).waitFor();
    expect(session.browser.consoleErrors).toEqual([]);
  });
});
