// On call from Opsgenie schedules: each configured team's schedule answers who is on call at an instant. The API
// slice has no teams or users endpoints, so teams are the configured ones and people are those Opsgenie named.
import type { OnCallLevel, TeamFilter, UserFilter } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { OpsOrchError } from '../src/errors.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { OnCallShiftRecord, RotationRecord, TeamMemberRecord, TeamProvider, TeamRecord, UpcomingShiftsRequest, UserRecord } from '../src/spi/teams.ts';
import { OpsgenieApi } from './api.ts';
import { webUrlOf, type OpsgenieSettings } from './settings.ts';

interface OgParticipant {
  id?: string;
  name?: string;
  type?: string;
  escalationTime?: number;
  onCallParticipants?: OgParticipant[];
}

/**
 * Teams whose on-call lives in Opsgenie (`schedules`: team id → schedule name). A schedule's direct user
 * participants are PRIMARY; through an escalation, the first by escalation time is PRIMARY and the next
 * SECONDARY. Opsgenie's who-is-on-call answer has no shift bounds: a shift's start and end are the instant asked.
 * Upcoming shifts and rotations are not in the API slice (empty, null).
 */
export class OpsgenieTeamProvider implements TeamProvider {
  readonly kind = 'opsgenie';
  readonly instance: string;
  private readonly api: OpsgenieApi;
  private readonly web: string;
  /** People Opsgenie named as on call, by lower-case username (their e-mail), with the teams they were on call for. */
  private readonly seen = new Map<string, Set<string>>();

  constructor(
    private readonly settings: OpsgenieSettings,
    deps: ProviderDeps,
  ) {
    this.instance = deps.instance;
    this.api = new OpsgenieApi(settings, deps.logger);
    this.web = webUrlOf(settings);
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    const [schedule] = Object.values(this.settings.schedules);
    if (schedule) await this.onCallOf(schedule, ctx.now, ctx);
  }

  private team(id: string): TeamRecord | null {
    const schedule = this.settings.schedules[id];
    if (!schedule) return null;
    return {
      id,
      name: id,
      description: `On call from the Opsgenie schedule ${schedule}`,
      chatChannel: null,
      url: `${this.web}/schedule/whoIsOnCall`,
      source: { provider: this.kind, instance: this.instance, id: schedule },
      parentId: null,
    };
  }

  private user(email: string): UserRecord {
    return { id: email, name: email.split('@')[0]!, email, role: null, timezone: null, chatHandle: null, url: `${this.web}/settings/users` };
  }

  private async onCallOf(schedule: string, at: Date, ctx: ProviderContext): Promise<{ userId: string; level: OnCallLevel }[]> {
    let participants: OgParticipant[];
    try {
      const answer = await this.api.get<{ data?: { onCallParticipants?: OgParticipant[] } }>(
        `/v2/schedules/${encodeURIComponent(schedule)}/on-calls`,
        { scheduleIdentifierType: 'name', date: at.toISOString() },
        ctx,
      );
      participants = answer.data?.onCallParticipants ?? [];
    } catch (error) {
      if (error instanceof OpsOrchError && error.code === 'NOT_FOUND') return [];
      throw error;
    }
    const result: { userId: string; level: OnCallLevel }[] = [];
    const add = (p: OgParticipant | undefined, level: OnCallLevel) => {
      if (p?.type === 'user' && p.name?.includes('@')) result.push({ userId: p.name.toLowerCase(), level });
    };
    for (const p of participants) {
      if (p.type === 'escalation') {
        const steps = [...(p.onCallParticipants ?? [])].sort((a, b) => (a.escalationTime ?? 0) - (b.escalationTime ?? 0));
        add(steps[0], 'PRIMARY');
        add(steps[1], 'SECONDARY');
      } else add(p, 'PRIMARY');
    }
    return result;
  }

  async getMany(ids: readonly string[]): Promise<(TeamRecord | null)[]> {
    return ids.map((id) => this.team(id));
  }

  async getUsers(ids: readonly string[]): Promise<(UserRecord | null)[]> {
    return ids.map((id) => (this.seen.has(id.toLowerCase()) ? this.user(id.toLowerCase()) : null));
  }

  async queryTeams(filter: TeamFilter, page: PageRequest): Promise<Page<TeamRecord>> {
    const text = filter.text?.toLowerCase();
    const teams = filter.parent ? [] : Object.keys(this.settings.schedules).sort().map((id) => this.team(id)!).filter((t) => !text || t.id.includes(text));
    return pageOfArray(teams, page);
  }

  async queryUsers(filter: UserFilter, page: PageRequest): Promise<Page<UserRecord>> {
    const text = filter.text?.toLowerCase();
    const users = [...this.seen.entries()]
      .filter(([email, teams]) => (!filter.team || teams.has(filter.team)) && (!text || email.includes(text)))
      .map(([email]) => this.user(email))
      .sort((a, b) => a.id.localeCompare(b.id));
    return pageOfArray(users, page);
  }

  async subTeamsOf(teamIds: readonly string[]): Promise<TeamRecord[][]> {
    return teamIds.map(() => []);
  }

  async membersOfTeams(teamIds: readonly string[]): Promise<TeamMemberRecord[][]> {
    return teamIds.map(() => []);
  }

  async teamsOfUsers(userIds: readonly string[]): Promise<TeamRecord[][]> {
    return userIds.map((id) => [...(this.seen.get(id.toLowerCase()) ?? [])].sort().map((t) => this.team(t)).filter((t): t is TeamRecord => t !== null));
  }

  async rotationsOfTeams(teamIds: readonly string[]): Promise<(RotationRecord | null)[]> {
    return teamIds.map(() => null);
  }

  async onCallForTeams(teamIds: readonly string[], at: Date, ctx: ProviderContext): Promise<OnCallShiftRecord[][]> {
    // One read per team's schedule: the API slice asks schedules one at a time.
    return Promise.all(
      teamIds.map(async (teamId) => {
        const schedule = this.settings.schedules[teamId];
        if (!schedule) return [];
        const people = await this.onCallOf(schedule, at, ctx);
        for (const p of people) this.seen.set(p.userId, new Set([...(this.seen.get(p.userId) ?? []), teamId]));
        const instant = at.toISOString();
        return people
          .map((p) => ({ teamId, userId: p.userId, level: p.level, start: instant, end: instant }))
          .sort((a, b) => (a.level === b.level ? a.userId.localeCompare(b.userId) : a.level === 'PRIMARY' ? -1 : 1));
      }),
    );
  }

  async onCallForAllTeams(at: Date, ctx: ProviderContext): Promise<OnCallShiftRecord[]> {
    return (await this.onCallForTeams(Object.keys(this.settings.schedules).sort(), at, ctx)).flat();
  }

  async upcomingShifts(requests: readonly UpcomingShiftsRequest[]): Promise<OnCallShiftRecord[][]> {
    return requests.map(() => []);
  }
}
