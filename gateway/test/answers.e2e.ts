// The answers OpsOrch gives do not depend on how the gateway runs its subgraphs: with the demo world's clock and
// the request clock pinned, our in-process data source and @apollo/gateway's own LocalGraphQLDataSource answer
// every query byte for byte alike, and exactly as the snapshots in __snapshots__/answers record (taken before
// the gateway's performance work, decision 021). distributed.e2e.ts compares the HTTP subgraphs with these.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { services } from '../../adapters/demo/world.ts';
import { startGateway, type RunningGateway } from '../src/index.ts';
import { planExecutionCounts } from '../src/plan-execution.ts';
import { captureLogs } from './harness.ts';
import { INCIDENTS_WITH_SERVICE, WAR_ROOM } from './queries.ts';

const DEMO_NOW = '2025-05-06T09:30:00.000Z';
process.env.OPSORCH_DEMO_NOW = DEMO_NOW;

/** The demo world plus open incidents created through the API (the load benchmark's world). */
const EXTRA_INCIDENTS = 100;

const READS: Record<string, { query: string; variables?: Record<string, unknown> }> = {
  'war-room-50': { query: WAR_ROOM, variables: { first: 50 } },
  'war-room-default': { query: WAR_ROOM },
  'incidents-with-service': { query: INCIDENTS_WITH_SERVICE },
  'unknown-instance': { query: '{ incident(id: "nowhere:Q1") { id title } }' },
  'bad-first': { query: '{ incidents(first: 5000) { nodes { id } } }' },
  'unknown-field': { query: '{ incidents { nodes { id colour } } }' },
  // Introspection next to data: Apollo's own plan execution answers it.
  'introspection-with-data': { query: '{ __typename incidents(first: 2) { nodes { id service { name } } } __type(name: "Severity") { enumValues { name } } }' },
  // Response names Object.prototype has, merged from two subgraphs into one object.
  'prototype-names': {
    query: '{ incidents(first: 2) { nodes { constructor: id toString: title service { constructor: name hasOwnProperty: id valueOf: tier toString: owner { name } } } } }',
  },
  // Errors inside entity fetches, from two subgraphs at once: their paths are mapped through `_entities`.
  'bad-arguments-in-entities': {
    query: '{ incidents(first: 3) { nodes { id service { id alerts(first: 5000) { nodes { id } } } deploymentsBefore(within: "forever") { id } } } }',
  },
};

async function post(url: string, body: unknown): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  // Live data for one caller, refused or answered: no cache may keep it.
  expect(response.headers.get('cache-control')).toBe('no-store');
  return `${response.status} ${await response.text()}`;
}

async function answersOf(gateway: RunningGateway): Promise<Record<string, string>> {
  const creates = Array.from({ length: EXTRA_INCIDENTS }, (_, i) =>
    `i${i}: createIncident(input: { title: "Load ${i}", serviceId: "${services[i % services.length]!.id}", severity: SEV4 }) { id }`,
  );
  const created = await post(gateway.url, { query: `mutation { ${creates.join('\n')} }` });
  expect(created).toMatch(/^200 /);
  const answers: Record<string, string> = {};
  for (const [name, read] of Object.entries(READS)) answers[name] = await post(gateway.url, read);
  const rest = await fetch(gateway.url.replace(/\/graphql$/, '/api/v1/incidents/demo:Q3VW8TR/war-room'));
  expect(rest.headers.get('cache-control')).toBe('no-store');
  answers['rest-war-room'] = `${rest.status} ${await rest.text()}`;
  return answers;
}

describe('answers with the clocks pinned', () => {
  const answers: Record<'ours' | 'stock', Record<string, string>> = { ours: {}, stock: {} };
  /** Query plans the gateway's own plan execution ran for each variant (Apollo's ran the others). */
  const ownPlans: Record<'ours' | 'stock', number> = { ours: 0, stock: 0 };

  beforeAll(async () => {
    // Only Date is pinned (timers run), so "now" and on-call are the same on every run.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date(DEMO_NOW) });
    for (const variant of ['ours', 'stock'] as const) {
      const gateway = await startGateway({
        port: 0,
        host: '127.0.0.1',
        env: {},
        logger: captureLogs().logger,
        stockLocalDataSource: variant === 'stock',
      });
      try {
        const before = planExecutionCounts.own;
        answers[variant] = await answersOf(gateway);
        ownPlans[variant] = planExecutionCounts.own - before;
      } finally {
        await gateway.close();
      }
    }
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it('ours runs the query plans with its own plan execution, stock with Apollo\'s', () => {
    // The mutation, every read but the one refused by validation (unknown-field) and the one with introspection,
    // and the REST war-room.
    expect(ownPlans.ours).toBe(1 + Object.keys(READS).length - 2 + 1);
    expect(ownPlans.stock).toBe(0);
  });

  for (const name of [...Object.keys(READS), 'rest-war-room']) {
    it(`${name}: the same as the snapshot, from both data sources`, async () => {
      const [status, ...rest] = answers.ours[name]!.split(' ');
      const body = JSON.parse(rest.join(' '));
      await expect(`${status}\n${JSON.stringify(body, null, 2)}\n`).toMatchFileSnapshot(join(import.meta.dirname, '__snapshots__', 'answers', `${name}.txt`));
      expect(answers.ours[name]).toBe(answers.stock[name]);
    });
  }
});
