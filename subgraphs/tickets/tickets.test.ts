import { describe, it, expect } from 'vitest';
import { personById, scenarioById, storyOf } from '@opsorch/adapters/demo/world.ts';
import { createSubgraphRunner } from '../shared/testing.ts';
import { ticketsSubgraph } from './index.ts';

const TICKET_FIELDS = `id key title status rawStatus priority rawPriority labels createdAt updatedAt url
  source { provider instance id } assignee { id } reporter { id } service { id } incident { id }
  availableTransitions { id name to rawTo }`;

function codeOf(result: { errors?: readonly { extensions?: Record<string, unknown> }[] }): unknown {
  return result.errors?.[0]?.extensions?.code;
}

describe('tickets subgraph: reads', () => {
  it('returns a scenario ticket with its links, Jira url and transitions', async () => {
    const runner = createSubgraphRunner(ticketsSubgraph);
    const result = await runner.run(`{ ticket(id: "demo:OPS-311") { ${TICKET_FIELDS} comments { nodes { author { id } body createdAt } } } }`);
    expect(result.errors).toBeUndefined();
    const ticket = (result.data as any).ticket;
    expect(ticket).toMatchObject({
      key: 'OPS-311',
      status: 'IN_PROGRESS',
      rawStatus: 'In Progress',
      priority: 'HIGH',
      rawPriority: 'High',
      assignee: { id: 'jonas.weber@acme-shop.example' },
      // Whoever was on call when the incident was paged (the rotation moves with the calendar).
      reporter: { id: personById.get(storyOf(scenarioById.get('scn-bad-deploy')!).ticket.reporterId)!.email },
      service: { id: 'checkout' },
      incident: { id: 'demo:Q3VW8TR' },
      url: 'https://acme-shop.atlassian.net/browse/OPS-311',
      source: { provider: 'demo', instance: 'demo', id: 'OPS-311' },
    });
    expect(ticket.availableTransitions.map((t: any) => t.to)).toEqual(['IN_REVIEW', 'TODO', 'CANCELLED']);
    const comments = ticket.comments.nodes;
    expect(comments.length).toBeGreaterThanOrEqual(2);
    expect(comments.map((c: any) => c.createdAt)).toEqual([...comments.map((c: any) => c.createdAt)].sort());
    expect(comments.some((c: any) => c.author?.id === 'jonas.weber@acme-shop.example')).toBe(true);
  });

  it('answers null for an unknown ticket and BAD_USER_INPUT for a malformed id', async () => {
    const runner = createSubgraphRunner(ticketsSubgraph);
    const missing = await runner.run('{ ticket(id: "demo:OPS-9999") { id } }');
    expect(missing.errors).toBeUndefined();
    expect((missing.data as any).ticket).toBeNull();
    const malformed = await runner.run('{ ticket(id: "OPS-311") { id } }');
    expect(codeOf(malformed)).toBe('BAD_USER_INPUT');
  });

  it('lists newest first and walks every page without gaps or duplicates', async () => {
    const runner = createSubgraphRunner(ticketsSubgraph);
    const all = await runner.run('{ tickets(first: 200) { totalCount nodes { id updatedAt } } }');
    const expected = (all.data as any).tickets.nodes as { id: string; updatedAt: string }[];
    expect(expected.length).toBeGreaterThanOrEqual(12);
    expect(expected.map((t) => t.updatedAt)).toEqual([...expected.map((t) => t.updatedAt)].sort().reverse());

    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const page: any = await runner.run('query($after: String) { tickets(first: 5, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }', { after });
      expect(page.errors).toBeUndefined();
      seen.push(...page.data.tickets.nodes.map((n: any) => n.id));
      if (!page.data.tickets.pageInfo.hasNextPage) break;
      after = page.data.tickets.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected.map((t) => t.id));
  });

  it('filters by status, priority, scope, text, assignee and incident', async () => {
    const runner = createSubgraphRunner(ticketsSubgraph);
    const keys = async (filter: string) => {
      const r: any = await runner.run(`{ tickets(filter: ${filter}, first: 200) { nodes { key } } }`);
      expect(r.errors).toBeUndefined();
      return r.data.tickets.nodes.map((n: any) => n.key).sort();
    };
    expect(await keys('{ incidentId: "demo:Q8MZ4KD" }')).toEqual(['OPS-318']);
    expect(await keys('{ statuses: [DONE] }')).toEqual(['OPS-291', 'OPS-294']);
    expect(await keys('{ priorities: [HIGHEST] }')).toEqual(['OPS-318']);
    expect(await keys('{ scope: { service: "checkout" } }')).toEqual(['OPS-284', 'OPS-311']);
    expect(await keys('{ scope: { team: "payments" } }')).toEqual(['OPS-287', 'OPS-305']);
    expect(await keys('{ text: "GIFT-card" }')).toEqual(['OPS-311']);
    const escalatedTo = personById.get(storyOf(scenarioById.get('scn-db-saturation')!).ticket.assigneeId)!.email;
    expect(await keys(`{ assignee: "${escalatedTo.replace(/^./, (c) => c.toUpperCase())}" }`)).toEqual(
      // The same person may also own a backlog ticket.
      expect.arrayContaining(['OPS-318']),
    );
    const bad = await runner.run('{ tickets(filter: { assignee: "ravi" }) { nodes { id } } }');
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
  });
});

