// PagerDuty as the teams capability, through the real gateway against the contract fake: teams and people from
// the account's directory, members with their roles, the rotation, and who is on call by escalation level, every
// team of a question in one on-call read.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { gql, startTestGateway } from '../../gateway/test/harness.ts';
import { startContractFake, type ContractFake, type FakeRequest } from '../kit/contract-fake.ts';
import { patchPagerDutySpec } from './testing/pagerduty-spec.ts';

type Json = Record<string, any>;
let fake: ContractFake;
let gateway: RunningGateway;
const ref = (type: string, id: string) => ({ id, type: `${type}_reference` });
const NOW = Date.now();
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');

const teams = [
  { id: 'PTCOM', type: 'team', name: 'Commerce', description: 'Checkout and cart', html_url: 'https://acme.pagerduty.com/teams/PTCOM' },
  { id: 'PTPAY', type: 'team', name: 'Payments Platform', html_url: 'https://acme.pagerduty.com/teams/PTPAY' },
  ...Array.from({ length: 5 }, (_, i) => ({ id: `PTX${i}`, type: 'team', name: `Extra Team ${i}` })),
];
const users = [
  { id: 'PUMAYA', type: 'user', name: 'Maya Patel', email: 'Maya.Patel@acme-shop.example', time_zone: 'Europe/Berlin', job_title: 'SRE', teams: [ref('team', 'PTCOM')] },
  { id: 'PUTOM', type: 'user', name: 'Tom Baker', email: 'tom.baker@acme-shop.example', time_zone: 'Europe/London', teams: [ref('team', 'PTCOM'), ref('team', 'PTPAY')] },
  { id: 'PUANA', type: 'user', name: 'Ana Lima', email: 'ana.lima@acme-shop.example', time_zone: 'America/Sao_Paulo', teams: [ref('team', 'PTPAY')] },
];
const policies = [
  { id: 'PECOM', type: 'escalation_policy', name: 'Commerce', escalation_rules: [], teams: [ref('team', 'PTCOM')] },
  { id: 'PEPAY', type: 'escalation_policy', name: 'Payments', escalation_rules: [], teams: [ref('team', 'PTPAY')] },
];
const oncalls = [
  { user: ref('user', 'PUMAYA'), escalation_policy: ref('escalation_policy', 'PECOM'), escalation_level: 1, start: iso(-3_600_000), end: iso(3_600_000) },
  { user: ref('user', 'PUTOM'), escalation_policy: ref('escalation_policy', 'PECOM'), escalation_level: 2, start: iso(-3_600_000), end: iso(3_600_000) },
  { user: ref('user', 'PUANA'), escalation_policy: ref('escalation_policy', 'PECOM'), escalation_level: 3, start: iso(-3_600_000), end: iso(3_600_000) },
  { user: ref('user', 'PUANA'), escalation_policy: ref('escalation_policy', 'PEPAY'), escalation_level: 1, start: iso(-3_600_000), end: iso(3_600_000) },
  { user: ref('user', 'PUTOM'), escalation_policy: ref('escalation_policy', 'PECOM'), escalation_level: 1, start: iso(3_600_000), end: iso(3 * 3_600_000) },
];

const services = [
  { id: 'PSCHK', type: 'service', escalation_policy: ref('escalation_policy', 'PECOM'), name: 'Checkout', description: 'Turns carts into orders', html_url: 'https://acme.pagerduty.com/service-directory/PSCHK', teams: [{ ...ref('team', 'PTCOM'), summary: 'Commerce' }] },
  { id: 'PSPAY', type: 'service', escalation_policy: ref('escalation_policy', 'PECOM'), name: 'Payments API', html_url: 'https://acme.pagerduty.com/service-directory/PSPAY', teams: [{ ...ref('team', 'PTPAY'), summary: 'Payments Platform' }] },
  { id: 'PSDB', type: 'service', escalation_policy: ref('escalation_policy', 'PECOM'), name: 'Orders DB', html_url: 'https://acme.pagerduty.com/service-directory/PSDB', teams: [] },
];
const dependency = (id: string, supporting: string, dependent: string) => ({ id, type: 'service_dependency', supporting_service: { id: supporting, type: 'technical_service_reference' }, dependent_service: { id: dependent, type: 'technical_service_reference' } });
const dependencies = [dependency('D1', 'PSPAY', 'PSCHK'), dependency('D2', 'PSDB', 'PSCHK'), dependency('D3', 'PSDB', 'PSPAY')];

