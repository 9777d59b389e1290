// The GitHub adapter through the real gateway against a contract fake of GitHub's REST API (the whole published
// description, @octokit/openapi): deployments and deploy workflow runs, issues as tickets, org teams, and
// Actions workflows as runbooks, on a GitHub Enterprise base URL (`/api/v3`).
import { generateKeyPairSync } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { runCheck } from '../../gateway/src/check.ts';
import { captureLogs, gql, startTestGateway } from '../../gateway/test/harness.ts';
import { apiKey, bearer, writeGatewayConfig } from '../../gateway/test/security-fixtures.ts';
import { CI_YAML, iso, PEOPLE, RUNBOOK_YAML, startGithubWorld } from './fake-github.ts';

const TOKEN = 'ghp_contractFakeToken0123456789abcdef';
const REPOS = ['acme-shop/checkout', 'acme-shop/cart-v1'];

let world: Awaited<ReturnType<typeof startGithubWorld>>;
let gateway: RunningGateway;
const logs = captureLogs();

function settings(extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    url: world.fake.url,
    token: 'secret://env/GH_TOKEN',
    repos: REPOS,
    deployWorkflows: { 'deploy.yml': 'production' },
    userEmails: { 'alex-k': 'alex@acme-shop.example' },
    serviceAliases: { 'acme-shop/cart-v1': 'cart' },
    webUrl: 'https://github.com',
    ...extra,
  });
}

function env(extra: Record<string, string> = {}) {
  return {
    GH_TOKEN: TOKEN,
    OPSORCH_DEPLOYMENTS_PROVIDER: 'gh=github',
    OPSORCH_DEPLOYMENTS_CONFIG: settings(),
    OPSORCH_TICKETS_PROVIDER: 'gh=github',
    OPSORCH_TICKETS_CONFIG: settings({ ticketsRepo: 'acme-shop/checkout' }),
    OPSORCH_TEAMS_PROVIDER: 'gh=github',
    OPSORCH_TEAMS_CONFIG: settings({ org: 'acme-shop' }),
    OPSORCH_ORCHESTRATION_PROVIDER: 'gh=github',
    OPSORCH_ORCHESTRATION_CONFIG: settings(),
    OPSORCH_PROVIDER_READ_ATTEMPTS: '1',
    ...extra,
  };
}

const SHA = (n: number) => `${String(n).padStart(4, '0')}abcdef0123456789abcdef0123456789abcd`;

beforeAll(async () => {
  world = await startGithubWorld();
  // checkout: five deployments through the Deployments API, newest first every ten minutes…
  for (let i = 0; i < 5; i++) {
    world.deployment('acme-shop/checkout', 201 + i, {
      sha: SHA(i),
      ref: `v2.14.${i}`,
      environment: 'production',
      createdAt: iso(-(5 - i) * 600_000),
      creator: PEOPLE.alex,
      states: i === 4 ? ['in_progress'] : i === 2 ? ['in_progress', 'failure'] : ['in_progress', 'success'],
    });
  }
  // …three runs of its deploy workflow in between, and CI runs that are not deployments.
  const deployWorkflow = world.workflow('acme-shop/checkout', {
    id: 77,
    name: 'Deploy',
    file: 'deploy.yml',
    yaml: 'name: Deploy\non: push\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./ship.sh\n',
  });
  world.workflow('acme-shop/checkout', {
    id: 78,
    name: 'CI',
    file: 'ci.yml',
    yaml: CI_YAML,
  });
  const rollback = world.workflow('acme-shop/checkout', {
    id: 79,
    name: 'Roll back checkout',
    file: 'rollback.yml',
    yaml: RUNBOOK_YAML,
  });
  for (let i = 0; i < 3; i++) {
    world.run('acme-shop/checkout', {
      id: 301 + i,
      workflowId: 77,
      path: deployWorkflow.path,
      status: i === 2 ? 'in_progress' : 'completed',
      conclusion: i === 2 ? null : 'success',
      sha: SHA(10 + i),
      branch: 'main',
      createdAt: iso(-(5 - i) * 600_000 + 300_000),
      actor: PEOPLE.bot,
      message: `Fix checkout ${i}`,
    });
    world.run('acme-shop/checkout', {
      id: 351 + i,
      workflowId: 78,
      path: '.github/workflows/ci.yml',
      status: 'completed',
      conclusion: 'success',
      sha: SHA(20 + i),
      branch: 'main',
      createdAt: iso(-(5 - i) * 600_000 + 200_000),
      actor: PEOPLE.alex,
      message: 'CI',
    });
  }
  // cart-v1 (joined to "cart" by alias): two staging deployments.
  world.deployment('acme-shop/cart-v1', 601, {
    sha: SHA(30),
    ref: 'main',
    environment: 'staging',
    createdAt: iso(-7_200_000),
    creator: PEOPLE.sam,
    states: ['success'],
  });
  world.deployment('acme-shop/cart-v1', 602, {
    sha: SHA(31),
    ref: 'main',
    environment: 'staging',
    createdAt: iso(-3_600_000 - 1000),
    creator: PEOPLE.sam,
    states: ['success', 'inactive'],
  });
  // Runbook runs: one waiting for the production approval, one finished.
  world.run('acme-shop/checkout', {
    id: 401,
    workflowId: 79,
    path: rollback.path,
    status: 'waiting',
    conclusion: null,
    sha: SHA(40),
    branch: 'main',
    createdAt: iso(-120_000),
    actor: PEOPLE.alex,
    message: 'Rollback',
    event: 'workflow_dispatch',
  });
  world.job(401, {
    name: 'Plan rollback',
    status: 'completed',
    conclusion: 'success',
    steps: 2,
  });
  world.job(401, {
    name: 'rollback',
    status: 'waiting',
    conclusion: null,
    steps: 0,
  });
  world.pendingReview(401, 'production', 9001);
  world.run('acme-shop/checkout', {
    id: 402,
    workflowId: 79,
    path: rollback.path,
    status: 'completed',
    conclusion: 'success',
    sha: SHA(41),
    branch: 'main',
    createdAt: iso(-86_400_000),
    actor: PEOPLE.sam,
    message: 'Rollback',
    event: 'workflow_dispatch',
  });
  world.job(402, {
    name: 'Plan rollback',
    status: 'completed',
    conclusion: 'success',
    steps: 2,
  });
  world.job(402, {
    name: 'rollback',
    status: 'completed',
    conclusion: 'success',
    steps: 2,
  });
  // Issues: seven on checkout, updated a minute apart; one closed as not planned; one on cart-v1.
  for (let i = 0; i < 7; i++) {
    world.issue('acme-shop/checkout', {
      number: 10 + i,
      title: `Checkout bug ${i}`,
      body: i === 3 ? 'Payment step fails\n\n<!-- opsorch:incident=pd:Q123 -->' : `Body ${i}`,
      labels: i === 1 ? ['bug', 'P1'] : ['bug'],
      assignee: i === 0 ? PEOPLE.alex : null,
      updatedAt: iso(-(i + 1) * 60_000),
      ...(i === 6 ? { state: 'closed', stateReason: 'not_planned' } : {}),
    });
  }
  world.issue('acme-shop/cart-v1', {
    number: 3,
    title: 'Cart total off by one',
    updatedAt: iso(-30_000),
    labels: ['priority: high'],
  });
  world.team('platform', 'Platform', null, [
    { login: 'alex-k', id: 101, maintainer: true },
    { login: 'sam-ops', id: 102, maintainer: false },
  ]);
  world.team('sre', 'SRE', 'platform', [{ login: 'sam-ops', id: 102, maintainer: true }]);
  gateway = await startTestGateway({ env: env(), logger: logs.logger });
}, 60_000);

