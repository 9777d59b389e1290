import {
  badInput,
  notFound,
  OpsOrchError,
  type OnCallShiftRecord,
  type RotationRecord,
  type TeamRecord,
  type UserRecord,
} from '@opsorch/adapters';
import type { TeamFilter, UserFilter } from '@opsorch/schema';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { distinctById, listConnection, loadersFor, perKeyEverywhere, type RequestContext } from '../shared/index.ts';
import { valuesOrThrow } from '../shared/index.ts';
import { byName, createTeamLoaders, type TeamLoaders } from './loaders.ts';

const MAX_UPCOMING = 50;
const LEVEL_ORDER = ['PRIMARY', 'SECONDARY'];

const loaders = (ctx: RequestContext): TeamLoaders => loadersFor(ctx, 'teams', createTeamLoaders);

type PageArgs = { first?: number | null; after?: string | null };

function checkText(text: string | null | undefined): void {
  if (text && text.length > 200) throw badInput('filter.text must be at most 200 characters');
}

const byTeamThenLevel = (a: OnCallShiftRecord, b: OnCallShiftRecord) =>
  a.teamId.localeCompare(b.teamId) || LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level) || a.start.localeCompare(b.start);

/** Who is on call now for every team of every instance; one failing instance fails the answer rather than hiding a team. */
async function onCallForAllTeams(ctx: RequestContext): Promise<OnCallShiftRecord[]> {
  const [shifts] = await perKeyEverywhere(ctx, 'teams', ['all'], async (p) => [await p.onCallForAllTeams(ctx.provider.now, ctx.provider)], (lists) => lists.flat());
  if (shifts instanceof Error) throw shifts;
  return shifts!.sort(byTeamThenLevel);
}

async function required<T>(value: Promise<T | null>, what: string): Promise<T> {
  const found = await value;
  if (found === null) throw new OpsOrchError('NOT_FOUND', `${what} is not known to any teams provider`, { capability: 'teams' });
  return found;
}

export const resolvers: GraphQLResolverMap<RequestContext> = {
  Query: {
    teams: async (_: unknown, args: PageArgs & { filter?: TeamFilter | null }, ctx: RequestContext) => {
      checkText(args.filter?.text);
      const filter = args.filter ?? {};
      const connection = distinctById(await listConnection(ctx, 'teams', args, (p, page) => p.queryTeams(filter, page, ctx.provider), byName));
      for (const team of connection.nodes) loaders(ctx).team.prime(team.id, team);
      return connection;
    },
    team: (_: unknown, args: { id: string }, ctx: RequestContext) => {
      const id = args.id.trim();
      if (!id) throw badInput('id must be a canonical team id such as "payments"; list them with `teams`');
      return loaders(ctx).team.load(id);
    },
    user: (_: unknown, args: { id: string }, ctx: RequestContext) => {
      const email = args.id.trim().toLowerCase();
      if (!email.includes('@')) throw badInput(`user id "${args.id}" is not an e-mail address; people are identified by e-mail`);
      return loaders(ctx).user.load(email);
    },
    users: async (_: unknown, args: PageArgs & { filter?: UserFilter | null }, ctx: RequestContext) => {
      checkText(args.filter?.text);
      const filter = args.filter ?? {};
      const connection = distinctById(await listConnection(ctx, 'teams', args, (p, page) => p.queryUsers(filter, page, ctx.provider), byName));
      for (const user of connection.nodes) loaders(ctx).user.prime(user.id, user);
      return connection;
    },
    onCallNow: async (_: unknown, args: { team?: string | null }, ctx: RequestContext) => {
      if (args.team === null || args.team === undefined) return onCallForAllTeams(ctx);
      const teamId = args.team.trim();
      if (!(await loaders(ctx).team.load(teamId))) throw notFound(`team "${teamId}" does not exist; list teams with \`teams\``);
      return loaders(ctx).onCall.load(teamId);
    },
  },
  Team: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext) => loaders(ctx).team.load(ref.id),
    parent: (team: TeamRecord, _: unknown, ctx: RequestContext) => (team.parentId ? loaders(ctx).team.load(team.parentId) : null),
    subTeams: (team: TeamRecord, _: unknown, ctx: RequestContext) => loaders(ctx).subTeams.load(team.id),
    members: async (team: TeamRecord, _: unknown, ctx: RequestContext) => {
      const members = await loaders(ctx).members.load(team.id);
      const users = valuesOrThrow(await loaders(ctx).user.loadMany(members.map((m) => m.userId)));
      // A membership pointing at nobody in the directory is dropped rather than failing the whole team.
      return members.flatMap((m, i) => (users[i] ? [{ user: users[i], role: m.role }] : []));
    },
    onCall: (team: TeamRecord, _: unknown, ctx: RequestContext) => loaders(ctx).onCall.load(team.id),
    rotation: (team: TeamRecord, _: unknown, ctx: RequestContext) => loaders(ctx).rotation.load(team.id),
  },
  Rotation: {
    members: async (rotation: RotationRecord, _: unknown, ctx: RequestContext) =>
      valuesOrThrow(await loaders(ctx).user.loadMany(rotation.memberIds)).filter((u): u is UserRecord => u !== null),
    upcoming: (rotation: RotationRecord, args: { count?: number | null }, ctx: RequestContext) => {
      const count = args.count ?? 4;
      if (!Number.isInteger(count) || count < 1 || count > MAX_UPCOMING) {
        throw badInput(`count must be between 1 and ${MAX_UPCOMING}, got ${count}`);
      }
      return loaders(ctx).upcoming.load(`${rotation.teamId}\u0000${count}`);
    },
  },
  OnCallShift: {
    user: (shift: OnCallShiftRecord, _: unknown, ctx: RequestContext) => required(loaders(ctx).user.load(shift.userId), `on-call user "${shift.userId}"`),
    team: (shift: OnCallShiftRecord, _: unknown, ctx: RequestContext) => required(loaders(ctx).team.load(shift.teamId), `on-call team "${shift.teamId}"`),
  },
  User: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext) => loaders(ctx).user.load(ref.id.trim().toLowerCase()),
    teams: (user: UserRecord, _: unknown, ctx: RequestContext) => loaders(ctx).teamsOfUser.load(user.id),
  },
};
