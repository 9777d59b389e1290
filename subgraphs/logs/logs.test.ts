import { describe, it, expect } from 'vitest';
import { OpsOrchError, type LogProvider, type ProviderModule } from '@opsorch/adapters';
import { minutesAgo } from '@opsorch/adapters/demo/clock.ts';
import { services } from '@opsorch/adapters/demo/world.ts';
import { createSubgraphRunner, testRegistry } from '../shared/testing.ts';
import { logsSubgraph } from './index.ts';

const runner = createSubgraphRunner(logsSubgraph);

async function ok(source: string, variables?: Record<string, unknown>) {
  const result = await runner.run(source, variables);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data as Record<string, any>;
}

async function errorOf(source: string, variables?: Record<string, unknown>) {
  const result = await runner.run(source, variables);
  expect(result.errors, 'expected an error').toBeDefined();
  return result.errors![0]!;
}

/** An absolute window in the demo's past, so answers do not depend on when the test runs. */
function window(fromMinutesAgo: number, toMinutesAgo: number) {
  return { from: minutesAgo(fromMinutesAgo).toISOString(), to: minutesAgo(toMinutesAgo).toISOString() };
}

const LOGS = /* GraphQL */ `
  query ($query: LogQueryInput!, $range: TimeRangeInput, $first: Int, $after: String, $order: LogOrder) {
    logs(query: $query, range: $range, first: $first, after: $after, order: $order) {
      nodes { id timestamp level rawLevel message environment traceId url service { id } fields { key value } source { provider instance id } }
      pageInfo { hasNextPage endCursor }
      providerErrors { provider code message }
      range { from to }
    }
  }
`;

