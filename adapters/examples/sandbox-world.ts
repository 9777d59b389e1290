// One shop's ops tools as contract fakes with realistic sample data, and the gateway variables that point OpsOrch at
// them: PagerDuty and Opsgenie incidents, Datadog metrics, logs and monitors, Jira and GitHub tickets, GitHub
// deployments and Actions runbooks (one run waiting for its production approval), Slack, and a Backstage catalog
// that joins them. Every request is still checked against the vendor's published API. Used by
// `npm run start:sandbox` and by the console's browser test against the vendors (adapters/vendors.console.e2e.ts).
import { component, group, startFakeCatalog, user } from '../backstage/fake-catalog.ts';
import { sampleWorld, startFakeDatadog } from '../datadog/fake-datadog.ts';
import { CI_YAML, iso, PEOPLE, RUNBOOK_YAML, startGithubWorld } from '../github/fake-github.ts';
import { adf, issue, MAYA, serveJira, SITE } from '../jira/testing/jira-fake.ts';
import { startContractFake, type ContractFake } from '../kit/contract-fake.ts';
import { emptyAccount, pdTime, ref, servePagerDuty, startPagerDutyFake } from '../pagerduty/testing/pagerduty-fake.ts';
import { conversation, serveSlack, ts, type FakeMessage } from '../slack/testing/slack-fake.ts';

type Json = Record<string, any>;

/** PagerDuty's services of the catalog's checkout and cart. */
export const PD_CHECKOUT = 'PCHK001';
export const PD_CART = 'PCART01';
/** The PagerDuty incident the sample world centres on (checkout's 5xx spike after a deploy). */
export const SANDBOX_INCIDENT = 'pd:Q1CHK5XX';
/** The runbook run waiting for its production approval. */
export const SANDBOX_WAITING_RUN = 401;
/** Its id in OpsOrch. */
export const SANDBOX_WAITING_RUN_ID = `gh:acme-shop/checkout/runs/${SANDBOX_WAITING_RUN}`;

export interface SandboxWorld {
  /** Gateway variables (providers, settings and the secrets they reference). */
  env: Record<string, string>;
  /** Every fake, by vendor, to check for contract violations. */
  fakes: Record<string, { violations: string[] }>;
  close(): Promise<void>;
}

const minutesAgo = (m: number) => Date.now() - m * 60_000;

