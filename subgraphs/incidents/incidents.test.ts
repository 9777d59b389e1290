import { describe, it, expect } from 'vitest';
import { OpsOrchError, type IncidentProvider, type ProviderModule } from '@opsorch/adapters';
import { personById, scenarioById, storyOf } from '@opsorch/adapters/demo/world.ts';
import { createRequestContext, IdempotencyStore, type RequestContext } from '../shared/index.ts';
import { createSubgraphRunner, testRegistry } from '../shared/testing.ts';
import { incidentsSubgraph } from './index.ts';

type Result = { data?: any; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };

function codeOf(result: Result): unknown {
  return result.errors?.[0]?.extensions?.code;
}

/** The email of the person playing `part` in a demo scenario (on-call parts follow the rotation). */
const castEmail = (scenarioId: string, part: string): string => personById.get(storyOf(scenarioById.get(scenarioId)!).people[part]!)!.email;

function ok(result: Result): any {
  expect(result.errors).toBeUndefined();
  return result.data;
}

/** A request made by a signed-in person, sharing the runner's registry. */
function asPerson(runner: ReturnType<typeof createSubgraphRunner>, email: string, idempotency = new IdempotencyStore()): RequestContext {
  return createRequestContext({ registry: runner.registry, idempotency, actor: { kind: 'user', id: email, name: 'Maya Patel' } });
}

const INCIDENT = `id number title summary status rawStatus severity rawSeverity startedAt acknowledgedAt resolvedAt updatedAt
  channel url source { provider instance id } service { id } assignee { id } commander { id } links { title url }`;

