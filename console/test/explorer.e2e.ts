// The log and metric explorers end to end: `opsorch start` as its own process, real Chromium doing what an
// on-call engineer does with them. Screenshots land in test-artifacts/console/explorer-*.png.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, type TestBrowser } from './browser.ts';
import { failOnBrowserErrors, startConsoleInBrowser, type ConsoleInBrowser } from './console-session.ts';

let session: ConsoleInBrowser;
let base: string;
let browser: TestBrowser;
let page: Page;

const open = (path: string) => session.open(path);

const params = () => new URL(page.url()).searchParams;
const lineCount = async () => Number(await page.locator('[data-line-count]').getAttribute('data-line-count'));
const visibleLevels = async () => new Set(await page.locator('.log-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-level'))));

/** The value of a field in the first expanded line. */
async function fieldOfOpenLine(name: string): Promise<string | null> {
  const row = page.locator('.log-row.open .log-fields tr', { has: page.locator('th', { hasText: new RegExp(`^${name.replace('.', '\\.')}$`) }) });
  return (await row.count()) ? (await row.locator('td.mono').textContent()) : null;
}

beforeAll(async () => {
  session = await startConsoleInBrowser();
  ({ base, browser, page } = session);
  // A step that hangs fails naming itself and what it waited for, before the test's own timeout says only that it ran out.
  page.setDefaultTimeout(20_000);
}, 240_000);

afterAll(() => session?.stop());
failOnBrowserErrors(() => browser);

