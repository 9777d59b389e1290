// Backstage groups and users as OpsOrch's teams and people: a group's name is the canonical team id, its
// `spec.parent` / `spec.children` the hierarchy; a user's `spec.profile.email` (lower case) is the canonical
// user id. Memberships come from both sides (`spec.members` of a group, `spec.memberOf` of a user, and the
// `hasMember` / `memberOf` relations). The catalog has no on-call: rotations and shifts come from another teams
// provider (PagerDuty, Opsgenie) configured beside this one.
import type { TeamFilter, UserFilter } from '@opsorch/schema';
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
import { BackstageCatalogApi, parseEntityRef, refOfEntity, stringifyEntityRef, strings, type Entity } from './api.ts';
import type { BackstageSettings } from './settings.ts';
import { Snapshot } from './snapshot.ts';

const byName = <T extends { name: string; id: string }>(a: T, b: T) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

interface Profile {
  displayName?: string;
  email?: string;
}

function profileOf(entity: Entity): Profile {
  const profile = entity.spec?.profile;
  return profile && typeof profile === 'object' ? (profile as Profile) : {};
}

interface Directory {
  teams: TeamRecord[];
  teamById: Map<string, TeamRecord>;
  users: UserRecord[];
  userById: Map<string, UserRecord>;
  /** Team id → user ids (e-mails). */
  members: Map<string, Set<string>>;
}

export class BackstageTeamProvider implements TeamProvider {
  readonly kind = 'backstage';
  readonly instance: string;
  private readonly api: BackstageCatalogApi;
  private readonly snapshot: Snapshot<Directory>;
  private readonly namespace: string;

  constructor(private readonly settings: BackstageSettings, deps: ProviderDeps) {
    this.instance = deps.instance;
    this.namespace = settings.namespace.toLowerCase();
    this.api = new BackstageCatalogApi({ url: settings.url, token: settings.token, logger: deps.logger });
    this.snapshot = new Snapshot((ctx) => this.readDirectory(ctx), settings.snapshotTtlMs);
  }

  private pageUrl(entity: Entity): string {
    const ref = refOfEntity(entity);
    return `${this.settings.appUrl.replace(/\/+$/, '')}/catalog/${encodeURIComponent(entity.metadata.namespace ?? 'default')}/${ref.kind}/${encodeURIComponent(ref.name)}`;
  }

  /** A reference's name when it points at an entity of `kind` in this namespace, else null. */
  private nameOf(ref: string, kind: 'group' | 'user'): string | null {
    const parsed = parseEntityRef(ref, { kind, namespace: this.namespace });
    return parsed.kind === kind && parsed.namespace === this.namespace ? parsed.name : null;
  }

  private inNamespace(entity: Entity | null, kind: 'group' | 'user'): entity is Entity {
    return !!entity && entity.kind.toLowerCase() === kind && (entity.metadata.namespace ?? 'default').toLowerCase() === this.namespace;
  }

  private parentOf(group: Entity): string | null {
    const parent = typeof group.spec?.parent === 'string' ? group.spec.parent : (group.relations ?? []).find((r) => r.type.toLowerCase() === 'childof')?.targetRef;
    return parent ? this.nameOf(parent, 'group') : null;
  }

  toTeam(group: Entity): TeamRecord {
    const channel = group.metadata.annotations?.[this.settings.chatChannelAnnotation];
    return {
      id: group.metadata.name,
      name: profileOf(group).displayName ?? group.metadata.title ?? group.metadata.name,
      description: group.metadata.description ?? null,
      chatChannel: channel ? (channel.startsWith('#') ? channel : `#${channel}`) : null,
      url: this.pageUrl(group),
      source: { provider: 'backstage', instance: this.instance, id: stringifyEntityRef(refOfEntity(group)) },
      parentId: this.parentOf(group),
    };
  }

  /** A user as a person, or null when the catalog gives no e-mail (OpsOrch identifies people by e-mail). */
  toUser(user: Entity): UserRecord | null {
    const profile = profileOf(user);
    if (!profile.email) return null;
    return {
      id: profile.email.trim().toLowerCase(),
      name: profile.displayName ?? user.metadata.title ?? user.metadata.name,
      email: profile.email.trim(),
      role: null,
      timezone: null,
      chatHandle: null,
      url: this.pageUrl(user),
    };
  }

