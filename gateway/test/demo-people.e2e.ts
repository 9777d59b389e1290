// The demo world's incidents name people: who was paged, who acknowledged, who an escalation reached, who wrote a
// note, filed the ticket or ran the runbook. Scenarios move with the clock while on-call shifts follow the calendar,
// so at some instants a hand-written name would contradict the rotation. This test reads every incident through the
// public API at several pinned instants (shift hand-offs included) and checks each name against the world as the
// same API describes it: the rotation at that instant, the owning team, its manager, the change's author.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, spawnOpsOrch, type SpawnedServer } from './harness.ts';

/**
 * Instants to pin the demo clock at. Weekly shifts hand off on Mondays at 09:00 UTC and the daily Payments shift
 * every day at 09:00 UTC: 09:20 puts the hand-off between #1043's page (23 minutes ago) and its escalation (18);
 * 10:30 puts it inside #1040 and #1039; the third is an ordinary day of another week.
 */
const INSTANTS = ['2026-03-02T09:20:00Z', '2026-03-05T10:30:00Z', '2026-03-19T17:45:00Z'];

const WORLD = /* GraphQL */ `
  {
    users(first: 200) { nodes { id name } }
    teams(first: 50) {
      nodes {
        id name
        members { role user { id } }
        rotation { shiftHours members { id } upcoming(count: 1) { start user { id } } }
        onCall { level start end user { id } }
      }
    }
    incidents(first: 10) {
      nodes {
        number title summary startedAt
        assignee { id } commander { id }
        service { id owner { id } }
        timeline(first: 20, order: OLDEST_FIRST) { nodes { at kind actor { id } message } }
        alerts { name summary description }
        deploymentsBefore(within: "2h") { author { id } }
        tickets { key title createdAt assignee { id } reporter { id } comments(first: 20) { nodes { author { id } body } } }
      }
    }
    runbookRuns(first: 20) { nodes { startedAt startedBy { id } incident { number } cancelReason steps { finishedAt note completedBy { id } } } }
  }
`;

interface World {
  users: { nodes: { id: string; name: string }[] };
  teams: {
    nodes: {
      id: string;
      name: string;
      members: { role: string; user: { id: string } }[];
      rotation: { shiftHours: number; members: { id: string }[]; upcoming: { start: string; user: { id: string } }[] };
      onCall: { level: string; start: string; end: string; user: { id: string } }[];
    }[];
  };
  incidents: {
    nodes: {
      number: number;
      title: string;
      summary: string | null;
      startedAt: string;
      assignee: { id: string } | null;
      commander: { id: string } | null;
      service: { id: string; owner: { id: string } | null } | null;
      timeline: { nodes: { at: string; kind: string; actor: { id: string } | null; message: string }[] };
      alerts: { name: string; summary: string; description: string | null }[];
      deploymentsBefore: { author: { id: string } | null }[];
      tickets: { key: string; title: string; createdAt: string; assignee: { id: string } | null; reporter: { id: string } | null; comments: { nodes: { author: { id: string } | null; body: string }[] } }[];
    }[];
  };
  runbookRuns: {
    nodes: { startedAt: string; startedBy: { id: string } | null; incident: { number: number } | null; cancelReason: string | null; steps: { finishedAt: string | null; note: string | null; completedBy: { id: string } | null }[] }[];
  };
}

const servers = new Map<string, SpawnedServer>();

beforeAll(async () => {
  const started = await Promise.all(
    INSTANTS.map((now) => spawnOpsOrch(['start', '--port', '0', '--host', '127.0.0.1'], { OPSORCH_DEMO_NOW: now, OPSORCH_CONSOLE: 'off', OPSORCH_MCP: 'off' })),
  );
  INSTANTS.forEach((now, i) => servers.set(now, started[i]!));
}, 120_000);

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.stop()));
});

/** Who the world says held a team's shift at an instant, from the rotation the API describes. */
function rotationOf(team: World['teams']['nodes'][number]) {
  const { shiftHours, members, upcoming } = team.rotation;
  const shiftMs = shiftHours * 3_600_000;
  const current = upcoming[0]!;
  const index = members.findIndex((m) => m.id === current.user.id);
  return (at: string, level: 'PRIMARY' | 'SECONDARY'): string => {
    const shifts = Math.floor((Date.parse(at) - Date.parse(current.start)) / shiftMs);
    const slot = (((index + shifts + (level === 'SECONDARY' ? 1 : 0)) % members.length) + members.length) % members.length;
    return members[slot]!.id;
  };
}