const page = (request: FakeRequest, all: Json[], key: string) => {
  const offset = Number(request.query.get('offset') ?? 0);
  const limit = Number(request.query.get('limit') ?? 25);
  return { body: { [key]: all.slice(offset, offset + limit), limit, offset, more: offset + limit < all.length, total: null } };
};
const callsTo = (route: string) => fake.requests.filter((r) => r.route === route);

beforeAll(async () => {
  fake = await startContractFake({ spec: 'pagerduty.openapi.json', vendor: 'PagerDuty', fixtures: join(import.meta.dirname, '__fixtures__'), patchSpec: patchPagerDutySpec });
  fake
    .on('GET /teams', (r) => page(r, teams, 'teams'))
    .on('GET /users', (r) => page(r, users, 'users'))
    .on('GET /escalation_policies', (r) => page(r, policies, 'escalation_policies'))
    .on('GET /teams/{id}/members', (r) => {
      const members = users.filter((u) => u.teams.some((t) => t.id === r.params.id)).map((u, i) => ({ user: ref('user', u.id), role: i === 1 ? 'manager' : 'responder' }));
      return page(r, members, 'members');
    })
    .on('GET /oncalls', (r) => {
      const wanted = r.query.getAll('escalation_policy_ids[]');
      const since = Date.parse(r.query.get('since')!);
      const until = Date.parse(r.query.get('until')!);
      const matching = oncalls.filter((o) => (wanted.length === 0 || wanted.includes(o.escalation_policy.id)) && Date.parse(o.start) <= until && Date.parse(o.end) >= since);
      return page(r, matching, 'oncalls');
    })
    .on('GET /services', (r) => page(r, services, 'services'))
    .on('GET /service_dependencies/technical_services/{id}', (r) => ({ body: { relationships: dependencies.filter((d) => d.supporting_service.id === r.params.id || d.dependent_service.id === r.params.id) } }))
    .on('GET /schedules', (r) => {
      const schedule = fake.example<Json>('GET /schedules').schedules[0];
      const layer = { name: 'Primary', start: '2026-01-05T09:00:00Z', rotation_virtual_start: '2026-01-05T09:00:00Z', rotation_turn_length_seconds: 7 * 86_400, users: [{ user: ref('user', 'PUMAYA') }, { user: ref('user', 'PUTOM') }] };
      return page(r, r.query.getAll('team_ids[]').includes('PTCOM') ? [{ ...schedule, id: 'PSCOM', name: 'Commerce primary', teams: [ref('team', 'PTCOM')], schedule_layers: [layer] }] : [], 'schedules');
    });
  gateway = await startTestGateway({
    env: {
      OPSORCH_TEAMS_PROVIDER: 'pd=pagerduty',
      OPSORCH_TEAMS_CONFIG: JSON.stringify({ url: fake.url, apiToken: 'pd-teams-token', subdomain: 'acme', teamAliases: { PTPAY: 'payments' } }),
      OPSORCH_SERVICES_PROVIDER: 'pd=pagerduty',
      OPSORCH_SERVICES_CONFIG: JSON.stringify({ url: fake.url, apiToken: 'pd-teams-token', subdomain: 'acme', teamAliases: { PTPAY: 'payments' }, serviceAliases: { PSDB: 'orders-db' } }),
    },
  });
}, 60_000);

afterEach(() => fake.verify());

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