async function pagerDuty(): Promise<ContractFake> {
  const fake = await startPagerDutyFake();
  const account = emptyAccount();
  const base = fake.example<Json>('GET /incidents').incidents[0];
  // The spec's example carries nulls its own schema refuses (`resolved_at`, `resolve_reason`...): left out.
  const { resolved_at: _r, resolve_reason: _rr, alert_grouping: _g, priority, ...template } = base;
  const incident = (id: string, n: number, title: string, service: [string, string], status: string, startedMinutesAgo: number, extra: Json = {}) => ({
    ...template,
    id,
    incident_number: n,
    title,
    summary: `[#${n}] ${title}`,
    self: `https://api.pagerduty.com/incidents/${id}`,
    html_url: `https://acme-shop.pagerduty.com/incidents/${id}`,
    created_at: pdTime(minutesAgo(startedMinutesAgo)),
    updated_at: pdTime(minutesAgo(1)),
    status,
    urgency: 'high',
    service: { ...ref('service', service[0], service[1]), html_url: `https://acme-shop.pagerduty.com/service-directory/${service[0]}` },
    assignments: [{ at: pdTime(minutesAgo(startedMinutesAgo)), assignee: { ...ref('user', 'PUMAYA', 'Maya Patel'), html_url: 'https://acme-shop.pagerduty.com/users/PUMAYA' } }],
    acknowledgements: [],
    priority: { ...priority, id: 'PSEV1', type: 'priority', summary: 'P1', name: 'P1' },
    ...extra,
  });
  account.incidents = [
    incident('Q1CHK5XX', 2041, 'Checkout 5xx above 5% after v3.2.0', [PD_CHECKOUT, 'Checkout'], 'acknowledged', 18, {
      acknowledgements: [{ at: pdTime(minutesAgo(15)), acknowledger: ref('user', 'PUMAYA', 'Maya Patel') }],
    }),
    incident('Q2CARTLT', 2040, 'Cart p99 latency above 800 ms', [PD_CART, 'Cart'], 'triggered', 42, { urgency: 'low', priority: { ...priority, id: 'PSEV3', type: 'priority', summary: 'P3', name: 'P3' } }),
    incident('Q3CHKOLD', 2035, 'Checkout payment step timeouts', [PD_CHECKOUT, 'Checkout'], 'resolved', 60 * 26, { resolved_at: pdTime(minutesAgo(60 * 25)) }),
  ];
  const log = (id: string, type: string, summary: string, at: number, agent: Json) => ({ id, type, summary, created_at: pdTime(at), agent });
  account.log = {
    Q1CHK5XX: [
      log('LE1', 'notify_log_entry', 'Notified Maya Patel by push notification', minutesAgo(17.5), ref('user', 'PUMAYA', 'Maya Patel')),
      log('LE2', 'acknowledge_log_entry', 'Acknowledged by Maya Patel', minutesAgo(15), ref('user', 'PUMAYA', 'Maya Patel')),
    ],
  };
  account.notes = {
    Q1CHK5XX: [{ ...fake.example<Json>('GET /incidents/{id}/notes').notes[0], id: 'NQ1', content: 'Errors started with the v3.2.0 rollout; rolling back.', created_at: pdTime(minutesAgo(12)), user: ref('user', 'PUMAYA', 'Maya Patel') }],
  };
  const alertTemplate = fake.example<Json>('GET /incidents/{id}/alerts').alerts[0];
  account.alerts = {
    Q1CHK5XX: [
      {
        ...alertTemplate,
        id: 'PALERT1',
        summary: 'Checkout error rate above 5% (Datadog monitor 1001)',
        html_url: 'https://acme-shop.pagerduty.com/alerts/PALERT1',
        created_at: pdTime(minutesAgo(18)),
        status: 'triggered',
        alert_key: 'datadog-monitor-1001',
        severity: 'critical',
        service: ref('service', PD_CHECKOUT, 'Checkout'),
        incident: ref('incident', 'Q1CHK5XX'),
      },
    ],
  };
  const people = [
    { id: 'PUMAYA', type: 'user', name: 'Maya Patel', email: 'maya.patel@acme-shop.example', time_zone: 'Europe/Berlin', job_title: 'SRE', html_url: 'https://acme-shop.pagerduty.com/users/PUMAYA', teams: [ref('team', 'PTPAY')] },
    { id: 'PUTOM', type: 'user', name: 'Tom Baker', email: 'tom.baker@acme-shop.example', time_zone: 'Europe/London', html_url: 'https://acme-shop.pagerduty.com/users/PUTOM', teams: [ref('team', 'PTPAY')] },
  ];
  account.users = people;
  account.teams = [{ id: 'PTPAY', type: 'team', name: 'Payments', description: 'Checkout, cart and payments', html_url: 'https://acme-shop.pagerduty.com/teams/PTPAY' }];
  account.escalationPolicies = [{ id: 'PEPAY', type: 'escalation_policy', name: 'Payments', escalation_rules: [], teams: [ref('team', 'PTPAY')] }];
  account.oncalls = [
    { user: ref('user', 'PUMAYA'), escalation_policy: ref('escalation_policy', 'PEPAY'), escalation_level: 1, start: pdTime(minutesAgo(600)), end: pdTime(minutesAgo(-840)) },
    { user: ref('user', 'PUTOM'), escalation_policy: ref('escalation_policy', 'PEPAY'), escalation_level: 2, start: pdTime(minutesAgo(600)), end: pdTime(minutesAgo(-840)) },
  ];
  servePagerDuty(fake, account);
  return fake;
}

