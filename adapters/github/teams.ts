// An organization's teams and their members as OpsOrch's teams. Team ids are GitHub team slugs; people are
// e-mails (people.ts). GitHub has no on-call: rotations and shifts are empty, and another teams provider
// (PagerDuty, Opsgenie) answers them when configured beside it.
import type { TeamFilter, UserFilter } from '@opsorch/schema';
import { allFromVendor } from '../kit/paging.ts';
import type { ProviderContext } from '../src/context.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { OnCallShiftRecord, RotationRecord, TeamMemberRecord, TeamProvider, TeamRecord, UserRecord } from '../src/spi/teams.ts';
import type { GhTeam, GhUser } from './api.ts';
import { GithubBase, mapLimited } from './base.ts';
import type { GithubSettings } from './settings.ts';

const byName = <T extends { name: string; id: string }>(a: T, b: T) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

export class GithubTeamProvider extends GithubBase implements TeamProvider {
  private readonly org: string;

  constructor(settings: GithubSettings, deps: ProviderDeps) {
    super(settings, deps);
    this.org = settings.org ?? settings.repos[0]!.split('/')[0]!;
  }

  private orgPath(rest = ''): string {
    return `/orgs/${encodeURIComponent(this.org)}${rest}`;
  }

  private record(team: GhTeam): TeamRecord {
    return { id: team.slug, name: team.name, description: team.description || null, chatChannel: null, url: team.html_url, source: this.source(team.slug), parentId: team.parent?.slug ?? null };
  }

  /** Every team of the organization: one list (GitHub pages it by `Link`). */
  private async allTeams(ctx: ProviderContext): Promise<TeamRecord[]> {
    const teams = await allFromVendor(this.api.list<GhTeam>(this.orgPath('/teams'), {}, ctx.signal), { pageSize: 100, maxItems: this.settings.maxItems });
    return teams.map((t) => this.record(t)).sort(byName);
  }

  private async members(slug: string, role: 'all' | 'maintainer', ctx: ProviderContext): Promise<GhUser[]> {
    try {
      return await allFromVendor(this.api.list<GhUser>(this.orgPath(`/teams/${encodeURIComponent(slug)}/members`), { role }, ctx.signal), { pageSize: 100, maxItems: this.settings.maxItems });
    } catch (error) {
      if ((error as { code?: string }).code === 'NOT_FOUND') return [];
      throw error;
    }
  }

  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(TeamRecord | null)[]> {
    const teams = new Map((await this.allTeams(ctx)).map((t) => [t.id, t]));
    return ids.map((id) => teams.get(id) ?? null);
  }

  private async user(userId: string, ctx: ProviderContext): Promise<UserRecord | null> {
    const login = this.people.loginOf(userId);
    if (!login) return null;
    try {
      const user = await this.api.get<GhUser>(`/users/${encodeURIComponent(login)}`, ctx.signal);
      const id = this.people.idOf(user);
      if (id !== userId.toLowerCase()) return null;
      return { id, name: user.name || user.login, email: id, role: null, timezone: null, chatHandle: user.login, url: user.html_url };
    } catch (error) {
      if ((error as { code?: string }).code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  async getUsers(ids: readonly string[], ctx: ProviderContext): Promise<(UserRecord | null)[]> {
    return mapLimited(ids, (id) => this.user(id, ctx));
  }

  async queryTeams(filter: TeamFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<TeamRecord>> {
    const text = filter.text?.toLowerCase();
    const teams = (await this.allTeams(ctx)).filter(
      (t) => (!text || t.name.toLowerCase().includes(text) || t.id.includes(text) || (t.description ?? '').toLowerCase().includes(text)) && (!filter.parent || t.parentId === filter.parent),
    );
    return pageOfArray(teams, page);
  }

  async queryUsers(filter: UserFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<UserRecord>> {
    // Organization members (or a team's), by login; names are read for the page only.
    const logins = filter.team
      ? await this.members(filter.team, 'all', ctx)
      : await allFromVendor(this.api.list<GhUser>(this.orgPath('/members'), {}, ctx.signal), { pageSize: 100, maxItems: this.settings.maxItems });
    const text = filter.text?.toLowerCase();
    const matching = logins
      .map((u) => ({ id: this.people.idOf(u), login: u.login }))
      .filter((u): u is { id: string; login: string } => u.id !== null && (!text || u.login.toLowerCase().includes(text) || u.id.includes(text)))
      .sort((a, b) => a.login.localeCompare(b.login) || a.id.localeCompare(b.id));
    const slice = pageOfArray(matching, page);
    const users = await mapLimited(slice.items, (u) => this.user(u.id, ctx));
    return { ...slice, items: users.filter((u): u is UserRecord => u !== null) };
  }

  async subTeamsOf(teamIds: readonly string[], ctx: ProviderContext): Promise<TeamRecord[][]> {
    const teams = await this.allTeams(ctx);
    return teamIds.map((id) => teams.filter((t) => t.parentId === id));
  }

  /** Maintainers are the team's leads; GitHub has no manager role. */
  async membersOfTeams(teamIds: readonly string[], ctx: ProviderContext): Promise<TeamMemberRecord[][]> {
    return mapLimited(teamIds, async (slug) => {
      const [all, maintainers] = await Promise.all([this.members(slug, 'all', ctx), this.members(slug, 'maintainer', ctx)]);
      const leads = new Set(maintainers.map((m) => m.login));
      return all
        .flatMap((u) => {
          const userId = this.people.idOf(u);
          return userId ? [{ userId, role: leads.has(u.login) ? ('LEAD' as const) : ('MEMBER' as const) }] : [];
        })
        .sort((a, b) => (a.role === b.role ? a.userId.localeCompare(b.userId) : a.role === 'LEAD' ? -1 : 1));
    });
  }

  async teamsOfUsers(userIds: readonly string[], ctx: ProviderContext): Promise<TeamRecord[][]> {
    const teams = await this.allTeams(ctx);
    const members = await mapLimited(teams, (t) => this.members(t.id, 'all', ctx));
    return userIds.map((userId) => teams.filter((_, i) => members[i]!.some((u) => this.people.idOf(u) === userId.toLowerCase())));
  }

  async rotationsOfTeams(teamIds: readonly string[]): Promise<(RotationRecord | null)[]> {
    return teamIds.map(() => null);
  }

  async onCallForTeams(teamIds: readonly string[]): Promise<OnCallShiftRecord[][]> {
    return teamIds.map(() => []);
  }

  async onCallForAllTeams(): Promise<OnCallShiftRecord[]> {
    return [];
  }

  async upcomingShifts(requests: readonly { teamId: string }[]): Promise<OnCallShiftRecord[][]> {
    return requests.map(() => []);
  }
}