describe('the log explorer', () => {
  it('shows the volume by level above the newest lines, and filters by level', async () => {
    await open('/explore/logs?service=checkout&from=now-15m');
    await page.locator('[data-chart=stacked-bars] canvas').first().waitFor();
    expect(await lineCount()).toBe(500);
    await expect(page.locator('.chart-legend').textContent()).resolves.toMatch(/error.*warn.*info/);
    // Both short charts label a value above zero, so the bars and the error share have a scale.
    for (const chart of ['[data-chart=stacked-bars]', '.error-share-chart [data-chart=lines]']) {
      const ticks = (await page.locator(chart).getAttribute('data-y-ticks'))?.split(' | ') ?? [];
      expect(ticks.length, `${chart}: ${ticks.join(', ')}`).toBeGreaterThanOrEqual(2);
      expect(ticks[0]).toMatch(/^0/);
    }
    await page.locator('.level-toggle', { hasText: 'error' }).click();
    await page.waitForURL(/level=ERROR/);
    // The URL changes before the filtered page renders: wait for the rows themselves.
    await expect.poll(visibleLevels, { timeout: 15_000 }).toEqual(new Set(['ERROR']));
    await screenshot(page, 'explorer-logs-errors');
  });

  it('filters by a field typed in the query bar, with value suggestions', async () => {
    await open('/explore/logs?service=checkout&from=now-15m');
    const bar = page.getByLabel('Log query');
    await bar.click();
    await bar.pressSequentially('http.status=5');
    const suggestion = page.locator('#query-suggestions button', { hasText: /^500/ });
    await suggestion.waitFor();
    await screenshot(page, 'explorer-logs-suggestions');
    await suggestion.click();
    await expect(bar.inputValue()).resolves.toBe('http.status=500 ');
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.waitForURL((url) => url.searchParams.get('q')?.trim() === 'http.status=500');
    await page.locator('.filter-chip', { hasText: 'http.status = 500' }).waitFor();
    await page.locator('.log-line').first().click();
    expect(await fieldOfOpenLine('http.status')).toBe('500');
    expect(await visibleLevels()).toEqual(new Set(['ERROR']));
  });

  it('expands a line and adds a filter from its fields, then excludes a value', async () => {
    await open('/explore/logs?service=checkout&from=now-15m');
    await page.locator('.log-line').first().click();
    const pod = await fieldOfOpenLine('pod');
    expect(pod).toMatch(/^checkout-/);
    await screenshot(page, 'explorer-logs-expanded');
    await page.getByRole('button', { name: `Filter for pod = ${pod}` }).click();
    await page.waitForURL((url) => url.searchParams.get('q') === `pod=${pod}`);
    await page.locator('.filter-chip', { hasText: `pod = ${pod}` }).waitFor();
    // Every line now comes from that pod: open a few and look.
    for (const i of [0, 5, 12]) {
      await page.locator('.log-line').nth(i).click();
      expect(await fieldOfOpenLine('pod')).toBe(pod);
      await page.locator('.log-row.open .log-line').first().click();
    }
    // The − button excludes a value and replaces the opposite filter.
    await page.locator('.log-line').first().click();
    await page.getByRole('button', { name: `Filter out pod = ${pod}` }).click();
    await page.waitForURL((url) => url.searchParams.get('q') === `pod!=${pod}`);
    // The chip renders with the new page's lines (the URL changes first).
    await page.locator('.filter-chip', { hasText: `pod != ${pod}` }).waitFor();
    await page.locator('.log-line').first().click();
    expect(await fieldOfOpenLine('pod')).not.toBe(pod);
  }, 90_000);

  it('pages to older lines by cursor, in either order', async () => {
    await open('/explore/logs?service=payments-api&from=now-30m&limit=200');
    const lastTime = async () => page.locator('.log-row').last().locator('.log-time').getAttribute('title');
    const firstPageEnd = await page.evaluate(() => {
      const list = document.querySelector('[data-log-list]')!;
      list.scrollTop = list.scrollHeight;
      return null;
    });
    void firstPageEnd;
    await page.waitForTimeout(100);
    const before = await lastTime();
    await page.locator('[data-older]').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-line-count]')?.getAttribute('data-line-count')) > 200);
    expect(await lineCount()).toBe(700);
    await page.evaluate(() => {
      const list = document.querySelector('[data-log-list]')!;
      list.scrollTop = list.scrollHeight;
    });
    await page.waitForTimeout(100);
    expect(Date.parse((await lastTime())!)).toBeLessThan(Date.parse(before!));
    // Oldest first starts at the beginning of the range.
    await page.selectOption('select[name=order]', 'oldest');
    await page.waitForURL(/order=oldest/);
    // The first line is now from the start of the 30-minute range (rendered once the navigation commits).
    await page.waitForFunction(
      (bound) => Date.parse(document.querySelector('.log-time')?.getAttribute('title') ?? '') < bound,
      Date.parse(before!) - 20 * 60_000,
    );
    const times = await page.locator('.log-time').evaluateAll((els) => els.slice(0, 20).map((e) => e.getAttribute('title')!));
    expect([...times].sort()).toEqual(times);
  });

  it('live tail shows new lines, highlighted, and pauses and resumes', async () => {
    await open('/explore/logs?service=checkout&from=now-2m&limit=200');
    const before = await lineCount();
    await page.locator('[data-live=start]').click();
    await page.locator('.log-fresh').first().waitFor({ timeout: 15_000 });
    expect(await lineCount()).toBeGreaterThan(before);
    await screenshot(page, 'explorer-logs-live');
    const newest = await page.locator('.log-row').first().locator('.log-time').getAttribute('title');
    await page.locator('[data-live=pause]').click();
    const paused = await lineCount();
    await page.waitForTimeout(4_500);
    expect(await lineCount()).toBe(paused);
    await page.locator('[data-live=resume]').click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-line-count]')?.getAttribute('data-line-count')) > n, paused, { timeout: 15_000 });
    expect(Date.parse((await page.locator('.log-row').first().locator('.log-time').getAttribute('title'))!)).toBeGreaterThan(Date.parse(newest!));
  }, 90_000);

  it('reads levels, order and service from the URL whatever their case, as people type them', async () => {
    await open('/explore/logs?service=Checkout&level=error&order=Oldest&from=now-15m');
    await page.locator('.log-row').first().waitFor();
    expect(await visibleLevels()).toEqual(new Set(['ERROR']));
    expect(await page.locator('.level-toggle', { hasText: 'error' }).locator('input').isChecked()).toBe(true);
    expect(await page.locator('select[name=order]').inputValue()).toBe('oldest');
    expect(new Set(await page.locator('.log-service').allTextContents())).toEqual(new Set(['checkout']));
  });

  it('names the level of an opened line, with the tool\'s own spelling beside it', async () => {
    // checkout logs as pino does: level 50 is an error.
    await open('/explore/logs?service=checkout&level=ERROR&from=now-15m');
    await page.locator('.log-line').first().click();
    expect(await fieldOfOpenLine('level')).toBe('error (50)');
  });

  it('counts the fields of the lines the query found', async () => {
    await open('/explore/logs?service=checkout&from=now-15m');
    const field = page.locator('.log-fields-panel li', { has: page.locator('.field-name', { hasText: /^http\.status\b/ }) });
    const statuses = () => field.locator('.field-value').allTextContents();
    await field.waitFor();
    expect((await statuses()).length).toBeGreaterThan(1);
    await open(`/explore/logs?service=checkout&from=now-15m&q=${encodeURIComponent('http.status=500')}`);
    await field.waitFor();
    expect(await statuses()).toEqual(['500']);
    expect(await page.locator('.log-fields-panel [data-fields-of]').getAttribute('data-fields-of')).toBe(String(await lineCount()));
    // The levels count too: the access-log lines among the errors are all 5xx.
    await open('/explore/logs?service=checkout&level=ERROR&from=now-15m');
    await page.locator('.log-row').first().waitFor();
    expect((await statuses()).every((s) => s.startsWith('5'))).toBe(true);
  });

  it('shows how many lines are errors, and their share over time, in the default view', async () => {
    await open('/explore/logs');
    const errors = page.locator('.explorer-volume .error-share');
    await errors.waitFor();
    expect(Number(await errors.getAttribute('data-errors'))).toBeGreaterThan(0);
    await expect(errors.textContent()).resolves.toMatch(/^[\d,]+ errors \(\d+(\.\d+)?%\)$/);
    await page.locator('[data-chart-of="error share"] canvas').first().waitFor();
    await screenshot(page, 'explorer-logs-default');
    await errors.click();
    await page.waitForURL((url) => url.searchParams.getAll('level').join() === 'ERROR,FATAL');
    await page.locator('.log-row').first().waitFor();
    for (const level of await visibleLevels()) expect(['ERROR', 'FATAL']).toContain(level);
  });

  it('copies a link to the exact query and range, and downloads the lines as NDJSON', async () => {
    await open('/explore/logs?service=orders-db&from=now-10m&q=' + encodeURIComponent('db.table=orders'));
    await page.getByRole('button', { name: 'Copy link' }).click();
    const link = new URL(await page.getByLabel('Link to this query').inputValue());
    expect(link.pathname).toBe('/explore/logs');
    expect(link.searchParams.get('q')).toBe('db.table=orders');
    expect(link.searchParams.get('from')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.parse(link.searchParams.get('to')!) - Date.parse(link.searchParams.get('from')!)).toBe(10 * 60_000);
    const href = await page.locator('a', { hasText: 'Download NDJSON' }).getAttribute('href');
    const response = await page.request.get(base + href!.replace('limit=10000', 'limit=700'));
    expect(response.headers()['content-type']).toContain('application/x-ndjson');
    expect(response.headers()['content-disposition']).toMatch(/attachment; filename="opsorch-logs-orders-db-/);
    const records = (await response.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(records.length).toBeGreaterThan(100);
    expect(records.length).toBeLessThanOrEqual(700);
    for (const r of records) {
      expect(r.service).toBe('orders-db');
      expect(r.fields['db.table']).toBe('orders');
    }
  });
});

