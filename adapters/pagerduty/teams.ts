// The teams capability over PagerDuty: teams, people, members and who is on call by escalation level. The account's
// directory (teams, users with their teams, escalation policies with theirs) is read once a minute; on-call and
// members are read per question, every team of a batch in one call where PagerDuty filters by ids.
import type { OnCallLevel, TeamFilter, TeamRole, UserFilter } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
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
import { allFromVendor } from '../kit/paging.ts';
import { PagerDutyAccount, type PagerDutyApi, PD_MAX_PAGE, type PdReference } from './api.ts';
import type { PagerDutySettings } from './settings.ts';

interface PdTeam { id: string; name: string; description?: string | null; html_url?: string }
interface PdFullUser { id: string; name: string; email: string; role?: string; job_title?: string; time_zone?: string; html_url?: string; teams?: PdReference[] }
interface PdPolicy { id: string; name: string; teams?: PdReference[] }
interface PdOncall { user: PdReference; escalation_policy: PdReference; escalation_level: number; start?: string | null; end?: string | null }
interface PdLayer { name?: string; start?: string; rotation_virtual_start?: string; rotation_turn_length_seconds?: number; users?: { user: PdReference }[] }
interface PdSchedule { id: string; name?: string; summary?: string; html_url?: string; teams?: PdReference[]; schedule_layers?: PdLayer[] }

/** Escalation level → OpsOrch's level; PagerDuty levels beyond 2 are not on call in OpsOrch's sense (they are escalations). */
const LEVELS: Record<number, OnCallLevel> = { 1: 'PRIMARY', 2: 'SECONDARY' };
const ROLES: Record<string, TeamRole> = { manager: 'MANAGER', responder: 'MEMBER', observer: 'MEMBER' };
const DIRECTORY_TTL_MS = 60_000;
/** How far ahead upcoming shifts are read (PagerDuty answers on-call up to 90 days ahead). */
const UPCOMING_WINDOW_MS = 30 * 86_400_000;

