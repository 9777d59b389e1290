import { describe, it, expect } from 'vitest';
import { onCallAt, secondaryOnCallAt, teamById } from '@opsorch/adapters/demo/world.ts';
import { createRequestContext } from '../shared/context.ts';
import { IdempotencyStore } from '../shared/idempotency.ts';
import { createSubgraphRunner, testRegistry } from '../shared/testing.ts';
import { teamsSubgraph } from './index.ts';

const runner = createSubgraphRunner(teamsSubgraph);
const NOW = new Date('2026-11-26T07:00:00Z');
const at = (now: Date) => createRequestContext({ registry: runner.registry, idempotency: new IdempotencyStore(), now });

function codeOf(result: { errors?: readonly { extensions?: Record<string, unknown> }[] }): unknown {
  return result.errors?.[0]?.extensions?.code;
}

const emailOf = (personId: string) => `${personId.replace('-', '.')}@acme-shop.example`;

describe('teams subgraph: teams and people', () => {
  it('answers a team with its hierarchy, members and roles', async () => {
    const result = await runner.run(`{
      team(id: "commerce") { id name description chatChannel url source { provider instance id } parent { id }
        subTeams { id parent { id } } members { role user { id name email role timezone chatHandle } } }
      missing: team(id: "ghost") { id }
    }`);
    expect(result.errors).toBeUndefined();
    const team = result.data!.team as Record<string, unknown> & { members: { role: string; user: { id: string; role: string } }[] };
    expect(team).toMatchObject({ id: 'commerce', name: 'Commerce', chatChannel: '#team-commerce', parent: null, subTeams: [{ id: 'payments', parent: { id: 'commerce' } }] });
    expect(team.url).toMatch(/^https:\/\/acme-shop\.pagerduty\.com\/teams\/P[0-9A-F]{6}$/);
    expect(team.members[0]).toMatchObject({ role: 'MANAGER', user: { id: 'alice.nguyen@acme-shop.example', role: 'Engineering Manager' } });
    expect(team.members.filter((m) => m.role === 'MANAGER')).toHaveLength(1);
    expect(team.members.map((m) => m.user.id)).toContain('jonas.weber@acme-shop.example');
    expect(result.data!.missing).toBeNull();
  });

  it('finds a person by e-mail whatever the case, null for an unknown address, and refuses a non-address', async () => {
    const result = await runner.run(`{
      user(id: "Jonas.Weber@ACME-shop.example") { id name email timezone chatHandle url teams { id } }
      nobody: user(id: "nobody@acme-shop.example") { id }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.user).toMatchObject({ id: 'jonas.weber@acme-shop.example', name: 'Jonas Weber', timezone: 'Europe/Berlin', teams: [{ id: 'commerce' }] });
    expect(result.data!.nobody).toBeNull();
    expect(codeOf(await runner.run(`{ user(id: "jonas") { id } }`))).toBe('BAD_USER_INPUT');
  });

  it('filters teams and people', async () => {
    const result = await runner.run(`{
      children: teams(filter: { parent: "platform" }) { nodes { id } }
      text: teams(filter: { text: "kafka" }) { nodes { id } }
      payments: users(filter: { team: "payments" }) { nodes { id } totalCount }
      named: users(filter: { text: "tanaka" }) { nodes { id } }
    }`);
    expect(result.errors).toBeUndefined();
    const ids = (key: string) => (result.data![key] as { nodes: { id: string }[] }).nodes.map((n) => n.id);
    expect(ids('children')).toEqual(['data-infra']);
    expect(ids('text')).toEqual(['data-infra']);
    expect(ids('payments')).toEqual(['kwame.mensah@acme-shop.example', 'olivia.brooks@acme-shop.example', 'samuel.adeyemi@acme-shop.example', 'yuki.tanaka@acme-shop.example']);
    expect(ids('named')).toEqual(['yuki.tanaka@acme-shop.example']);
  });

  it('walks every page of people with no gap and no duplicate', async () => {
    const full = await runner.run(`{ users(first: 200) { nodes { id } totalCount } }`);
    const expected = (full.data!.users as { nodes: { id: string }[] }).nodes.map((n) => n.id);
    expect(expected.length).toBe(23);
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const page = await runner.run(`query($after: String) { users(first: 5, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { after });
      const connection = page.data!.users as { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      seen.push(...connection.nodes.map((n) => n.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('teams subgraph: on-call', () => {
  it('answers who is on call now, primary then secondary, as the rotation says', async () => {
    const result = await runner.run(`{ team(id: "payments") { onCall { level start end user { id } team { id } } } }`, undefined, at(NOW));
    expect(result.errors).toBeUndefined();
    const shifts = (result.data!.team as { onCall: { level: string; start: string; end: string; user: { id: string } }[] }).onCall;
    const team = teamById.get('payments')!;
    expect(shifts.map((s) => s.level)).toEqual(['PRIMARY', 'SECONDARY']);
    expect(shifts[0]!.user.id).toBe(emailOf(onCallAt(team, NOW).personId));
    expect(shifts[1]!.user.id).toBe(emailOf(secondaryOnCallAt(team, NOW).personId));
    expect(shifts[0]!.user.id).not.toBe(shifts[1]!.user.id);
    expect(Date.parse(shifts[0]!.start)).toBeLessThanOrEqual(NOW.getTime());
    expect(Date.parse(shifts[0]!.end)).toBeGreaterThan(NOW.getTime());
    expect(Date.parse(shifts[0]!.end) - Date.parse(shifts[0]!.start)).toBe(24 * 3_600_000);
  });

  it('lists on-call for every team, or one team, and refuses an unknown team', async () => {
    const all = await runner.run(`{ onCallNow { level team { id } } }`, undefined, at(NOW));
    const shifts = all.data!.onCallNow as { level: string; team: { id: string } }[];
    expect(shifts).toHaveLength(10);
    expect(shifts.slice(0, 2)).toEqual([{ level: 'PRIMARY', team: { id: 'commerce' } }, { level: 'SECONDARY', team: { id: 'commerce' } }]);
    const one = await runner.run(`{ onCallNow(team: "growth") { level user { id } } }`, undefined, at(NOW));
    expect((one.data!.onCallNow as unknown[]).length).toBe(2);
    expect(codeOf(await runner.run(`{ onCallNow(team: "ghost") { level } }`))).toBe('NOT_FOUND');
  });

  it('answers the rotation and its next shifts back to back', async () => {
    const result = await runner.run(
      `{ team(id: "platform") { rotation { id name shiftHours handoffHourUtc url members { id } upcoming(count: 5) { level start end user { id } } } } }`,
      undefined,
      at(NOW),
    );
    expect(result.errors).toBeUndefined();
    const rotation = (result.data!.team as { rotation: Record<string, unknown> & { members: { id: string }[]; upcoming: { start: string; end: string; user: { id: string }; level: string }[] } }).rotation;
    expect(rotation).toMatchObject({ id: 'demo:rot-platform', shiftHours: 168, handoffHourUtc: 9 });
    expect(rotation.url).toMatch(/^https:\/\/acme-shop\.pagerduty\.com\/schedules\/P[0-9A-F]{6}$/);
    expect(rotation.members.map((m) => m.id)).toEqual(['marcus-oyelaran', 'lena-fischer', 'tomas-silva', 'hana-kobayashi'].map(emailOf));
    expect(rotation.upcoming).toHaveLength(5);
    expect(Date.parse(rotation.upcoming[0]!.start)).toBeLessThanOrEqual(NOW.getTime());
    for (let i = 1; i < rotation.upcoming.length; i++) {
      expect(rotation.upcoming[i]!.start).toBe(rotation.upcoming[i - 1]!.end);
      expect(rotation.upcoming[i]!.user.id).not.toBe(rotation.upcoming[i - 1]!.user.id);
    }
    expect(codeOf(await runner.run(`{ team(id: "platform") { rotation { upcoming(count: 0) { start } } } }`))).toBe('BAD_USER_INPUT');
  });
});

describe('teams subgraph: federation', () => {
  it('resolves User references by e-mail whatever the case, null when unknown', async () => {
    const result = await runner.run(`query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } ... on Team { id name } } }`, {
      r: [
        { __typename: 'User', id: 'Maya.Patel@acme-shop.example' },
        { __typename: 'User', id: 'ghost@example.com' },
        { __typename: 'Team', id: 'growth' },
      ],
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([{ id: 'maya.patel@acme-shop.example', name: 'Maya Patel' }, null, { id: 'growth', name: 'Growth' }]);
  });

  it('answers every team and every person with a constant number of provider calls', async () => {
    const teams = ['platform', 'data-infra', 'commerce', 'payments', 'growth'].map((id) => ({ __typename: 'Team', id }));
    const people = ['alice.nguyen', 'jonas.weber', 'yuki.tanaka', 'zoe.kim', 'ravi.deshpande'].map((p) => ({ __typename: 'User', id: `${p}@acme-shop.example` }));
    runner.registry.resetCallCounts();
    const result = await runner.run(
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Team { id parent { name } subTeams { id } members { role user { name teams { id } } }
          onCall { level user { name } team { name } } rotation { members { name } upcoming(count: 3) { user { name } } } }
        ... on User { id teams { id } }
      } }`,
      { r: [...teams, ...people] },
    );
    expect(result.errors).toBeUndefined();
    const counts = runner.registry.callCounts();
    for (const method of ['subTeamsOf', 'membersOfTeams', 'rotationsOfTeams', 'onCallForTeams', 'upcomingShifts']) {
      expect(counts[`teams/demo.${method}`], method).toBe(1);
    }
    expect(counts['teams/demo.getMany']).toBeLessThanOrEqual(2);
    expect(counts['teams/demo.getUsers']).toBeLessThanOrEqual(3);
    expect(counts['teams/demo.teamsOfUsers']).toBeLessThanOrEqual(2);
  });
});

describe('teams subgraph: one team or person known to several instances', () => {
  // Backstage for ownership and PagerDuty for on-call both know the payments team and its people: two demo instances.
  const twice = createSubgraphRunner(teamsSubgraph, testRegistry({ OPSORCH_TEAMS_PROVIDER: 'a=demo,b=demo' }));

  it('lists each team and each person once', async () => {
    const once = await runner.run(`{ teams(first: 100) { nodes { id } } users(first: 200) { nodes { id } } }`);
    const result = await twice.run(`{ teams(first: 100) { nodes { id } edges { node { id } } } users(first: 200) { nodes { id } } }`);
    expect(result.errors).toBeUndefined();
    const data = result.data as { teams: { nodes: { id: string }[]; edges: { node: { id: string } }[] }; users: { nodes: { id: string }[] } };
    expect(data.teams.nodes).toEqual((once.data as typeof data).teams.nodes);
    expect(data.teams.edges.map((e) => e.node)).toEqual(data.teams.nodes);
    expect(data.users.nodes).toEqual((once.data as typeof data).users.nodes);
  });
});
