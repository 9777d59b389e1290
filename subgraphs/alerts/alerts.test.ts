import { describe, it, expect } from 'vitest';
import { isoMinutesAgo } from '@opsorch/adapters/demo/clock.ts';
import { createRequestContext, IdempotencyStore } from '../shared/index.ts';
import { createSubgraphRunner, testRegistry } from '../shared/testing.ts';
import { alertsSubgraph } from './index.ts';

type Result = { data?: any; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };

function codeOf(result: Result): unknown {
  return result.errors?.[0]?.extensions?.code;
}

function ok(result: Result): any {
  expect(result.errors).toBeUndefined();
  return result.data;
}

const ALERT = `id name summary description state rawState severity rawSeverity service { id } labels { name value }
  startsAt endsAt acknowledgedAt silencedUntil silenceComment generatorUrl url source { provider instance id } fingerprint`;

async function alertNamed(runner: ReturnType<typeof createSubgraphRunner>, name: string, service: string): Promise<any> {
  const nodes = ok(await runner.run(`{ alerts(first: 200, filter: { scope: { service: "${service}" } }) { nodes { ${ALERT} } } }`)).alerts.nodes;
  const alert = nodes.find((a: any) => a.name === name);
  expect(alert, `${name} on ${service}`).toBeDefined();
  return alert;
}