/** A PagerDuty name as a canonical slug (`Commerce Platform` → `commerce-platform`): teams and services. */
export function slugOf(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

interface Directory {
  teams: Map<string, { record: TeamRecord; pdId: string }>;
  teamsByPdId: Map<string, string>;
  users: Map<string, PdFullUser>;
  emailsByPdId: Map<string, string>;
  /** Canonical team id → its escalation policy ids. */
  policiesOfTeam: Map<string, string[]>;
  /** Escalation policy id → canonical team ids. */
  teamsOfPolicy: Map<string, string[]>;
}

/**
 * PagerDuty teams are canonical teams by `teamAliases` (PagerDuty team id → id) or else the slug of their name;
 * people are their e-mails. PagerDuty's teams have no hierarchy in its API: every team is top-level. On call is
 * escalation level 1 (PRIMARY) and 2 (SECONDARY) of the team's escalation policies.
 */
export class PagerDutyTeamProvider implements TeamProvider {
  readonly kind = 'pagerduty';
  readonly instance: string;
  private readonly api: PagerDutyApi;
  private readonly web: string;
  private directoryMemo: { at: number; value: Promise<Directory> } | null = null;

  constructor(
    private readonly settings: PagerDutySettings,
    deps: ProviderDeps,
  ) {
    this.instance = deps.instance;
    const account = new PagerDutyAccount(settings, deps);
    this.api = account.api;
    this.web = account.webUrl ?? 'https://app.pagerduty.com';
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.get('/teams', { limit: 1 }, ctx);
  }

  private directory(ctx: ProviderContext): Promise<Directory> {
    const memo = this.directoryMemo;
    if (memo && Date.now() - memo.at < DIRECTORY_TTL_MS) return memo.value;
    const value = this.readDirectory(ctx);
    this.directoryMemo = { at: Date.now(), value };
    value.catch(() => {
      if (this.directoryMemo?.value === value) this.directoryMemo = null;
    });
    return value;
  }

  private async readDirectory(ctx: ProviderContext): Promise<Directory> {
    const all = <T>(path: string, key: string, query: Record<string, readonly string[]> = {}) =>
      allFromVendor(this.api.pages<T>(path, key, query, ctx), { pageSize: PD_MAX_PAGE, maxItems: this.settings.maxDirectoryEntries });
    const [teams, users, policies] = await Promise.all([
      all<PdTeam>('/teams', 'teams'),
      all<PdFullUser>('/users', 'users', { 'include[]': ['teams'] }),
      all<PdPolicy>('/escalation_policies', 'escalation_policies'),
    ]);
    const dir: Directory = { teams: new Map(), teamsByPdId: new Map(), users: new Map(), emailsByPdId: new Map(), policiesOfTeam: new Map(), teamsOfPolicy: new Map() };
    for (const team of teams) {
      const id = this.settings.teamAliases[team.id] ?? slugOf(team.name);
      dir.teamsByPdId.set(team.id, id);
      dir.teams.set(id, {
        pdId: team.id,
        record: { id, name: team.name, description: team.description ?? null, chatChannel: null, url: `${this.web}/teams/${encodeURIComponent(team.id)}`, source: { provider: this.kind, instance: this.instance, id: team.id }, parentId: null },
      });
    }
    for (const user of users) {
      dir.users.set(user.email.toLowerCase(), user);
      dir.emailsByPdId.set(user.id, user.email.toLowerCase());
    }
    for (const policy of policies) {
      const owners = (policy.teams ?? []).map((t) => dir.teamsByPdId.get(t.id)).filter((t): t is string => t !== undefined);
      dir.teamsOfPolicy.set(policy.id, owners);
      for (const team of owners) dir.policiesOfTeam.set(team, [...(dir.policiesOfTeam.get(team) ?? []), policy.id]);
    }
    return dir;
  }

  private userRecord(user: PdFullUser): UserRecord {
    return {
      id: user.email.toLowerCase(),
      name: user.name,
      email: user.email.toLowerCase(),
      role: user.job_title || null,
      timezone: user.time_zone ?? null,
      chatHandle: null,
      url: `${this.web}/users/${encodeURIComponent(user.id)}`,
    };
  }

  private byName<T extends { name: string; id: string }>(items: T[]): T[] {
    return items.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(TeamRecord | null)[]> {
    const dir = await this.directory(ctx);
    return ids.map((id) => dir.teams.get(id)?.record ?? null);
  }

  async getUsers(ids: readonly string[], ctx: ProviderContext): Promise<(UserRecord | null)[]> {
    const dir = await this.directory(ctx);
    return ids.map((id) => {
      const user = dir.users.get(id.toLowerCase());
      return user ? this.userRecord(user) : null;
    });
  }

  async queryTeams(filter: TeamFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<TeamRecord>> {
    const dir = await this.directory(ctx);
    if (filter.parent) return { items: [], nextCursor: null, totalCount: 0 }; // no sub-teams in PagerDuty
    const text = filter.text?.toLowerCase();
    const teams = [...dir.teams.values()].map((t) => t.record).filter((t) => !text || t.name.toLowerCase().includes(text) || t.id.includes(text));
    return pageOfArray(this.byName(teams), page);
  }

  async queryUsers(filter: UserFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<UserRecord>> {
    const dir = await this.directory(ctx);
    const text = filter.text?.toLowerCase();
    const users = [...dir.users.values()]
      .filter((u) => !filter.team || (u.teams ?? []).some((t) => dir.teamsByPdId.get(t.id) === filter.team))
      .map((u) => this.userRecord(u))
      .filter((u) => !text || u.name.toLowerCase().includes(text) || u.email.includes(text));
    return pageOfArray(this.byName(users), page);
  }

  async subTeamsOf(teamIds: readonly string[]): Promise<TeamRecord[][]> {
    return teamIds.map(() => []);
  }

  async membersOfTeams(teamIds: readonly string[], ctx: ProviderContext): Promise<TeamMemberRecord[][]> {
    const dir = await this.directory(ctx);
    // PagerDuty lists members (with their team role) per team.
    return Promise.all(
      teamIds.map(async (teamId) => {
        const team = dir.teams.get(teamId);
        if (!team) return [];
        const members = await allFromVendor(this.api.pages<{ user: PdReference; role: string }>(`/teams/${encodeURIComponent(team.pdId)}/members`, 'members', {}, ctx), {
          pageSize: PD_MAX_PAGE,
          maxItems: this.settings.maxDirectoryEntries,
        });
        const rank = (role: TeamRole) => (role === 'MANAGER' ? 0 : role === 'LEAD' ? 1 : 2);
        return members
          .map((m) => ({ userId: dir.emailsByPdId.get(m.user.id), role: ROLES[m.role] ?? 'MEMBER' }))
          .filter((m): m is TeamMemberRecord => m.userId !== undefined)
          .sort((a, b) => rank(a.role) - rank(b.role) || a.userId.localeCompare(b.userId));
      }),
    );
  }

  async teamsOfUsers(userIds: readonly string[], ctx: ProviderContext): Promise<TeamRecord[][]> {
    const dir = await this.directory(ctx);
    return userIds.map((id) => {
      const user = dir.users.get(id.toLowerCase());
      const teams = (user?.teams ?? []).map((t) => dir.teams.get(dir.teamsByPdId.get(t.id) ?? '')?.record).filter((t): t is TeamRecord => t !== undefined);
      return this.byName(teams);
    });
  }

  async rotationsOfTeams(teamIds: readonly string[], ctx: ProviderContext): Promise<(RotationRecord | null)[]> {
    const dir = await this.directory(ctx);
    const wanted = teamIds.map((id) => dir.teams.get(id)?.pdId).filter((id): id is string => id !== undefined);
    if (wanted.length === 0) return teamIds.map(() => null);
    // One read of the teams' schedules with their layers; a team's rotation is its first schedule's first layer.
    const schedules = await allFromVendor(this.api.pages<PdSchedule>('/schedules', 'schedules', { 'team_ids[]': wanted, 'include[]': ['schedule_layers'] }, ctx), { pageSize: PD_MAX_PAGE, maxItems: 1000 });
    return teamIds.map((teamId) => {
      const pdId = dir.teams.get(teamId)?.pdId;
      const schedule = schedules.find((s) => (s.teams ?? []).some((t) => t.id === pdId));
      const layer = schedule?.schedule_layers?.[0];
      if (!schedule || !layer?.rotation_turn_length_seconds) return null;
      const start = layer.rotation_virtual_start ?? layer.start;
      return {
        id: schedule.id,
        name: schedule.name ?? schedule.summary ?? schedule.id,
        shiftHours: Math.max(1, Math.round(layer.rotation_turn_length_seconds / 3600)),
        handoffHourUtc: start ? new Date(start).getUTCHours() : null,
        url: schedule.html_url ?? `${this.web}/schedules/${encodeURIComponent(schedule.id)}`,
        teamId,
        memberIds: (layer.users ?? []).map((u) => dir.emailsByPdId.get(u.user.id)).filter((e): e is string => e !== undefined),
      };
    });
  }

  /** On-call entries of these escalation policies overlapping [since, until]. */
  private async oncalls(policyIds: readonly string[] | null, since: Date, until: Date, ctx: ProviderContext): Promise<PdOncall[]> {
    if (policyIds && policyIds.length === 0) return [];
    const query = { ...(policyIds ? { 'escalation_policy_ids[]': [...new Set(policyIds)] } : {}), since: since.toISOString(), until: until.toISOString() };
    return allFromVendor(this.api.pages<PdOncall>('/oncalls', 'oncalls', query, ctx), { pageSize: PD_MAX_PAGE, maxItems: 5000 });
  }

  private shifts(oncalls: readonly PdOncall[], dir: Directory, teams: ReadonlySet<string> | null, at: Date): OnCallShiftRecord[] {
    const shifts = new Map<string, OnCallShiftRecord>();
    for (const o of oncalls) {
      const level = LEVELS[o.escalation_level];
      const userId = dir.emailsByPdId.get(o.user.id);
      if (!level || !userId) continue;
      // An entry without start/end is someone on call permanently (an escalation rule naming a user).
      const start = o.start ? new Date(o.start).toISOString() : at.toISOString();
      const end = o.end ? new Date(o.end).toISOString() : new Date(at.getTime() + 86_400_000).toISOString();
      for (const teamId of dir.teamsOfPolicy.get(o.escalation_policy.id) ?? []) {
        if (teams && !teams.has(teamId)) continue;
        shifts.set(`${teamId} ${level} ${userId} ${start}`, { teamId, level, userId, start, end });
      }
    }
    return [...shifts.values()].sort((a, b) => a.teamId.localeCompare(b.teamId) || (a.level === b.level ? 0 : a.level === 'PRIMARY' ? -1 : 1) || a.start.localeCompare(b.start) || a.userId.localeCompare(b.userId));
  }

  async onCallForTeams(teamIds: readonly string[], at: Date, ctx: ProviderContext): Promise<OnCallShiftRecord[][]> {
    const dir = await this.directory(ctx);
    // Every team of the batch in one read, by the teams' escalation policies.
    const policies = teamIds.flatMap((t) => dir.policiesOfTeam.get(t) ?? []);
    const all = this.shifts(await this.oncalls(policies, at, at, ctx), dir, new Set(teamIds), at);
    return teamIds.map((teamId) => all.filter((s) => s.teamId === teamId));
  }

  async onCallForAllTeams(at: Date, ctx: ProviderContext): Promise<OnCallShiftRecord[]> {
    const dir = await this.directory(ctx);
    return this.shifts(await this.oncalls(null, at, at, ctx), dir, null, at);
  }

  async upcomingShifts(requests: readonly UpcomingShiftsRequest[], from: Date, ctx: ProviderContext): Promise<OnCallShiftRecord[][]> {
    const dir = await this.directory(ctx);
    const policies = requests.flatMap((r) => dir.policiesOfTeam.get(r.teamId) ?? []);
    const all = this.shifts(await this.oncalls(policies, from, new Date(from.getTime() + UPCOMING_WINDOW_MS), ctx), dir, new Set(requests.map((r) => r.teamId)), from);
    return requests.map((r) => all.filter((s) => s.teamId === r.teamId && s.level === 'PRIMARY' && Date.parse(s.end) > from.getTime()).slice(0, r.count));
  }
}