afterEach(() => {
  world.failure = null;
  world.fake.verify();
});

afterAll(async () => {
  await gateway?.close();
  await world?.close();
  // The token never reaches a log line (it is only ever sent as a header to GitHub).
  expect(logs.lines.join('\n')).not.toContain(TOKEN);
  // …and it travels only in the Authorization header: never in a URL GitHub was asked.
  expect(world.fake.requests.filter((r) => `${r.path}?${r.query}`.includes(TOKEN))).toEqual([]);
  expect(world.fake.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
});

/** Reads a whole connection page by page with `first`, answering every node. */
async function walk(query: (after: string | null) => string, pick: (data: any) => any): Promise<any[]> {
  const nodes: any[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 20; pages++) {
    const body = await gql(gateway.url, query(after));
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    const connection = pick(body.data);
    nodes.push(...connection.nodes);
    if (!connection.pageInfo.hasNextPage) return nodes;
    after = connection.pageInfo.endCursor;
  }
  throw new Error('did not reach the end');
}

describe('GitHub deployments', () => {
  it('merges the Deployments API and deploy workflow runs newest first, paged to the end without gap or duplicate', async () => {
    const nodes = await walk(
      (after) =>
        `{ deployments(filter: { scope: { service: "checkout" } }, first: 3${
          after ? `, after: "${after}"` : ''
        }) { nodes { id version environment status rawStatus startedAt finishedAt url commit { sha shortSha message url } author { id } service { id } source { provider instance id } } pageInfo { hasNextPage endCursor } providerErrors { code } } }`,
      (d) => d.deployments
    );
    expect(nodes.map((n) => n.id)).toEqual([
      'gh:acme-shop/checkout/deployments/205',
      'gh:acme-shop/checkout/deployments/204',
      'gh:acme-shop/checkout/runs/303',
      'gh:acme-shop/checkout/deployments/203',
      'gh:acme-shop/checkout/runs/302',
      'gh:acme-shop/checkout/deployments/202',
      'gh:acme-shop/checkout/runs/301',
      'gh:acme-shop/checkout/deployments/201',
    ]);
    const failed = nodes.find((n) => n.id.endsWith('/203'));
    expect(failed).toMatchObject({
      version: 'v2.14.2',
      environment: 'production',
      status: 'FAILED',
      rawStatus: 'failure',
      url: 'https://github.com/acme-shop/checkout/actions/runs/203',
      commit: {
        sha: SHA(2),
        shortSha: SHA(2).slice(0, 7),
        message: `Release ${SHA(2).slice(0, 7)}\n\nDetails`,
      },
      author: { id: 'alex@acme-shop.example' },
      service: { id: 'checkout' },
      source: {
        provider: 'github',
        instance: 'gh',
        id: 'acme-shop/checkout/deployments/203',
      },
    });
    expect(failed.finishedAt).not.toBeNull();
    expect(nodes.find((n) => n.id.endsWith('/205'))).toMatchObject({
      status: 'IN_PROGRESS',
      rawStatus: 'in_progress',
      finishedAt: null,
    });
    // A workflow run: the commit's own message and author (the actor is a bot), the run's page.
    expect(nodes.find((n) => n.id.endsWith('runs/301'))).toMatchObject({
      version: SHA(10).slice(0, 7),
      status: 'SUCCEEDED',
      rawStatus: 'success',
      url: 'https://github.com/acme-shop/checkout/actions/runs/301',
      commit: { message: 'Fix checkout 0' },
      author: { id: 'alex@acme-shop.example' },
    });
    // Only the deploy workflow's runs were asked for; CI runs are not deployments.
    expect(world.fake.requests.some((r) => r.path.includes('/workflows/ci.yml/'))).toBe(false);
  });

  it('joins repositories to catalog services by externalRefs and aliases, and answers one deployment by id', async () => {
    const body = await gql(
      gateway.url,
      `{ a: deployment(id: "gh:acme-shop/cart-v1/deployments/602") { status rawStatus service { id } author { id } } b: deployment(id: "gh:acme-shop/checkout/runs/303") { status environment } c: deployment(id: "gh:acme-shop/checkout/deployments/999") { id } d: deployment(id: "gh:acme-shop/checkout/runs/351") { id } }`
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      a: {
        status: 'SUCCEEDED',
        rawStatus: 'inactive',
        service: { id: 'cart' },
        author: { id: '102+sam-ops@users.noreply.github.com' },
      },
      b: { status: 'IN_PROGRESS', environment: 'production' },
      c: null,
      d: null,
    });
  });

  it('narrows by environment and time range with the parameters GitHub takes', async () => {
    const body = await gql(gateway.url, `{ deployments(filter: { scope: { environment: "staging" }, range: { from: "${iso(-5_400_000)}" } }) { nodes { id service { id } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.deployments.nodes).toEqual([{ id: 'gh:acme-shop/cart-v1/deployments/602', service: { id: 'cart' } }]);
    const asked = world.fake.requests.filter((r) => r.route === 'GET /repos/{owner}/{repo}/deployments').at(-1)!;
    expect(asked.query.get('environment')).toBe('staging');
  });
});

describe('GitHub issues as tickets', () => {
  it('lists issues through one search across the repositories, paged to the end, with statuses, priorities and services', async () => {
    const before = world.fake.requests.length;
    const nodes = await walk(
      (after) =>
        `{ tickets(first: 3${
          after ? `, after: "${after}"` : ''
        }) { nodes { id key title status rawStatus priority rawPriority labels url assignee { id } reporter { id } service { id } source { id } } pageInfo { hasNextPage endCursor } } }`,
      (d) => d.tickets
    );
    expect(nodes.map((n) => n.key)).toEqual(['acme-shop/cart-v1#3', ...[10, 11, 12, 13, 14, 15, 16].map((n) => `acme-shop/checkout#${n}`)]);
    expect(nodes[0]).toMatchObject({
      priority: 'HIGH',
      rawPriority: 'priority: high',
      service: { id: 'cart' },
      url: 'https://github.com/acme-shop/cart-v1/issues/3',
    });
    expect(nodes[1]).toMatchObject({
      status: 'TODO',
      rawStatus: 'open',
      assignee: { id: 'alex@acme-shop.example' },
      reporter: { id: '102+sam-ops@users.noreply.github.com' },
      service: { id: 'checkout' },
    });
    expect(nodes[2]).toMatchObject({ priority: 'HIGH', rawPriority: 'P1' });
    expect(nodes[7]).toMatchObject({
      status: 'CANCELLED',
      rawStatus: 'closed:not_planned',
    });
    const searches = world.fake.requests.slice(before).filter((r) => r.route === 'GET /search/issues');
    expect(searches.length).toBeGreaterThan(1);
    expect(searches.every((r) => r.query.get('q')!.includes('repo:acme-shop/checkout repo:acme-shop/cart-v1'))).toBe(true);
  });

  it('narrows by status, text and incident; text cannot smuggle qualifiers', async () => {
    const body = await gql(
      gateway.url,
      `{ open: tickets(filter: { statuses: [TODO], scope: { service: "checkout" } }, first: 50) { nodes { key } } text: tickets(filter: { text: "Payment step\\" repo:evil/repo" }) { nodes { key incident { id } } } incident: tickets(filter: { incidentId: "pd:Q123" }) { nodes { key } } }`
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.open.nodes.map((n: any) => n.key)).toEqual([10, 11, 12, 13, 14, 15].map((n) => `acme-shop/checkout#${n}`));
    expect(body.data.incident.nodes).toEqual([{ key: 'acme-shop/checkout#13' }]);
    const textQuery = world.fake.requests
      .filter((r) => r.route === 'GET /search/issues')
      .map((r) => r.query.get('q')!)
      .find((q) => q.includes('Payment'))!;
    expect(textQuery).toContain('"Payment step  repo:evil/repo"');
    expect(textQuery.match(/repo:/g)!.length).toBe(3);
  });

  it('creates with the incident marker, comments, closes and reopens; the same idempotency key writes once', async () => {
    const create = `mutation { createTicket(input: { title: "Refund job stuck", description: "Jobs pile up", serviceId: "checkout", incidentId: "pd:Q999", labels: ["incident"], assigneeId: "alex@acme-shop.example" }, idempotencyKey: "gh-create-1") { id key status description labels assignee { id } url } }`;
    const first = await gql(gateway.url, create);
    const second = await gql(gateway.url, create);
    expect(first.errors).toBeUndefined();
    expect(second.data).toEqual(first.data);
    expect(world.fake.requests.filter((r) => r.route === 'POST /repos/{owner}/{repo}/issues')).toHaveLength(1);
    const ticket = first.data.createTicket;
    expect(ticket).toMatchObject({
      status: 'TODO',
      description: 'Jobs pile up',
      labels: ['incident'],
      assignee: { id: 'alex@acme-shop.example' },
    });
    const posted = world.fake.requests.find((r) => r.route === 'POST /repos/{owner}/{repo}/issues')!;
    expect(posted.body).toMatchObject({
      assignees: ['alex-k'],
      body: 'Jobs pile up\n\n<!-- opsorch:incident=pd:Q999 -->',
    });

    const commented = await gql(gateway.url, `mutation { commentOnTicket(id: "${ticket.id}", body: "Looking") { comments { nodes { body author { id } } } } }`);
    expect(commented.data.commentOnTicket.comments.nodes).toEqual([{ body: 'Looking', author: { id: 'alex@acme-shop.example' } }]);

    const transitions = await gql(gateway.url, `{ ticket(id: "${ticket.id}") { availableTransitions { id name to rawTo } } }`);
    expect(transitions.data.ticket.availableTransitions.map((t: any) => t.id)).toEqual(['close', 'close_not_planned']);
    const closed = await gql(gateway.url, `mutation { transitionTicket(id: "${ticket.id}", transition: "DONE") { status rawStatus availableTransitions { id } } }`);
    expect(closed.data.transitionTicket).toEqual({
      status: 'DONE',
      rawStatus: 'closed:completed',
      availableTransitions: [{ id: 'reopen' }],
    });
    const wrong = await gql(gateway.url, `mutation { transitionTicket(id: "${ticket.id}", transition: "close") { status } }`);
    expect(wrong.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(wrong.errors![0]!.message).toContain('reopen');
    const reopened = await gql(gateway.url, `mutation { transitionTicket(id: "${ticket.id}", transition: "reopen") { status rawStatus } }`);
    expect(reopened.data.transitionTicket).toEqual({
      status: 'TODO',
      rawStatus: 'open',
    });
  });
});

describe('GitHub issue edits', () => {
  it('updates title, labels, assignee and the linked incident; refuses a priority and a move to another service with what to do', async () => {
    const body = await gql(gateway.url, `mutation { updateTicket(id: "gh:acme-shop/checkout#12", input: { title: "Checkout bug 2 (triaged)", labels: ["bug", "P0"], incidentId: "pd:Q777" }) { title labels priority rawPriority incident { id } description } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.updateTicket).toEqual({ title: 'Checkout bug 2 (triaged)', labels: ['bug', 'P0'], priority: 'HIGHEST', rawPriority: 'P0', incident: { id: 'pd:Q777' }, description: 'Body 2' });
    const patched = world.fake.requests.filter((r) => r.route === 'PATCH /repos/{owner}/{repo}/issues/{issue_number}').at(-1)!;
    expect(patched.body).toEqual({ title: 'Checkout bug 2 (triaged)', labels: ['bug', 'P0'], body: 'Body 2\n\n<!-- opsorch:incident=pd:Q777 -->' });
    const priority = await gql(gateway.url, `mutation { updateTicket(id: "gh:acme-shop/checkout#12", input: { priority: HIGH }) { id } }`);
    expect(priority.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(priority.errors![0]!.message).toContain('priority label');
    const move = await gql(gateway.url, `mutation { updateTicket(id: "gh:acme-shop/checkout#12", input: { serviceId: "cart" }) { id } }`);
    expect(move.errors![0]!.message).toContain('create a new ticket');
    const unknown = await gql(gateway.url, `mutation { updateTicket(id: "gh:acme-shop/checkout#999", input: { title: "x" }) { id } }`);
    expect(unknown.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });
});

describe('GitHub organization teams', () => {
  it('lists teams with parents and members (maintainers lead), and people by e-mail', async () => {
    const body = await gql(
      gateway.url,
      `{ teams { nodes { id name url parent { id } subTeams { id } members { role user { id } } source { provider } } } user(id: "102+sam-ops@users.noreply.github.com") { name chatHandle url } }`
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.teams.nodes).toEqual([
      {
        id: 'platform',
        name: 'Platform',
        url: 'https://github.com/orgs/acme-shop/teams/platform',
        parent: null,
        subTeams: [{ id: 'sre' }],
        members: [
          { role: 'LEAD', user: { id: 'alex@acme-shop.example' } },
          {
            role: 'MEMBER',
            user: { id: '102+sam-ops@users.noreply.github.com' },
          },
        ],
        source: { provider: 'github' },
      },
      {
        id: 'sre',
        name: 'SRE',
        url: 'https://github.com/orgs/acme-shop/teams/sre',
        parent: { id: 'platform' },
        subTeams: [],
        members: [
          {
            role: 'LEAD',
            user: { id: '102+sam-ops@users.noreply.github.com' },
          },
        ],
        source: { provider: 'github' },
      },
    ]);
    expect(body.data.user).toEqual({
      name: 'SAM OPS',
      chatHandle: 'sam-ops',
      url: 'https://github.com/sam-ops',
    });
  });
});

describe('GitHub Actions as a workflow engine', () => {
  it('reads dispatchable workflows as runbooks: inputs as parameters, jobs as steps, environments as approvals', async () => {
    const body = await gql(gateway.url, `{ runbooks { nodes { id name description url tags service { id } steps { id title kind dependsOn } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.runbooks.nodes).toEqual([
      {
        id: 'gh:acme-shop/checkout/rollback.yml',
        name: 'Roll back checkout',
        description: expect.stringContaining('`version` (string, required) Version to roll back to; `region` (choice: eu-west-1 | us-east-1, default eu-west-1) Region'),
        url: 'https://github.com/acme-shop/checkout/actions/workflows/rollback.yml',
        tags: ['github-actions'],
        service: { id: 'checkout' },
        steps: [
          {
            id: 'plan',
            title: 'Plan rollback',
            kind: 'AUTOMATED',
            dependsOn: [],
          },
          {
            id: 'rollback:approval',
            title: 'Approve deployment to production',
            kind: 'APPROVAL',
            dependsOn: ['plan'],
          },
          {
            id: 'rollback',
            title: 'rollback',
            kind: 'AUTOMATED',
            dependsOn: ['rollback:approval'],
          },
        ],
      },
    ]);
  });

  it('shows runs with live step states, and a pending environment review as a step waiting for input', async () => {
    const body = await gql(gateway.url, `{ runbookRuns { nodes { id status rawStatus url startedBy { id } steps { step { id } status } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.runbookRuns.nodes).toEqual([
      {
        id: 'gh:acme-shop/checkout/runs/401',
        status: 'WAITING_FOR_INPUT',
        rawStatus: 'waiting',
        url: 'https://github.com/acme-shop/checkout/actions/runs/401',
        startedBy: { id: 'alex@acme-shop.example' },
        steps: [
          { step: { id: 'plan' }, status: 'SUCCEEDED' },
          { step: { id: 'rollback:approval' }, status: 'WAITING_FOR_INPUT' },
          { step: { id: 'rollback' }, status: 'PENDING' },
        ],
      },
      {
        id: 'gh:acme-shop/checkout/runs/402',
        status: 'SUCCEEDED',
        rawStatus: 'success',
        url: 'https://github.com/acme-shop/checkout/actions/runs/402',
        startedBy: { id: '102+sam-ops@users.noreply.github.com' },
        steps: [
          { step: { id: 'plan' }, status: 'SUCCEEDED' },
          { step: { id: 'rollback:approval' }, status: 'SUCCEEDED' },
          { step: { id: 'rollback' }, status: 'SUCCEEDED' },
        ],
      },
    ]);
  });

  it('approves a pending review through pending_deployments; a step not waiting is refused with its state', async () => {
    const notWaiting = await gql(gateway.url, `mutation { completeManualStep(runId: "gh:acme-shop/checkout/runs/401", stepId: "plan") { status } }`);
    expect(notWaiting.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(notWaiting.errors![0]!.message).toContain('SUCCEEDED');
    const body = await gql(
      gateway.url,
      `mutation { completeManualStep(runId: "gh:acme-shop/checkout/runs/401", stepId: "rollback:approval", note: "go", idempotencyKey: "gh-approve-1") { status steps { step { id } status note completedBy { id } } } }`,
      undefined,
      { 'x-opsorch-actor': 'user:alex@acme-shop.example' }
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.completeManualStep.status).toBe('RUNNING');
    expect(body.data.completeManualStep.steps.map((s: any) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'RUNNING']);
    // GitHub's approvals name who approved and why.
    expect(body.data.completeManualStep.steps[1]).toMatchObject({ status: 'SUCCEEDED', note: expect.stringContaining('go'), completedBy: { id: 'alex@acme-shop.example' } });
    const review = world.fake.requests.find((r) => r.route === 'POST /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments')!;
    expect(review.body).toMatchObject({
      environment_ids: [9001],
      state: 'approved',
      comment: expect.stringContaining('go'),
    });
  });

  it('rejects a pending review: the approval step fails with the reviewer and the run fails', async () => {
    world.run('acme-shop/checkout', { id: 404, workflowId: 79, path: '.github/workflows/rollback.yml', status: 'waiting', conclusion: null, sha: SHA(44), branch: 'main', createdAt: iso(-3 * 86_400_000), actor: PEOPLE.alex, message: 'Rollback', event: 'workflow_dispatch' });
    world.job(404, { name: 'Plan rollback', status: 'completed', conclusion: 'success', steps: 2 });
    world.job(404, { name: 'rollback', status: 'waiting', conclusion: null, steps: 0 });
    world.pendingReview(404, 'production', 9001);
    const body = await gql(gateway.url, `mutation { completeManualStep(runId: "gh:acme-shop/checkout/runs/404", stepId: "rollback:approval", outcome: FAILED, note: "wrong version") { status rawStatus steps { step { id } status note completedBy { id } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.completeManualStep).toMatchObject({ status: 'FAILED', rawStatus: 'failure' });
    expect(body.data.completeManualStep.steps.map((s: any) => s.status)).toEqual(['SUCCEEDED', 'FAILED', 'FAILED']);
    expect(body.data.completeManualStep.steps[1]).toMatchObject({ note: expect.stringContaining('wrong version'), completedBy: { id: 'alex@acme-shop.example' } });
    expect(world.fake.requests.filter((r) => r.route === 'POST /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments').at(-1)!.body).toMatchObject({ state: 'rejected' });
  });

  it('starts a run with checked parameters, finds the run GitHub created, and cancels it', async () => {
    const bad = await gql(
      gateway.url,
      `mutation { startRunbookRun(runbookId: "gh:acme-shop/checkout/rollback.yml", input: { parameters: { region: "mars-1", version: "v1" } }) { id } }`
    );
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toContain('eu-west-1, us-east-1');
    const missing = await gql(gateway.url, `mutation { startRunbookRun(runbookId: "gh:acme-shop/checkout/rollback.yml", input: { parameters: { region: "us-east-1" } }) { id } }`);
    expect(missing.errors![0]!.message).toContain('"version" is required');
    const start = `mutation { startRunbookRun(runbookId: "gh:acme-shop/checkout/rollback.yml", input: { incidentId: "pd:Q123", parameters: { version: "v2.13.4", dry_run: true } }, idempotencyKey: "gh-start-1") { id status rawStatus parameters incident { id } runbook { id } } }`;
    const started = await gql(gateway.url, start);
    const again = await gql(gateway.url, start);
    expect(started.errors).toBeUndefined();
    expect(again.data).toEqual(started.data);
    const dispatches = world.fake.requests.filter((r) => r.route === 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches');
    expect(dispatches).toHaveLength(1);
    expect(dispatches[0]!.body).toEqual({
      ref: 'main',
      inputs: { version: 'v2.13.4', dry_run: 'true' },
      return_run_details: true,
    });
    const run = started.data.startRunbookRun;
    expect(run).toMatchObject({
      status: 'PENDING',
      rawStatus: 'queued',
      parameters: { version: 'v2.13.4', dry_run: true },
      incident: { id: 'pd:Q123' },
      runbook: { id: 'gh:acme-shop/checkout/rollback.yml' },
    });
    const cancelled = await gql(gateway.url, `mutation { cancelRunbookRun(runId: "${run.id}", reason: "wrong version") { status rawStatus cancelReason } }`);
    expect(cancelled.data.cancelRunbookRun).toEqual({
      status: 'CANCELLED',
      rawStatus: 'cancelled',
      cancelReason: 'wrong version',
    });
    const forIncident = await gql(gateway.url, `{ runbookRuns(filter: { incidentId: "pd:Q123" }) { nodes { id status } } }`);
    expect(forIncident.data.runbookRuns.nodes).toEqual([{ id: run.id, status: 'CANCELLED' }]);
    const twice = await gql(gateway.url, `mutation { cancelRunbookRun(runId: "${run.id}") { status } }`);
    expect(twice.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('GitHub App installation tokens and opsorch check', () => {
  it('mints an App JWT, exchanges it for an installation token, and reuses it until shortly before expiry', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
    });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const appWorld = await startGithubWorld();
    appWorld.deployment('acme-shop/checkout', 901, {
      sha: SHA(90),
      ref: 'v9',
      environment: 'production',
      createdAt: iso(-60_000),
      creator: PEOPLE.alex,
      states: ['success'],
    });
    const jwts: string[] = [];
    appWorld.fake.on('POST /app/installations/{installation_id}/access_tokens', (request) => {
      jwts.push(String(request.headers.authorization).replace(/^Bearer /, ''));
      return {
        status: 201,
        body: {
          ...appWorld.fake.example<Record<string, unknown>>('POST /app/installations/{installation_id}/access_tokens', 201),
          token: 'ghs_installationTokenXYZ',
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        },
      };
    });
    const appLogs = captureLogs();
    const appGateway = await startTestGateway({
      logger: appLogs.logger,
      env: {
        GH_APP_KEY: pem,
        OPSORCH_DEPLOYMENTS_PROVIDER: 'gh=github',
        OPSORCH_DEPLOYMENTS_CONFIG: JSON.stringify({
          url: appWorld.fake.url,
          app: {
            appId: '4242',
            privateKey: 'secret://env/GH_APP_KEY',
            installationId: 77,
          },
          repos: ['acme-shop/checkout'],
        }),
      },
    });
    try {
      for (let i = 0; i < 2; i++) {
        const body = await gql(appGateway.url, `{ deployments { nodes { id } } }`);
        expect(body.errors).toBeUndefined();
        expect(body.data.deployments.nodes).toEqual([{ id: 'gh:acme-shop/checkout/deployments/901' }]);
      }
      expect(jwts).toHaveLength(1);
      const { payload, protectedHeader } = await jwtVerify(jwts[0]!, await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'RS256'));
      expect(protectedHeader.alg).toBe('RS256');
      expect(payload.iss).toBe('4242');
      expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(600);
      const listed = appWorld.fake.requests.filter((r) => r.route === 'GET /repos/{owner}/{repo}/deployments');
      expect(listed.every((r) => r.headers.authorization === 'Bearer ghs_installationTokenXYZ')).toBe(true);
      appWorld.fake.verify();
      expect(appLogs.lines.join('\n')).not.toContain('ghs_installationTokenXYZ');
    } finally {
      await appGateway.close();
      await appWorld.close();
    }
  });

  it('opsorch check reports every GitHub instance and reaches it', async () => {
    let printed = '';
    const code = await runCheck({
      env: env(),
      json: true,
      write: (text) => (printed += text),
    });
    const report = JSON.parse(printed);
    expect(code).toBe(0);
    expect(report.providers.filter((p: any) => p.provider === 'github').map((p: any) => [p.capability, p.instance, p.health])).toEqual([
      ['tickets', 'gh', 'UP'],
      ['teams', 'gh', 'UP'],
      ['deployments', 'gh', 'UP'],
      ['orchestration', 'gh', 'UP'],
    ]);
    expect(printed).not.toContain(TOKEN);
  });
});

describe('GitHub failures', () => {
  // Each failure is asked of a gateway of its own: the registry remembers a rate limit's retry-after and counts
  // failures toward the circuit breaker, which would answer for GitHub after the first case.
  const ask = async (extra: Record<string, string> = {}) => {
    const fresh = await startTestGateway({ env: env(extra), logger: logs.logger });
    try {
      return await gql(fresh.url, `{ deployments(first: 2) { nodes { id } providerErrors { code } } }`);
    } finally {
      await fresh.close();
    }
  };

  it('maps 429, an exhausted x-ratelimit budget and a secondary limit to PROVIDER_RATE_LIMITED with retryAfter', async () => {
    world.failure = () => ({
      status: 429,
      body: { message: 'slow down', documentation_url: '' },
      headers: { 'retry-after': '7' },
    });
    expect((await ask()).errors![0]!.extensions).toMatchObject({
      code: 'PROVIDER_RATE_LIMITED',
      provider: 'gh',
      retryAfter: 7,
    });
    const reset = Math.floor(Date.now() / 1000) + 60;
    world.failure = () => ({
      status: 403,
      body: { message: 'API rate limit exceeded', documentation_url: '' },
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(reset),
      },
    });
    const primary = (await ask()).errors![0]!.extensions!;
    expect(primary.code).toBe('PROVIDER_RATE_LIMITED');
    expect(primary.retryAfter).toBeGreaterThan(50);
    world.failure = () => ({
      status: 403,
      body: {
        message: 'You have exceeded a secondary rate limit',
        documentation_url: '',
      },
      headers: { 'retry-after': '60', 'x-ratelimit-remaining': '4000' },
    });
    expect((await ask()).errors![0]!.extensions).toMatchObject({
      code: 'PROVIDER_RATE_LIMITED',
      retryAfter: 60,
    });
  });

  it('stops asking once a successful answer says a budget is spent, for that budget only', async () => {
    const fresh = await startTestGateway({ env: env(), logger: logs.logger });
    try {
      const reset = String(Math.floor(Date.now() / 1000) + 120);
      world.failure = (r) =>
        r.route === 'GET /search/issues'
          ? { body: { total_count: 0, incomplete_results: false, search_type: 'lexical', items: [] }, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset, 'x-ratelimit-resource': 'search' } }
          : null;
      expect((await gql(fresh.url, `{ tickets { nodes { id } } }`)).errors).toBeUndefined();
      const before = world.fake.requests.length;
      const spent = await gql(fresh.url, `{ tickets(filter: { text: "again" }) { nodes { id } } }`);
      expect(spent.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', provider: 'gh' });
      expect(spent.errors![0]!.extensions!.retryAfter).toBeGreaterThan(100);
      expect(world.fake.requests.length).toBe(before);
      // The core budget is another one: deployments still answer.
      expect((await gql(fresh.url, `{ deployments(first: 1) { nodes { id } } }`)).errors).toBeUndefined();
    } finally {
      await fresh.close();
    }
  });

  it('maps 401 and a plain 403 to PROVIDER_AUTH_FAILED, 5xx to PROVIDER_UNAVAILABLE, a hang to PROVIDER_TIMEOUT; never showing the token', async () => {
    world.failure = () => ({
      status: 401,
      body: { message: `Bad credentials ${TOKEN}`, documentation_url: '' },
    });
    const refused = await ask();
    expect(refused.errors![0]!.extensions).toMatchObject({
      code: 'PROVIDER_AUTH_FAILED',
      provider: 'gh',
    });
    expect(JSON.stringify(refused)).not.toContain(TOKEN);
    world.failure = () => ({
      status: 403,
      body: {
        message: 'Resource not accessible by integration',
        documentation_url: '',
      },
      headers: { 'x-ratelimit-remaining': '4999' },
    });
    expect((await ask()).errors![0]!.extensions!.code).toBe('PROVIDER_AUTH_FAILED');
    world.failure = () => ({ status: 502, raw: '<html>bad gateway</html>' });
    expect((await ask()).errors![0]!.extensions!.code).toBe('PROVIDER_UNAVAILABLE');
    world.failure = async () => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return null;
    };
    expect((await ask({ OPSORCH_PROVIDER_TIMEOUT_MS: '300' })).errors![0]!.extensions!.code).toBe('PROVIDER_TIMEOUT');
  });

  it('answers NOT_FOUND for an unknown repository reached by a write', async () => {
    world.failure = (r) => (r.method === 'POST' ? { status: 404, body: { message: 'Not Found', documentation_url: '' } } : null);
    const body = await gql(gateway.url, `mutation { commentOnTicket(id: "gh:acme-shop/checkout#10", body: "hello") { id } }`);
    expect(body.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });
});


describe('GitHub environment approvals and environment grants (decision 014)', () => {
  const PROMOTE_YAML = 'name: Promote to staging\non: workflow_dispatch\njobs:\n  promote:\n    runs-on: ubuntu-latest\n    environment: staging\n    steps:\n      - run: ./promote.sh\n';
  const staging = apiKey('staging-ci', ['*'], { environments: ['staging'], actor: 'service' });
  const ops = apiKey('ops', ['*']);
  let guarded: RunningGateway;

  /** A run of `workflowId` whose job `job` waits for the review of `environment`. */
  function waitingRun(id: number, workflowId: number, path: string, job: string, environment: string, environmentId: number) {
    world.run('acme-shop/checkout', { id, workflowId, path, status: 'waiting', conclusion: null, sha: SHA(id), branch: 'main', createdAt: iso(-60_000), actor: PEOPLE.alex, message: job, event: 'workflow_dispatch' });
    world.job(id, { name: job, status: 'waiting', conclusion: null, steps: 0 });
    world.pendingReview(id, environment, environmentId);
  }

  beforeAll(async () => {
    const promote = world.workflow('acme-shop/checkout', { id: 80, name: 'Promote to staging', file: 'promote.yml', yaml: PROMOTE_YAML });
    world.job(411, { name: 'Plan rollback', status: 'completed', conclusion: 'success', steps: 2 });
    waitingRun(411, 79, '.github/workflows/rollback.yml', 'rollback', 'production', 9011);
    waitingRun(412, 80, promote.path, 'promote', 'staging', 9012);
    const config = writeGatewayConfig({ auth: { apiKeys: [staging.entry, ops.entry] } });
    guarded = await startTestGateway({ env: env({ OPSORCH_CONFIG: config }), logger: logs.logger });
  });

  afterAll(async () => {
    await guarded?.close();
  });

  const approve = (run: number, step: string, key: string) =>
    gql(guarded.url, `mutation { completeManualStep(runId: "gh:acme-shop/checkout/runs/${run}", stepId: "${step}", note: "ship it", idempotencyKey: "grant-${run}-${key.length}") { status steps { step { id environment } status } } }`, undefined, bearer(key));
  const reviewsOf = (run: number) => world.fake.requests.filter((r) => r.route === 'POST /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments' && r.params.run_id === String(run));

  it('an approval step carries the environment its review gates', async () => {
    const body = await gql(guarded.url, `{ runbookRun(id: "gh:acme-shop/checkout/runs/412") { steps { step { id kind environment } status } } }`, undefined, bearer(staging.key));
    expect(body.errors).toBeUndefined();
    expect(body.data.runbookRun.steps).toEqual([
      { step: { id: 'promote:approval', kind: 'APPROVAL', environment: 'staging' }, status: 'WAITING_FOR_INPUT' },
      { step: { id: 'promote', kind: 'AUTOMATED', environment: null }, status: 'PENDING' },
    ]);
  });

  it('refuses a staging-only credential on a production review before GitHub is asked, and lets it approve a staging one', async () => {
    const refused = await approve(411, 'rollback:approval', staging.key);
    expect(refused.data?.completeManualStep ?? null).toBeNull();
    expect(refused.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(refused.errors![0]!.message).toContain('production');
    expect(reviewsOf(411)).toEqual([]);

    const allowed = await approve(412, 'promote:approval', staging.key);
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data.completeManualStep.steps[0]).toEqual({ step: { id: 'promote:approval', environment: 'staging' }, status: 'SUCCEEDED' });
    expect(reviewsOf(412).map((r) => r.body)).toEqual([expect.objectContaining({ environment_ids: [9012], state: 'approved' })]);

    // A credential of every environment approves the production review.
    const production = await approve(411, 'rollback:approval', ops.key);
    expect(production.errors).toBeUndefined();
    expect(reviewsOf(411)).toHaveLength(1);
  });
});