describe('the metric explorer', () => {
  it('picks a metric from the catalog, changes the range, zooms by dragging and shows deploy markers', async () => {
    await open('/explore/metrics?service=checkout');
    await expect(page.locator('section[aria-label="Metric catalog"] tbody tr').count()).resolves.toBeGreaterThan(10);
    await page.getByRole('combobox', { name: 'Metric' }).click();
    await page.getByRole('combobox', { name: 'Metric' }).pressSequentially('latency');
    await page.locator('#metric-options button', { hasText: 'http_request_duration_seconds' }).click();
    await page.waitForURL(/metric=http_request_duration_seconds/);
    await page.locator('.time-chart canvas').first().waitFor();
    await page.locator('[data-step="5s"]').waitFor();

    await page.locator('.presets summary').click();
    await page.getByRole('link', { name: 'Last 24 hours' }).click();
    await page.waitForURL((url) => url.searchParams.get('from') === 'now-24h');
    await page.locator('[data-step="2m"]').waitFor();
    // The deploy of checkout 2.14.0 just before the incident is on the axis, and listed.
    await page.locator('.marker-list .marker-deploy', { hasText: '2.14.0' }).waitFor();
    await page.locator('.marker-list .marker-incident', { hasText: '#1042' }).waitFor();
    await screenshot(page, 'explorer-metrics-24h');

    // Hovering the marker shows what it is.
    const deployAt = Date.parse((await page.locator('.marker-list .marker-deploy', { hasText: '2.14.0' }).locator('time').getAttribute('dateTime'))!);
    const over = page.locator('.u-over').first();
    const box = (await over.boundingBox())!;
    const from = Date.parse(params().get('from') === 'now-24h' ? new Date(Date.now() - 86_400_000).toISOString() : params().get('from')!);
    const x = box.x + ((deployAt - from) / 86_400_000) * box.width;
    await page.mouse.move(x, box.y + box.height / 2);
    await page.locator('.chart-tooltip-marker', { hasText: 'Deploy checkout' }).waitFor();
    await screenshot(page, 'explorer-metrics-marker');

    // Drag across the last quarter of the chart: the range becomes that window, absolute.
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 8 });
    await page.mouse.move(box.x + box.width * 0.95, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.waitForURL((url) => /^\d{4}-/.test(url.searchParams.get('from') ?? ''));
    const zoomed = Date.parse(params().get('to')!) - Date.parse(params().get('from')!);
    expect(zoomed).toBeGreaterThan(0.2 * 86_400_000);
    expect(zoomed).toBeLessThan(0.3 * 86_400_000);
    await page.locator('.time-chart canvas').first().waitFor();
    await screenshot(page, 'explorer-metrics-zoomed');

    // Zoom out: twice as wide around the same middle.
    await page.locator('[data-zoom-out]').click();
    await page.waitForURL((url) => Math.abs(Date.parse(url.searchParams.get('to')!) - Date.parse(url.searchParams.get('from')!) - 2 * zoomed) < 5_000);
  }, 90_000);

  it('filters by a label, groups by it, and says when an asked step was raised', async () => {
    await open('/explore/metrics?metric=http_requests_total&service=checkout&env=production&from=now-7d&step=1m&points=1000');
    await expect(page.locator('[data-step]').textContent()).resolves.toMatch(/step 15m \(raised from 1m to stay within/);
    const points = await page.locator('section[aria-label=Chart] .section-actions').textContent();
    expect(points).toMatch(/1 series · 672 points/);
    await page.getByRole('button', { name: '+ Label filter' }).click();
    await page.getByLabel('Label', { exact: true }).selectOption('code');
    await page.getByLabel('Value').fill('500');
    // Grouping by route submits the form, label filter included.
    await page.locator('.group-by label', { hasText: 'route' }).click();
    await page.waitForURL((url) => url.searchParams.getAll('by').includes('route') && url.searchParams.getAll('m').includes('code=500'));
    await page.locator('.promql code', { hasText: 'code="500"' }).waitFor();
    expect(await page.locator('.series-stats tbody tr').count()).toBeGreaterThan(2);
    await screenshot(page, 'explorer-metrics-grouped');
  });

  it('keeps the range and the service between the logs and metrics pages', async () => {
    await open('/explore/metrics?metric=error_ratio&service=orders-db&from=now-6h');
    await page.locator('[data-link=logs]').click();
    await page.waitForURL(/\/explore\/logs\?/);
    expect(params().get('from')).toBe('now-6h');
    expect(params().get('service')).toBe('orders-db');
    await page.locator('.log-row').first().waitFor();
    await page.locator('[data-link=metrics]').click();
    await page.waitForURL(/\/explore\/metrics\?/);
    expect(params().get('from')).toBe('now-6h');
    expect(params().get('service')).toBe('orders-db');
  });
});