describe('PagerDuty teams, people, on-call and services against the contract fake', () => {
  it('answers a team with members by role, its rotation and who is on call at levels 1 and 2', async () => {
    const body = await gql(gateway.url, `{ team(id: "commerce") { id name description url source { provider id } members { role user { id name timezone } } rotation { name shiftHours handoffHourUtc members { id } } onCall { level user { id } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.team).toEqual({
      id: 'commerce',
      name: 'Commerce',
      description: 'Checkout and cart',
      url: 'https://acme.pagerduty.com/teams/PTCOM',
      source: { provider: 'pagerduty', id: 'PTCOM' },
      members: [
        { role: 'MANAGER', user: { id: 'tom.baker@acme-shop.example', name: 'Tom Baker', timezone: 'Europe/London' } },
        { role: 'MEMBER', user: { id: 'maya.patel@acme-shop.example', name: 'Maya Patel', timezone: 'Europe/Berlin' } },
      ],
      rotation: { name: 'Commerce primary', shiftHours: 168, handoffHourUtc: 9, members: [{ id: 'maya.patel@acme-shop.example' }, { id: 'tom.baker@acme-shop.example' }] },
      onCall: [
        { level: 'PRIMARY', user: { id: 'maya.patel@acme-shop.example' } },
        { level: 'SECONDARY', user: { id: 'tom.baker@acme-shop.example' } },
      ],
    });
  });

  it('asks PagerDuty once for the on-call of every team in a question, and reads the directory once', async () => {
    fake.requests.length = 0;
    const body = await gql(gateway.url, `{ a: team(id: "commerce") { onCall { user { id } } } b: team(id: "payments") { name onCall { level user { id } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.b).toEqual({ name: 'Payments Platform', onCall: [{ level: 'PRIMARY', user: { id: 'ana.lima@acme-shop.example' } }] });
    expect(callsTo('GET /oncalls')).toHaveLength(1);
    expect(callsTo('GET /oncalls')[0]!.query.getAll('escalation_policy_ids[]').sort()).toEqual(['PECOM', 'PEPAY']);
    expect(callsTo('GET /teams')).toHaveLength(0); // the directory is remembered for a minute
  });

  it('pages teams to the end and finds people by e-mail, with the teams they belong to', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const body: Json = await gql(gateway.url, `query($after: String) { teams(first: 3, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { after });
      expect(body.errors).toBeUndefined();
      seen.push(...body.data.teams.nodes.map((n: Json) => n.id));
      if (!body.data.teams.pageInfo.hasNextPage) break;
      after = body.data.teams.pageInfo.endCursor;
    }
    expect(seen).toEqual(['commerce', 'extra-team-0', 'extra-team-1', 'extra-team-2', 'extra-team-3', 'extra-team-4', 'payments']);
    const person = await gql(gateway.url, `{ user(id: "Tom.Baker@acme-shop.example") { id name url teams { id } } nobody: user(id: "who@acme-shop.example") { id } }`);
    expect(person.errors).toBeUndefined();
    expect(person.data).toEqual({ user: { id: 'tom.baker@acme-shop.example', name: 'Tom Baker', url: 'https://acme.pagerduty.com/users/PUTOM', teams: [{ id: 'commerce' }, { id: 'payments' }] }, nobody: null });
  });

  it('serves PagerDuty services as the catalog, with owners, technical dependencies both ways and identity joins', async () => {
    const body = await gql(gateway.url, `{ service(id: "checkout") { id name url externalRefs { system id } owner { id onCall { level user { id } } } dependencies { id } dependents { id } } db: service(id: "orders-db") { dependents { id } } services(first: 10) { nodes { id } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.service).toEqual({
      id: 'checkout',
      name: 'Checkout',
      url: 'https://acme.pagerduty.com/service-directory/PSCHK',
      externalRefs: [{ system: 'pagerduty', id: 'PSCHK' }],
      owner: { id: 'commerce', onCall: [{ level: 'PRIMARY', user: { id: 'maya.patel@acme-shop.example' } }, { level: 'SECONDARY', user: { id: 'tom.baker@acme-shop.example' } }] },
      dependencies: [{ id: 'orders-db' }, { id: 'payments-api' }],
      dependents: [],
    });
    expect(body.data.db.dependents).toEqual([{ id: 'checkout' }, { id: 'payments-api' }]);
    expect(body.data.services.nodes).toEqual([{ id: 'checkout' }, { id: 'orders-db' }, { id: 'payments-api' }]);
  });
});
