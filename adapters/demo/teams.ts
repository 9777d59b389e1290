import type { TeamFilter, TeamRole, UserFilter } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { composeId } from '../src/ids.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type {
  OnCallShiftRecord,
  RotationRecord,
  TeamMemberRecord,
  TeamProvider,
  TeamRecord,
  UpcomingShiftsRequest,
  UserRecord,
} from '../src/spi/teams.ts';
import { hexFor } from './random.ts';
import { worldTime } from './clock.ts';
import { DEMO_SEED, onCallAt, people, personById, secondaryOnCallAt, teamById, teams, type DemoPerson, type DemoTeam, type Role } from './world.ts';

const PAGERDUTY = 'https://acme-shop.pagerduty.com';

const JOB_TITLES: Record<Role, string> = {
  engineer: 'Software Engineer',
  'senior-engineer': 'Senior Software Engineer',
  sre: 'Site Reliability Engineer',
  'engineering-manager': 'Engineering Manager',
  'staff-engineer': 'Staff Engineer',
};

/** A PagerDuty-looking object id (`P` + 6 upper-case characters), stable for the demo world. */
function pagerDutyId(kind: string, slug: string): string {
  return `P${hexFor([DEMO_SEED, 'pagerduty', kind, slug], 6).toUpperCase()}`;
}

const byName = <T extends { name: string; id: string }>(a: T, b: T) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

function roleIn(team: DemoTeam, person: DemoPerson): TeamRole {
  if (team.managerId === person.id) return 'MANAGER';
  return person.role === 'staff-engineer' ? 'LEAD' : 'MEMBER';
}

const ROLE_ORDER: readonly TeamRole[] = ['MANAGER', 'LEAD', 'MEMBER'];

/** The demo world's teams, people and PagerDuty-like on-call schedules. */
export class DemoTeamProvider implements TeamProvider {
  readonly kind = 'demo';
  private readonly teamRecords: ReadonlyMap<string, TeamRecord>;
  private readonly userRecords: ReadonlyMap<string, UserRecord>;
  private readonly teamsByName: readonly TeamRecord[];
  private readonly usersByName: readonly UserRecord[];

  constructor(readonly instance: string) {
    this.teamRecords = new Map(teams.map((t) => [t.id, this.toTeam(t)]));
    this.userRecords = new Map(people.map((p) => [p.email.toLowerCase(), this.toUser(p)]));
    this.teamsByName = [...this.teamRecords.values()].sort(byName);
    this.usersByName = [...this.userRecords.values()].sort(byName);
  }

  private toTeam(t: DemoTeam): TeamRecord {
    const nativeId = pagerDutyId('team', t.id);
    return {
      id: t.id,
      name: t.name,
      description: t.description,
      chatChannel: t.slackChannel,
      url: `${PAGERDUTY}/teams/${nativeId}`,
      source: { provider: 'demo', instance: this.instance, id: nativeId },
      parentId: t.parentId ?? null,
    };
  }

  private toUser(p: DemoPerson): UserRecord {
    return {
      id: p.email.toLowerCase(),
      name: p.name,
      email: p.email,
      role: JOB_TITLES[p.role],
      timezone: p.timezone,
      chatHandle: p.slackHandle,
      url: `${PAGERDUTY}/users/${pagerDutyId('user', p.id)}`,
    };
  }

  private emailOf(personId: string): string {
    const person = personById.get(personId);
    if (!person) throw new Error(`demo world: unknown person ${personId}`);
    return person.email.toLowerCase();
  }

  /** `at` is real time (a request's); the rotation is read on the demo world's clock. */
  private shift(team: DemoTeam, at: Date, level: OnCallShiftRecord['level']): OnCallShiftRecord {
    at = worldTime(at);
    const s = level === 'PRIMARY' ? onCallAt(team, at) : secondaryOnCallAt(team, at);
    return { userId: this.emailOf(s.personId), teamId: team.id, level, start: s.shiftStart.toISOString(), end: s.shiftEnd.toISOString() };
  }

  private onCall(team: DemoTeam, at: Date): OnCallShiftRecord[] {
    return [this.shift(team, at, 'PRIMARY'), this.shift(team, at, 'SECONDARY')];
  }