describe('incidents subgraph: reads', () => {
  it('lists every scenario incident newest first, with SDL enums, deep links and source', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    const data = ok(await runner.run(`{ incidents(first: 50) { totalCount providerErrors { code } nodes { ${INCIDENT} } } }`));
    const nodes = data.incidents.nodes;
    expect(data.incidents.totalCount).toBe(5);
    expect(data.incidents.providerErrors).toEqual([]);
    expect(nodes.map((n: any) => n.number)).toEqual([1043, 1042, 1040, 1039, 1036]);
    const starts = nodes.map((n: any) => n.startedAt);
    expect(starts).toEqual([...starts].sort().reverse());
    expect(nodes[1]).toMatchObject({
      id: 'demo:Q3VW8TR',
      status: 'ACKNOWLEDGED',
      rawStatus: 'acknowledged',
      severity: 'SEV2',
      service: { id: 'checkout' },
      assignee: { id: castEmail('scn-bad-deploy', 'onCall') },
      commander: { id: 'alice.nguyen@acme-shop.example' },
      channel: '#inc-1042-checkout-5xx',
      url: 'https://acme-shop.pagerduty.com/incidents/Q3VW8TR',
      source: { provider: 'demo', instance: 'demo', id: 'Q3VW8TR' },
    });
    expect(nodes[1].acknowledgedAt > nodes[1].startedAt).toBe(true);
    expect(nodes[4]).toMatchObject({ number: 1036, status: 'RESOLVED', commander: { id: 'priya.raman@acme-shop.example' } });
    expect(nodes[4].resolvedAt).not.toBeNull();
    expect(nodes[0]).toMatchObject({ number: 1043, status: 'TRIGGERED', acknowledgedAt: null, commander: null });
  });

  it('filters by status, severity, service, team, environment, text and time range', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    const numbers = async (filter: string) =>
      ok(await runner.run(`{ incidents(filter: ${filter}) { nodes { number } } }`)).incidents.nodes.map((n: any) => n.number);
    expect(await numbers('{ statuses: [TRIGGERED, ACKNOWLEDGED] }')).toEqual([1043, 1042, 1040, 1039]);
    expect(await numbers('{ severities: [SEV1, SEV2] }')).toEqual([1043, 1042]);
    expect(await numbers('{ scope: { service: "checkout" } }')).toEqual([1042]);
    // data-infra owns orders-db and media-storage
    expect(await numbers('{ scope: { team: "data-infra" } }')).toEqual([1043, 1039]);
    expect(await numbers('{ scope: { environment: "staging" } }')).toEqual([]);
    expect(await numbers('{ text: "STRIPE" }')).toEqual([1040]);
    expect(await numbers('{ range: { from: "now-2h" } }')).toEqual([1043, 1042]);
    expect(await numbers('{ statuses: [RESOLVED], range: { from: "now-2d", to: "now-1d" } }')).toEqual([1036]);
  });

  it('answers one incident by id, null when unknown, BAD_USER_INPUT when malformed', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    expect(ok(await runner.run('{ incident(id: "demo:Q8MZ4KD") { number title } }')).incident).toEqual({
      number: 1043,
      title: 'orders-db connection pool saturated',
    });
    expect(ok(await runner.run('{ incident(id: "demo:NOPE") { id } }')).incident).toBeNull();
    expect(codeOf(await runner.run('{ incident(id: "Q8MZ4KD") { id } }'))).toBe('BAD_USER_INPUT');
  });

  it('refuses meaningless filters and page sizes with BAD_USER_INPUT', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    for (const query of [
      '{ incidents(first: 201) { totalCount } }',
      '{ incidents(first: -1) { totalCount } }',
      '{ incidents(filter: { text: "   " }) { totalCount } }',
      '{ incidents(filter: { range: { from: "yesterday" } }) { totalCount } }',
      '{ incidents(filter: { range: { from: "now", to: "now-1h" } }) { totalCount } }',
      '{ incidents(after: "not-a-cursor") { totalCount } }',
    ]) {
      expect(codeOf(await runner.run(query)), query).toBe('BAD_USER_INPUT');
    }
  });

  it('walks every page of incidents and of a timeline without gap or duplicate', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    const walk = async (query: string, pick: (data: any) => any) => {
      const seen: string[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 20; guard++) {
        const connection = pick(ok(await runner.run(query, { after })));
        seen.push(...connection.edges.map((e: any) => e.node.id));
        if (!connection.pageInfo.hasNextPage) return seen;
        after = connection.pageInfo.endCursor;
      }
      throw new Error('pagination did not end');
    };
    const incidents = await walk(
      'query($after: String) { incidents(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }',
      (d) => d.incidents,
    );
    expect(incidents).toEqual(['demo:Q8MZ4KD', 'demo:Q3VW8TR', 'demo:Q5TJ2NB', 'demo:Q2HD7YC', 'demo:Q9PL3XA']);

    const full = ok(
      await runner.run('{ incident(id: "demo:Q3VW8TR") { timeline(first: 200, order: OLDEST_FIRST) { totalCount nodes { id at kind } } } }'),
    ).incident.timeline;
    expect(full.totalCount).toBe(8);
    expect(full.nodes.map((n: any) => n.at)).toEqual([...full.nodes.map((n: any) => n.at)].sort());
    expect(full.nodes.map((n: any) => n.kind)).toEqual([
      'DEPLOY', 'ALERT', 'TRIGGERED', 'ACKNOWLEDGED', 'NOTE', 'ESCALATED', 'STATUS_UPDATE', 'NOTE',
    ]);
    for (const order of ['OLDEST_FIRST', 'NEWEST_FIRST']) {
      const entries = await walk(
        `query($after: String) { incident(id: "demo:Q3VW8TR") { timeline(first: 3, after: $after, order: ${order}) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`,
        (d) => d.incident.timeline,
      );
      const expected = full.nodes.map((n: any) => n.id);
      expect(entries).toEqual(order === 'OLDEST_FIRST' ? expected : [...expected].reverse());
    }
  });

  it('names people as actors of timeline entries and leaves automation without one', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    const nodes = ok(
      await runner.run('{ incident(id: "demo:Q8MZ4KD") { timeline(order: OLDEST_FIRST) { nodes { kind rawKind actor { id } message } } } }'),
    ).incident.timeline.nodes;
    expect(nodes[0]).toMatchObject({ kind: 'ALERT', rawKind: 'alert', actor: null });
    expect(nodes.find((n: any) => n.kind === 'NOTE').actor).toEqual({ id: castEmail('scn-db-saturation', 'inventoryOnCall') });
  });
});

