// The console's log and metric explorers in real Chromium on the Datadog adapter (gateway and console in this
// process, Datadog as its contract fake): a search, paging to older lines by Datadog's cursor, and a chart.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../../console/test/browser.ts';
import { failOnBrowserErrors, startConsoleInProcess } from '../../console/test/console-session.ts';
import { sampleWorld, startFakeDatadog, type RunningFakeDatadog } from './fake-datadog.ts';

let fake: RunningFakeDatadog;
let gateway: RunningGateway;
let base: string;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  fake = await startFakeDatadog(sampleWorld(Date.now(), { logLines: 900 }));
  const config = JSON.stringify({ url: fake.url, apiKey: 'secret://env/DD_API_KEY', applicationKey: 'secret://env/DD_APP_KEY' });
  const env = Object.fromEntries(['LOGS', 'METRICS', 'SERVICES'].flatMap((c) => [[`OPSORCH_${c}_PROVIDER`, 'dd=datadog'], [`OPSORCH_${c}_CONFIG`, config]]));
  ({ gateway, base } = await startConsoleInProcess({ env: { ...env, DD_API_KEY: 'explorer-api-key', DD_APP_KEY: 'explorer-app-key' } }));
  browser = await launchBrowser();
  page = await browser.newPage();
}, 240_000);

failOnBrowserErrors(() => browser);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await fake?.close();
});

const lineCount = async () => Number(await page.locator('[data-line-count]').getAttribute('data-line-count'));

it('searches Datadog logs, pages to older lines by its cursor, and charts a Datadog metric', async () => {
  const logs = await page.goto(`${base}/explore/logs?service=cart&from=now-1h&limit=100&level=ERROR&level=INFO`, { waitUntil: 'networkidle' });
  expect(logs?.status()).toBe(200);
  await page.locator('.log-row').first().waitFor();
  expect(await page.locator('[data-chart=stacked-bars] canvas').count()).toBeGreaterThan(0);
  expect(await lineCount()).toBe(100);
  const levels = new Set(await page.locator('.log-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-level'))));
  expect([...levels].every((l) => l === 'ERROR' || l === 'INFO')).toBe(true);
  const matching = fake.world.logs.filter((l) => l.service === 'cart' && ['error', 'info', 'notice', 'ok'].includes(l.status)).length;
  await page.locator('[data-older]').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-line-count]')?.getAttribute('data-line-count')) > 100);
  expect(await lineCount()).toBe(matching);
  const searches = fake.requests().filter((r) => r.route === 'POST /api/v2/logs/events/search').map((r) => r.body as { filter: { query: string }; page: { cursor?: string } });
  expect(searches.some((s) => s.page.cursor !== undefined && s.filter.query === 'service:"cart" status:("error" OR "info" OR "notice" OR "ok")')).toBe(true);
  await screenshot(page, 'datadog-explorer-logs');

  const metrics = await page.goto(`${base}/explore/metrics?metric=system.cpu.user&service=checkout&from=now-6h`, { waitUntil: 'networkidle' });
  expect(metrics?.status()).toBe(200);
  await page.locator('section[aria-label=Chart] canvas').first().waitFor();
  // Production and staging of checkout, 720 thirty-second points each over six hours.
  await expect(page.locator('section[aria-label=Chart] .section-actions').textContent()).resolves.toMatch(/step 30s .*2 series · 1,440 points/);
  const asked = fake.requests().filter((r) => r.route === 'POST /api/v2/query/timeseries').at(-1)!.body as { data: { attributes: { queries: { query: string }[] } } };
  expect(asked.data.attributes.queries[0]!.query).toBe('avg:system.cpu.user{service:checkout} by {service,env}');
  await screenshot(page, 'datadog-explorer-metrics');
}, 120_000);