const IDS = /* GraphQL */ `
  query ($query: LogQueryInput!, $range: TimeRangeInput, $first: Int, $after: String, $order: LogOrder) {
    logs(query: $query, range: $range, first: $first, after: $after, order: $order) {
      nodes { id timestamp }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

const fieldOf = (line: { fields: { key: string; value: string }[] }, key: string) => line.fields.find((f) => f.key === key)?.value;

describe('logs query', () => {
  it('answers a realistic, fully described line', async () => {
    const data = await ok(LOGS, { query: { scope: { service: 'checkout' } }, first: 5 });
    const line = data.logs.nodes[0];
    expect(line.id).toMatch(/^demo:checkout:\d{13}:\d+$/);
    expect(line.source).toEqual({ provider: 'demo', instance: 'demo', id: line.id.slice('demo:'.length) });
    expect(line.service).toEqual({ id: 'checkout' });
    expect(['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']).toContain(line.level);
    expect(line.rawLevel).toMatch(/^[2-6]0$/); // checkout logs with pino
    expect(line.message).not.toMatch(/\{\w+\}/);
    expect(line.url).toMatch(/^https:\/\/grafana\.acme-shop\.example\/explore\?/);
    expect(decodeURIComponent(line.url)).toContain('service=\\"checkout\\"');
    expect(fieldOf(line, 'pod')).toMatch(/^checkout-/);
    expect(fieldOf(line, 'version')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(data.logs.pageInfo.hasNextPage).toBe(true);
    // The default window is the last 15 minutes, capped at now.
    const { from, to } = data.logs.range;
    expect(Date.parse(to) - Date.parse(from)).toBeLessThanOrEqual(15 * 60_000);
  });

  it('is a pure function of the seed, service and time', async () => {
    const variables = { query: {}, range: window(90, 89), first: 50 };
    const a = await ok(LOGS, variables);
    const b = await ok(LOGS, variables);
    expect(a).toEqual(b);
    // Lines of every service are merged, newest first.
    const times = a.logs.nodes.map((n: { timestamp: string }) => n.timestamp);
    expect([...times].sort().reverse()).toEqual(times);
    expect(new Set(a.logs.nodes.map((n: { service: { id: string } }) => n.service.id)).size).toBeGreaterThan(3);
  });

  it('writes at least 5 production lines per second per service, even a week ago', async () => {
    const from = new Date(Math.floor(minutesAgo(7 * 1440).getTime() / 1000) * 1000);
    const range = { from: from.toISOString(), to: new Date(from.getTime() + 10_000).toISOString() };
    const data = await ok(IDS, { query: { scope: { service: 'kafka', environment: 'production' } }, range, first: 200 });
    expect(data.logs.nodes.length).toBeGreaterThanOrEqual(50);
    expect(data.logs.pageInfo.hasNextPage).toBe(false);
  });

  it('walks a whole range in pages with no gap and no duplicate, in both orders', async () => {
    const range = window(30, 29.75); // 15 s of every service: about 2,000 lines
    const walk = async (order: string) => {
      const ids: string[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 50; pages++) {
        const data = await ok(IDS, { query: {}, range, first: 173, after, order });
        ids.push(...data.logs.nodes.map((n: { id: string }) => n.id));
        if (!data.logs.pageInfo.hasNextPage) return ids;
        after = data.logs.pageInfo.endCursor;
      }
      throw new Error('did not reach the end');
    };
    const newest = await walk('NEWEST_FIRST');
    const oldest = await walk('OLDEST_FIRST');
    expect(new Set(newest).size).toBe(newest.length);
    expect(newest).toEqual([...oldest].reverse());
    const volume = await ok(`query ($range: TimeRangeInput) { logVolume(query: {}, range: $range, buckets: 3) { total estimated } }`, { range });
    expect(volume.logVolume).toEqual({ total: newest.length, estimated: false });
  });

  it('resumes from any edge cursor', async () => {
    const range = window(20, 19.9);
    const all = await ok(`query ($range: TimeRangeInput) { logs(query: {}, range: $range, first: 40) { edges { cursor node { id } } } }`, { range });
    const edges = all.logs.edges;
    const next = await ok(IDS, { query: {}, range, first: 10, after: edges[24].cursor });
    expect(next.logs.nodes.map((n: { id: string }) => n.id)).toEqual(edges.slice(25, 35).map((e: { node: { id: string } }) => e.node.id));
  });

  it('filters by level, text (ignoring case) and structured fields', async () => {
    const range = window(20, 10);
    const data = await ok(LOGS, {
      query: { scope: { service: 'checkout' }, levels: ['ERROR'], text: 'POST /API/CHECKOUT', filters: [{ field: 'http.status', op: 'EQUALS', value: '500' }] },
      range,
      first: 20,
    });
    expect(data.logs.nodes).toHaveLength(20);
    for (const line of data.logs.nodes) {
      expect(line.level).toBe('ERROR');
      expect(line.message).toContain('POST /api/checkout');
      expect(fieldOf(line, 'http.status')).toBe('500');
    }
    const regex = await ok(LOGS, { query: { scope: { service: 'checkout' }, filters: [{ field: 'trace_id', op: 'REGEX', value: '^0' }] }, range, first: 10 });
    for (const line of regex.logs.nodes) expect(line.traceId).toMatch(/^0[0-9a-f]{31}$/);
    const notEquals = await ok(LOGS, { query: { scope: { service: 'checkout' }, filters: [{ field: 'http.method', op: 'NOT_EQUALS', value: 'POST' }] }, range, first: 30 });
    for (const line of notEquals.logs.nodes) expect(fieldOf(line, 'http.method')).not.toBe('POST');
  });

  it('shows the bad deploy: checkout crashes on v2.14.0 only after the rollout', async () => {
    const during = await ok(LOGS, { query: { scope: { service: 'checkout' }, text: 'lineItems' }, range: window(40, 30), first: 50 });
    expect(during.logs.nodes.length).toBe(50);
    for (const line of during.logs.nodes) {
      expect(['ERROR']).toContain(line.level);
      expect(fieldOf(line, 'version')).toBe('2.14.0');
      expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
    }
    const before = await ok(IDS, { query: { scope: { service: 'checkout' }, text: 'lineItems' }, range: window(110, 50), first: 10 });
    expect(before.logs.nodes).toEqual([]);
    expect(before.logs.pageInfo.hasNextPage).toBe(false);
    const versionBefore = await ok(LOGS, { query: { scope: { service: 'checkout', environment: 'production' } }, range: window(60, 59), first: 1 });
    expect(fieldOf(versionBefore.logs.nodes[0], 'version')).toBe('2.13.4');
  });

  it('shows the saturated database in orders-db and in its callers', async () => {
    const fatal = await ok(LOGS, { query: { scope: { service: 'orders-db' }, levels: ['FATAL'] }, range: window(15, 5), first: 5 });
    expect(fatal.logs.nodes.map((n: { message: string }) => n.message)).toContain('FATAL:  sorry, too many clients already');
    expect(fatal.logs.nodes[0].rawLevel).toBe('FATAL');
    const hikari = await ok(LOGS, { query: { scope: { team: 'commerce' }, text: 'HikariPool-1' }, range: window(15, 5), first: 5 });
    expect(hikari.logs.nodes.length).toBe(5);
    expect(hikari.logs.nodes[0].service.id).toBe('inventory');
  });

  it('refuses bad input with a message that says what to fix', async () => {
    const regex = await errorOf(LOGS, { query: { filters: [{ field: 'http.path', op: 'REGEX', value: '([' }] } });
    expect(regex.extensions?.code).toBe('BAD_USER_INPUT');
    expect(regex.message).toContain('query.filters[0] (field "http.path")');
    const cursor = await errorOf(LOGS, { query: {}, after: 'not-a-cursor' });
    expect(cursor.extensions?.code).toBe('BAD_USER_INPUT');
    const tooMany = await errorOf(LOGS, { query: {}, first: 500 });
    expect(tooMany.extensions?.code).toBe('BAD_USER_INPUT');
    const range = await errorOf(LOGS, { query: {}, range: { from: 'yesterday' } });
    expect(range.extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await errorOf(LOGS, { query: { scope: { service: 'chekout' } } });
    expect(unknown.extensions?.code).toBe('NOT_FOUND');
    expect(unknown.message).toContain('"checkout"');
  });

  it('keeps a page bounded in cost: a search that matches nothing returns a cursor to continue', async () => {
    const data = await ok(IDS, { query: { text: 'no line ever says this' }, range: { from: 'now-1d' }, first: 10 });
    expect(data.logs.nodes).toEqual([]);
    expect(data.logs.pageInfo.hasNextPage).toBe(true);
  });

  it('reports a failing provider and still answers from the others', async () => {
    const broken: ProviderModule = {
      label: 'always down',
      factories: {
        logs: (_settings, deps) =>
          ({
            kind: 'broken',
            instance: deps.instance,
            query: async () => {
              throw new OpsOrchError('PROVIDER_UNAVAILABLE', 'log tool is down');
            },
          }) as unknown as LogProvider,
      },
    };
    const mixed = createSubgraphRunner(logsSubgraph, testRegistry({ OPSORCH_LOGS_PROVIDER: 'demo,broken' }, { broken }));
    const result = await mixed.run(LOGS, { query: { scope: { service: 'cart' } }, first: 3 });
    expect(result.errors).toBeUndefined();
    const logs = (result.data as any).logs;
    expect(logs.nodes).toHaveLength(3);
    expect(logs.providerErrors).toEqual([{ provider: 'broken', code: 'PROVIDER_UNAVAILABLE', message: 'log tool is down' }]);
  });
});

describe('logVolume', () => {
  const VOLUME = /* GraphQL */ `
    query ($query: LogQueryInput!, $range: TimeRangeInput, $buckets: Int) {
      logVolume(query: $query, range: $range, buckets: $buckets) { total estimated range { from to } buckets { start end total counts { level count } } }
    }
  `;

  it('shows when checkout errors started', async () => {
    const data = await ok(VOLUME, { query: { scope: { service: 'checkout' }, levels: ['ERROR'] }, range: window(60, 30), buckets: 6 });
    const totals = data.logVolume.buckets.map((b: { total: number }) => b.total);
    expect(data.logVolume.estimated).toBe(false);
    expect(totals).toHaveLength(6);
    // 60-45 minutes ago: before the deploy; 40-30: after it.
    expect(totals[0]).toBeLessThan(totals[5] / 10);
    expect(data.logVolume.total).toBe(totals.reduce((a: number, b: number) => a + b, 0));
    expect(data.logVolume.buckets[0].start).toBe(data.logVolume.range.from);
  });

  it('estimates a week of every service from a sample, the same way twice', async () => {
    const variables = { query: {}, range: window(7 * 1440, 0), buckets: 7 };
    const a = await ok(VOLUME, variables);
    expect(a.logVolume.estimated).toBe(true);
    // At least 5 lines a second for every service.
    expect(a.logVolume.total).toBeGreaterThan(services.length * 5 * 7 * 86_400);
    expect(await ok(VOLUME, variables)).toEqual(a);
  });

  it('refuses a bucket count out of range', async () => {
    const error = await errorOf(VOLUME, { query: {}, buckets: 0 });
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('logFields', () => {
  it('suggests field names with their frequent values', async () => {
    const data = await ok(`{ logFields(scope: { service: "checkout" }, top: 3) { name topValues { value count } distinctValues occurrences sampledLines } }`);
    const byName = new Map(data.logFields.map((f: { name: string }) => [f.name, f]));
    expect([...byName.keys()]).toEqual([...byName.keys()].sort());
    for (const name of ['http.status', 'http.method', 'trace_id', 'pod', 'version', 'duration_ms']) expect(byName.has(name), name).toBe(true);
    const methods = byName.get('http.method') as { topValues: { value: string }[] };
    expect(methods.topValues.map((v) => v.value)).toContain('POST');
    const pods = byName.get('pod') as { topValues: unknown[]; sampledLines: number; occurrences: number };
    expect(pods.topValues.length).toBeLessThanOrEqual(3);
    expect(pods.occurrences).toBe(pods.sampledLines);
  });
});

describe('logFieldValues', () => {
  it('suggests the values of one field containing what was typed, most frequent first', async () => {
    const all = await ok(`{ logFieldValues(field: "http.route", scope: { service: "checkout" }, first: 50) { value count } }`);
    const routes = all.logFieldValues as { value: string; count: number }[];
    expect(routes.length).toBeGreaterThan(1);
    expect(routes.every((r) => services.find((s) => s.id === 'checkout')!.endpoints.some((e) => e.path === r.value))).toBe(true);
    expect([...routes].sort((a, b) => b.count - a.count)).toEqual(routes);
    const typed = await ok(`{ logFieldValues(field: "http.route", text: "CHECKOUT", scope: { service: "checkout" }) { value } }`);
    expect(typed.logFieldValues.length).toBeGreaterThan(0);
    for (const v of typed.logFieldValues) expect(v.value.toLowerCase()).toContain('checkout');
    const none = await ok(`{ logFieldValues(field: "no.such.field", scope: { service: "checkout" }) { value } }`);
    expect(none.logFieldValues).toEqual([]);
  });

  it('refuses an empty field and a size out of range', async () => {
    expect((await errorOf(`{ logFieldValues(field: " ") { value } }`)).message).toContain('field must not be empty');
    expect((await errorOf(`{ logFieldValues(field: "pod", first: 500) { value } }`)).message).toContain('first must be an integer from 1 to 50');
  });
});

describe('Service.logs', () => {
  const ENTITIES = /* GraphQL */ `
    query ($representations: [_Any!]!, $first: Int, $range: TimeRangeInput) {
      _entities(representations: $representations) {
        ... on Service { id logs(query: { levels: [WARN, ERROR] }, first: $first, range: $range) { nodes { id level service { id } } pageInfo { hasNextPage endCursor } } }
      }
    }
  `;

  it('costs one provider call for any number of services', async () => {
    const ids = ['checkout', 'cart', 'auth', 'orders-db', 'kafka', 'search', 'no-such-service'];
    runner.registry.resetCallCounts();
    const data = await ok(ENTITIES, { representations: ids.map((id) => ({ __typename: 'Service', id })), first: 3 });
    expect(runner.registry.callCounts()).toEqual({ 'logs/demo.forServices': 1 });
    const entities = data._entities as { id: string; logs: { nodes: { level: string; service: { id: string } }[] } }[];
    expect(entities.map((e) => e.id)).toEqual(ids);
    for (const entity of entities.slice(0, -1)) {
      expect(entity.logs.nodes).toHaveLength(3);
      for (const line of entity.logs.nodes) {
        expect(line.service.id).toBe(entity.id);
        expect(['WARN', 'ERROR']).toContain(line.level);
      }
    }
    expect(entities.at(-1)!.logs.nodes).toEqual([]);
  });

  it('hands out a cursor that Query.logs continues from', async () => {
    const range = window(12, 10);
    const data = await ok(ENTITIES, { representations: [{ __typename: 'Service', id: 'checkout' }], first: 5, range });
    const page = data._entities[0].logs;
    const more = await ok(IDS, { query: { scope: { service: 'checkout' }, levels: ['WARN', 'ERROR'] }, range, first: 5, after: page.pageInfo.endCursor });
    const both = await ok(IDS, { query: { scope: { service: 'checkout' }, levels: ['WARN', 'ERROR'] }, range, first: 10 });
    expect([...page.nodes, ...more.logs.nodes].map((n: { id: string }) => n.id)).toEqual(both.logs.nodes.map((n: { id: string }) => n.id));
  });
});