describe('incidents subgraph: entity fields and batching', () => {
  it('adds incidents to Service and Team entities', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    const data = ok(
      await runner.run(`{ _entities(representations: [
        { __typename: "Service", id: "checkout" },
        { __typename: "Service", id: "cart" },
        { __typename: "Team", id: "data-infra" },
        { __typename: "Incident", id: "demo:Q5TJ2NB" }
      ]) {
        ... on Service { id incidents { totalCount nodes { number } } open: incidents(statuses: [RESOLVED]) { nodes { number } } }
        ... on Team { id incidents(first: 1) { totalCount nodes { number } pageInfo { hasNextPage } } }
        ... on Incident { number service { id } }
      } }`),
    );
    expect(data._entities).toEqual([
      { id: 'checkout', incidents: { totalCount: 1, nodes: [{ number: 1042 }] }, open: { nodes: [] } },
      { id: 'cart', incidents: { totalCount: 0, nodes: [] }, open: { nodes: [] } },
      { id: 'data-infra', incidents: { totalCount: 2, nodes: [{ number: 1043 }], pageInfo: { hasNextPage: true } } },
      { number: 1040, service: { id: 'stripe-bridge' } },
    ]);
  });

  it('costs one provider call per instance for N services, N teams and N timelines', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    const services = ['checkout', 'orders-db', 'stripe-bridge', 'media-storage', 'auth', 'cart', 'kafka', 'search'];
    const representations = [...services, ...services].map((id) => `{ __typename: "Service", id: "${id}" }`).join(',');
    const teams = ['platform', 'data-infra', 'commerce', 'payments', 'growth'].map((id) => `{ __typename: "Team", id: "${id}" }`).join(',');
    runner.registry.resetCallCounts();
    const data = ok(
      await runner.run(`{
        services: _entities(representations: [${representations}]) { ... on Service { incidents { nodes { id timeline(first: 2) { nodes { id } } } } } }
        teams: _entities(representations: [${teams}]) { ... on Team { incidents { nodes { id } } } }
        incidents(first: 50) { nodes { timeline { totalCount } } }
      }`),
    );
    expect(data.services).toHaveLength(16);
    expect(data.services[0].incidents.nodes[0].timeline.nodes).toHaveLength(2);
    expect(runner.registry.callCounts()).toEqual({
      'incidents/demo.incidentsForServices': 1,
      'incidents/demo.incidentsForTeams': 1,
      'incidents/demo.query': 1,
      // Two argument sets (first: 2 and first: 25), one call each, whatever the number of incidents.
      'incidents/demo.timelines': 2,
    });
  });

  it('merges several instances and reports a failing one in providerErrors', async () => {
    const broken: ProviderModule = {
      label: 'always failing',
      factories: {
        incidents: (_settings, deps) =>
          ({
            kind: 'broken',
            instance: deps.instance,
            async query() {
              throw new OpsOrchError('PROVIDER_UNAVAILABLE', 'PagerDuty answered 503');
            },
            async incidentsForServices() {
              throw new OpsOrchError('PROVIDER_UNAVAILABLE', 'PagerDuty answered 503');
            },
          }) as unknown as IncidentProvider,
      },
    };
    const registry = testRegistry({ OPSORCH_INCIDENTS_PROVIDER: 'demo,eu=demo,pd=broken' }, { broken });
    const runner = createSubgraphRunner(incidentsSubgraph, registry);
    const data = ok(
      await runner.run(`{
        incidents(first: 50) { nodes { id } providerErrors { capability provider code message } }
        _entities(representations: [{ __typename: "Service", id: "checkout" }, { __typename: "Service", id: "auth" }]) {
          ... on Service { incidents { nodes { id } providerErrors { provider } } }
        }
      }`),
    );
    expect(data.incidents.nodes).toHaveLength(10);
    expect(data.incidents.nodes.filter((n: any) => n.id.startsWith('eu:'))).toHaveLength(5);
    expect(data.incidents.providerErrors).toEqual([
      // Retries may open pd's circuit within this one request; the message then names the last failure.
      { capability: 'incidents', provider: 'pd', code: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining('PagerDuty answered 503') },
    ]);
    expect(data._entities[0].incidents.nodes.map((n: any) => n.id).sort()).toEqual(['demo:Q3VW8TR', 'eu:Q3VW8TR']);
    expect(data._entities[1].incidents.providerErrors).toEqual([{ provider: 'pd' }]);
    const counts = runner.registry.callCounts();
    expect(counts['incidents/demo.incidentsForServices']).toBe(1);
    expect(counts['incidents/eu.incidentsForServices']).toBe(1);
  });
});

