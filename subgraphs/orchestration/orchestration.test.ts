import { describe, it, expect } from 'vitest';
import { createSubgraphRunner } from '../shared/testing.ts';
import { orchestrationSubgraph } from './index.ts';

function codeOf(result: { errors?: readonly { extensions?: Record<string, unknown> }[] }): unknown {
  return result.errors?.[0]?.extensions?.code;
}

const RUN = `id status rawStatus startedAt finishedAt cancelReason parameters url source { id }
  runbook { id } incident { id } startedBy { id }
  steps { step { id kind } status startedAt finishedAt note completedBy { id } }`;

/** Runs operations as if the request arrived at `t` (ms since epoch): the engine derives state from it. */
function clocked(runner: ReturnType<typeof createSubgraphRunner>) {
  return async (t: number, source: string, variables?: Record<string, unknown>): Promise<any> => {
    const ctx = runner.context();
    ctx.provider.now = new Date(t);
    return runner.run(source, variables, ctx);
  };
}

const stepStatuses = (run: any): Record<string, string> => Object.fromEntries(run.steps.map((s: any) => [s.step.id, s.status]));

describe('orchestration subgraph: runbooks', () => {
  it('returns a runbook with a step DAG in topological order and its links', async () => {
    const runner = createSubgraphRunner(orchestrationSubgraph);
    const result: any = await runner.run(`{ runbook(id: "demo:rb-db-connection-saturation") {
      id name description tags url documentationUrl source { provider instance id } service { id } services { id }
      steps { id title description kind dependsOn } } }`);
    expect(result.errors).toBeUndefined();
    const rb = result.data.runbook;
    expect(rb).toMatchObject({
      name: 'Postgres connection pool saturation',
      service: { id: 'orders-db' },
      url: 'https://rundeck.acme-shop.example/project/ops/job/show/rb-db-connection-saturation',
      documentationUrl: 'https://wiki.acme-shop.example/runbooks/db-connection-saturation',
      source: { provider: 'demo', instance: 'demo', id: 'rb-db-connection-saturation' },
    });
    expect(rb.services.map((s: any) => s.id)).toEqual(['orders-db', 'inventory', 'checkout']);
    const seen = new Set<string>();
    for (const step of rb.steps) {
      for (const dep of step.dependsOn) expect(seen.has(dep), `${step.id} depends on ${dep}`).toBe(true);
      seen.add(step.id);
    }
    expect(new Set(rb.steps.map((s: any) => s.kind))).toEqual(new Set(['AUTOMATED', 'MANUAL', 'APPROVAL']));
  });

  it('filters runbooks by scope, text and tags and pages through them', async () => {
    const runner = createSubgraphRunner(orchestrationSubgraph);
    const names = async (filter: string) => {
      const r: any = await runner.run(`{ runbooks(filter: ${filter}) { nodes { id } } }`);
      expect(r.errors).toBeUndefined();
      return r.data.runbooks.nodes.map((n: any) => n.id);
    };
    expect(await names('{ scope: { service: "media-storage" } }')).toEqual(['demo:rb-disk-capacity']);
    expect(await names('{ scope: { team: "payments" } }')).toEqual(['demo:rb-rollback-deploy', 'demo:rb-third-party-degradation']);
    expect(await names('{ tags: ["postgres", "DATABASE"] }')).toEqual(['demo:rb-db-connection-saturation']);
    expect(await names('{ text: "pg_terminate_backend" }')).toEqual(['demo:rb-db-connection-saturation']);
    const all: any = await runner.run('{ runbooks(first: 200) { totalCount nodes { id } } }');
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const page: any = await runner.run('query($after: String) { runbooks(first: 2, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }', { after });
      seen.push(...page.data.runbooks.nodes.map((n: any) => n.id));
      if (!page.data.runbooks.pageInfo.hasNextPage) break;
      after = page.data.runbooks.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.data.runbooks.nodes.map((n: any) => n.id));
    expect(seen.length).toBe(all.data.runbooks.totalCount);
  });
});

