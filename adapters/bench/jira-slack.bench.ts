// `npm run bench:jira-slack`: the Jira and Slack adapters against their contract fakes, through the real gateway.
// 1. Vendor calls of the war-room query with each incident's tickets (Jira), for N=5 and N=25 incidents: batching
//    keeps them constant in N. The same for N incident war rooms with their last messages (Slack), where the vendor
//    has no multi-channel history call.
// 2. Latency the adapter adds over the fake's own time: the same read through the registry and as a bare HTTP call
//    to the fake, median of 500 each.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { services } from '../demo/world.ts';
import { gql, startTestGateway } from '../../gateway/test/harness.ts';
import { WAR_ROOM } from '../../gateway/test/queries.ts';
import { startContractFake } from '../kit/contract-fake.ts';
import { ANONYMOUS, silentLogger, type ProviderContext } from '../src/context.ts';
import { issue, serveJira, type StoredIssue } from '../jira/testing/jira-fake.ts';
import { conversation, serveSlack, ts, type FakeMessage } from '../slack/testing/slack-fake.ts';
import { TICKET_FIELDS } from '../jira/api.ts';
import { JiraTicketProvider } from '../jira/tickets.ts';
import { jiraSettingsSchema } from '../jira/settings.ts';
import { SlackMessagingProvider } from '../slack/messaging.ts';
import { slackSettingsSchema } from '../slack/settings.ts';

const RUNS = 500;
const JIRA_TOKEN = 'bench-jira-token';
const SLACK_TOKEN = 'xoxb-bench-slack-token';

function ctx(): ProviderContext {
  return { signal: new AbortController().signal, logger: silentLogger, actor: ANONYMOUS, requestId: crypto.randomUUID(), now: new Date() };
}

/**
 * Medians of two calls timed alternately (a, b, a, b...), so drift of a shared machine weighs on both alike.
 */
async function medians(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number, number]> {
  for (let i = 0; i < 50; i++) await Promise.all([a(), b()]);
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < RUNS; i++) {
    for (const [slot, call] of [a, b].entries()) {
      const started = performance.now();
      await call();
      samples[slot]!.push(performance.now() - started);
    }
  }
  return samples.map((s) => s.sort((x, y) => x - y)[Math.floor(s.length / 2)]!) as [number, number];
}

const jiraFake = await startContractFake({ spec: 'jira.openapi.json', vendor: 'Jira', fixtures: join(import.meta.dirname, '..', 'jira', '__fixtures__') });
const issues: StoredIssue[] = [];
// Jira's and Slack's own page sizes (100 issues with fields, 200 channels), not the tests' small ones.
serveJira(jiraFake, { issues: () => issues, pageSize: 100 });
const channels = Array.from({ length: 25 }, (_, i) => conversation(`C0WARROOM${String(i).padStart(2, '0')}`, `inc-${2000 + i}`));
const history: Record<string, FakeMessage[]> = Object.fromEntries(
  channels.map((c) => [c.id, Array.from({ length: 5 }, (_, n) => ({ type: 'message', ts: ts(n + 1), user: n % 2 ? 'U0MAYA0001' : 'U0JONAS001', text: `update ${n} <@U0MAYA0001>` }))]),
);
const slackFake = await startContractFake({ spec: 'slack.openapi.json', vendor: 'Slack', fixtures: join(import.meta.dirname, '..', 'slack', '__fixtures__'), ignoreParameters: ['token'] });
serveSlack(slackFake, { channels, history, pageSize: { channels: 200, messages: 200 } });

const gateway = await startTestGateway({
  env: {
    OPSORCH_TICKETS_PROVIDER: 'jira=jira',
    OPSORCH_TICKETS_CONFIG: JSON.stringify({ url: jiraFake.origin, auth: { email: 'bench@acme-shop.example', apiToken: 'secret://env/JIRA_TOKEN' }, defaultProject: 'OPS' }),
    OPSORCH_MESSAGING_PROVIDER: 'slack=slack',
    OPSORCH_MESSAGING_CONFIG: JSON.stringify({ url: slackFake.url, token: 'secret://env/SLACK_TOKEN' }),
    JIRA_TOKEN,
    SLACK_TOKEN,
  },
});

