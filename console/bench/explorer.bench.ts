// Explorer benchmark, in real Chromium against `opsorch start`:
//  1. time to the first rendered chart of a 24-hour metric range: the `opsorch:first-chart` performance mark
//     (set by the chart's first draw), measured from navigation start, cold (first visit) and warm;
//  2. frame times while scrolling 10,000 log lines: requestAnimationFrame intervals during a scripted scroll of
//     the virtualized list, plus the browser's long-animation-frame entries.
// Run: npm run bench:explorer
import { spawnOpsOrch } from '../../gateway/test/harness.ts';
import { ensureConsoleBuild } from '../server/build.ts';
import { launchBrowser } from '../test/browser.ts';

const CHART_RUNS = 7;
const SCROLL_FRAMES = 600;
const SCROLL_PX_PER_FRAME = 90;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

const build = await ensureConsoleBuild({ info: (_o, m) => console.error(m), error: (_o, m) => console.error(m) });
console.error(build.built ? `built the console in ${build.ms} ms` : 'console build is fresh');
const [server, browser] = await Promise.all([spawnOpsOrch(['start', '--port', '0', '--host', '127.0.0.1']), launchBrowser()]);
const base = server.url.replace(/\/graphql$/, '');
try {
  // 1. Time to the first chart, 24 hours.
  for (const [name, path] of [
    ['checkout, 2 series', '/explore/metrics?metric=http_requests_total&service=checkout&from=now-24h'],
    ['every service', '/explore/metrics?metric=http_requests_total&from=now-24h'],
  ] as const) {
    const times: number[] = [];
    let detail = '';
    for (let run = 0; run < CHART_RUNS; run++) {
      const page = await browser.newPage();
      await page.goto(base + path, { waitUntil: 'commit' });
      const at = await page.waitForFunction(() => performance.getEntriesByName('opsorch:first-chart')[0]?.startTime, null, { timeout: 60_000 });
      times.push(Number(await at.jsonValue()));
      if (run === 0) detail = (await page.locator('section[aria-label=Chart] .section-actions').innerText()).replace(/\s+/g, ' ');
      await page.close();
    }
    console.log(`first chart, 24 h (${name}; ${detail.trim()}): first visit ${ms(times[0]!)}, warm median ${ms(median(times.slice(1)))}, max ${ms(Math.max(...times.slice(1)))} over ${CHART_RUNS - 1} runs`);
  }

  // 2. Scrolling 10,000 lines.
  const page = await browser.newPage();
  const loadStarted = performance.now();
  await page.goto(`${base}/explore/logs?from=now-15m&limit=10000`, { waitUntil: 'networkidle', timeout: 120_000 });
  const loadMs = performance.now() - loadStarted;
  const count = Number(await page.locator('[data-line-count]').getAttribute('data-line-count'));
  // A string, not a function: tsx would wrap a function's inner names in a helper the page does not have.
  const result = (await page.evaluate(`new Promise((resolve) => {
    const list = document.querySelector('[data-log-list]');
    const longFrames = [];
    let observer = null;
    try {
      observer = new PerformanceObserver((entries) => entries.getEntries().forEach((e) => longFrames.push(e.duration)));
      observer.observe({ type: 'long-animation-frame', buffered: false });
    } catch {}
    const intervals = [];
    let last = 0;
    let frame = 0;
    const tick = (t) => {
      if (last) intervals.push(t - last);
      last = t;
      list.scrollTop += ${SCROLL_PX_PER_FRAME};
      if (++frame < ${SCROLL_FRAMES}) requestAnimationFrame(tick);
      else {
        if (observer) observer.disconnect();
        resolve({ intervals, longFrames, rows: list.querySelectorAll('.log-row').length, scrolled: list.scrollTop });
      }
    };
    requestAnimationFrame(tick);
  })`)) as { intervals: number[]; longFrames: number[]; rows: number; scrolled: number };
  const over = result.intervals.filter((i) => i > 1000 / 60 + 1).length;
  console.log(
    `scrolling ${count.toLocaleString('en-US')} log lines (page loaded in ${ms(loadMs)}; ${result.rows} rows in the DOM; ${SCROLL_FRAMES} frames, ${Math.round(result.scrolled).toLocaleString('en-US')} px): ` +
      `frame interval median ${ms(median(result.intervals))}, p95 ${ms(percentile(result.intervals, 95))}, p99 ${ms(percentile(result.intervals, 99))}, max ${ms(Math.max(...result.intervals))}; ` +
      `${over} of ${result.intervals.length} frames over 16.7 ms; long animation frames: ${result.longFrames.length}${result.longFrames.length ? ` (max ${ms(Math.max(...result.longFrames))})` : ''}`,
  );
  if (browser.consoleErrors.length) console.log(`console errors:\n${browser.consoleErrors.join('\n')}`);
} finally {
  await browser.close();
  await server.stop();
}
