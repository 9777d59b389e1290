// A GitHub world served by the contract fake (test code): repositories with deployments, deploy and runbook
// workflows and their runs, issues, an organization's teams. Every answer starts from GitHub's own example of the
// operation and is checked against GitHub's whole OpenAPI description (`@octokit/openapi`, a devDependency: the
// slice in ../shared lacks Actions, contents, teams' members and App tokens). Without the package the committed
// fixtures serve the same examples and the check is skipped.
import { join } from 'node:path';
import { startContractFake, type ContractFake, type FakeReply, type FakeRequest } from '../kit/contract-fake.ts';

export const GITHUB_SPEC_FILE = join(import.meta.dirname, '..', '..', 'node_modules', '@octokit', 'openapi', 'generated', 'api.github.com.json');

/** The operations OpsOrch uses; only their examples are committed. */
export const GITHUB_ROUTES = [
  'GET /repos/{owner}/{repo}',
  'POST /app/installations/{installation_id}/access_tokens',
  'GET /repos/{owner}/{repo}/deployments',
  'GET /repos/{owner}/{repo}/deployments/{deployment_id}',
  'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
  'GET /repos/{owner}/{repo}/commits/{ref}',
  'GET /repos/{owner}/{repo}/actions/workflows',
  'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
  'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
  'GET /repos/{owner}/{repo}/actions/runs',
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
  'POST /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals',
  'POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel',
  'GET /repos/{owner}/{repo}/contents/{path}',
  'GET /search/issues',
  'GET /repos/{owner}/{repo}/issues/{issue_number}',
  'POST /repos/{owner}/{repo}/issues',
  'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'GET /orgs/{org}/teams',
  'GET /orgs/{org}/teams/{team_slug}/members',
  'GET /orgs/{org}/members',
  'GET /users/{username}',
] as const;

type Json = Record<string, any>;

