// Development aid: screenshots the given console paths of a running OpsOrch (BASE, default :4000).
import { launchBrowser, screenshot } from '../test/browser.ts';

const base = process.env.BASE ?? 'http://127.0.0.1:4000';
const b = await launchBrowser();
try {
  const page = await b.newPage();
  for (const path of process.argv.slice(2)) {
    await page.goto(base + path, { waitUntil: 'networkidle' });
    const name = `dev-${path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'home'}`;
    console.log(await screenshot(page, name));
  }
  if (b.consoleErrors.length) console.log('console errors:\n' + b.consoleErrors.join('\n'));
} finally {
  await b.close();
}