async function opsgenie(): Promise<ContractFake> {
  const fake = await startContractFake({ spec: 'opsgenie.openapi.json', vendor: 'Opsgenie' });
  const incidents = [
    { id: '8c6f3b1e-0000-4000-8000-000000000301', tinyId: '301', message: 'Payments webhook backlog growing', status: 'open', tags: ['service:payments-api'], createdAt: new Date(minutesAgo(30)).toISOString(), updatedAt: new Date(minutesAgo(5)).toISOString(), priority: 'P2' },
  ];
  const answer = { took: 0.01, requestId: '7a1e2b3c-0000-4000-8000-000000000001' };
  return fake
    .on('GET /v1/incidents/', (request) => {
      const statuses = [...(request.query.get('query') ?? '').matchAll(/status:(\w+)/g)].map((m) => m[1]);
      return { body: { data: incidents.filter((i) => statuses.length === 0 || statuses.includes(i.status)), ...answer, paging: {} } };
    })
    .on('GET /v1/incidents/{identifier}', (request) => {
      const found = incidents.find((i) => i.id === request.params.identifier);
      return found ? { body: { data: found, ...answer } } : { status: 404, body: { message: 'Incident not found', ...answer } };
    });
}

async function github() {
  const world = await startGithubWorld();
  const sha = (n: number) => `${String(n).padStart(4, '0')}${'abcdef0123456789'.repeat(3)}abcd`.slice(0, 40);
  ['v3.0.0', 'v3.1.0', 'v3.2.0'].forEach((version, i) =>
    world.deployment('acme-shop/checkout', 801 + i, { sha: sha(i), ref: version, environment: 'production', createdAt: iso(-(3 - i) * 20 * 60_000 + 60_000), creator: i === 2 ? PEOPLE.alex : PEOPLE.sam, states: ['in_progress', 'success'] }),
  );
  world.deployment('acme-shop/cart', 811, { sha: sha(9), ref: 'v1.4.2', environment: 'production', createdAt: iso(-3 * 3_600_000), creator: PEOPLE.sam, states: ['success'] });
  world.workflow('acme-shop/checkout', { id: 78, name: 'CI', file: 'ci.yml', yaml: CI_YAML });
  const rollback = world.workflow('acme-shop/checkout', { id: 79, name: 'Roll back checkout', file: 'rollback.yml', yaml: RUNBOOK_YAML });
  world.run('acme-shop/checkout', { id: SANDBOX_WAITING_RUN, workflowId: 79, path: rollback.path, status: 'waiting', conclusion: null, sha: sha(40), branch: 'main', createdAt: iso(-10 * 60_000), actor: PEOPLE.alex, message: 'Roll back checkout to v3.1.0', event: 'workflow_dispatch' });
  world.job(SANDBOX_WAITING_RUN, { name: 'Plan rollback', status: 'completed', conclusion: 'success', steps: 2 });
  world.job(SANDBOX_WAITING_RUN, { name: 'rollback', status: 'waiting', conclusion: null, steps: 0 });
  world.pendingReview(SANDBOX_WAITING_RUN, 'production', 9001);
  world.run('acme-shop/checkout', { id: 402, workflowId: 79, path: rollback.path, status: 'completed', conclusion: 'success', sha: sha(41), branch: 'main', createdAt: iso(-3 * 86_400_000), actor: PEOPLE.sam, message: 'Roll back checkout', event: 'workflow_dispatch' });
  world.job(402, { name: 'Plan rollback', status: 'completed', conclusion: 'success', steps: 2 });
  world.job(402, { name: 'rollback', status: 'completed', conclusion: 'success', steps: 2 });
  world.issue('acme-shop/checkout', { number: 231, title: 'Retry payment capture on 502 from the bank', body: 'Seen during the v3.2.0 incident.', labels: ['bug', 'P1'], assignee: PEOPLE.alex, updatedAt: iso(-25 * 60_000) });
  world.issue('acme-shop/checkout', { number: 228, title: 'Checkout dashboard misses the p99 panel', labels: ['observability'], updatedAt: iso(-5 * 3_600_000) });
  return world;
}

async function jira(): Promise<ContractFake> {
  const fake = await startContractFake({ spec: 'jira.openapi.json', vendor: 'Jira' });
  const jiraTime = (m: number) => new Date(minutesAgo(m)).toISOString().replace('Z', '+0000');
  const issues = [
    issue('CHK-412', { summary: 'Postmortem: checkout 5xx after v3.2.0', description: adf('Timeline, impact and follow-ups of the v3.2.0 rollout.'), priority: 'High', assignee: MAYA, labels: ['postmortem'], status: { name: 'In Progress', category: 'indeterminate' }, updated: jiraTime(8) }),
    issue('CART-77', { summary: 'Cart latency budget for the sale', priority: 'Medium', updated: jiraTime(90) }),
  ];
  return serveJira(fake, { issues: () => issues });
}