describe('orchestration subgraph: seeded runs', () => {
  it('shows the db-saturation run waiting on a manual step and the history newest first', async () => {
    const runner = createSubgraphRunner(orchestrationSubgraph);
    const result: any = await runner.run(`{ runbookRuns(first: 200) { nodes { ${RUN} } } }`);
    expect(result.errors).toBeUndefined();
    const runs = result.data.runbookRuns.nodes;
    expect(runs.map((r: any) => r.startedAt)).toEqual([...runs.map((r: any) => r.startedAt)].sort().reverse());
    const db = runs.find((r: any) => r.incident?.id === 'demo:Q8MZ4KD');
    expect(db).toMatchObject({ status: 'WAITING_FOR_INPUT', rawStatus: 'waiting', finishedAt: null, runbook: { id: 'demo:rb-db-connection-saturation' } });
    expect(stepStatuses(db)).toMatchObject({ 'check-pools': 'SUCCEEDED', 'find-long-transactions': 'SUCCEEDED', 'pause-batch-jobs': 'WAITING_FOR_INPUT', 'approve-terminate': 'PENDING' });
    const auth = runs.find((r: any) => r.incident?.id === 'demo:Q9PL3XA');
    expect(auth.status).toBe('SUCCEEDED');
    expect(auth.steps.find((s: any) => s.step.id === 'reactivate-previous-key')).toMatchObject({ status: 'SKIPPED', completedBy: { id: 'lena.fischer@acme-shop.example' } });
    const stripe = runs.find((r: any) => r.incident?.id === 'demo:Q5TJ2NB');
    expect(stripe).toMatchObject({ status: 'CANCELLED', rawStatus: 'aborted' });
    expect(stripe.cancelReason).toContain('Stripe');

    const waiting: any = await runner.run('{ runbookRuns(filter: { statuses: [WAITING_FOR_INPUT], incidentId: "demo:Q8MZ4KD" }) { nodes { id } } }');
    expect(waiting.data.runbookRuns.nodes).toEqual([{ id: db.id }]);
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const page: any = await runner.run('query($after: String) { runbookRuns(first: 1, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }', { after });
      seen.push(...page.data.runbookRuns.nodes.map((n: any) => n.id));
      if (!page.data.runbookRuns.pageInfo.hasNextPage) break;
      after = page.data.runbookRuns.pageInfo.endCursor;
    }
    expect(seen).toEqual(runs.map((r: any) => r.id));
  });
});