try {
  // 25 open incidents in the demo world, each with one Jira follow-up labelled with its id.
  const created = await gql(
    gateway.url,
    `mutation { ${Array.from({ length: 25 }, (_, i) => `i${i}: createIncident(input: { title: "Bench ${i}", serviceId: "${services[i % services.length]!.id}", severity: SEV3 }, idempotencyKey: "bench-${i}") { id }`).join('\n')} }`,
  );
  if (created.errors) throw new Error(JSON.stringify(created.errors));
  const openIds = (await gql(gateway.url, '{ incidents(filter: { statuses: [TRIGGERED, ACKNOWLEDGED] }, first: 25) { nodes { id } } }')).data.incidents.nodes.map((n: { id: string }) => n.id);
  openIds.forEach((id: string, i: number) => issues.push(issue(`OPS-${i + 1}`, { labels: [`incident:${id}`] })));

  const warRoomWithTickets = WAR_ROOM.replace('timeline(first: 3)', 'tickets { key status url }\n        timeline(first: 3)');
  console.log('vendor calls of one query (the war room with each incident\'s Jira tickets; N incident war rooms with their last 3 Slack messages):');
  for (const n of [5, 25]) {
    const jiraBefore = jiraFake.requests.length;
    const warRoom = await gql(gateway.url, warRoomWithTickets, { first: n });
    if (warRoom.errors) throw new Error(JSON.stringify(warRoom.errors));
    const withTickets = warRoom.data.incidents.nodes.filter((node: { tickets: unknown[] }) => node.tickets.length > 0).length;
    const slackBefore = slackFake.requests.length;
    const rooms = await gql(gateway.url, `{ channels(filter: { incidentOnly: true }, first: ${n}) { nodes { name url messages(first: 3) { nodes { text authorName url } } } } }`);
    if (rooms.errors) throw new Error(JSON.stringify(rooms.errors));
    const slackRoutes = slackFake.requests.slice(slackBefore).map((r) => r.route);
    const count = (route: string) => slackRoutes.filter((r) => r === route).length;
    console.log(
      `  N=${String(n).padStart(2)}: Jira ${jiraFake.requests.length - jiraBefore} call(s) (${withTickets} incidents with tickets); ` +
        `Slack ${slackRoutes.length} call(s): conversations.history ${count('GET /conversations.history')}, conversations.list ${count('GET /conversations.list')}, users.info ${count('GET /users.info')}, auth.test ${count('GET /auth.test')}`,
    );
  }

  const jira = gateway.registry.all('tickets')[0]!;
  const slack = gateway.registry.all('messaging')[0]!;
  // The same adapters outside the registry (no deadline, retries, breaker, spans or metrics around the call).
  const bareJira = new JiraTicketProvider(jiraSettingsSchema.parse({ url: jiraFake.origin, auth: { email: 'bench@acme-shop.example', apiToken: JIRA_TOKEN } }), { instance: 'jira', kind: 'jira', logger: silentLogger });
  const bareSlack = new SlackMessagingProvider(slackSettingsSchema.parse({ url: slackFake.url, token: SLACK_TOKEN }), { instance: 'slack', kind: 'slack', logger: silentLogger });
  const basic = `Basic ${Buffer.from(`bench@acme-shop.example:${JIRA_TOKEN}`).toString('base64')}`;
  const searchBody = JSON.stringify({ jql: 'key = "OPS-1" ORDER BY updated DESC, key DESC', fields: TICKET_FIELDS, maxResults: 100 });
  // The adapters' reads as bare HTTP calls to the fakes: the fakes' own time.
  const jiraHttp = async () => {
    const answer = await fetch(`${jiraFake.origin}/rest/api/3/search/jql`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json', accept: 'application/json' }, body: searchBody });
    await answer.json();
  };
  const slackHttp = async () => {
    const answer = await fetch(`${slackFake.url}/conversations.history?channel=C0WARROOM00&limit=3`, { headers: { authorization: `Bearer ${SLACK_TOKEN}`, accept: 'application/json' } });
    await answer.json();
  };
  const [jiraAdapter, jiraDirect] = await medians(() => jira.getMany(['jira:OPS-1'], ctx()), jiraHttp);
  const [slackAdapter, slackDirect] = await medians(() => slack.messagesForChannels(['slack:C0WARROOM00'], { first: 3, after: null }, ctx()), slackHttp);
  const [jiraBare, jiraDirect2] = await medians(() => bareJira.getMany(['jira:OPS-1'], ctx()), jiraHttp);
  const [slackBare, slackDirect2] = await medians(() => bareSlack.messagesForChannels(['slack:C0WARROOM00'], { first: 3, after: null }, ctx()), slackHttp);
  const ms = (v: number) => `${v.toFixed(3)} ms`;
  console.log(`latency, median of ${RUNS} calls each, alternated with the bare HTTP call (the fake validates every request against the vendor's spec):`);
  console.log(`  through the registry:`);
  console.log(`  Jira  tickets.getMany(1 id):          adapter ${ms(jiraAdapter)}, bare HTTP ${ms(jiraDirect)}, added ${ms(jiraAdapter - jiraDirect)}`);
  console.log(`  Slack messagesForChannels(1, 3 msgs): adapter ${ms(slackAdapter)}, bare HTTP ${ms(slackDirect)}, added ${ms(slackAdapter - slackDirect)}`);
  console.log(`  the adapters alone, outside the registry:`);
  console.log(`  Jira  tickets.getMany(1 id):          adapter ${ms(jiraBare)}, bare HTTP ${ms(jiraDirect2)}, added ${ms(jiraBare - jiraDirect2)}`);
  console.log(`  Slack messagesForChannels(1, 3 msgs): adapter ${ms(slackBare)}, bare HTTP ${ms(slackDirect2)}, added ${ms(slackBare - slackDirect2)}`);
  for (const fake of [jiraFake, slackFake]) fake.verify();
} finally {
  await gateway.close();
  await jiraFake.close();
  await slackFake.close();
}