describe.each(INSTANTS)('people named by the demo world at %s', (now) => {
  let world: World;
  let nameOf: (id: string) => string;
  let onCallAt: (teamId: string, at: string, level: 'PRIMARY' | 'SECONDARY') => string;
  /** Everyone on call (primary or secondary, any team) at an instant. */
  let onCallAnywhere: (at: string) => Set<string>;
  /** The people whose full name appears in a text. */
  let namedIn: (text: string) => string[];

  beforeAll(async () => {
    const answer = await gql<World>(servers.get(now)!.url, WORLD);
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    world = answer.data!;
    const names = new Map(world.users.nodes.map((u) => [u.id, u.name]));
    nameOf = (id) => names.get(id) ?? id;
    const rotations = new Map(world.teams.nodes.map((t) => [t.id, rotationOf(t)]));
    onCallAt = (teamId, at, level) => rotations.get(teamId)!(at, level);
    onCallAnywhere = (at) => new Set(world.teams.nodes.flatMap((t) => [onCallAt(t.id, at, 'PRIMARY'), onCallAt(t.id, at, 'SECONDARY')]));
    namedIn = (text) => world.users.nodes.filter((u) => text.includes(u.name)).map((u) => u.id);
  });

  it('assigns each open incident to who the rotation paged, and escalates to who was next', () => {
    for (const incident of world.incidents.nodes) {
      const team = incident.service!.owner!.id;
      const entries = incident.timeline.nodes;
      const triggered = entries.find((e) => e.kind === 'TRIGGERED')!;
      const paged = onCallAt(team, triggered.at, 'PRIMARY');
      const escalation = entries.find((e) => e.kind === 'ESCALATED' && /secondary on-call/.test(e.message));
      const expected = escalation ? onCallAt(team, escalation.at, 'SECONDARY') : paged;
      expect(nameOf(incident.assignee!.id), `#${incident.number} assignee`).toBe(nameOf(expected));
      expect(triggered.message, `#${incident.number} trigger`).toContain(nameOf(paged));
      if (escalation) expect(escalation.message, `#${incident.number} escalation`).toContain(`secondary on-call ${nameOf(expected)}`);
      const ack = entries.find((e) => e.kind === 'ACKNOWLEDGED');
      if (ack) {
        expect(ack.actor?.id, `#${incident.number} acknowledged by`).toBe(incident.assignee!.id);
        expect(ack.message).toBe(`Acknowledged by ${nameOf(incident.assignee!.id)}.`);
      }
    }
  });

  it('puts on call now whoever holds the shift at the pinned instant, whatever the real day', () => {
    // The pinned world runs on from its instant (the server started seconds ago), so its shifts cover that instant.
    const pinned = Date.parse(now);
    for (const team of world.teams.nodes) {
      expect(team.onCall.map((s) => s.level), team.id).toEqual(['PRIMARY', 'SECONDARY']);
      for (const shift of team.onCall) {
        expect(Date.parse(shift.start), `${team.id} ${shift.level} starts by ${now}`).toBeLessThanOrEqual(pinned);
        expect(Date.parse(shift.end), `${team.id} ${shift.level} ends after ${now}`).toBeGreaterThan(pinned);
      }
    }
  });

  it('names in timelines only people the world puts there at that instant', () => {
    for (const incident of world.incidents.nodes) {
      const team = world.teams.nodes.find((t) => t.id === incident.service!.owner!.id)!;
      const owners = new Set(team.members.map((m) => m.user.id));
      const authors = new Set(incident.deploymentsBefore.flatMap((d) => (d.author ? [d.author.id] : [])));
      const managers = new Map(world.teams.nodes.map((t) => [t.name, t.members.find((m) => m.role === 'MANAGER')!.user.id]));
      const leads = new Set([incident.assignee?.id, incident.commander?.id]);
      for (const entry of incident.timeline.nodes) {
        const where = `#${incident.number} ${entry.kind} at ${entry.at}: ${entry.message}`;
        if (entry.actor) {
          const actor = entry.actor.id;
          const allowed = entry.kind === 'DEPLOY' ? authors.has(actor) : owners.has(actor) || leads.has(actor) || onCallAnywhere(entry.at).has(actor);
          expect(allowed, `${where} — actor ${nameOf(actor)}`).toBe(true);
        }
        for (const person of namedIn(entry.message)) {
          const name = nameOf(person);
          const claim = new RegExp(`(primary|secondary) on-call ${name}`).exec(entry.message);
          const manager = new RegExp(`${name} \\(([^)]+) manager\\)`).exec(entry.message);
          if (claim) expect(name, where).toBe(nameOf(onCallAt(team.id, entry.at, claim[1]!.toUpperCase() as 'PRIMARY')));
          else if (manager) expect(person, where).toBe(managers.get(manager[1]!));
          else expect(leads.has(person) || person === entry.actor?.id, `${where} — names ${name}`).toBe(true);
        }
      }
    }
  });

  it('names nobody in alerts and incident summaries but the incident\'s own people', () => {
    for (const incident of world.incidents.nodes) {
      for (const alert of incident.alerts) expect(namedIn(`${alert.name} ${alert.summary} ${alert.description ?? ''}`), `#${incident.number} ${alert.name}`).toEqual([]);
      for (const person of namedIn(`${incident.title} ${incident.summary ?? ''}`)) expect([incident.assignee?.id, incident.commander?.id]).toContain(person);
    }
  });

  it('files tickets and runs runbooks as people of the incident', () => {
    for (const incident of world.incidents.nodes) {
      const team = world.teams.nodes.find((t) => t.id === incident.service!.owner!.id)!;
      const involved = (at: string) =>
        new Set([...team.members.map((m) => m.user.id), incident.assignee?.id, incident.commander?.id, ...incident.timeline.nodes.flatMap((e) => (e.actor ? [e.actor.id] : [])), ...onCallAnywhere(at)]);
      for (const ticket of incident.tickets) {
        for (const person of [ticket.assignee, ticket.reporter]) expect(involved(ticket.createdAt).has(person?.id), `${ticket.key} ${nameOf(person?.id ?? '')}`).toBe(true);
        for (const comment of ticket.comments.nodes) if (comment.author) expect(involved(ticket.createdAt).has(comment.author.id), `${ticket.key} comment`).toBe(true);
      }
      for (const run of world.runbookRuns.nodes.filter((r) => r.incident?.number === incident.number)) {
        expect(involved(run.startedAt).has(run.startedBy?.id), `run for #${incident.number} started by ${nameOf(run.startedBy?.id ?? '')}`).toBe(true);
        for (const step of run.steps) if (step.completedBy) expect(involved(step.finishedAt!).has(step.completedBy.id), `run for #${incident.number} step`).toBe(true);
      }
    }
  });
});
