// Console benchmark: server render time of key pages (median of 20 full HTML responses, loaders and
// their GraphQL calls included) and the JavaScript each page loads on first paint (kB gzip).
// Run: npm run bench -w console
import { gzipSync } from 'node:zlib';
import { spawnOpsOrch } from '../../gateway/test/harness.ts';
import { ensureConsoleBuild } from '../server/build.ts';

const RUNS = 20;
const PAGES: [string, string][] = [
  ['home', '/'],
  ['incident', '/incidents/demo:Q3VW8TR'],
  ['incidents', '/incidents'],
  ['alerts', '/alerts'],
  ['service', '/services/checkout'],
  ['graph', '/services/checkout/graph'],
  ['runbook', '/runbooks/demo:rb-rollback-deploy'],
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const build = await ensureConsoleBuild({ info: (_o, m) => console.error(m), error: (_o, m) => console.error(m) });
console.error(build.built ? `built the console in ${build.ms} ms` : 'console build is fresh');
const server = await spawnOpsOrch(['start', '--port', '0', '--host', '127.0.0.1']);
const base = server.url.replace(/\/graphql$/, '');
try {
  const rows: string[] = [];
  const assetCache = new Map<string, { raw: number; gzip: number }>();
  for (const [name, path] of PAGES) {
    // Warm-up: module caches, DataLoader code paths, JIT.
    for (let i = 0; i < 3; i++) await (await fetch(base + path)).text();
    const times: number[] = [];
    let html = '';
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const response = await fetch(base + path);
      html = await response.text();
      times.push(performance.now() - started);
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    }
    times.sort((a, b) => a - b);
    // Every script the page loads on first paint: module preloads and the inline imports of Remix.
    const scripts = new Set([...html.matchAll(/(?:href|src)="(\/assets\/[^"]+\.js)"|import\("(\/assets\/[^"]+\.js)"\)/g)].map((m) => m[1] ?? m[2]!));
    let raw = 0;
    let gzip = 0;
    for (const src of scripts) {
      let size = assetCache.get(src);
      if (!size) {
        const body = Buffer.from(await (await fetch(base + src, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer());
        size = { raw: body.length, gzip: gzipSync(body).length };
        assetCache.set(src, size);
      }
      raw += size.raw;
      gzip += size.gzip;
    }
    const htmlGzip = gzipSync(Buffer.from(html)).length;
    rows.push(
      `${name.padEnd(10)} ${path.padEnd(36)} median ${percentile(times, 50).toFixed(1).padStart(6)} ms  p90 ${percentile(times, 90).toFixed(1).padStart(6)} ms  ` +
        `JS ${String(scripts.size).padStart(2)} files ${(raw / 1024).toFixed(1).padStart(6)} kB raw ${(gzip / 1024).toFixed(1).padStart(6)} kB gzip  HTML ${(htmlGzip / 1024).toFixed(1)} kB gzip`,
    );
  }
  console.log(`server render (full HTML response, ${RUNS} sequential requests after 3 warm-ups) and first-paint JavaScript per page`);
  for (const row of rows) console.log(row);
} finally {
  await server.stop();
}