  async getMany(ids: readonly string[], _ctx: ProviderContext): Promise<(TeamRecord | null)[]> {
    return ids.map((id) => this.teamRecords.get(id) ?? null);
  }

  async getUsers(ids: readonly string[], _ctx: ProviderContext): Promise<(UserRecord | null)[]> {
    return ids.map((id) => this.userRecords.get(id.trim().toLowerCase()) ?? null);
  }

  async queryTeams(filter: TeamFilter, page: PageRequest, _ctx: ProviderContext): Promise<Page<TeamRecord>> {
    const text = filter.text?.trim().toLowerCase();
    const matching = this.teamsByName.filter(
      (t) =>
        (!text || [t.id, t.name, t.description ?? ''].join('\n').toLowerCase().includes(text)) &&
        (!filter.parent || t.parentId === filter.parent),
    );
    return pageOfArray(matching, page);
  }

  async queryUsers(filter: UserFilter, page: PageRequest, _ctx: ProviderContext): Promise<Page<UserRecord>> {
    const text = filter.text?.trim().toLowerCase();
    const team = filter.team ? teamById.get(filter.team) : undefined;
    if (filter.team && !team) return pageOfArray([], page);
    const members = team ? new Set(team.memberIds.map((id) => this.emailOf(id))) : null;
    const matching = this.usersByName.filter(
      (u) =>
        (!text || [u.name, u.email, u.chatHandle ?? ''].join('\n').toLowerCase().includes(text)) && (!members || members.has(u.id)),
    );
    return pageOfArray(matching, page);
  }

  async subTeamsOf(teamIds: readonly string[], _ctx: ProviderContext): Promise<TeamRecord[][]> {
    return teamIds.map((id) => this.teamsByName.filter((t) => t.parentId === id));
  }

  async membersOfTeams(teamIds: readonly string[], _ctx: ProviderContext): Promise<TeamMemberRecord[][]> {
    return teamIds.map((id) => {
      const team = teamById.get(id);
      if (!team) return [];
      return team.memberIds
        .map((personId) => personById.get(personId)!)
        .map((person) => ({ userId: person.email.toLowerCase(), role: roleIn(team, person) }))
        .sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
    });
  }

  async teamsOfUsers(userIds: readonly string[], _ctx: ProviderContext): Promise<TeamRecord[][]> {
    return userIds.map((userId) => {
      const email = userId.trim().toLowerCase();
      return this.teamsByName.filter((t) => teamById.get(t.id)!.memberIds.some((personId) => this.emailOf(personId) === email));
    });
  }

  async rotationsOfTeams(teamIds: readonly string[], _ctx: ProviderContext): Promise<(RotationRecord | null)[]> {
    return teamIds.map((id) => {
      const team = teamById.get(id);
      if (!team) return null;
      const r = team.rotation;
      return {
        id: composeId(this.instance, r.id),
        name: r.name,
        shiftHours: r.shiftHours,
        handoffHourUtc: r.handoffHourUtc,
        url: `${PAGERDUTY}/schedules/${pagerDutyId('schedule', r.id)}`,
        teamId: team.id,
        memberIds: r.order.map((personId) => this.emailOf(personId)),
      };
    });
  }

  async onCallForTeams(teamIds: readonly string[], at: Date, _ctx: ProviderContext): Promise<OnCallShiftRecord[][]> {
    return teamIds.map((id) => {
      const team = teamById.get(id);
      return team ? this.onCall(team, at) : [];
    });
  }

  async onCallForAllTeams(at: Date, _ctx: ProviderContext): Promise<OnCallShiftRecord[]> {
    return [...teams].sort((a, b) => a.id.localeCompare(b.id)).flatMap((team) => this.onCall(team, at));
  }

  async upcomingShifts(requests: readonly UpcomingShiftsRequest[], from: Date, _ctx: ProviderContext): Promise<OnCallShiftRecord[][]> {
    return requests.map(({ teamId, count }) => {
      const team = teamById.get(teamId);
      if (!team) return [];
      const shiftMs = team.rotation.shiftHours * 3_600_000;
      return Array.from({ length: count }, (_, i) => this.shift(team, new Date(from.getTime() + i * shiftMs), 'PRIMARY'));
    });
  }
}

export function createDemoTeamProvider(_settings: unknown, deps: ProviderDeps): TeamProvider {
  return new DemoTeamProvider(deps.instance);
}