  private async readDirectory(ctx: ProviderContext): Promise<Directory> {
    const filter = [`kind=group,metadata.namespace=${this.namespace}`, `kind=user,metadata.namespace=${this.namespace}`];
    const { items, truncated } = await this.api.queryAll(filter, { pageSize: this.settings.pageSize, maxItems: this.settings.maxEntities }, ctx);
    if (truncated) ctx.logger.warn({ maxEntities: this.settings.maxEntities }, 'Backstage has more groups and users than maxEntities; the rest are left out');
    const groups = items.filter((e) => this.inNamespace(e, 'group'));
    const userEntities = items.filter((e) => this.inNamespace(e, 'user'));
    const teamById = new Map(groups.map((g) => [g.metadata.name, this.toTeam(g)]));
    // The hierarchy from both sides: a child's `spec.parent`, and a parent's `spec.children`.
    for (const group of groups) {
      for (const child of strings(group.spec?.children)) {
        const team = teamById.get(this.nameOf(child, 'group') ?? '');
        if (team && team.parentId === null) team.parentId = group.metadata.name;
      }
    }
    const userByName = new Map<string, UserRecord>();
    for (const entity of userEntities) {
      const user = this.toUser(entity);
      if (user) userByName.set(entity.metadata.name, user);
    }
    const members = new Map<string, Set<string>>();
    const join = (team: string | null, userName: string | null) => {
      const user = userName === null ? undefined : userByName.get(userName);
      if (team && user && teamById.has(team)) members.set(team, (members.get(team) ?? new Set()).add(user.id));
    };
    for (const group of groups) {
      for (const ref of strings(group.spec?.members)) join(group.metadata.name, this.nameOf(ref, 'user'));
      for (const r of group.relations ?? []) if (r.type.toLowerCase() === 'hasmember') join(group.metadata.name, this.nameOf(r.targetRef, 'user'));
    }
    for (const user of userEntities) {
      for (const ref of strings(user.spec?.memberOf)) join(this.nameOf(ref, 'group'), user.metadata.name);
      for (const r of user.relations ?? []) if (r.type.toLowerCase() === 'memberof') join(this.nameOf(r.targetRef, 'group'), user.metadata.name);
    }
    const users = [...new Map([...userByName.values()].map((u) => [u.id, u])).values()].sort(byName);
    return { teams: [...teamById.values()].sort(byName), teamById, users, userById: new Map(users.map((u) => [u.id, u])), members };
  }

  /** One `/entities/by-refs` call for every id (fresh; the hierarchy from the group's own fields). */
  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(TeamRecord | null)[]> {
    const entities = await this.api.byRefs(ids.map((id) => stringifyEntityRef({ kind: 'group', namespace: this.namespace, name: id })), ctx);
    return entities.map((entity) => (this.inNamespace(entity, 'group') ? this.toTeam(entity) : null));
  }

  /** People by e-mail: the catalog cannot look users up by e-mail, so the directory snapshot answers. */
  async getUsers(ids: readonly string[], ctx: ProviderContext): Promise<(UserRecord | null)[]> {
    const { userById } = await this.snapshot.get(ctx);
    return ids.map((id) => userById.get(id.trim().toLowerCase()) ?? null);
  }

  async queryTeams(filter: TeamFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<TeamRecord>> {
    const { teams } = await this.snapshot.get(ctx);
    const text = filter.text?.trim().toLowerCase();
    return pageOfArray(
      teams.filter((t) => (!text || [t.id, t.name, t.description ?? ''].join('\n').toLowerCase().includes(text)) && (!filter.parent || t.parentId === filter.parent)),
      page,
    );
  }

  async queryUsers(filter: UserFilter, page: PageRequest, ctx: ProviderContext): Promise<Page<UserRecord>> {
    const { users, members } = await this.snapshot.get(ctx);
    const text = filter.text?.trim().toLowerCase();
    const team = filter.team ? (members.get(filter.team) ?? new Set<string>()) : null;
    return pageOfArray(users.filter((u) => (!text || [u.name, u.email].join('\n').toLowerCase().includes(text)) && (!team || team.has(u.id))), page);
  }

  async subTeamsOf(teamIds: readonly string[], ctx: ProviderContext): Promise<TeamRecord[][]> {
    const { teams } = await this.snapshot.get(ctx);
    return teamIds.map((id) => teams.filter((t) => t.parentId === id));
  }

  /** Members of each team; the catalog has no roles, so every member is MEMBER. */
  async membersOfTeams(teamIds: readonly string[], ctx: ProviderContext): Promise<TeamMemberRecord[][]> {
    const { users, members } = await this.snapshot.get(ctx);
    return teamIds.map((id) => users.filter((u) => members.get(id)?.has(u.id)).map((u) => ({ userId: u.id, role: 'MEMBER' as const })));
  }

  async teamsOfUsers(userIds: readonly string[], ctx: ProviderContext): Promise<TeamRecord[][]> {
    const { teams, members } = await this.snapshot.get(ctx);
    return userIds.map((userId) => {
      const id = userId.trim().toLowerCase();
      return teams.filter((t) => members.get(t.id)?.has(id));
    });
  }

  async rotationsOfTeams(teamIds: readonly string[], _ctx: ProviderContext): Promise<(RotationRecord | null)[]> {
    return teamIds.map(() => null);
  }

  async onCallForTeams(teamIds: readonly string[], _at: Date, _ctx: ProviderContext): Promise<OnCallShiftRecord[][]> {
    return teamIds.map(() => []);
  }

  async onCallForAllTeams(_at: Date, _ctx: ProviderContext): Promise<OnCallShiftRecord[]> {
    return [];
  }

  async upcomingShifts(requests: readonly UpcomingShiftsRequest[], _from: Date, _ctx: ProviderContext): Promise<OnCallShiftRecord[][]> {
    return requests.map(() => []);
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.ping(ctx);
  }
}