describe('incidents subgraph: a failing timeline', () => {
  it("is the field's error when the owning instance fails, never an empty timeline", async () => {
    const flaky: ProviderModule = {
      label: 'timeline down',
      factories: {
        incidents: (_settings, deps) =>
          ({
            kind: 'flaky',
            instance: deps.instance,
            async getMany(ids: readonly string[]) {
              return ids.map((id) => ({ id, number: 7, title: 'x', summary: null, status: 'TRIGGERED', rawStatus: 'triggered', severity: 'SEV3',
                rawSeverity: 'P3', serviceId: 'checkout', assigneeId: null, commanderId: null, startedAt: '2026-01-01T00:00:00Z',
                acknowledgedAt: null, resolvedAt: null, updatedAt: '2026-01-01T00:00:00Z', channel: null, links: [], url: 'https://x', source: { provider: 'flaky', instance: deps.instance, id } }));
            },
            async timelines() {
              throw new OpsOrchError('PROVIDER_UNAVAILABLE', 'timeline endpoint answered 503');
            },
          }) as unknown as IncidentProvider,
      },
    };
    const runner = createSubgraphRunner(incidentsSubgraph, testRegistry({ OPSORCH_INCIDENTS_PROVIDER: 'demo,pd=flaky' }, { flaky }));
    const result = await runner.run(`{ incident(id: "pd:P1") { id timeline { nodes { id } } } }`);
    // Only the timeline is lost: the incident itself still arrives.
    expect(result.data?.incident).toEqual({ id: 'pd:P1', timeline: null });
    expect(result.errors?.[0]).toMatchObject({
      path: ['incident', 'timeline'],
      extensions: { code: 'PROVIDER_UNAVAILABLE', capability: 'incidents', provider: 'pd' },
    });
  });
});

