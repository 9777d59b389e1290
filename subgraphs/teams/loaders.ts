import type { OnCallShiftRecord, RotationRecord, TeamMemberRecord, TeamRecord, UserRecord } from '@opsorch/adapters';
import DataLoader from 'dataloader';
import type { RequestContext } from '../shared/index.ts';
import { firstFoundEverywhere, mergedEverywhere } from '../shared/index.ts';

/** Teams and people by name, then id. */
export const byName = <T extends { name: string; id: string }>(a: T, b: T) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

export interface TeamLoaders {
  team: DataLoader<string, TeamRecord | null>;
  /** People by lower-case e-mail. */
  user: DataLoader<string, UserRecord | null>;
  subTeams: DataLoader<string, TeamRecord[]>;
  members: DataLoader<string, TeamMemberRecord[]>;
  teamsOfUser: DataLoader<string, TeamRecord[]>;
  rotation: DataLoader<string, RotationRecord | null>;
  /** Who is on call now (the request's `now`) per team. */
  onCall: DataLoader<string, OnCallShiftRecord[]>;
  /** Upcoming primary shifts, keyed `teamId\u0000count`. */
  upcoming: DataLoader<string, OnCallShiftRecord[]>;
}

const shiftKey = (s: OnCallShiftRecord) => `${s.teamId}\u0000${s.level}\u0000${s.start}\u0000${s.userId}`;

/** Each batch asks every teams instance once, whatever the number of keys. */
export function createTeamLoaders(ctx: RequestContext): TeamLoaders {
  const teams = 'teams' as const;
  const now = ctx.provider.now;
  return {
    team: new DataLoader((ids) => firstFoundEverywhere(ctx, teams, ids, (p) => p.getMany(ids, ctx.provider))),
    user: new DataLoader((ids) => firstFoundEverywhere(ctx, teams, ids, (p) => p.getUsers(ids, ctx.provider))),
    subTeams: new DataLoader(async (ids) =>
      (await mergedEverywhere(ctx, teams, ids, (p) => p.subTeamsOf(ids, ctx.provider), (t) => t.id)).map((l) =>
        l instanceof Error ? l : l.sort(byName),
      ),
    ),
    members: new DataLoader((ids) => mergedEverywhere(ctx, teams, ids, (p) => p.membersOfTeams(ids, ctx.provider), (m) => m.userId)),
    teamsOfUser: new DataLoader(async (ids) =>
      (await mergedEverywhere(ctx, teams, ids, (p) => p.teamsOfUsers(ids, ctx.provider), (t) => t.id)).map((l) =>
        l instanceof Error ? l : l.sort(byName),
      ),
    ),
    rotation: new DataLoader((ids) => firstFoundEverywhere(ctx, teams, ids, (p) => p.rotationsOfTeams(ids, ctx.provider))),
    onCall: new DataLoader((ids) => mergedEverywhere(ctx, teams, ids, (p) => p.onCallForTeams(ids, now, ctx.provider), shiftKey)),
    upcoming: new DataLoader((keys) => {
      const requests = keys.map((key) => {
        const [teamId = '', count = '0'] = key.split('\u0000');
        return { teamId, count: Number(count) };
      });
      return mergedEverywhere(ctx, teams, keys, (p) => p.upcomingShifts(requests, now, ctx.provider), shiftKey);
    }),
  };
}
