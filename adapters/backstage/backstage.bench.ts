// `npm run bench:backstage`: the Backstage provider against its contract fake. (1) Catalog calls made by one
// GraphQL query that joins N alerts to their Backstage services and owners, for N = 1, 25 and 100 (must not grow
// with N); (2) the latency `service(id:)` adds through the gateway over a direct `/entities/by-refs` call to the
// fake (median of 500); (3) reading a 2,000-component catalog into the snapshot and the list page served from it.
import { performance } from 'node:perf_hooks';
import { gql, startTestGateway } from '../../gateway/test/harness.ts';
import { startContractFake } from '../kit/contract-fake.ts';
import type { Entity } from './api.ts';
import { component, group, joinedGatewayEnv, startFakeCatalog } from './fake-catalog.ts';

const RUNS = 500;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time(runs: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

const services: Entity[] = Array.from({ length: 2_000 }, (_, i) =>
  component(`svc-${i}`, { type: 'service', lifecycle: 'production', owner: `group:default/team-${i % 40}`, dependsOn: i > 0 ? [`component:default/svc-${i - 1}`] : [] }, {
    labels: { tier: String((i % 3) + 1) },
    annotations: { 'datadoghq.com/service-name': `dd-svc-${i}` },
  }),
);
const teams = Array.from({ length: 40 }, (_, i) => group(`team-${i}`, {}));
const catalog = await startFakeCatalog([...services, ...teams]);

let alerts: unknown[] = [];
const am = await startContractFake({ spec: 'alertmanager.openapi.json', vendor: 'Alertmanager', basePath: '/api/v2' });
am.on('GET /alerts', () => ({ body: alerts }));
const alert = (i: number) => ({
  labels: { alertname: 'HighErrorRate', service: `dd-svc-${i}`, severity: 'critical' },
  annotations: {},
  startsAt: new Date(Date.now() - 60_000).toISOString(),
  endsAt: new Date(Date.now() + 600_000).toISOString(),
  updatedAt: new Date().toISOString(),
  fingerprint: `f${String(i).padStart(15, '0')}`,
  receivers: [{ name: 'oncall' }],
  status: { state: 'active', silencedBy: [], inhibitedBy: [], mutedBy: [] },
});

const gateway = await startTestGateway({
  env: joinedGatewayEnv({ url: catalog.fake.url, appUrl: 'https://backstage.example', token: 'bench-token', snapshotTtlMs: 60_000 }, am.origin),
});

try {
  // (3) first: the snapshot read, cold.
  let started = performance.now();
  const first = await gql(gateway.url, '{ services(first: 25) { nodes { id } totalCount } }');
  const cold = performance.now() - started;
  const walk = catalog.fake.requests.filter((r) => r.route === 'GET /entities/by-query').length;
  started = performance.now();
  await gql(gateway.url, '{ services(first: 25, filter: { tiers: [TIER_1] }) { nodes { id } } }');
  const warm = performance.now() - started;
  console.log(`services(first: 25) over a ${first.data.services.totalCount}-component catalog: cold ${cold.toFixed(0)} ms (${walk} by-query pages of 500), warm ${warm.toFixed(1)} ms`);

  // (1) catalog calls per war-room style query, by number of alerts.
  for (const n of [1, 25, 100]) {
    alerts = Array.from({ length: n }, (_, i) => alert(i * 7));
    const before = catalog.fake.requests.length;
    const body = await gql(gateway.url, '{ alerts(first: 200) { nodes { service { id tier owner { id name } dependencies { id } } } } }');
    if (body.errors || body.data.alerts.nodes.some((a: { service: unknown }) => !a.service)) throw new Error(JSON.stringify(body.errors ?? body.data).slice(0, 500));
    const calls = catalog.fake.requests.slice(before);
    const counts = new Map<string, number>();
    for (const r of calls) counts.set(r.route, (counts.get(r.route) ?? 0) + 1);
    const byRoute = [...counts].map(([route, count]) => `${route} ×${count}`).join(', ');
    console.log(`alerts joined to services and owners, ${String(n).padStart(3)} alerts: ${calls.length} catalog calls (${byRoute})`);
  }

  // (2) added latency of service(id:) over the fake's own time for the same by-refs call.
  const direct = await time(RUNS, () =>
    fetch(`${catalog.fake.url}/entities/by-refs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bench-token' },
      body: JSON.stringify({ entityRefs: ['component:default/svc-42'] }),
    }).then((r) => r.json()),
  );
  const through = await time(RUNS, () => gql(gateway.url, '{ service(id: "svc-42") { id name tier } }'));
  console.log(`service(id:) median of ${RUNS}: through the gateway ${through.toFixed(2)} ms, direct by-refs to the fake ${direct.toFixed(2)} ms, added ${(through - direct).toFixed(2)} ms`);
  catalog.fake.verify();
  am.verify();
} finally {
  await gateway.close();
  await catalog.fake.close();
  await am.close();
}