describe('alerts subgraph: reads', () => {
  it('lists scenario and background alerts newest first with stable ids, labels and deep links', async () => {
    const runner = createSubgraphRunner(alertsSubgraph);
    const data = ok(await runner.run(`{ alerts(first: 200) { totalCount providerErrors { code } nodes { ${ALERT} } } }`));
    const nodes = data.alerts.nodes;
    expect(data.alerts.totalCount).toBe(nodes.length);
    expect(nodes.length).toBeGreaterThanOrEqual(15);
    const starts = nodes.map((a: any) => a.startsAt);
    expect(starts).toEqual([...starts].sort().reverse());
    expect(new Set(nodes.map((a: any) => a.id)).size).toBe(nodes.length);

    const high = nodes.find((a: any) => a.name === 'HighErrorRate');
    expect(high).toMatchObject({
      state: 'FIRING',
      rawState: 'firing',
      severity: 'SEV2',
      rawSeverity: 'critical',
      service: { id: 'checkout' },
      startsAt: isoMinutesAgo(45),
      endsAt: null,
      source: { provider: 'demo', instance: 'demo' },
    });
    expect(high.id).toBe(`demo:${high.fingerprint}`);
    expect(high.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(high.labels.map((l: any) => l.name)).toEqual(['alertname', 'env', 'service', 'severity', 'team']);
    expect(high.labels).toContainEqual({ name: 'env', value: 'production' });
    expect(high.generatorUrl).toMatch(/^http:\/\/prometheus\.acme-shop\.example\/graph\?g0\.expr=/);
    expect(decodeURIComponent(high.generatorUrl)).toContain('http_requests_total{service="checkout"');
    expect(high.url).toMatch(/^http:\/\/alertmanager\.acme-shop\.example\/#\/alerts\?filter=/);

    expect(nodes.find((a: any) => a.name === 'AuthTokenRejections')).toMatchObject({ state: 'RESOLVED', rawState: 'resolved' });
    expect(nodes.find((a: any) => a.name === 'SearchIndexLagHigh')).toMatchObject({ state: 'SILENCED', rawState: 'suppressed', severity: 'SEV3' });
    expect(nodes.find((a: any) => a.name === 'CertificateExpiringSoon')).toMatchObject({ severity: 'SEV5', rawSeverity: 'info' });

    // Ids are a pure function of the alert: another registry issues the same ones.
    const again = ok(await createSubgraphRunner(alertsSubgraph).run('{ alerts(first: 200) { nodes { id } } }')).alerts.nodes;
    expect(again.map((a: any) => a.id)).toEqual(nodes.map((a: any) => a.id));
  });

  it('filters by state, severity, service, team, environment, text and active window', async () => {
    const runner = createSubgraphRunner(alertsSubgraph);
    const names = async (filter: string) =>
      ok(await runner.run(`{ alerts(first: 200, filter: ${filter}) { nodes { name service { id } } } }`)).alerts.nodes.map(
        (a: any) => `${a.name}@${a.service.id}`,
      );
    expect(await names('{ scope: { service: "checkout" } }')).toEqual(['CheckoutLatencyP99High@checkout', 'HighErrorRate@checkout']);
    expect(await names('{ states: [RESOLVED] }')).toEqual([
      'ContainerMemoryHigh@recommendations',
      'KafkaConsumerLagHigh@notifications',
      'AuthTokenRejections@api-gateway',
    ]);
    expect(await names('{ severities: [SEV2], states: [FIRING] }')).toEqual([
      'HighLatency@inventory',
      'PgBouncerPoolSaturated@orders-db',
      'HighErrorRate@checkout',
    ]);
    expect(await names('{ scope: { team: "payments" } }')).toEqual([
      'PodRestartsFrequent@fraud-check',
      'PaymentAuthorizationSlow@payments-api',
      'StripeAPILatencyHigh@stripe-bridge',
    ]);
    expect(await names('{ scope: { environment: "staging" } }')).toEqual(['PodRestartsFrequent@fraud-check']);
    expect(await names('{ text: "pgbouncer" }')).toEqual(['PgBouncerPoolSaturated@orders-db']);
    // Active at some point 26h..24h ago: the resolved auth alert and the two-day-old certificate warning.
    expect(await names('{ range: { from: "now-26h", to: "now-24h" } }')).toEqual([
      'AuthTokenRejections@api-gateway',
      'CertificateExpiringSoon@api-gateway',
    ]);
  });

  it('answers one alert by id, null when unknown, BAD_USER_INPUT for malformed ids and filters', async () => {
    const runner = createSubgraphRunner(alertsSubgraph);
    const high = await alertNamed(runner, 'HighErrorRate', 'checkout');
    expect(ok(await runner.run(`{ alert(id: "${high.id}") { name } }`)).alert).toEqual({ name: 'HighErrorRate' });
    expect(ok(await runner.run('{ alert(id: "demo:0000000000000000") { name } }')).alert).toBeNull();
    for (const query of [
      '{ alert(id: "HighErrorRate") { name } }',
      '{ alerts(first: 500) { totalCount } }',
      '{ alerts(filter: { scope: { service: " " } }) { totalCount } }',
      '{ alerts(filter: { range: { from: "last tuesday" } }) { totalCount } }',
    ]) {
      expect(codeOf(await runner.run(query)), query).toBe('BAD_USER_INPUT');
    }
  });

  it('walks every page without gap or duplicate', async () => {
    const runner = createSubgraphRunner(alertsSubgraph);
    const all = ok(await runner.run('{ alerts(first: 200) { nodes { id } } }')).alerts.nodes.map((a: any) => a.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 30; guard++) {
      const page: any = ok(
        await runner.run('query($after: String) { alerts(first: 4, after: $after) { edges { node { id } cursor } pageInfo { hasNextPage endCursor } } }', { after }),
      ).alerts;
      seen.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
  });
});

describe('alerts subgraph: entity fields and batching', () => {
  it('adds alerts and health to Service', async () => {
    const runner = createSubgraphRunner(alertsSubgraph);
    const data = ok(
      await runner.run(`{ _entities(representations: [
        { __typename: "Service", id: "checkout" }, { __typename: "Service", id: "media-storage" },
        { __typename: "Service", id: "search" }, { __typename: "Service", id: "cart" },
        { __typename: "Service", id: "api-gateway" }, { __typename: "Service", id: "no-such-service" }
      ]) { ... on Service { id health { status reason firingAlerts } alerts(states: [FIRING]) { totalCount nodes { name } } } } }`),
    );
    const [checkout, media, search, cart, gateway, unknown] = data._entities;
    expect(checkout.health).toMatchObject({ status: 'DOWN', firingAlerts: 2 });
    expect(checkout.health.reason).toContain('HighErrorRate (critical)');
    expect(checkout.health.reason).toContain('(+1 more)');
    expect(checkout.alerts.nodes.map((a: any) => a.name)).toEqual(['CheckoutLatencyP99High', 'HighErrorRate']);
    expect(media.health).toMatchObject({ status: 'DEGRADED', firingAlerts: 2 });
    // search's only alert is silenced: it does not count.
    expect(search.health).toEqual({ status: 'HEALTHY', reason: null, firingAlerts: 0 });
    expect(search.alerts.totalCount).toBe(0);
    expect(cart.health).toEqual({ status: 'HEALTHY', reason: null, firingAlerts: 0 });
    // Two warnings and an info alert: degraded, every active alert counted.
    expect(gateway.health).toMatchObject({ status: 'DEGRADED', firingAlerts: 3 });
    expect(unknown.health.status).toBe('UNKNOWN');
  });

  it('adds to Incident the alerts of its service from 30 minutes before it started', async () => {
    const runner = createSubgraphRunner(alertsSubgraph);
    const data = ok(
      await runner.run(`{ _entities(representations: [
        { __typename: "Incident", id: "demo:Q3VW8TR", startedAt: "${isoMinutesAgo(44)}", service: { id: "checkout" } },
        { __typename: "Incident", id: "demo:Q8MZ4KD", startedAt: "${isoMinutesAgo(23)}", service: { id: "orders-db" } },
        { __typename: "Incident", id: "demo:LATER", startedAt: "${isoMinutesAgo(5)}", service: { id: "checkout" } },
        { __typename: "Incident", id: "demo:EDGE", startedAt: "${isoMinutesAgo(15)}", service: { id: "checkout" } },
        { __typename: "Incident", id: "demo:PAST", startedAt: "${isoMinutesAgo(14)}", service: { id: "checkout" } },
        { __typename: "Incident", id: "demo:NOSERVICE", startedAt: "${isoMinutesAgo(5)}", service: null }
      ]) { ... on Incident { id alerts { name startsAt } } } }`),
    );
    const names = data._entities.map((i: any) => i.alerts.map((a: any) => a.name));
    expect(names).toEqual([
      ['CheckoutLatencyP99High', 'HighErrorRate'],
      ['PostgresLongRunningTransactions', 'PgBouncerPoolSaturated'],
      [],
      // HighErrorRate started 45 minutes ago: exactly 30 minutes before the first, 31 before the second.
      ['CheckoutLatencyP99High', 'HighErrorRate'],
      ['CheckoutLatencyP99High'],
      [],
    ]);
  });

  it('costs one provider call per instance for N services and N incidents, duplicates included', async () => {
    const runner = createSubgraphRunner(alertsSubgraph);
    const services = ['checkout', 'orders-db', 'inventory', 'api-gateway', 'media-storage', 'search', 'cart', 'auth', 'kafka'];
    const reps = [...services, ...services].map((id) => `{ __typename: "Service", id: "${id}" }`).join(',');
    const incidents = services
      .map((id, i) => `{ __typename: "Incident", id: "demo:I${i}", startedAt: "${isoMinutesAgo(60)}", service: { id: "${id}" } }`)
      .join(',');
    runner.registry.resetCallCounts();
    const data = ok(
      await runner.run(`{
        s: _entities(representations: [${reps}]) { ... on Service { health { status } alerts { nodes { id } } firing: alerts(states: [FIRING]) { totalCount } } }
        i: _entities(representations: [${incidents}]) { ... on Incident { alerts { id } } }
      }`),
    );
    expect(data.s).toHaveLength(18);
    expect(data.i[0].alerts.length).toBeGreaterThan(0);
    expect(runner.registry.callCounts()).toEqual({
      'alerts/demo.healthOfServices': 1,
      // Two argument sets (all states, FIRING), one call each.
      'alerts/demo.alertsForServices': 2,
      'alerts/demo.alertsForIncidents': 1,
    });
  });

  it('merges health and incident alerts across instances', async () => {
    const runner = createSubgraphRunner(alertsSubgraph, testRegistry({ OPSORCH_ALERTS_PROVIDER: 'demo,eu=demo' }));
    const data = ok(
      await runner.run(`{
        _entities(representations: [
          { __typename: "Service", id: "checkout" },
          { __typename: "Incident", id: "demo:Q3VW8TR", startedAt: "${isoMinutesAgo(44)}", service: { id: "checkout" } }
        ]) { ... on Service { health { status firingAlerts } } ... on Incident { alerts { id } } }
      }`),
    );
    expect(data._entities[0].health).toEqual({ status: 'DOWN', firingAlerts: 4 });
    expect(data._entities[1].alerts.map((a: any) => a.id.split(':')[0]).sort()).toEqual(['demo', 'demo', 'eu', 'eu']);
  });
});

describe('alerts subgraph: writes', () => {
  const ACK = 'mutation($id: ID!, $key: String) { acknowledgeAlert(id: $id, idempotencyKey: $key) { id state rawState acknowledgedAt } }';
  const SILENCE = `mutation($id: ID!, $duration: String!, $comment: String, $key: String) {
    silenceAlert(id: $id, duration: $duration, comment: $comment, idempotencyKey: $key) { id state silencedUntil silenceComment }
  }`;

  it('acknowledges an active alert, which still counts against health, and refuses a resolved one', async () => {
    const runner = createSubgraphRunner(alertsSubgraph);
    const high = await alertNamed(runner, 'HighErrorRate', 'checkout');
    const acked = ok(await runner.run(ACK, { id: high.id })).acknowledgeAlert;
    expect(acked).toMatchObject({ state: 'ACKNOWLEDGED', rawState: 'acknowledged' });
    expect(acked.acknowledgedAt).not.toBeNull();
    const health = ok(await runner.run('{ _entities(representations: [{ __typename: "Service", id: "checkout" }]) { ... on Service { health { status firingAlerts } } } }'));
    expect(health._entities[0].health).toEqual({ status: 'DOWN', firingAlerts: 2 });

    const resolved = await alertNamed(runner, 'AuthTokenRejections', 'api-gateway');
    const refused = await runner.run(ACK, { id: resolved.id });
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0]!.message).toContain('resolved');
    expect(codeOf(await runner.run(ACK, { id: 'demo:0000000000000000' }))).toBe('NOT_FOUND');
    expect(codeOf(await runner.run(ACK, { id: 'nope' }))).toBe('BAD_USER_INPUT');
  });

  it('silences for a valid duration up to 7 days, then the alert fires again on its own', async () => {
    const runner = createSubgraphRunner(alertsSubgraph);
    const high = await alertNamed(runner, 'HighErrorRate', 'checkout');
    for (const duration of ['', '30', 'forever', '-1h', '0m', '8d', '2w']) {
      expect(codeOf(await runner.run(SILENCE, { id: high.id, duration })), duration).toBe('BAD_USER_INPUT');
    }
    expect(codeOf(await runner.run(SILENCE, { id: high.id, duration: '1h', comment: 'x'.repeat(1001) }))).toBe('BAD_USER_INPUT');

    const now = new Date();
    const idempotency = new IdempotencyStore();
    const at = (date: Date) => createRequestContext({ registry: runner.registry, idempotency, now: date });
    const silenced = ok(await runner.run(SILENCE, { id: high.id, duration: '2h', comment: 'rollback running' }, at(now))).silenceAlert;
    expect(silenced).toMatchObject({ state: 'SILENCED', silenceComment: 'rollback running' });
    expect(Date.parse(silenced.silencedUntil)).toBe(now.getTime() + 2 * 3_600_000);

    const HEALTH = `{ _entities(representations: [{ __typename: "Service", id: "checkout" }]) { ... on Service { health { status firingAlerts } } } }`;
    expect(ok(await runner.run(HEALTH, {}, at(now)))._entities[0].health).toEqual({ status: 'DEGRADED', firingAlerts: 1 });

    const later = new Date(now.getTime() + 3 * 3_600_000);
    const expired = ok(await runner.run(`{ alert(id: "${high.id}") { state silencedUntil } }`, {}, at(later))).alert;
    expect(expired).toEqual({ state: 'FIRING', silencedUntil: silenced.silencedUntil });
    expect(ok(await runner.run(HEALTH, {}, at(later)))._entities[0].health).toEqual({ status: 'DOWN', firingAlerts: 2 });

    expect(ok(await runner.run(SILENCE, { id: high.id, duration: '7d' })).silenceAlert.state).toBe('SILENCED');
  });

  it('silences once per idempotency key and refuses the key with different arguments', async () => {
    const runner = createSubgraphRunner(alertsSubgraph);
    const disk = await alertNamed(runner, 'DiskUsageHigh', 'media-storage');
    const idempotency = new IdempotencyStore();
    const now = Date.now();
    const at = (ms: number) => createRequestContext({ registry: runner.registry, idempotency, now: new Date(ms) });
    const vars = { id: disk.id, duration: '1h', key: 'silence-disk' };
    const first = ok(await runner.run(SILENCE, vars, at(now))).silenceAlert;
    const retried = ok(await runner.run(SILENCE, vars, at(now + 60_000))).silenceAlert;
    expect(retried.silencedUntil).toBe(first.silencedUntil);
    expect(ok(await runner.run(`{ alert(id: "${disk.id}") { silencedUntil } }`, {}, at(now + 60_000))).alert.silencedUntil).toBe(first.silencedUntil);
    expect(codeOf(await runner.run(SILENCE, { ...vars, duration: '2h' }, at(now)))).toBe('BAD_USER_INPUT');

    const resolved = await alertNamed(runner, 'ContainerMemoryHigh', 'recommendations');
    expect(codeOf(await runner.run(SILENCE, { id: resolved.id, duration: '1h' }))).toBe('BAD_USER_INPUT');
  });
});
