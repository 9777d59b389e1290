// The console's log explorer in real Chromium on Loki (the fake of fake-loki.ts): a query reaches Loki as LogQL,
// its lines show, and paging to older lines continues by cursor without gap or repeat.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { launchBrowser, type TestBrowser } from '../../console/test/browser.ts';
import { failOnBrowserErrors, startConsoleInProcess } from '../../console/test/console-session.ts';
import { startFakeLoki, type FakeLoki, type FakeStream } from './fake-loki.ts';

const NOW = Date.now();
const LINES = 450;
const stream: FakeStream = { labels: { service_name: 'checkout', env: 'production', pod: 'checkout-7' }, entries: [] };
for (let i = 0; i < LINES; i++) {
  // Two lines per millisecond, over the last 15 minutes.
  const ms = NOW - 900_000 + Math.floor(i / 2) * 3_000;
  stream.entries.push([BigInt(ms) * 1_000_000n + BigInt(i % 2), JSON.stringify({ level: i % 10 === 0 ? 'error' : 'info', message: `loki line ${i}`, http: { status: i % 10 === 0 ? 500 : 200 } })]);
}

let loki: FakeLoki;
let gateway: RunningGateway;
let base: string;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  loki = await startFakeLoki([stream]);
  ({ gateway, base } = await startConsoleInProcess({
    env: { OPSORCH_LOGS_PROVIDER: 'lk=loki', OPSORCH_LOGS_CONFIG: JSON.stringify({ url: loki.fake.url, catalogSystem: 'prometheus', grafanaUrl: 'https://grafana.example' }) },
  }));
  browser = await launchBrowser();
  page = await browser.newPage();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await loki?.close();
});
failOnBrowserErrors(() => browser);

describe('the log explorer on Loki', () => {
  it('shows the lines of a query and pages to older ones', async () => {
    const response = await page.goto(`${base}/explore/logs?service=checkout&from=now-30m&limit=200&q=${encodeURIComponent('http.status=500')}`, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    await page.locator('.log-row').first().waitFor();
    // The filter ran in Loki: every line shown is one of the 45 error lines, newest first.
    const messages = async () => page.locator('.log-row').evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));
    await page.waitForFunction(() => Number(document.querySelector('[data-line-count]')?.getAttribute('data-line-count')) === 45);
    expect((await messages()).every((m) => /loki line \d*0\b/.test(m))).toBe(true);
    const sent = loki.fake.requests.filter((r) => r.route === 'GET /loki/api/v1/query_range').map((r) => r.query.get('query'));
    expect(sent).toContain('{service_name="checkout"} | json | http_status="500"');

    // Every line, 200 at a time: the older pages continue where the first ended.
    await page.goto(`${base}/explore/logs?service=checkout&from=now-30m&limit=200`, { waitUntil: 'networkidle' });
    await page.waitForFunction(() => Number(document.querySelector('[data-line-count]')?.getAttribute('data-line-count')) === 200);
    await page.locator('[data-older]').click();
    // The rest of the range, in one more page: every line once.
    await page.waitForFunction((n) => Number(document.querySelector('[data-line-count]')?.getAttribute('data-line-count')) === n, LINES);
    const numbers = (await messages()).map((m) => Number(/loki line (\d+)/.exec(m)?.[1]));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.slice(0, 4)).toEqual([LINES - 1, LINES - 2, LINES - 3, LINES - 4]);
    const pages = loki.fake.requests.filter((r) => r.route === 'GET /loki/api/v1/query_range' && r.query.get('query') === '{service_name="checkout"}');
    expect(pages.length).toBeGreaterThanOrEqual(2);
  });
});
