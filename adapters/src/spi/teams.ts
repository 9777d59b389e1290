import type { OnCallShift, Rotation, Team, TeamFilter, TeamMember, User, UserFilter } from '@opsorch/schema';
import type { ProviderContext } from '../context.ts';
import type { Page, PageRequest } from '../paging.ts';
import type { ProviderBase } from './base.ts';

/** A team's own fields, with links to other teams as ids. */
export type TeamRecord = Pick<Team, 'id' | 'name' | 'description' | 'chatChannel' | 'url' | 'source'> & {
  /** Canonical id of the parent team, null for a top-level team. */
  parentId: string | null;
};

/** A person; `id` is the lower-case e-mail address. */
export type UserRecord = Pick<User, 'id' | 'name' | 'email' | 'role' | 'timezone' | 'chatHandle' | 'url'>;

export type TeamMemberRecord = Pick<TeamMember, 'role'> & { userId: string };

export type RotationRecord = Pick<Rotation, 'id' | 'name' | 'shiftHours' | 'handoffHourUtc' | 'url'> & {
  teamId: string;
  /** User ids (e-mails) in shift order. */
  memberIds: string[];
};

export type OnCallShiftRecord = Pick<OnCallShift, 'level' | 'start' | 'end'> & { userId: string; teamId: string };

/** Asks for the next `count` primary shifts of one team's rotation. */
export interface UpcomingShiftsRequest {
  teamId: string;
  count: number;
}

/**
 * The teams capability's provider contract: teams, people and on-call. Team ids (slugs) and user ids (e-mails)
 * are canonical and not instance-prefixed; with several instances every one is asked and the first answer wins.
 * Every per-team or per-user method takes all keys at once and answers one slot per key, in key order.
 */
export interface TeamProvider extends ProviderBase {
  /** Teams by canonical id; null slots for unknown ids. */
  getMany(ids: readonly string[], ctx: ProviderContext): Promise<(TeamRecord | null)[]>;
  /** People by lower-case e-mail; null slots for unknown addresses. */
  getUsers(ids: readonly string[], ctx: ProviderContext): Promise<(UserRecord | null)[]>;
  /** Teams matching `filter`, by name then id. */
  queryTeams(filter: TeamFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<TeamRecord>>;
  /** People matching `filter`, by name then id. */
  queryUsers(filter: UserFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<UserRecord>>;
  /** Direct sub-teams of each team, by name. */
  subTeamsOf(teamIds: readonly string[], ctx: ProviderContext): Promise<TeamRecord[][]>;
  /** Members of each team with their role, manager first. */
  membersOfTeams(teamIds: readonly string[], ctx: ProviderContext): Promise<TeamMemberRecord[][]>;
  /** Teams each person belongs to, by name. */
  teamsOfUsers(userIds: readonly string[], ctx: ProviderContext): Promise<TeamRecord[][]>;
  /** Each team's rotation, or null when it has none. */
  rotationsOfTeams(teamIds: readonly string[], ctx: ProviderContext): Promise<(RotationRecord | null)[]>;
  /** Who is on call for each team at `at`: PRIMARY first, then SECONDARY. */
  onCallForTeams(teamIds: readonly string[], at: Date, ctx: ProviderContext): Promise<OnCallShiftRecord[][]>;
  /** Who is on call at `at` for every team this provider knows, by team id then level. */
  onCallForAllTeams(at: Date, ctx: ProviderContext): Promise<OnCallShiftRecord[]>;
  /** The next primary shifts of each requested rotation, starting with the one covering `from`. */
  upcomingShifts(requests: readonly UpcomingShiftsRequest[], from: Date, ctx: ProviderContext): Promise<OnCallShiftRecord[][]>;
}
