// A small Prometheus exporter that makes a few services look busy: request counters by route and code, a latency
// histogram and CPU, each series labelled `service`. Values grow with wall-clock time, so every scrape differs
// but any two exporters agree. Used by `npm run start:local` and by the tests against a real Prometheus.
//
//   npx tsx adapters/examples/exporter.ts --port 9464
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

/** Label value → requests per second, error share and median latency. `payments` is how the payments API labels itself. */
export const EXPORTED_SERVICES: Record<string, { rps: number; errors: number; p50: number }> = {
  checkout: { rps: 40, errors: 0.02, p50: 0.12 },
  cart: { rps: 65, errors: 0.004, p50: 0.03 },
  payments: { rps: 22, errors: 0.08, p50: 0.35 },
  'legacy-batch': { rps: 2, errors: 0, p50: 1.2 },
};

const ROUTES = ['GET /api/items', 'POST /api/orders'];
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Share of observations at or below `le` for a log-normal around `p50` (erf approximation, good to 1e-7). */
function cdf(le: number, p50: number): number {
  const z = Math.log(le / p50) / 0.6 / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * Math.abs(z));
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return 0.5 * (1 + Math.sign(z) * erf);
}

/** The exposition text at `nowMs`: counters are rate × seconds since the epoch, so they only ever grow. */
export function exposition(nowMs = Date.now()) {
  const seconds = nowMs / 1000;
  const lines = [
    '# HELP http_requests_total HTTP requests served, by route and status code.',
    '# TYPE http_requests_total counter',
  ];
  const histogram = [
    '# HELP http_request_duration_seconds Latency of HTTP requests.',
    '# TYPE http_request_duration_seconds histogram',
  ];
  const cpu = ['# HELP process_cpu_seconds_total CPU time used by the service.', '# TYPE process_cpu_seconds_total counter'];
  for (const [service, s] of Object.entries(EXPORTED_SERVICES)) {
    ROUTES.forEach((route, i) => {
      const [method, path] = route.split(' ') as [string, string];
      const share = i === 0 ? 0.7 : 0.3;
      const total = s.rps * share * seconds;
      lines.push(`http_requests_total{service="${service}",method="${method}",route="${path}",code="200"} ${Math.floor(total * (1 - s.errors))}`);
      lines.push(`http_requests_total{service="${service}",method="${method}",route="${path}",code="500"} ${Math.floor(total * s.errors)}`);
    });
    const count = s.rps * seconds;
    for (const le of BUCKETS) histogram.push(`http_request_duration_seconds_bucket{service="${service}",le="${le}"} ${Math.floor(count * cdf(le, s.p50))}`);
    histogram.push(`http_request_duration_seconds_bucket{service="${service}",le="+Inf"} ${Math.floor(count)}`);
    histogram.push(`http_request_duration_seconds_sum{service="${service}"} ${(count * s.p50 * 1.2).toFixed(3)}`);
    histogram.push(`http_request_duration_seconds_count{service="${service}"} ${Math.floor(count)}`);
    cpu.push(`process_cpu_seconds_total{service="${service}"} ${(seconds * s.rps * 0.004).toFixed(3)}`);
  }
  return `${[...lines, ...histogram, ...cpu].join('\n')}\n`;
}

/** Serves /metrics on `port` (0 = a free one); resolves with the server and its port. */
export function startExporter(port = 0, host = '127.0.0.1'): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('try /metrics\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition());
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve({ server, port: (server.address() as AddressInfo).port })));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--port');
  const { port } = await startExporter(at > 0 ? Number(process.argv[at + 1]) : 9464);
  console.log(`exporter listening on http://127.0.0.1:${port}/metrics`);
}