export const NOW = Date.now();
export const iso = (offsetMs: number) => new Date(Math.floor((NOW + offsetMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export interface GithubWorld {
  fake: ContractFake;
  /** Replies a test forces on every request (failures, slowness), or null. */
  failure: ((request: FakeRequest) => FakeReply | Promise<FakeReply | null> | null) | null;
  deployments: Map<string, Json[]>;
  statuses: Map<number, Json[]>;
  runs: Map<string, Json[]>;
  jobs: Map<number, Json[]>;
  pending: Map<number, Json[]>;
  approvals: Map<number, Json[]>;
  workflows: Map<string, { workflow: Json; yaml: string }[]>;
  issues: Map<string, Json[]>;
  comments: Map<string, Json[]>;
  teams: Json[];
  members: Map<string, { login: string; id: number; maintainer: boolean }[]>;
  users: Map<string, Json>;
  close(): Promise<void>;
}

/** `Link`-paged answer of `items` for `request` (`page`, `per_page`), as GitHub pages lists. */
function paged(fake: ContractFake, request: FakeRequest, items: unknown[], wrap?: (slice: unknown[]) => unknown): FakeReply {
  const perPage = Number(request.query.get('per_page') ?? 30);
  const page = Number(request.query.get('page') ?? 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (page * perPage < items.length) {
    const next = new URLSearchParams(request.query);
    next.set('page', String(page + 1));
    next.set('per_page', String(perPage));
    headers.link = `<${fake.url}${request.path}?${next}>; rel="next", <${fake.url}${request.path}?page=${Math.ceil(items.length / perPage)}>; rel="last"`;
  }
  return { body: wrap ? wrap(slice) : slice, headers };
}

/** An issue's label as GitHub answers it. */
const label = (name: string, n: number) => ({ id: n + 1, node_id: `L${n}`, url: `https://api.github.com/labels/${encodeURIComponent(name)}`, name, description: null, color: 'ff0000', default: false });

/** GitHub's 404 answer. */
const NOT_FOUND: FakeReply = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
/** The thing, or GitHub's 404. */
const found = (thing: unknown): FakeReply => (thing ? { body: thing } : NOT_FOUND);

const user = (name: string, id: number, type = 'User') => {
  const login = encodeURIComponent(name);
  return {
    login: name,
    id,
    node_id: `U_${id}`,
    avatar_url: `https://avatars.example/${id}`,
    gravatar_id: '',
    url: `https://api.github.com/users/${login}`,
    html_url: `https://github.com/${login}`,
    followers_url: `https://api.github.com/users/${login}/followers`,
    following_url: `https://api.github.com/users/${login}/following{/other_user}`,
    gists_url: `https://api.github.com/users/${login}/gists{/gist_id}`,
    starred_url: `https://api.github.com/users/${login}/starred{/owner}{/repo}`,
    subscriptions_url: `https://api.github.com/users/${login}/subscriptions`,
    organizations_url: `https://api.github.com/users/${login}/orgs`,
    repos_url: `https://api.github.com/users/${login}/repos`,
    events_url: `https://api.github.com/users/${login}/events{/privacy}`,
    received_events_url: `https://api.github.com/users/${login}/received_events`,
    type,
    site_admin: false,
  };
};

export const PEOPLE = {
  alex: user('alex-k', 101),
  sam: user('sam-ops', 102),
  bot: user('github-actions[bot]', 41898282, 'Bot'),
};

export const RUNBOOK_YAML = `name: Roll back checkout
on:
  workflow_dispatch:
    inputs:
      version:
        description: Version to roll back to
        required: true
        type: string
      region:
        description: Region
        type: choice
        options: [eu-west-1, us-east-1]
        default: eu-west-1
      dry_run:
        type: boolean
        default: false
jobs:
  plan:
    name: Plan rollback
    runs-on: ubuntu-latest
    steps:
      - name: Compute plan
        run: ./plan.sh
  rollback:
    needs: plan
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@v4
      - name: Roll back
        run: ./rollback.sh "\${{ inputs.version }}"
`;

export const CI_YAML = `name: CI
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: npm test
`;

export async function startGithubWorld(options: { basePath?: string } = {}) {
  const fake = await startContractFake({
    spec: 'github.openapi.json',
    vendor: 'GitHub',
    specFile: GITHUB_SPEC_FILE,
    basePath: options.basePath ?? '/api/v3',
    multiSegmentParams: ['path'],
    fixtures: join(import.meta.dirname, '__fixtures__'),
    fixtureRoutes: GITHUB_ROUTES,
  });
  const ex = <T = Json>(route: string, status = 200) => fake.example<T>(route, status);
  const world: GithubWorld = {
    fake,
    failure: null,
    deployments: new Map(),
    statuses: new Map(),
    runs: new Map(),
    jobs: new Map(),
    pending: new Map(),
    approvals: new Map(),
    workflows: new Map(),
    issues: new Map(),
    comments: new Map(),
    teams: [],
    members: new Map(),
    users: new Map(),
    close: () => fake.close(),
  };
  const repoOf = (r: FakeRequest) => `${r.params.owner}/${r.params.repo}`;

  // ── deployments ──
  const deploymentTemplate = ex<Json[]>('GET /repos/{owner}/{repo}/deployments')[0]!;
  const statusTemplate = ex<Json[]>('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses')[0]!;
  const commitTemplate = ex('GET /repos/{owner}/{repo}/commits/{ref}');
  const runTemplate = ex<Json>('GET /repos/{owner}/{repo}/actions/runs/{run_id}');
  const jobTemplate = ex<Json>('GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs').jobs[0];
  const workflowTemplate = ex<Json>('GET /repos/{owner}/{repo}/actions/workflows').workflows[0];
  const issueTemplate = ex<Json>('GET /repos/{owner}/{repo}/issues/{issue_number}');
  const commentTemplate = ex<Json[]>('GET /repos/{owner}/{repo}/issues/{issue_number}/comments')[0]!;
  const teamTemplate = ex<Json[]>('GET /orgs/{org}/teams')[0]!;
  const pendingTemplate = ex<Json[]>('GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments')[0]!;

  let nextId = 5000;
  const helpers = {
    deployment(
      repo: string,
      id: number,
      fields: {
        sha: string;
        ref: string;
        environment: string;
        createdAt: string;
        creator: Json;
        states: string[];
      }
    ) {
      const d = {
        ...structuredClone(deploymentTemplate),
        id,
        sha: fields.sha,
        ref: fields.ref,
        environment: fields.environment,
        created_at: fields.createdAt,
        updated_at: fields.createdAt,
        creator: fields.creator,
        description: 'Deploy request',
      };
      world.deployments.set(
        repo,
        [...(world.deployments.get(repo) ?? []), d].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id)
      );
      world.statuses.set(
        id,
        fields.states
          .map((state, i) => ({
            ...structuredClone(statusTemplate),
            id: id * 10 + i,
            state,
            created_at: iso(Date.parse(fields.createdAt) - NOW + (i + 1) * 60_000),
            log_url: `https://github.com/${repo}/actions/runs/${id}`,
            target_url: `https://github.com/${repo}/actions/runs/${id}`,
          }))
          .reverse()
      );
      return d;
    },
    run(
      repo: string,
      fields: {
        id: number;
        workflowId: number;
        path: string;
        status: string;
        conclusion: string | null;
        sha: string;
        branch: string;
        createdAt: string;
        actor: Json;
        message: string;
        event?: string;
      }
    ) {
      const r = {
        ...structuredClone(runTemplate),
        id: fields.id,
        workflow_id: fields.workflowId,
        path: fields.path,
        name: fields.path,
        event: fields.event ?? 'push',
        status: fields.status,
        conclusion: fields.conclusion,
        head_sha: fields.sha,
        head_branch: fields.branch,
        head_commit: {
          ...runTemplate.head_commit,
          id: fields.sha,
          message: fields.message,
          author: { name: 'Alex K', email: 'Alex@Acme-Shop.example' },
        },
        actor: fields.actor,
        triggering_actor: fields.actor,
        pull_requests: [],
        html_url: `https://github.com/${repo}/actions/runs/${fields.id}`,
        created_at: fields.createdAt,
        updated_at: fields.createdAt,
        run_started_at: fields.createdAt,
      };
      world.runs.set(
        repo,
        [...(world.runs.get(repo) ?? []), r].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id)
      );
      return r;
    },
    job(
      runId: number,
      fields: {
        name: string;
        status: string;
        conclusion: string | null;
        steps?: number;
      }
    ) {
      const j = {
        ...structuredClone(jobTemplate),
        id: nextId++,
        run_id: runId,
        name: fields.name,
        status: fields.status,
        conclusion: fields.conclusion,
        created_at: iso(-90_000),
        started_at: iso(-60_000),
        completed_at: fields.status === 'completed' ? iso(-30_000) : null,
        steps: (jobTemplate.steps as Json[]).slice(0, fields.steps ?? 1),
      };
      world.jobs.set(runId, [...(world.jobs.get(runId) ?? []), j]);
      return j;
    },
    workflow(repo: string, fields: { id: number; name: string; file: string; yaml: string }) {
      const w = {
        ...structuredClone(workflowTemplate),
        id: fields.id,
        name: fields.name,
        path: `.github/workflows/${fields.file}`,
        state: 'active',
        html_url: `https://github.com/${repo}/blob/main/.github/workflows/${fields.file}`,
      };
      world.workflows.set(repo, [...(world.workflows.get(repo) ?? []), { workflow: w, yaml: fields.yaml }]);
      return w;
    },
    pendingReview(runId: number, environment: string, environmentId: number) {
      world.pending.set(runId, [
        {
          ...structuredClone(pendingTemplate),
          environment: {
            ...pendingTemplate.environment,
            id: environmentId,
            name: environment,
          },
          reviewers: pendingTemplate.reviewers.slice(0, 1),
          // The job waits since it reached the environment (GitHub's example says 2020).
          wait_timer_started_at: iso(-60_000),
        },
      ]);
    },
    issue(
      repo: string,
      fields: {
        number: number;
        title: string;
        body?: string;
        state?: string;
        stateReason?: string | null;
        labels?: string[];
        assignee?: Json | null;
        updatedAt: string;
      }
    ) {
      const i = {
        ...structuredClone(issueTemplate),
        id: 90_000 + fields.number,
        number: fields.number,
        title: fields.title,
        body: fields.body ?? '',
        state: fields.state ?? 'open',
        state_reason: fields.stateReason ?? null,
        labels: (fields.labels ?? []).map(label),
        assignee: fields.assignee ?? null,
        assignees: fields.assignee ? [fields.assignee] : [],
        user: PEOPLE.sam,
        created_at: iso(-86_400_000),
        updated_at: fields.updatedAt,
        closed_at: null,
        html_url: `https://github.com/${repo}/issues/${fields.number}`,
        url: `https://api.github.com/repos/${repo}/issues/${fields.number}`,
        repository_url: `https://api.github.com/repos/${repo}`,
        pull_request: undefined,
      };
      delete (i as Json).pull_request;
      world.issues.set(repo, [...(world.issues.get(repo) ?? []).filter((x) => x.number !== fields.number), i]);
      return i;
    },
    team(slug: string, name: string, parent: string | null, members: { login: string; id: number; maintainer: boolean }[]) {
      const parentTeam = parent ? world.teams.find((t) => t.slug === parent) : null;
      const { parent: _ignored, ...base } = structuredClone(teamTemplate) as Json;
      world.teams.push({
        ...base,
        type: 'organization',
        id: nextId++,
        slug,
        name,
        description: `${name} team`,
        html_url: `https://github.com/orgs/acme-shop/teams/${slug}`,
        ...(parentTeam
          ? {
              parent: {
                ...structuredClone(base),
                type: 'organization',
                id: parentTeam.id,
                slug: parent,
                name: parentTeam.name,
              },
            }
          : { parent: null }),
      });
      world.members.set(slug, members);
    },
  };

  const guard = (handler: (r: FakeRequest) => FakeReply | Promise<FakeReply>) => async (r: FakeRequest) => (await world.failure?.(r)) ?? handler(r);
  const runsPage = (r: FakeRequest, runs: Json[]) => paged(fake, r, runs, (workflow_runs) => ({ total_count: runs.length, workflow_runs }));
  const issueByNumber = (r: FakeRequest) => (world.issues.get(repoOf(r)) ?? []).find((i) => i.number === Number(r.params.issue_number));

  fake
    .on(
      'GET /repos/{owner}/{repo}',
      guard((r) => {
        // GitHub's own example lacks `language`, which its schema requires; a plain (not forked) repository.
        const { source: _source, parent: _parent, ...repository } = ex<Json>('GET /repos/{owner}/{repo}');
        return { body: { ...repository, language: 'TypeScript', name: r.params.repo, full_name: repoOf(r) } };
      })
    )
    .on(
      'GET /repos/{owner}/{repo}/deployments',
      guard((r) => {
        const env = r.query.get('environment');
        return paged(
          fake,
          r,
          (world.deployments.get(repoOf(r)) ?? []).filter((d) => !env || d.environment === env)
        );
      })
    )
    .on(
      'GET /repos/{owner}/{repo}/deployments/{deployment_id}',
      guard((r) => {
        const d = (world.deployments.get(repoOf(r)) ?? []).find((x) => x.id === Number(r.params.deployment_id));
        return d
          ? { body: d }
          : {
              status: 404,
              body: {
                message: 'Not Found',
                documentation_url: 'https://docs.github.com/rest',
              },
            };
      })
    )
    .on(
      'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      guard((r) => paged(fake, r, world.statuses.get(Number(r.params.deployment_id)) ?? []))
    )
    .on(
      'GET /repos/{owner}/{repo}/commits/{ref}',
      guard((r) => ({
        body: {
          ...structuredClone(commitTemplate),
          files: [],
          sha: r.params.ref,
          commit: {
            ...commitTemplate.commit,
            message: `Release ${r.params.ref!.slice(0, 7)}\n\nDetails`,
            author: {
              name: 'Sam',
              email: 'Sam@Acme-Shop.example',
              date: iso(0),
            },
          },
        },
      }))
    )
    .on(
      'GET /repos/{owner}/{repo}/actions/workflows',
      guard((r) =>
        paged(
          fake,
          r,
          (world.workflows.get(repoOf(r)) ?? []).map((w) => w.workflow),
          (workflows) => ({ total_count: workflows.length, workflows })
        )
      )
    )
    .on(
      'GET /repos/{owner}/{repo}/contents/{path}',
      guard((r) => {
        const found = (world.workflows.get(repoOf(r)) ?? []).find((w) => w.workflow.path === r.params.path);
        if (!found) return NOT_FOUND;
        const base = ex('GET /repos/{owner}/{repo}/contents/{path}');
        return {
          body: {
            ...base,
            name: r.params.path!.split('/').pop(),
            path: r.params.path,
            content: Buffer.from(found.yaml).toString('base64'),
            encoding: 'base64',
            size: found.yaml.length,
          },
        };
      })
    )
    .on(
      'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      guard((r) => {
        const wanted = r.params.workflow_id!;
        const created = r.query.get('created');
        const event = r.query.get('event');
        const runs = (world.runs.get(repoOf(r)) ?? []).filter((run) => {
          if (String(run.workflow_id) !== wanted && run.path.split('/').pop() !== wanted) return false;
          if (event && run.event !== event) return false;
          if (created?.includes('..')) {
            const [from, to] = created.split('..');
            return run.created_at >= from!.replace('.000Z', 'Z') && run.created_at <= to!.replace('.000Z', 'Z');
          }
          if (created?.startsWith('>=')) return Date.parse(run.created_at) >= Date.parse(created.slice(2));
          return true;
        });
        return runsPage(r, runs);
      })
    )
    .on(
      'GET /repos/{owner}/{repo}/actions/runs',
      guard((r) => {
        const event = r.query.get('event');
        const runs = (world.runs.get(repoOf(r)) ?? []).filter((run) => !event || run.event === event);
        return runsPage(r, runs);
      })
    )
    .on(
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
      guard((r) => {
        const run = (world.runs.get(repoOf(r)) ?? []).find((x) => x.id === Number(r.params.run_id));
        return found(run);
      })
    )
    .on(
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
      guard((r) => paged(fake, r, world.jobs.get(Number(r.params.run_id)) ?? [], (jobs) => ({ total_count: jobs.length, jobs })))
    )
    .on(
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
      guard((r) => ({ body: world.pending.get(Number(r.params.run_id)) ?? [] }))
    )
    .on(
      'POST /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
      guard((r) => {
        const runId = Number(r.params.run_id);
        const run = (world.runs.get(repoOf(r)) ?? []).find((x) => x.id === runId)!;
        const { state, comment } = r.body as { state: string; comment: string };
        const environment = world.pending.get(runId)?.[0]?.environment;
        world.approvals.set(runId, [...(world.approvals.get(runId) ?? []), { state, comment, user: PEOPLE.alex, environments: [{ ...environment }] }]);
        world.pending.delete(runId);
        const job = (world.jobs.get(runId) ?? []).find((j) => j.status === 'waiting')!;
        Object.assign(job, state === 'approved' ? { status: 'in_progress', steps: [] } : { status: 'completed', conclusion: 'failure', steps: [] });
        Object.assign(run, state === 'approved' ? { status: 'in_progress' } : { status: 'completed', conclusion: 'failure' });
        return { body: [] };
      })
    )
    .on(
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals',
      guard((r) => ({ body: world.approvals.get(Number(r.params.run_id)) ?? [] }))
    )
    .on(
      'POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel',
      guard((r) => {
        const run = (world.runs.get(repoOf(r)) ?? []).find((x) => x.id === Number(r.params.run_id));
        if (!run) return NOT_FOUND;
        Object.assign(run, { status: 'completed', conclusion: 'cancelled' });
        for (const job of world.jobs.get(run.id) ?? [])
          if (job.status !== 'completed')
            Object.assign(job, {
              status: 'completed',
              conclusion: 'cancelled',
            });
        return { status: 202, body: {} };
      })
    )
    .on(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      guard((r) => {
        const repo = repoOf(r);
        const workflow = (world.workflows.get(repo) ?? []).find((w) => String(w.workflow.id) === r.params.workflow_id)!.workflow;
        const id = nextId++;
        helpers.run(repo, {
          id,
          workflowId: workflow.id,
          path: workflow.path,
          status: 'queued',
          conclusion: null,
          sha: 'c0ffee0000000000000000000000000000000001',
          branch: (r.body as Json).ref,
          createdAt: iso(0),
          actor: PEOPLE.alex,
          message: 'Dispatch',
          event: 'workflow_dispatch',
        });
        return (r.body as Json).return_run_details
          ? {
              body: {
                workflow_run_id: id,
                run_url: `https://api.github.com/repos/${repo}/actions/runs/${id}`,
                html_url: `https://github.com/${repo}/actions/runs/${id}`,
              },
            }
          : { status: 204 };
      })
    )
    .on(
      'GET /search/issues',
      guard((r) => {
        const q = r.query.get('q')!;
        const repos = [...q.matchAll(/repo:(\S+)/g)].map((m) => m[1]);
        const markers = [...q.matchAll(/"opsorch:incident=([^"]+)"/g)].map((m) => m[1]!);
        const text = [...q.matchAll(/"([^"]+)"/g)].map((m) => m[1]!).filter((t) => !t.startsWith('opsorch:') && t !== 'not planned');
        const items = repos
          .flatMap((repo) => world.issues.get(repo!) ?? [])
          .filter(
            (i) =>
              (!q.includes('is:open') || i.state === 'open') &&
              (!q.includes('is:closed') || i.state === 'closed') &&
              (markers.length === 0 || markers.some((m) => i.body?.includes(`opsorch:incident=${m} `))) &&
              text.every((t) => `${i.title} ${i.body}`.toLowerCase().includes(t.toLowerCase()))
          )
          .sort((a, b) => b.updated_at.localeCompare(a.updated_at));
        return paged(fake, r, items, (slice) => ({
          ...ex<Json>('GET /search/issues'),
          total_count: items.length,
          incomplete_results: false,
          items: slice.map((i) => ({ ...(i as Json), score: 1 })),
        }));
      })
    )
    .on(
      'GET /repos/{owner}/{repo}/issues/{issue_number}',
      guard((r) => {
        const issue = issueByNumber(r);
        return found(issue);
      })
    )
    .on(
      'POST /repos/{owner}/{repo}/issues',
      guard((r) => {
        const body = r.body as Json;
        const repo = repoOf(r);
        const number = 500 + (world.issues.get(repo)?.length ?? 0);
        const assignee = body.assignees?.[0] ? [...Object.values(PEOPLE)].find((p) => p.login === body.assignees[0]) ?? null : null;
        return {
          status: 201,
          body: helpers.issue(repo, {
            number,
            title: body.title,
            body: body.body,
            labels: body.labels,
            assignee,
            updatedAt: iso(0),
          }),
        };
      })
    )
    .on(
      'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
      guard((r) => {
        const issue = issueByNumber(r);
        if (!issue) return NOT_FOUND;
        const body = r.body as Json;
        if (body.state)
          Object.assign(issue, {
            state: body.state,
            state_reason: body.state_reason ?? null,
            closed_at: body.state === 'closed' ? iso(0) : null,
          });
        if (body.title) issue.title = body.title;
        if (body.body !== undefined) issue.body = body.body;
        if (body.labels)
          issue.labels = body.labels.map(label);
        issue.updated_at = iso(0);
        return { body: issue };
      })
    )
    .on(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      guard((r) => paged(fake, r, world.comments.get(`${repoOf(r)}#${r.params.issue_number}`) ?? []))
    )
    .on(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      guard((r) => {
        const key = `${repoOf(r)}#${r.params.issue_number}`;
        const comment = {
          ...structuredClone(commentTemplate),
          id: nextId++,
          body: (r.body as Json).body,
          user: PEOPLE.alex,
          created_at: iso(0),
          updated_at: iso(0),
        };
        world.comments.set(key, [...(world.comments.get(key) ?? []), comment]);
        return { status: 201, body: comment };
      })
    )
    .on(
      'GET /orgs/{org}/teams',
      guard((r) => paged(fake, r, world.teams))
    )
    .on(
      'GET /orgs/{org}/teams/{team_slug}/members',
      guard((r) => {
        const members = world.members.get(r.params.team_slug!);
        if (!members) return NOT_FOUND;
        const role = r.query.get('role') ?? 'all';
        return paged(
          fake,
          r,
          members.filter((m) => role === 'all' || (role === 'maintainer') === m.maintainer).map((m) => user(m.login, m.id))
        );
      })
    )
    .on(
      'GET /orgs/{org}/members',
      guard((r) => paged(fake, r, [...new Map([...world.members.values()].flat().map((m) => [m.login, user(m.login, m.id)])).values()]))
    )
    .on(
      'GET /users/{username}',
      guard((r) => {
        const member = [...world.members.values()].flat().find((m) => m.login === r.params.username);
        if (!member) return NOT_FOUND;
        return {
          body: {
            ...ex<Json>('GET /users/{username}'),
            ...user(member.login, member.id),
            name: member.login.replace('-', ' ').toUpperCase(),
            email: null,
          },
        };
      })
    );
  return Object.assign(world, helpers);
}
