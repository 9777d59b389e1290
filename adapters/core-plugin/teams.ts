// Teams from a Core plugin: `team.query|get|members`. Core has no people directory and no on-call: people are
// the teams' members, and on-call answers are empty.
import type { TeamFilter, UserFilter } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { pageOfArray, type PageRequest } from '../src/paging.ts';
import type { TeamMemberRecord, TeamProvider, TeamRecord, UserRecord } from '../src/spi/teams.ts';
import { asArray, lowerEmail, str, SNAPSHOT_LIMIT, type CorePlugin, type Json } from './plugin.ts';
import { normalized, teamRole } from './vocabulary.ts';

interface Member {
  user: UserRecord;
  role: TeamMemberRecord['role'];
}

export class CoreTeamProvider implements TeamProvider {
  readonly kind = 'core-plugin';
  readonly instance: string;

  constructor(private readonly plugin: CorePlugin) {
    this.instance = plugin.instance;
  }

  private record(t: Json): TeamRecord {
    return {
      id: String(t.id),
      name: String(t.name ?? t.id),
      description: str(t.metadata?.description),
      chatChannel: str(t.tags?.chatChannel) ?? str(t.tags?.slack),
      url: str(t.url) ?? '',
      source: this.plugin.source(t.id),
      parentId: str(t.parent),
    };
  }

  private teams(ctx: ProviderContext): Promise<TeamRecord[]> {
    return this.plugin.memo('teams', ctx, async () =>
      asArray(await this.plugin.call('team.query', { limit: SNAPSHOT_LIMIT }, ctx), 'team.query')
        .map((t) => this.record(t))
        .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
    );
  }

  private members(teamId: string, ctx: ProviderContext): Promise<Member[]> {
    return this.plugin.memo(`members:${teamId}`, ctx, async () =>
      asArray(await this.plugin.call('team.members', { teamID: teamId }, ctx), 'team.members')
        .filter((m) => lowerEmail(m.email) ?? lowerEmail(m.id))
        .map((m) => {
          const email = (lowerEmail(m.email) ?? lowerEmail(m.id))!;
          return {
            user: { id: email, name: String(m.name ?? email), email, role: str(m.role), timezone: str(m.metadata?.timezone), chatHandle: str(m.handle), url: str(m.metadata?.url) ?? '' },
            role: normalized(str(m.role), teamRole, 'MEMBER'),
          };
        }),
    );
  }

  /** Everyone in any team, by e-mail (Core has no people API). */
  private async people(ctx: ProviderContext): Promise<Map<string, { user: UserRecord; teams: TeamRecord[] }>> {
    const teams = await this.teams(ctx);
    const people = new Map<string, { user: UserRecord; teams: TeamRecord[] }>();
    const rosters = await Promise.all(teams.map((t) => this.members(t.id, ctx)));
    teams.forEach((team, i) => {
      for (const member of rosters[i]!) {
        const entry = people.get(member.user.id) ?? { user: member.user, teams: [] };
        entry.teams.push(team);
        people.set(member.user.id, entry);
      }
    });
    return people;
  }

  async getMany(ids: readonly string[], ctx: ProviderContext) {
    const byId = new Map((await this.teams(ctx)).map((t) => [t.id, t]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async getUsers(ids: readonly string[], ctx: ProviderContext) {
    const people = await this.people(ctx);
    return ids.map((id) => people.get(id.toLowerCase())?.user ?? null);
  }

  async queryTeams(filter: TeamFilter, page: PageRequest, ctx: ProviderContext) {
    const text = filter.text?.toLowerCase();
    return pageOfArray(
      (await this.teams(ctx)).filter((t) => (!text || `${t.id} ${t.name} ${t.description ?? ''}`.toLowerCase().includes(text)) && (!filter.parent || t.parentId === filter.parent)),
      page,
    );
  }

  async queryUsers(filter: UserFilter, page: PageRequest, ctx: ProviderContext) {
    const text = (filter as { text?: string | null }).text?.toLowerCase();
    const users = [...(await this.people(ctx)).values()].map((p) => p.user).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return pageOfArray(users.filter((u) => !text || `${u.name} ${u.email}`.toLowerCase().includes(text)), page);
  }

  async subTeamsOf(teamIds: readonly string[], ctx: ProviderContext) {
    const teams = await this.teams(ctx);
    return teamIds.map((id) => teams.filter((t) => t.parentId === id));
  }

  async membersOfTeams(teamIds: readonly string[], ctx: ProviderContext) {
    const order = { MANAGER: 0, LEAD: 1, MEMBER: 2 } as const;
    return Promise.all(
      teamIds.map(async (id) =>
        (await this.members(id, ctx)).sort((a, b) => order[a.role] - order[b.role]).map((m) => ({ userId: m.user.id, role: m.role })),
      ),
    );
  }

  async teamsOfUsers(userIds: readonly string[], ctx: ProviderContext) {
    const people = await this.people(ctx);
    return userIds.map((id) => people.get(id.toLowerCase())?.teams ?? []);
  }

  async rotationsOfTeams(teamIds: readonly string[]) {
    return teamIds.map(() => null);
  }

  async onCallForTeams(teamIds: readonly string[]) {
    return teamIds.map(() => []);
  }

  async onCallForAllTeams() {
    return [];
  }

  async upcomingShifts(requests: readonly unknown[]) {
    return requests.map(() => []);
  }

  close() {
    return this.plugin.close();
  }
}