describe('incidents subgraph: writes', () => {
  const CREATE = `mutation($input: CreateIncidentInput!, $key: String) {
    createIncident(input: $input, idempotencyKey: $key) { ${INCIDENT} timeline { nodes { kind rawKind actor { id } message } } }
  }`;

  it('creates an incident with the next number, the on-call assignee and a TRIGGERED entry by the caller', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    const ctx = asPerson(runner, 'Maya.Patel@acme-shop.example');
    const created = ok(
      await runner.run(CREATE, { input: { title: 'Cart promo codes rejected', serviceId: 'cart', severity: 'SEV3', summary: 'All promo codes fail.' } }, ctx),
    ).createIncident;
    expect(created).toMatchObject({
      number: 1044,
      title: 'Cart promo codes rejected',
      summary: 'All promo codes fail.',
      status: 'TRIGGERED',
      severity: 'SEV3',
      service: { id: 'cart' },
      channel: '#inc-1044-cart-promo-codes-rejected',
      source: { provider: 'demo', instance: 'demo' },
    });
    expect(created.id).toMatch(/^demo:Q[0-9A-F]{6}$/);
    expect(created.url).toBe(`https://acme-shop.pagerduty.com/incidents/${created.source.id}`);
    expect(created.assignee.id).toMatch(/@acme-shop\.example$/);
    expect(created.timeline.nodes).toEqual([
      expect.objectContaining({ kind: 'TRIGGERED', rawKind: 'triggered', actor: { id: 'maya.patel@acme-shop.example' } }),
    ]);
    const listed = ok(await runner.run('{ incidents(first: 1) { totalCount nodes { id } } }')).incidents;
    expect(listed).toEqual({ totalCount: 6, nodes: [{ id: created.id }] });
    const next = ok(
      await runner.run(CREATE, { input: { title: 'Second', serviceId: 'auth', severity: 'SEV4', assigneeId: 'lena.fischer@acme-shop.example' } }),
    ).createIncident;
    expect(next).toMatchObject({ number: 1045, assignee: { id: 'lena.fischer@acme-shop.example' } });
  });

  it('refuses invalid create input with BAD_USER_INPUT and writes nothing', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    const base = { title: 'Something broke', serviceId: 'cart', severity: 'SEV3' };
    for (const input of [
      { ...base, title: '   ' },
      { ...base, title: 'x'.repeat(256) },
      { ...base, serviceId: 'no-such-service' },
      { ...base, severity: 'UNKNOWN' },
      { ...base, assigneeId: 'nobody@example.com' },
      { ...base, summary: 'x'.repeat(10_001) },
      { ...base, providerInstance: 'pagerduty-eu' },
    ]) {
      expect(codeOf(await runner.run(CREATE, { input })), JSON.stringify(input).slice(0, 80)).toBe('BAD_USER_INPUT');
    }
    expect(ok(await runner.run('{ incidents { totalCount } }')).incidents.totalCount).toBe(5);
  });

  it('creates once per idempotency key and refuses the key with different arguments', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    const input = { title: 'Search timeouts', serviceId: 'search', severity: 'SEV3' };
    const first = ok(await runner.run(CREATE, { input, key: 'k-1' })).createIncident;
    const again = ok(await runner.run(CREATE, { input, key: 'k-1' })).createIncident;
    expect(again.id).toBe(first.id);
    expect(ok(await runner.run('{ incidents { totalCount } }')).incidents.totalCount).toBe(6);
    const other = await runner.run(CREATE, { input: { ...input, severity: 'SEV2' }, key: 'k-1' });
    expect(codeOf(other)).toBe('BAD_USER_INPUT');
    expect(ok(await runner.run('{ incidents { totalCount } }')).incidents.totalCount).toBe(6);
  });

  it('acknowledges a triggered incident, does nothing on an acknowledged one, refuses a resolved one', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    const ACK = 'mutation($id: ID!) { acknowledgeIncident(id: $id) { status rawStatus acknowledgedAt updatedAt timeline(first: 1) { nodes { kind actor { id } message } } } }';
    const acked = ok(await runner.run(ACK, { id: 'demo:Q8MZ4KD' }, asPerson(runner, 'ravi.deshpande@acme-shop.example'))).acknowledgeIncident;
    expect(acked).toMatchObject({ status: 'ACKNOWLEDGED', rawStatus: 'acknowledged' });
    expect(acked.acknowledgedAt).toBe(acked.updatedAt);
    expect(acked.timeline.nodes[0]).toMatchObject({ kind: 'ACKNOWLEDGED', actor: { id: 'ravi.deshpande@acme-shop.example' } });

    // An anonymous caller is no User: the entry has no actor.
    const already = ok(await runner.run(ACK, { id: 'demo:Q3VW8TR' })).acknowledgeIncident;
    expect(already.timeline.nodes[0].kind).toBe('NOTE');
    const anonymous = ok(await runner.run(ACK, { id: 'demo:Q2HD7YC' })).acknowledgeIncident;
    expect(anonymous.timeline.nodes[0]).toMatchObject({ kind: 'ACKNOWLEDGED', actor: null });
    expect(anonymous.timeline.nodes[0].message).toContain('anonymous');

    const resolved = await runner.run(ACK, { id: 'demo:Q9PL3XA' });
    expect(codeOf(resolved)).toBe('BAD_USER_INPUT');
    expect(resolved.errors![0]!.message).toContain('resolved');
    expect(codeOf(await runner.run(ACK, { id: 'demo:NOPE' }))).toBe('NOT_FOUND');
    expect(codeOf(await runner.run(ACK, { id: 'NOPE' }))).toBe('BAD_USER_INPUT');
  });

  it('resolves once per idempotency key, recording the resolution', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    const RESOLVE = `mutation($id: ID!, $resolution: String, $key: String) {
      resolveIncident(id: $id, resolution: $resolution, idempotencyKey: $key) { id status resolvedAt timeline(first: 200) { nodes { kind message } } }
    }`;
    const vars = { id: 'demo:Q3VW8TR', resolution: 'Rolled back to v2.13.4.', key: 'resolve-1042' };
    const first = ok(await runner.run(RESOLVE, vars)).resolveIncident;
    const second = ok(await runner.run(RESOLVE, vars)).resolveIncident;
    expect(second).toEqual(first);
    expect(first.status).toBe('RESOLVED');
    expect(first.resolvedAt).not.toBeNull();
    const after = ok(await runner.run('{ incident(id: "demo:Q3VW8TR") { timeline(first: 200) { nodes { kind message } } } }')).incident;
    const resolvedEntries = after.timeline.nodes.filter((n: any) => n.kind === 'RESOLVED');
    expect(resolvedEntries).toHaveLength(1);
    expect(resolvedEntries[0].message).toContain('Rolled back to v2.13.4.');
    expect(codeOf(await runner.run(RESOLVE, { ...vars, resolution: 'Something else' }))).toBe('BAD_USER_INPUT');
  });

  it('updates fields with SEVERITY_CHANGED, ASSIGNED and OTHER entries, and needs at least one field', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    const UPDATE = `mutation($id: ID!, $input: UpdateIncidentInput!) {
      updateIncident(id: $id, input: $input) { title severity rawSeverity assignee { id } timeline(first: 3) { nodes { kind rawKind message } } }
    }`;
    const updated = ok(
      await runner.run(UPDATE, {
        id: 'demo:Q5TJ2NB',
        // The Payments manager is never on the rotation, so never the current assignee.
        input: { title: 'Stripe PaymentIntents latency', severity: 'SEV2', assigneeId: 'samuel.adeyemi@acme-shop.example' },
      }),
    ).updateIncident;
    expect(updated).toMatchObject({ title: 'Stripe PaymentIntents latency', severity: 'SEV2', rawSeverity: 'SEV2', assignee: { id: 'samuel.adeyemi@acme-shop.example' } });
    expect(updated.timeline.nodes.map((n: any) => [n.kind, n.rawKind])).toEqual([
      ['ASSIGNED', 'assigned'],
      ['SEVERITY_CHANGED', 'severity_changed'],
      ['OTHER', 'title_changed'],
    ]);
    expect(updated.timeline.nodes[1].message).toContain('SEV3 to SEV2');
    const assignee = personById.get(storyOf(scenarioById.get('scn-third-party-degraded')!).assigneeId)!.name;
    expect(updated.timeline.nodes[0].message).toContain(`${assignee} to Samuel Adeyemi`);

    for (const input of [{}, { title: null }, { severity: 'UNKNOWN' }, { title: '' }, { assigneeId: 'ghost@acme-shop.example' }]) {
      expect(codeOf(await runner.run(UPDATE, { id: 'demo:Q5TJ2NB', input })), JSON.stringify(input)).toBe('BAD_USER_INPUT');
    }
  });

  it('adds notes of 1 to 10000 characters, once per idempotency key', async () => {
    const runner = createSubgraphRunner(incidentsSubgraph);
    const NOTE = `mutation($id: ID!, $body: String!, $key: String) {
      addIncidentNote(incidentId: $id, body: $body, idempotencyKey: $key) { timeline(first: 200) { totalCount nodes { kind actor { id } message } } }
    }`;
    const ctx = asPerson(runner, 'diego.ramirez@acme-shop.example');
    const noted = ok(await runner.run(NOTE, { id: 'demo:Q8MZ4KD', body: 'Paused the reconciliation job.', key: 'n1' }, ctx)).addIncidentNote;
    expect(noted.timeline.nodes[0]).toEqual({ kind: 'NOTE', actor: { id: 'diego.ramirez@acme-shop.example' }, message: 'Paused the reconciliation job.' });
    expect(noted.timeline.totalCount).toBe(8);
    const retried = ok(await runner.run(NOTE, { id: 'demo:Q8MZ4KD', body: 'Paused the reconciliation job.', key: 'n1' }, ctx)).addIncidentNote;
    expect(retried.timeline.totalCount).toBe(8);
    expect(codeOf(await runner.run(NOTE, { id: 'demo:Q8MZ4KD', body: '  ' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await runner.run(NOTE, { id: 'demo:Q8MZ4KD', body: 'x'.repeat(10_001) }))).toBe('BAD_USER_INPUT');
    expect(ok(await runner.run(NOTE, { id: 'demo:Q8MZ4KD', body: 'x'.repeat(10_000) })).addIncidentNote.timeline.totalCount).toBe(9);
  });

  it('keeps writes inside one provider instance', async () => {
    const first = createSubgraphRunner(incidentsSubgraph);
    ok(await first.run('mutation { acknowledgeIncident(id: "demo:Q8MZ4KD") { id } }'));
    const fresh = createSubgraphRunner(incidentsSubgraph);
    expect(ok(await fresh.run('{ incident(id: "demo:Q8MZ4KD") { status } }')).incident.status).toBe('TRIGGERED');
  });
});
