// Development aid: screenshots console pages of a running OpsOrch (BASE, default :4000) at 1440x900 into
// test-artifacts/console/: the given paths, or every page with `--all` (console/test/pages.ts).
import { launchBrowser, screenshot } from '../test/browser.ts';
import { consolePages } from '../test/pages.ts';

const base = process.env.BASE ?? 'http://127.0.0.1:4000';
const args = process.argv.slice(2);
const targets = args.includes('--all')
  ? (await consolePages(`${base}/graphql`)).map((p) => ({ name: `page-${p.name}`, path: p.path }))
  : args.map((path) => ({ name: `dev-${path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'home'}`, path }));
const b = await launchBrowser();
try {
  const page = await b.newPage();
  for (const { name, path } of targets) {
    await page.goto(base + path, { waitUntil: 'networkidle' });
    console.log(await screenshot(page, name));
  }
  if (b.consoleErrors.length) console.log('console errors:\n' + b.consoleErrors.join('\n'));
} finally {
  await b.close();
}
