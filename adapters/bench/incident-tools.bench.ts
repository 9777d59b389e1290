// `npm run bench:incident-tools`: the PagerDuty and Opsgenie adapters against their contract fakes.
// 1. Vendor calls the war-room query makes for N = 5 and N = 25 open incidents (batching keeps what it can constant;
//    timelines are one read of PagerDuty's account log; PagerDuty has no account-wide alerts, so the alert list
//    reads the alerts of each open incident, a number set by the account's open incidents, not by N).
// 2. Latency the adapter adds over the fake's own time: incidents.getMany of one id through the registry against the
//    same HTTP request sent directly, median of 500 calls each.
import { WAR_ROOM } from '../../gateway/test/queries.ts';
import { gql, startTestGateway } from '../../gateway/test/harness.ts';
import { createRuntimeSync } from '../../gateway/src/runtime.ts';
import { silentLogger } from '../src/context.ts';
import { startContractFake, type ContractFake, type FakeRequest } from '../kit/contract-fake.ts';
import { benchContext, fmt, time } from './timing.ts';
import { patchPagerDutySpec } from '../pagerduty/testing/pagerduty-spec.ts';

type Json = Record<string, any>;
const RUNS = 500;
const CHECKOUT = 'P7XK2QD';
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, 'Z');
const offsetPage = (request: FakeRequest, all: Json[], key: string, extra: Json = {}) => {
  const offset = Number(request.query.get('offset') ?? 0);
  const limit = Number(request.query.get('limit') ?? 25);
  return { [key]: all.slice(offset, offset + limit), ...extra, ...(key === 'data' ? { took: 0, requestId: 'r', paging: offset + limit < all.length ? { next: 'n' } : {} } : { limit, offset, more: offset + limit < all.length }) };
};
const countsOf = (fake: ContractFake) => {
  const counts: Record<string, number> = {};
  for (const r of fake.requests) counts[r.route] = (counts[r.route] ?? 0) + 1;
  return counts;
};

/** Vendor calls of the war-room query for N = 5 and 25, then getMany of one id through the registry against the same request sent directly. */
async function measure(tool: string, what: string, fake: ContractFake, env: Record<string, string>, direct: { url: string; headers: Record<string, string>; id: string }): Promise<void> {
  const gateway = await startTestGateway({ env });
  console.log(`${tool}: vendor calls of the war-room query (${what}, the rest demo):`);
  for (const n of [5, 25]) {
    fake.requests.length = 0;
    const body = await gql(gateway.url, WAR_ROOM, { first: n });
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    console.log(`  N=${n}: ${fake.requests.length} calls ${JSON.stringify(countsOf(fake))}`);
  }
  await gateway.close();
  if (fake.violations.length > 0) console.log(`  contract violations: ${fake.violations.join('; ')}`);
  const { registry } = createRuntimeSync({ env, logger: silentLogger });
  const provider = registry.all('incidents')[0]!;
  const plain = await time(RUNS, async () => (await fetch(direct.url, { headers: direct.headers })).json());
  const adapter = await time(RUNS, () => provider.getMany([direct.id], benchContext()));
  console.log(`${tool} incidents.getMany of one id, ${RUNS} calls each:`);
  console.log(`  direct HTTP to the fake:   ${fmt(plain)}`);
  console.log(`  adapter via the registry:  ${fmt(adapter)}`);
  console.log(`  added by the adapter:      ${((adapter.median - plain.median) * 1000).toFixed(0)} µs (median)`);
  await registry.close();
}