/** Hue (0-360) of a CSS colour such as `rgb(90, 162, 232)`. */
function hueOf(color: string): number {
  const [r, g, b] = color.match(/\d+/g)!.slice(0, 3).map((n) => Number(n) / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return 0;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

/** The legend as drawn: label and swatch colour of each entry. */
const legend = () =>
  page.locator('.chart-legend .legend-item').evaluateAll((items) =>
    items.map((item) => ({ label: item.textContent!.trim(), color: getComputedStyle(item.querySelector('.swatch')!).backgroundColor, focused: item.classList.contains('focused') })),
  );

describe('charts', () => {
  it('keep status codes in their colours: 2xx blue or green, 4xx amber, 5xx red', async () => {
    await open('/explore/metrics?metric=http_requests_total&agg=RATE&by=code&service=checkout&from=now-6h');
    await page.locator('.time-chart canvas').first().waitFor();
    const entries = await legend();
    expect(entries.map((e) => e.label)).toEqual(['200', '404', '500']);
    const hue = Object.fromEntries(entries.map((e) => [e.label, hueOf(e.color)]));
    expect(hue['200']).toBeGreaterThan(90);
    expect(hue['200']).toBeLessThan(250);
    expect(hue['404']).toBeGreaterThan(25);
    expect(hue['404']).toBeLessThan(60);
    expect(hue['500'] < 15 || hue['500'] > 345, `500 is red (hue ${hue['500']})`).toBe(true);
    // The table under the chart uses the same colours.
    const swatches = await page.locator('.series-stats tbody .swatch').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    expect(swatches).toEqual(entries.map((e) => e.color));
  });

  it('draw the biggest series and one "other" past eight series of a sum, and list them all below', async () => {
    await open('/explore/metrics?metric=http_requests_total&agg=RATE&by=service&from=now-1h');
    await page.locator('.time-chart canvas').first().waitFor();
    const entries = await legend();
    expect(entries).toHaveLength(8);
    expect(entries.at(-1)!.label).toMatch(/^other \(\d+ series\)$/);
    const rows = await page.locator('.series-stats tbody tr').count();
    expect(entries.at(-1)!.label).toBe(`other (${rows - 7} series)`);
  });

  it('name the line under the pointer, and bring a line forward from its legend entry', async () => {
    await open('/explore/metrics?metric=cpu_usage_ratio&from=now-6h');
    await page.locator('.time-chart canvas').first().waitFor();
    const entries = await legend();
    expect(entries.length).toBeGreaterThan(8); // averages cannot be summed into "other": every line stays
    const pick = entries[5]!.label;
    await page.locator('.chart-legend .legend-item', { hasText: pick }).first().hover();
    await page.locator('.chart-legend .legend-item.focused', { hasText: pick }).waitFor();
    const over = (await page.locator('.u-over').first().boundingBox())!;
    await page.mouse.move(over.x + over.width * 0.6, over.y + over.height * 0.6, { steps: 4 });
    const named = page.locator('.chart-tooltip-focus');
    await named.waitFor();
    const focused = (await legend()).filter((e) => e.focused).map((e) => e.label);
    expect(focused).toEqual([await named.textContent()]);
  });

  it('keep the last time label whole, even on a tick at the very end of the range', async () => {
    // A range that ends on the hour puts a tick (and its label) at the right edge of the plot.
    const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const from = new Date(end.getTime() - 6 * 3_600_000);
    await open(`/explore/metrics?metric=error_ratio&service=checkout&env=production&from=${from.toISOString()}&to=${end.toISOString()}`);
    await page.locator('.time-chart canvas').first().waitFor();
    const inked = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('.time-chart canvas')!;
      const over = document.querySelector<HTMLElement>('.time-chart .u-over')!;
      const ratio = canvas.width / canvas.getBoundingClientRect().width;
      const axisTop = Math.ceil((over.offsetTop + over.offsetHeight) * ratio) + 2;
      // The last three pixel columns below the plot, where a cut-off label would leave its ink.
      const strip = canvas.getContext('2d')!.getImageData(canvas.width - 3, axisTop, 3, canvas.height - axisTop).data;
      let count = 0;
      for (let i = 3; i < strip.length; i += 4) if (strip[i]! > 0) count++;
      return count;
    });
    expect(inked).toBe(0);
  });

  it('shade four overlapping incidents no darker than two', async () => {
    await open('/explore/metrics?metric=http_requests_total&agg=RATE&by=service&from=now-1h');
    await page.locator('.time-chart canvas').first().waitFor();
    expect(await page.locator('.marker-list .marker-incident').count()).toBe(4);
    const shades = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('.time-chart canvas')!;
      const over = document.querySelector<HTMLElement>('.time-chart .u-over')!;
      const ratio = canvas.width / canvas.getBoundingClientRect().width;
      const ctx = canvas.getContext('2d')!;
      // Just under the top of the plot, above every line (the scale leaves headroom); the commonest colour of a
      // short run of pixels, so a grid line or a marker does not count.
      const shadeAt = (fraction: number) => {
        const x = Math.round((over.offsetLeft + over.offsetWidth * fraction) * ratio);
        const y = Math.round((over.offsetTop + 14) * ratio);
        const data = ctx.getImageData(x - 6, y, 13, 1).data;
        const counts = new Map<string, number>();
        for (let i = 0; i < data.length; i += 4) {
          const key = `${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0].split(',').map(Number);
      };
      // Five minutes into the hour two incidents are open (#1039, #1040); two minutes before now, all four.
      return { two: shadeAt(5 / 60), four: shadeAt(58 / 60) };
    });
    for (let channel = 0; channel < 4; channel++) expect(Math.abs(shades.four[channel]! - shades.two[channel]!), JSON.stringify(shades)).toBeLessThanOrEqual(2);
    await screenshot(page, 'explorer-metrics-four-incidents');
  });

  it('line up the time axes of panels side by side', async () => {
    await open('/services/checkout');
    const panels = page.locator('section[aria-label="Signals and logs, last hour"] .panel');
    await panels.locator('.u-over').nth(3).waitFor();
    const plots = await panels.evaluateAll((els) =>
      els.map((panel) => {
        const p = panel.getBoundingClientRect();
        const o = panel.querySelector('.u-over')!.getBoundingClientRect();
        return { row: Math.round(p.top), offset: Math.round(o.left - p.left), width: Math.round(o.width) };
      }),
    );
    expect(plots).toHaveLength(4);
    expect(new Set(plots.map((p) => p.row)).size).toBe(2);
    expect(new Set(plots.map((p) => p.offset)).size, JSON.stringify(plots)).toBe(1);
    expect(new Set(plots.map((p) => p.width)).size, JSON.stringify(plots)).toBe(1);
  });
});

describe('panels on service and incident pages', () => {
  it('the service page charts its golden signals with markers, and its latest errors', async () => {
    await open('/services/checkout');
    const panels = page.locator('section[aria-label="Signals and logs, last hour"]');
    await panels.locator('[data-panel=latencyP99] canvas').first().waitFor();
    await expect.poll(() => panels.locator('.panel canvas').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    await panels.locator('.log-row').first().waitFor();
    expect(await panels.locator('.log-row').evaluateAll((rows) => rows.every((r) => ['WARN', 'ERROR', 'FATAL'].includes(r.getAttribute('data-level')!)))).toBe(true);
    await panels.screenshot({ path: (await screenshot(page, 'explorer-service-page')).replace('.png', '-panels.png') });
  });

  it('the incident page shows the window around the incident', async () => {
    await open('/incidents');
    await page.getByRole('link', { name: 'Checkout 5xx spike after v2.14.0' }).click();
    const panels = page.locator('section[aria-label="Signals and logs around the incident"]');
    await panels.locator('[data-panel=errorRate] canvas').first().waitFor();
    const link = new URL(base + (await panels.getByRole('link', { name: 'Logs →' }).getAttribute('href'))!);
    expect(link.searchParams.get('service')).toBe('checkout');
    expect(link.searchParams.get('from')).toMatch(/^\d{4}-/);
    await screenshot(page, 'explorer-incident-page');
    expect(browser.consoleErrors.join('\n')).toBe('');
  });
});