describe('tickets subgraph: entity fields', () => {
  it('resolves Incident.tickets and Service.tickets through _entities', async () => {
    const runner = createSubgraphRunner(ticketsSubgraph);
    const result: any = await runner.run(
      `query($reps: [_Any!]!) { _entities(representations: $reps) {
        ... on Incident { id incidentTickets: tickets { key } }
        ... on Service { id serviceTickets: tickets(statuses: [TODO, IN_PROGRESS]) { nodes { key status } } }
      } }`,
      {
        reps: [
          { __typename: 'Incident', id: 'demo:Q3VW8TR' },
          { __typename: 'Incident', id: 'demo:NOPE' },
          { __typename: 'Service', id: 'checkout' },
        ],
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities[0].incidentTickets.map((t: any) => t.key)).toEqual(['OPS-311']);
    expect(result.data._entities[1].incidentTickets).toEqual([]);
    expect(result.data._entities[2].serviceTickets.nodes.map((t: any) => t.key).sort()).toEqual(['OPS-284', 'OPS-311']);
  });

  it('costs a constant number of provider calls for many services and incidents', async () => {
    const runner = createSubgraphRunner(ticketsSubgraph);
    const services = ['checkout', 'orders-db', 'kafka', 'search', 'auth', 'stripe-bridge', 'media-storage', 'notifications'];
    const incidents = ['demo:Q3VW8TR', 'demo:Q8MZ4KD', 'demo:Q5TJ2NB', 'demo:Q2HD7YC', 'demo:Q9PL3XA'];
    const reps = [
      ...services.map((id) => ({ __typename: 'Service', id })),
      ...services.map((id) => ({ __typename: 'Service', id })), // duplicates, as the gateway sends them
      ...incidents.map((id) => ({ __typename: 'Incident', id })),
    ];
    runner.registry.resetCallCounts();
    const result: any = await runner.run(
      `query($reps: [_Any!]!) { _entities(representations: $reps) {
        ... on Service { serviceTickets: tickets(first: 3) { nodes { key availableTransitions { id } comments(first: 2) { nodes { id } } } } }
        ... on Incident { incidentTickets: tickets { key } }
      } }`,
      { reps },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities.length).toBe(reps.length);
    expect(runner.registry.callCounts()).toEqual({
      'tickets/demo.ticketsForServices': 1,
      'tickets/demo.ticketsForIncidents': 1,
      'tickets/demo.transitionsForTickets': 1,
      'tickets/demo.commentsForTickets': 1,
    });
  });
});

describe('tickets subgraph: writes', () => {
  it('creates a ticket once per idempotency key and refuses a reused key with other input', async () => {
    const runner = createSubgraphRunner(ticketsSubgraph);
    const create = `mutation($input: CreateTicketInput!, $key: String) { createTicket(input: $input, idempotencyKey: $key) { ${TICKET_FIELDS} description } }`;
    const input = {
      title: '  Add gift-card carts to the checkout canary  ',
      priority: 'HIGH',
      assigneeId: 'Jonas.Weber@acme-shop.example',
      labels: ['follow-up', 'canary', 'follow-up'],
      serviceId: 'checkout',
      incidentId: 'demo:Q3VW8TR',
    };
    const first: any = await runner.run(create, { input, key: 'k-1' });
    expect(first.errors).toBeUndefined();
    const ticket = first.data.createTicket;
    expect(ticket).toMatchObject({
      title: 'Add gift-card carts to the checkout canary',
      status: 'TODO',
      priority: 'HIGH',
      assignee: { id: 'jonas.weber@acme-shop.example' },
      labels: ['follow-up', 'canary'],
      incident: { id: 'demo:Q3VW8TR' },
      description: null,
    });
    const again: any = await runner.run(create, { input, key: 'k-1' });
    expect(again.data.createTicket.id).toBe(ticket.id);
    const linked: any = await runner.run('{ tickets(filter: { incidentId: "demo:Q3VW8TR" }) { nodes { id } } }');
    expect(linked.data.tickets.nodes.filter((n: any) => n.id === ticket.id)).toHaveLength(1);

    const reused = await runner.run(create, { input: { ...input, title: 'something else' }, key: 'k-1' });
    expect(codeOf(reused)).toBe('BAD_USER_INPUT');
    const another: any = await runner.run(create, { input, key: 'k-2' });
    expect(another.data.createTicket.id).not.toBe(ticket.id);
  });

  it('validates every field of a new ticket', async () => {
    const runner = createSubgraphRunner(ticketsSubgraph);
    const create = 'mutation($input: CreateTicketInput!) { createTicket(input: $input) { id } }';
    const cases: Record<string, unknown>[] = [
      { title: '   ' },
      { title: 'x'.repeat(256) },
      { title: 'ok', priority: 'UNKNOWN' },
      { title: 'ok', assigneeId: 'jonas' },
      { title: 'ok', assigneeId: 'nobody@acme-shop.example' },
      { title: 'ok', labels: ['has space'] },
      { title: 'ok', serviceId: 'Not A Slug' },
      { title: 'ok', serviceId: 'no-such-service' },
      { title: 'ok', incidentId: 'Q3VW8TR' },
    ];
    for (const input of cases) {
      const result = await runner.run(create, { input });
      expect(codeOf(result), JSON.stringify(input)).toBe('BAD_USER_INPUT');
    }
    const none: any = await runner.run('{ tickets(filter: { text: "ok" }, first: 200) { nodes { title } } }');
    expect(none.data.tickets.nodes.filter((n: any) => n.title === 'ok')).toEqual([]);
  });

  it('updates fields, clears nullable ones and refuses an empty update', async () => {
    const runner = createSubgraphRunner(ticketsSubgraph);
    const update = 'mutation($input: UpdateTicketInput!) { updateTicket(id: "demo:OPS-289", input: $input) { title priority assignee { id } labels service { id } updatedAt } }';
    const result: any = await runner.run(update, { input: { priority: 'HIGH', assigneeId: null, labels: [] } });
    expect(result.errors).toBeUndefined();
    expect(result.data.updateTicket).toMatchObject({ title: 'Flaky canary check for search autocomplete', priority: 'HIGH', assignee: null, labels: [], service: { id: 'search' } });
    expect(codeOf(await runner.run(update, { input: {} }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await runner.run(update, { input: { title: null } }))).toBe('BAD_USER_INPUT');
    const missing = await runner.run('mutation { updateTicket(id: "demo:OPS-1", input: { priority: LOW }) { id } }');
    expect(codeOf(missing)).toBe('NOT_FOUND');
  });

  it('transitions by id, name or status and lists the allowed transitions when impossible', async () => {
    const runner = createSubgraphRunner(ticketsSubgraph);
    const transition = 'mutation($t: String!) { transitionTicket(id: "demo:OPS-318", transition: $t) { status rawStatus availableTransitions { id to } } }';
    const started: any = await runner.run(transition, { t: '11' });
    expect(started.data.transitionTicket).toMatchObject({ status: 'IN_PROGRESS', rawStatus: 'In Progress' });
    const review: any = await runner.run(transition, { t: 'submit for review' });
    expect(review.data.transitionTicket.status).toBe('IN_REVIEW');
    const done: any = await runner.run(transition, { t: 'DONE' });
    expect(done.data.transitionTicket).toMatchObject({ status: 'DONE', availableTransitions: [{ id: '71', to: 'TODO' }] });
    const impossible: any = await runner.run(transition, { t: 'IN_REVIEW' });
    expect(codeOf(impossible)).toBe('BAD_USER_INPUT');
    expect(impossible.errors[0].message).toContain('"71" (Reopen → TODO)');
  });

  it('comments as the caller and keeps the comment once per idempotency key', async () => {
    const runner = createSubgraphRunner(ticketsSubgraph);
    const comment = 'mutation($key: String) { commentOnTicket(id: "demo:OPS-298", body: "Eviction re-enabled.", idempotencyKey: $key) { updatedAt comments(first: 50) { totalCount nodes { body author { id } } } } }';
    const first: any = await runner.run(comment, { key: 'c-1' });
    expect(first.errors).toBeUndefined();
    const count = first.data.commentOnTicket.comments.totalCount;
    const second: any = await runner.run(comment, { key: 'c-1' });
    expect(second.data.commentOnTicket.comments.totalCount).toBe(count);
    expect(second.data.commentOnTicket.comments.nodes.at(-1)).toEqual({ body: 'Eviction re-enabled.', author: null });
    expect(codeOf(await runner.run('mutation { commentOnTicket(id: "demo:OPS-298", body: "  ") { id } }'))).toBe('BAD_USER_INPUT');
  });
});