async function pagerDuty(): Promise<void> {
  const pd = await startContractFake({
    spec: 'pagerduty.openapi.json',
    vendor: 'PagerDuty',
    patchSpec: patchPagerDutySpec,
  });
  const incidents = Array.from({ length: 25 }, (_, i) => ({
    id: `QB${i}`, type: 'incident', incident_number: i, title: `Bench incident ${i}`, created_at: iso((i + 1) * 60_000), status: 'triggered', urgency: 'high',
    html_url: `https://acme.pagerduty.com/incidents/QB${i}`, service: { id: CHECKOUT, type: 'service_reference' }, assignments: [], acknowledgements: [],
  }));
  pd.on('GET /incidents', (r) => ({ body: offsetPage(r, incidents, 'incidents') }))
    .on('GET /incidents/{id}', (r) => ({ body: { incident: incidents.find((i) => i.id === r.params.id) ?? incidents[0] } }))
    .on('GET /incidents/{id}/log_entries', (r) => ({ body: offsetPage(r, [{ id: `L${r.params.id}`, type: 'trigger_log_entry', summary: 'Triggered', created_at: iso(60_000) }], 'log_entries') }))
    .on('GET /log_entries', (r) => ({
      body: offsetPage(r, incidents.filter((i) => i.created_at >= r.query.get('since')!.replace(/\.\d{3}Z$/, 'Z')).map((i) => ({ id: `L${i.id}`, type: 'trigger_log_entry', summary: 'Triggered', created_at: i.created_at, incident: { id: i.id, type: 'incident_reference' } })), 'log_entries'),
    }))
    .on('GET /incidents/{id}/notes', () => ({ body: { notes: [] } }))
    .on('GET /incidents/{id}/alerts', (r) => ({ body: offsetPage(r, [{ id: `A${r.params.id}`, type: 'alert', summary: 'High error rate', created_at: iso(120_000), status: 'triggered', severity: 'critical', service: { id: CHECKOUT, type: 'service_reference' } }], 'alerts') }))
    .on('GET /teams', (r) => ({ body: offsetPage(r, [{ id: 'PTCOM', type: 'team', name: 'Commerce' }], 'teams') }))
    .on('GET /users', (r) => ({ body: offsetPage(r, [{ id: 'PUMAYA', type: 'user', name: 'Maya Patel', email: 'maya.patel@acme-shop.example', teams: [{ id: 'PTCOM', type: 'team_reference' }] }], 'users') }))
    .on('GET /escalation_policies', (r) => ({ body: offsetPage(r, [{ id: 'PECOM', type: 'escalation_policy', name: 'Commerce', escalation_rules: [], teams: [{ id: 'PTCOM', type: 'team_reference' }] }], 'escalation_policies') }))
    .on('GET /oncalls', (r) => ({ body: offsetPage(r, [{ user: { id: 'PUMAYA', type: 'user_reference' }, escalation_policy: { id: 'PECOM', type: 'escalation_policy_reference' }, escalation_level: 1, start: iso(3_600_000), end: iso(-3_600_000) }], 'oncalls') }))
    .on('GET /change_events', () => ({ body: { change_events: [{ id: 'CE1', summary: 'deploy', timestamp: iso(30 * 60_000), services: [{ id: CHECKOUT, type: 'service_reference' }], custom_details: { version: 'v1' } }] } }));
  const env = {
    OPSORCH_INCIDENTS_PROVIDER: 'pd=pagerduty',
    OPSORCH_INCIDENTS_CONFIG: JSON.stringify({ url: pd.url, apiToken: 'bench-token' }),
    OPSORCH_ALERTS_PROVIDER: 'pd=pagerduty',
    OPSORCH_ALERTS_CONFIG: JSON.stringify({ url: pd.url, apiToken: 'bench-token' }),
    OPSORCH_TEAMS_PROVIDER: 'pd=pagerduty',
    OPSORCH_TEAMS_CONFIG: JSON.stringify({ url: pd.url, apiToken: 'bench-token' }),
    OPSORCH_DEPLOYMENTS_PROVIDER: 'pd=pagerduty',
    OPSORCH_DEPLOYMENTS_CONFIG: JSON.stringify({ url: pd.url, apiToken: 'bench-token' }),
  };
  await measure('PagerDuty', 'incidents, alerts, teams and deployments from PagerDuty', pd, env, {
    url: `${pd.url}/incidents/QB3?include%5B%5D=assignees`,
    headers: { accept: 'application/vnd.pagerduty+json;version=2', 'content-type': 'application/json', authorization: 'Token token=bench-token' },
    id: 'pd:QB3',
  });
  await pd.close();
}

async function opsgenie(): Promise<void> {
  const og = await startContractFake({ spec: 'opsgenie.openapi.json', vendor: 'Opsgenie' });
  const incidents = Array.from({ length: 25 }, (_, i) => ({ id: `ib${i}`, tinyId: String(i), message: `Bench ${i}`, status: 'open', tags: ['service:checkout'], createdAt: iso((i + 1) * 60_000), priority: 'P2' }));
  const alerts = Array.from({ length: 40 }, (_, i) => ({ id: `ab${i}`, alias: `a${i}`, message: `Alert ${i}`, status: 'open', tags: ['service:checkout'], createdAt: iso((i + 1) * 30_000), priority: 'P3' }));
  og.on('GET /v1/incidents/', (r) => ({ body: offsetPage(r, incidents, 'data') }))
    .on('GET /v1/incidents/{identifier}', (r) => ({ body: { data: incidents.find((i) => i.id === r.params.identifier) ?? incidents[0], took: 0, requestId: 'r' } }))
    .on('GET /v2/alerts', (r) => ({ body: offsetPage(r, alerts, 'data') }));
  const env = {
    OPSORCH_INCIDENTS_PROVIDER: 'og=opsgenie',
    OPSORCH_INCIDENTS_CONFIG: JSON.stringify({ url: og.url, apiKey: 'bench-key' }),
    OPSORCH_ALERTS_PROVIDER: 'og=opsgenie',
    OPSORCH_ALERTS_CONFIG: JSON.stringify({ url: og.url, apiKey: 'bench-key' }),
  };
  await measure('Opsgenie', 'incidents and alerts from Opsgenie', og, env, {
    url: `${og.url}/v1/incidents/ib3?identifierType=id`,
    headers: { accept: 'application/json', authorization: 'GenieKey bench-key' },
    id: 'og:ib3',
  });
  await og.close();
}

await pagerDuty();
await opsgenie();