async function slack(): Promise<ContractFake> {
  const fake = await startContractFake({
    spec: 'slack.openapi.json',
    vendor: 'Slack',
    fixtures: `${import.meta.dirname}/../slack/__fixtures__`,
    // Slack's document lists `token` as a required parameter; the API takes `Authorization: Bearer` instead.
    ignoreParameters: ['token'],
  });
  const history: FakeMessage[] = [
    { type: 'message', ts: ts(1), user: 'U0MAYA0001', text: 'Checkout 5xx is up, looking' },
    { type: 'message', ts: ts(2), user: 'U0JONAS001', text: 'v3.2.0 went out 20 minutes ago' },
  ];
  return serveSlack(fake, { channels: [conversation('C0PAYMENTS', 'team-payments', 'Payments team'), conversation('C0INCIDENT', 'incidents', 'Incident announcements')], history: { C0PAYMENTS: history, C0INCIDENT: [] }, pageSize: { channels: 100, messages: 100 } });
}

async function catalog() {
  const annotations = (name: string, pd: string | null, jiraKey: string) => ({
    ...(pd ? { 'pagerduty.com/service-id': pd } : {}),
    'datadoghq.com/service-name': name,
    'github.com/project-slug': `acme-shop/${name}`,
    'jira/project-key': jiraKey,
  });
  return startFakeCatalog([
    component(
      'checkout',
      { type: 'service', lifecycle: 'production', owner: 'group:default/payments', system: 'shop', dependsOn: ['component:default/cart', 'component:default/payments-api'] },
      { title: 'Checkout', description: 'Turns carts into orders', labels: { tier: '1' }, annotations: annotations('checkout', PD_CHECKOUT, 'CHK') },
      [
        { type: 'ownedBy', targetRef: 'group:default/payments' },
        { type: 'dependsOn', targetRef: 'component:default/cart' },
        { type: 'dependsOn', targetRef: 'component:default/payments-api' },
      ],
    ),
    component('cart', { type: 'service', lifecycle: 'production', owner: 'group:default/payments', system: 'shop' }, { title: 'Cart', labels: { tier: '1' }, annotations: annotations('cart', PD_CART, 'CART') }, [
      { type: 'ownedBy', targetRef: 'group:default/payments' },
      { type: 'dependencyOf', targetRef: 'component:default/checkout' },
    ]),
    component('payments-api', { type: 'service', lifecycle: 'production', owner: 'group:default/payments', system: 'shop' }, { title: 'Payments API', labels: { tier: '2' }, annotations: annotations('payments-api', null, 'PAY') }, [
      { type: 'ownedBy', targetRef: 'group:default/payments' },
      { type: 'dependencyOf', targetRef: 'component:default/checkout' },
    ]),
    group('payments', { profile: { displayName: 'Payments' }, members: ['user:default/maya', 'user:default/tom', 'user:default/alex', 'user:default/sam'] }, { description: 'Checkout, cart and payments', annotations: { 'slack.com/channel': 'team-payments' } }),
    user('maya', { profile: { displayName: 'Maya Patel', email: 'maya.patel@acme-shop.example' }, memberOf: ['payments'] }),
    user('tom', { profile: { displayName: 'Tom Baker', email: 'tom.baker@acme-shop.example' }, memberOf: ['payments'] }),
    user('alex', { profile: { displayName: 'Alex Kim', email: 'alex.kim@acme-shop.example' }, memberOf: ['payments'] }),
    user('sam', { profile: { displayName: 'Sam Ortiz', email: 'sam.ortiz@acme-shop.example' }, memberOf: ['payments'] }),
  ]);
}

