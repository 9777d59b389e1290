// `npm run bench:github`: what the GitHub adapter costs. (1) GitHub calls the war-room query makes for N incidents
// (deploymentsBefore: one walk per distinct repository, not per incident); (2) the latency the adapter adds over
// the contract fake's own answer time, median of 500 calls, for a one-call read (an issue) and a two-list read.
import { performance } from 'node:perf_hooks';
import { services } from '../demo/world.ts';
import { createRuntimeSync } from '../../gateway/src/runtime.ts';
import { gql, startTestGateway } from '../../gateway/test/harness.ts';
import { WAR_ROOM } from '../../gateway/test/queries.ts';
import { ANONYMOUS, silentLogger, type ProviderContext } from '../src/context.ts';
import { iso, PEOPLE, startGithubWorld } from './fake-github.ts';

const CALLS = 500;
const TOKEN = 'ghp_bench';
const REPOS = services.map((s) => `acme-shop/${s.id}`);

const ctx = (): ProviderContext => ({ signal: new AbortController().signal, logger: silentLogger, actor: ANONYMOUS, requestId: crypto.randomUUID(), now: new Date() });
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
/** Medians of the fake alone and through the adapter, asked alternately so the shared machine's load hits both alike. */
async function compare(direct: () => Promise<unknown>, adapter: () => Promise<unknown>): Promise<{ direct: number; adapter: number; added: number }> {
  for (let i = 0; i < 50; i++) await Promise.all([direct(), adapter()]);
  const d: number[] = [];
  const a: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    let started = performance.now();
    await direct();
    d.push(performance.now() - started);
    started = performance.now();
    await adapter();
    a.push(performance.now() - started);
  }
  return { direct: median(d), adapter: median(a), added: median(a.map((x, i) => x - d[i]!)) };
}
const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

const world = await startGithubWorld();
// Every demo service's repository deployed to production every 20 minutes for the last day, and has an issue.
let id = 1000;
for (const repo of REPOS) {
  for (let i = 0; i < 72; i++) {
    world.deployment(repo, id++, { sha: `${String(id).padStart(8, '0')}${'ab'.repeat(16)}`, ref: `v1.${i}.0`, environment: 'production', createdAt: iso(-i * 1_200_000), creator: PEOPLE.alex, states: ['success'] });
  }
  world.issue(repo, { number: 1, title: `Issue of ${repo}`, updatedAt: iso(-60_000) });
}
const settings = JSON.stringify({ url: world.fake.url, token: TOKEN, repos: REPOS, userEmails: { 'alex-k': 'alex@acme-shop.example' } });

// 1. War room: calls to GitHub for N incidents, on fresh gateways (nothing cached between N).
console.log('war-room query (demo incidents, GitHub deployments), GitHub calls by N:');
for (const n of [5, 10, 25]) {
  const gateway = await startTestGateway({ env: { GH_TOKEN: TOKEN, OPSORCH_DEPLOYMENTS_PROVIDER: 'gh=github', OPSORCH_DEPLOYMENTS_CONFIG: settings } });
  const fields = Array.from({ length: n }, (_, i) => `i${i}: createIncident(input: { title: "Bench ${i}", serviceId: "${services[i % 3]!.id}", severity: SEV2 }) { id }`);
  await gql(gateway.url, `mutation { ${fields.join('\n')} }`);
  const before = world.fake.requests.length;
  gateway.registry.resetCallCounts();
  const body = await gql(gateway.url, WAR_ROOM, { first: n });
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const incidents = body.data.incidents.nodes as { service: { id: string } | null }[];
  const distinct = new Set(incidents.map((i) => i.service?.id).filter(Boolean)).size;
  const deploymentCalls = Object.entries(gateway.registry.callCounts()).filter(([key]) => key.startsWith('deployments')).reduce((a, [, v]) => a + v, 0);
  console.log(`  N=${String(incidents.length).padStart(2)} incidents on ${distinct} services: ${deploymentCalls} deployments provider call(s), ${world.fake.requests.length - before} GitHub HTTP calls`);
  await gateway.close();
}

// 2. Latency the adapter adds: the provider call through the registry vs the same GitHub request(s) by fetch.
const { registry } = createRuntimeSync({
  env: { OPSORCH_TICKETS_PROVIDER: 'gh=github', OPSORCH_TICKETS_CONFIG: settings, OPSORCH_DEPLOYMENTS_PROVIDER: 'gh=github', OPSORCH_DEPLOYMENTS_CONFIG: settings },
  logger: silentLogger,
});
const headers = { authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'OpsOrch' };
const tickets = registry.all('tickets')[0]!;
const issue = await compare(
  async () => (await fetch(`${world.fake.url}/repos/acme-shop/checkout/issues/1`, { headers })).json(),
  () => tickets.getMany(['gh:acme-shop/checkout#1'], ctx()),
);
console.log(`ticket by id (1 GitHub call), median of ${CALLS}: fake alone ${us(issue.direct)}, through the adapter ${us(issue.adapter)}, added ${us(issue.added)} (median of the pairs' differences)`);
const deployments = registry.all('deployments')[0]!;
const newest = 1000 + services.findIndex((s) => s.id === 'checkout') * 72;
const page = await compare(
  async () => {
    await (await fetch(`${world.fake.url}/repos/acme-shop/checkout/deployments?per_page=1`, { headers })).json();
    await (await fetch(`${world.fake.url}/repos/acme-shop/checkout/deployments/${newest}/statuses?per_page=1`, { headers })).json();
  },
  () => deployments.query({ serviceIds: ['checkout'] }, { first: 1, after: null }, ctx()),
);
console.log(`newest checkout deployment (list + its status; commit cached), median of ${CALLS}: fake alone ${us(page.direct)}, through the adapter ${us(page.adapter)}, added ${us(page.added)}`);
world.fake.verify();
await registry.close();
await world.close();