describe('orchestration subgraph: the simulated engine', () => {
  it('derives step and run states from time and manual answers', async () => {
    const runner = createSubgraphRunner(orchestrationSubgraph);
    const at = clocked(runner);
    const T = Date.parse('2030-01-01T10:00:00Z');
    const started = await at(T, `mutation { startRunbookRun(runbookId: "demo:rb-rollback-deploy", input: { incidentId: "demo:Q3VW8TR", parameters: { toVersion: "2.13.4" } }) { ${RUN} } }`);
    expect(started.errors).toBeUndefined();
    const runId = started.data.startRunbookRun.id;
    expect(started.data.startRunbookRun).toMatchObject({ status: 'RUNNING', parameters: { toVersion: '2.13.4' }, incident: { id: 'demo:Q3VW8TR' }, startedBy: null });
    expect(started.data.startRunbookRun.url).toMatch(/^https:\/\/rundeck\.acme-shop\.example\/project\/ops\/execution\/show\/\d+$/);

    const read = (t: number) => at(t, `query($id: ID!) { runbookRun(id: $id) { ${RUN} } }`, { id: runId }).then((r) => r.data.runbookRun);
    let run = await read(T + 1_000);
    expect(run.status).toBe('RUNNING');
    expect(stepStatuses(run)).toMatchObject({ 'confirm-regression': 'RUNNING', 'announce-rollback': 'WAITING_FOR_INPUT', 'approve-rollback': 'PENDING' });
    run = await read(T + 4_000);
    expect(run.status).toBe('WAITING_FOR_INPUT');
    expect(stepStatuses(run)).toMatchObject({ 'confirm-regression': 'SUCCEEDED', 'approve-rollback': 'WAITING_FOR_INPUT', rollback: 'PENDING' });

    const complete = (t: number, stepId: string, outcome = 'SUCCEEDED') =>
      at(t, 'mutation($run: ID!, $step: ID!, $outcome: ManualStepOutcome) { completeManualStep(runId: $run, stepId: $step, outcome: $outcome, note: " done ") { status steps { step { id } status note } } }', { run: runId, step: stepId, outcome });
    const automated = await complete(T + 4_500, 'rollback');
    expect(codeOf(automated)).toBe('BAD_USER_INPUT');
    expect(automated.errors[0].message).toContain('AUTOMATED');
    const pending = await complete(T + 4_500, 'block-release');
    expect(codeOf(pending)).toBe('BAD_USER_INPUT');
    expect(pending.errors[0].message).toContain('PENDING until "rollback"');
    expect(codeOf(await complete(T + 4_500, 'no-such-step'))).toBe('BAD_USER_INPUT');

    expect((await complete(T + 5_000, 'announce-rollback')).errors).toBeUndefined();
    expect((await complete(T + 5_000, 'approve-rollback')).data.completeManualStep.status).toBe('RUNNING');
    run = await read(T + 6_000);
    expect(stepStatuses(run)).toMatchObject({ rollback: 'RUNNING', 'verify-recovery': 'PENDING' });
    run = await read(T + 8_500);
    expect(stepStatuses(run)).toMatchObject({ rollback: 'SUCCEEDED', 'verify-recovery': 'RUNNING', 'block-release': 'WAITING_FOR_INPUT' });
    run = await read(T + 12_000);
    expect(run.status).toBe('WAITING_FOR_INPUT');

    const skipped = await complete(T + 12_000, 'block-release', 'SKIPPED');
    expect(skipped.data.completeManualStep.status).toBe('SUCCEEDED');
    expect(skipped.data.completeManualStep.steps.at(-1)).toEqual({ step: { id: 'block-release' }, status: 'SKIPPED', note: 'done' });
    run = await read(T + 20_000);
    expect(run).toMatchObject({ status: 'SUCCEEDED', rawStatus: 'succeeded', finishedAt: new Date(T + 12_000).toISOString() });
    const again = await complete(T + 20_000, 'block-release');
    expect(codeOf(again)).toBe('BAD_USER_INPUT');
    const cancelFinished = await at(T + 20_000, 'mutation($id: ID!) { cancelRunbookRun(runId: $id) { id } }', { id: runId });
    expect(codeOf(cancelFinished)).toBe('BAD_USER_INPUT');
    expect(cancelFinished.errors[0].message).toContain('SUCCEEDED');
  });

  it('fails the run when a manual step fails and skips what depends on it', async () => {
    const runner = createSubgraphRunner(orchestrationSubgraph);
    const at = clocked(runner);
    const T = Date.parse('2030-01-01T10:00:00Z');
    const started = await at(T, 'mutation { startRunbookRun(runbookId: "demo:rb-db-connection-saturation") { id } }');
    const runId = started.data.startRunbookRun.id;
    const failed = await at(T + 5_000, `mutation($id: ID!) { completeManualStep(runId: $id, stepId: "pause-batch-jobs", outcome: FAILED, note: "job scheduler unreachable") { ${RUN} } }`, { id: runId });
    expect(failed.errors).toBeUndefined();
    const run = failed.data.completeManualStep;
    expect(run).toMatchObject({ status: 'FAILED', rawStatus: 'failed', finishedAt: new Date(T + 5_000).toISOString() });
    expect(stepStatuses(run)).toMatchObject({ 'pause-batch-jobs': 'FAILED', 'approve-terminate': 'SKIPPED', 'raise-pool-size': 'SKIPPED' });
  });

  it('cancels an unfinished run once and explains a second cancel', async () => {
    const runner = createSubgraphRunner(orchestrationSubgraph);
    const at = clocked(runner);
    const T = Date.parse('2030-01-01T10:00:00Z');
    const runId = (await at(T, 'mutation { startRunbookRun(runbookId: "demo:rb-disk-capacity") { id } }')).data.startRunbookRun.id;
    const cancel = `mutation($id: ID!) { cancelRunbookRun(runId: $id, reason: "false alarm", idempotencyKey: "cancel-1") { ${RUN} } }`;
    const cancelled = await at(T + 1_000, cancel, { id: runId });
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data.cancelRunbookRun).toMatchObject({ status: 'CANCELLED', cancelReason: 'false alarm', finishedAt: new Date(T + 1_000).toISOString() });
    expect(stepStatuses(cancelled.data.cancelRunbookRun)).toMatchObject({ 'check-disk': 'CANCELLED', 'evict-cache': 'CANCELLED' });
    const retried = await at(T + 2_000, cancel, { id: runId });
    expect(retried.errors).toBeUndefined();
    const again = await at(T + 2_000, 'mutation($id: ID!) { cancelRunbookRun(runId: $id) { id } }', { id: runId });
    expect(codeOf(again)).toBe('BAD_USER_INPUT');
    expect(again.errors[0].message).toContain('already finished as CANCELLED');
    // Time passing after a cancel does not revive the run.
    const later = await at(T + 60_000, 'query($id: ID!) { runbookRun(id: $id) { status } }', { id: runId });
    expect(later.data.runbookRun.status).toBe('CANCELLED');
  });

  it('starts once per idempotency key and validates input', async () => {
    const runner = createSubgraphRunner(orchestrationSubgraph);
    const start = 'mutation($rb: ID!, $input: StartRunbookRunInput, $key: String) { startRunbookRun(runbookId: $rb, input: $input, idempotencyKey: $key) { id } }';
    const count = async () => ((await runner.run('{ runbookRuns(first: 200) { totalCount } }')) as any).data.runbookRuns.totalCount;
    const before = await count();
    const first: any = await runner.run(start, { rb: 'demo:rb-disk-capacity', input: { incidentId: 'demo:Q2HD7YC' }, key: 'r-1' });
    const second: any = await runner.run(start, { rb: 'demo:rb-disk-capacity', input: { incidentId: 'demo:Q2HD7YC' }, key: 'r-1' });
    expect(second.data.startRunbookRun.id).toBe(first.data.startRunbookRun.id);
    expect(await count()).toBe(before + 1);
    expect(codeOf(await runner.run(start, { rb: 'demo:rb-auth-signing-keys', key: 'r-1' }))).toBe('BAD_USER_INPUT');

    expect(codeOf(await runner.run(start, { rb: 'rb-disk-capacity' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await runner.run(start, { rb: 'demo:rb-disk-capacity', input: { parameters: [1, 2] } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await runner.run(start, { rb: 'demo:rb-disk-capacity', input: { incidentId: 'Q2HD7YC' } }))).toBe('BAD_USER_INPUT');
    const unknown: any = await runner.run(start, { rb: 'demo:rb-nope' });
    expect(codeOf(unknown)).toBe('NOT_FOUND');
    expect(unknown.errors[0].message).toContain('demo:rb-nope');
    expect(await count()).toBe(before + 1);
    expect(codeOf(await runner.run('mutation { completeManualStep(runId: "demo:999999", stepId: "x") { id } }'))).toBe('NOT_FOUND');
  });
});

describe('orchestration subgraph: entity fields', () => {
  it('matches runbooks to alerts by rule name then service, and suggests runbooks for incidents', async () => {
    const runner = createSubgraphRunner(orchestrationSubgraph);
    const result: any = await runner.run(
      `query($reps: [_Any!]!) { _entities(representations: $reps) {
        ... on Alert { id alertRunbooks: runbooks { id } }
        ... on Incident { id suggestedRunbooks { id } }
        ... on Service { id serviceRunbooks: runbooks { id } }
      } }`,
      {
        reps: [
          { __typename: 'Alert', id: 'demo:a1', name: 'PgBouncerPoolSaturated', service: { id: 'orders-db' } },
          { __typename: 'Alert', id: 'demo:a2', name: 'SomethingNew', service: { id: 'media-storage' } },
          { __typename: 'Alert', id: 'demo:a3', name: 'SomethingNew', service: null },
          { __typename: 'Incident', id: 'demo:Q3VW8TR', service: { id: 'checkout' } },
          { __typename: 'Incident', id: 'demo:UNKNOWN', service: null },
          { __typename: 'Service', id: 'media-storage' },
        ],
      },
    );
    expect(result.errors).toBeUndefined();
    const [pg, byService, none, incident, noIncident, service] = result.data._entities;
    expect(pg.alertRunbooks[0].id).toBe('demo:rb-db-connection-saturation');
    expect(byService.alertRunbooks.map((r: any) => r.id)).toEqual(['demo:rb-disk-capacity']);
    expect(none.alertRunbooks).toEqual([]);
    expect(incident.suggestedRunbooks.map((r: any) => r.id)).toEqual(['demo:rb-rollback-deploy', 'demo:rb-db-connection-saturation']);
    expect(noIncident.suggestedRunbooks).toEqual([]);
    expect(service.serviceRunbooks.map((r: any) => r.id)).toEqual(['demo:rb-disk-capacity']);
  });

  it('costs a constant number of provider calls for many parents', async () => {
    const runner = createSubgraphRunner(orchestrationSubgraph);
    const services = ['checkout', 'orders-db', 'inventory', 'media-storage', 'auth', 'api-gateway', 'stripe-bridge'];
    const incidents = ['Q3VW8TR', 'Q8MZ4KD', 'Q5TJ2NB', 'Q2HD7YC', 'Q9PL3XA'];
    const reps = [
      ...services.map((id) => ({ __typename: 'Service', id })),
      ...services.map((id, i) => ({ __typename: 'Alert', id: `demo:alert-${i}`, name: 'HighLatency', service: { id } })),
      ...incidents.map((id, i) => ({ __typename: 'Incident', id: `demo:${id}`, service: { id: services[i] } })),
      ...incidents.map((id, i) => ({ __typename: 'Incident', id: `demo:${id}`, service: { id: services[i] } })),
    ];
    runner.registry.resetCallCounts();
    const result: any = await runner.run(
      `query($reps: [_Any!]!) { _entities(representations: $reps) {
        ... on Service { serviceRunbooks: runbooks { id runs(first: 2) { nodes { id runbook { name } } } } }
        ... on Alert { alertRunbooks: runbooks { id } }
        ... on Incident { suggestedRunbooks { id } }
      } }`,
      { reps },
    );
    expect(result.errors).toBeUndefined();
    expect(runner.registry.callCounts()).toEqual({
      'orchestration/demo.runbooksForServices': 1,
      'orchestration/demo.runbooksForAlerts': 1,
      'orchestration/demo.suggestRunbooksForIncidents': 1,
      'orchestration/demo.runsForRunbooks': 1,
      'orchestration/demo.getRunbooks': 1,
    });
  });
});