/** Starts every fake with the sample world; `close()` stops them. */
export async function startSandboxWorld(): Promise<SandboxWorld> {
  const [pd, og, gh, jr, sl, bs, dd] = await Promise.all([pagerDuty(), opsgenie(), github(), jira(), slack(), catalog(), startFakeDatadog(sampleWorld(Date.now()))]);
  const pdSettings = { url: pd.url, apiToken: 'secret://env/PD_TOKEN', fromEmail: 'oncall-bot@acme-shop.example', subdomain: 'acme-shop', teamAliases: { PTPAY: 'payments' } };
  const ghSettings = { url: gh.fake.url, token: 'secret://env/GH_TOKEN', repos: ['acme-shop/checkout', 'acme-shop/cart'], webUrl: 'https://github.com', userEmails: { 'alex-k': 'alex.kim@acme-shop.example', 'sam-ops': 'sam.ortiz@acme-shop.example' } };
  const ddSettings = { site: 'EU', url: dd.url, apiKey: 'secret://env/DD_API_KEY', applicationKey: 'secret://env/DD_APP_KEY' };
  const bsSettings = { url: bs.fake.url, appUrl: 'https://backstage.acme-shop.example', token: 'secret://env/BACKSTAGE_TOKEN' };
  const env: Record<string, string> = {
    OPSORCH_SERVICES_PROVIDER: 'bs=backstage',
    OPSORCH_SERVICES_CONFIG: JSON.stringify(bsSettings),
    OPSORCH_TEAMS_PROVIDER: 'bs=backstage,pd=pagerduty',
    OPSORCH_TEAMS_CONFIG: JSON.stringify({ bs: bsSettings, pd: pdSettings }),
    OPSORCH_INCIDENTS_PROVIDER: 'pd=pagerduty,og=opsgenie',
    OPSORCH_INCIDENTS_CONFIG: JSON.stringify({ pd: pdSettings, og: { url: og.url, apiKey: 'secret://env/OG_KEY', account: 'acme-shop' } }),
    OPSORCH_ALERTS_PROVIDER: 'dd=datadog,pd=pagerduty',
    OPSORCH_ALERTS_CONFIG: JSON.stringify({ dd: ddSettings, pd: pdSettings }),
    OPSORCH_METRICS_PROVIDER: 'dd=datadog',
    OPSORCH_METRICS_CONFIG: JSON.stringify(ddSettings),
    OPSORCH_LOGS_PROVIDER: 'dd=datadog',
    OPSORCH_LOGS_CONFIG: JSON.stringify(ddSettings),
    OPSORCH_TICKETS_PROVIDER: 'jira=jira,gh=github',
    OPSORCH_TICKETS_CONFIG: JSON.stringify({
      jira: { url: jr.origin, siteUrl: SITE, auth: { email: 'opsorch-bot@acme-shop.example', apiToken: 'secret://env/JIRA_TOKEN' }, projects: ['CHK', 'CART'] },
      gh: { ...ghSettings, ticketsRepo: 'acme-shop/checkout' },
    }),
    OPSORCH_DEPLOYMENTS_PROVIDER: 'gh=github',
    OPSORCH_DEPLOYMENTS_CONFIG: JSON.stringify(ghSettings),
    OPSORCH_ORCHESTRATION_PROVIDER: 'gh=github',
    OPSORCH_ORCHESTRATION_CONFIG: JSON.stringify(ghSettings),
    OPSORCH_MESSAGING_PROVIDER: 'slack=slack',
    OPSORCH_MESSAGING_CONFIG: JSON.stringify({ url: sl.url, token: 'secret://env/SLACK_TOKEN' }),
    PD_TOKEN: 'u+sandbox-pagerduty-token',
    OG_KEY: 'sandbox-opsgenie-key',
    GH_TOKEN: 'ghp_sandboxToken0123456789abcdefghij',
    JIRA_TOKEN: 'sandbox-jira-token',
    SLACK_TOKEN: 'xoxb-sandbox-slack-token',
    DD_API_KEY: 'sandbox-datadog-api-key-0123456789ab',
    DD_APP_KEY: 'sandbox-datadog-app-key-0123456789abcdef0123',
    BACKSTAGE_TOKEN: 'sandbox-backstage-token',
  };
  return {
    env,
    fakes: { PagerDuty: pd, Opsgenie: og, GitHub: gh.fake, Jira: jr, Slack: sl, Backstage: bs.fake, 'Datadog v1': dd.v1, 'Datadog v2': dd.v2, 'Datadog downtimes': dd.downtimes },
    async close() {
      await Promise.all([pd.close(), og.close(), gh.close(), jr.close(), sl.close(), bs.fake.close(), dd.close()]);
    },
  };
}
