// Issues as tickets: listed through the search API (one list across every repository, newest update first),
// written through the issues API. Open/closed and GitHub's close reasons are the statuses; closing and reopening
// are the transitions. The OpsOrch incident a ticket is for is a hidden marker in its body.
import type { TicketPriority, TicketStatus } from '@opsorch/schema';
import { pageFromVendor } from '../kit/paging.ts';
import type { ProviderContext } from '../src/context.ts';
import { badInput, notFound } from '../src/errors.ts';
import type { Page, PageRequest } from '../src/paging.ts';
import type { ProviderDeps, ServiceCatalog } from '../src/provider.ts';
import type { NewTicket, TicketChanges, TicketCommentRecord, TicketProvider, TicketQuery, TicketRecord, TicketTransitionRecord } from '../src/spi/tickets.ts';
import { repoPath, type GhComment, type GhIssue } from './api.ts';
import { GithubBase, mapLimited } from './base.ts';
import type { GithubSettings } from './settings.ts';

/** The marker OpsOrch writes in an issue's body to link it to an incident; searchable, invisible when rendered. */
const INCIDENT_MARKER = /\n*<!-- opsorch:incident=([^\s>]+) -->\s*$/;
const marker = (incidentId: string) => `\n\n<!-- opsorch:incident=${incidentId} -->`;

/** Priority labels teams use (`P1`, `priority: high`, `priority/critical`), read as OpsOrch's priority. */
const PRIORITY_LABEL = /^(?:priority\s*[:/ -]\s*)?(p[0-4]|critical|urgent|highest|high|medium|low|lowest)$/i;
const PRIORITIES: Record<string, TicketPriority> = {
  p0: 'HIGHEST',
  critical: 'HIGHEST',
  urgent: 'HIGHEST',
  highest: 'HIGHEST',
  p1: 'HIGH',
  high: 'HIGH',
  p2: 'MEDIUM',
  medium: 'MEDIUM',
  p3: 'LOW',
  low: 'LOW',
  p4: 'LOWEST',
  lowest: 'LOWEST',
};

/** The transitions GitHub has: close (as completed or as not planned) and reopen. */
const CLOSE: TicketTransitionRecord = { id: 'close', name: 'Close as completed', to: 'DONE', rawTo: 'closed' };
const NOT_PLANNED: TicketTransitionRecord = { id: 'close_not_planned', name: 'Close as not planned', to: 'CANCELLED', rawTo: 'closed:not_planned' };
const REOPEN: TicketTransitionRecord = { id: 'reopen', name: 'Reopen', to: 'TODO', rawTo: 'open' };
const PATCH_OF: Record<string, { state: 'open' | 'closed'; state_reason: string }> = {
  close: { state: 'closed', state_reason: 'completed' },
  close_not_planned: { state: 'closed', state_reason: 'not_planned' },
  reopen: { state: 'open', state_reason: 'reopened' },
};

/** Quotes user text for GitHub's search syntax: inside quotes qualifiers are words, so quotes themselves go. */
const quoted = (text: string) => `"${text.replace(/["\\]/g, ' ').trim()}"`;

export class GithubTicketProvider extends GithubBase implements TicketProvider {
  private readonly catalog: ServiceCatalog | undefined;

  constructor(settings: GithubSettings, deps: ProviderDeps) {
    super(settings, deps);
    this.catalog = deps.catalog;
  }

  /** `owner/name#123` → repository and number (null when not one of ours). */
  private parseKey(id: string): { repo: string; number: number } | null {
    const match = /^([^/#]+\/[^/#]+)#(\d+)$/.exec(this.nativeId(id, 'ticket id'));
    const repo = match && this.configuredRepo(match[1]!);
    return repo ? { repo, number: Number(match![2]) } : null;
  }

  private repoOf(issue: GhIssue): string {
    const [, owner, name] = /\/repos\/([^/]+)\/([^/]+)$/.exec(issue.repository_url) ?? [];
    return this.configuredRepo(`${owner}/${name}`) ?? `${owner}/${name}`;
  }

  private async records(issues: readonly GhIssue[], ctx: ProviderContext): Promise<TicketRecord[]> {
    const services = await this.servicesOfRepos([...new Set(issues.map((i) => this.repoOf(i)))], ctx);
    return issues.map((issue) => {
      const repo = this.repoOf(issue);
      const key = `${repo}#${issue.number}`;
      const labels = issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean);
      const priorityLabel = labels.find((l) => PRIORITY_LABEL.test(l));
      const body = issue.body ?? null;
      const status: TicketStatus = issue.state === 'open' ? 'TODO' : issue.state_reason === 'not_planned' || issue.state_reason === 'duplicate' ? 'CANCELLED' : 'DONE';
      return {
        id: this.id(key),
        key,
        title: issue.title,
        description: body === null ? null : body.replace(INCIDENT_MARKER, ''),
        status,
        rawStatus: issue.state === 'closed' && issue.state_reason ? `closed:${issue.state_reason}` : issue.state,
        priority: priorityLabel ? PRIORITIES[PRIORITY_LABEL.exec(priorityLabel)![1]!.toLowerCase()]! : 'UNKNOWN',
        rawPriority: priorityLabel ?? null,
        labels,
        createdAt: issue.created_at,
        updatedAt: issue.updated_at,
        url: issue.html_url,
        source: this.source(key),
        assigneeId: this.people.idOf(issue.assignees?.[0] ?? null),
        reporterId: this.people.idOf(issue.user),
        serviceId: services.get(repo) ?? null,
        incidentId: body ? (INCIDENT_MARKER.exec(body)?.[1] ?? null) : null,
      };
    });
  }

  /** One search over `repos`, newest update first, narrowed by qualifiers GitHub understands and then exactly. */
  private async search(repos: readonly string[], qualifiers: string[], keep: (t: TicketRecord) => boolean, page: PageRequest, ctx: ProviderContext): Promise<Page<TicketRecord>> {
    if (repos.length === 0) return { items: [], nextCursor: null };
    const q = ['is:issue', ...repos.map((r) => `repo:${r}`), ...qualifiers].join(' ');
    const fetch = this.api.pages<{ total_count: number; items: GhIssue[] }, GhIssue>('/search/issues', { q, sort: 'updated', order: 'desc' }, ctx.signal, (body) => ({ items: body.items }));
    return pageFromVendor<TicketRecord, string>(
      page,
      async (cursor, limit) => {
        const answer = await fetch(cursor, limit);
        return { items: (await this.records(answer.items, ctx)).filter(keep), next: answer.next };
      },
      { maxPageSize: 100 },
    );
  }

  private stateQualifiers(statuses: readonly TicketStatus[] | undefined): string[] {
    if (!statuses) return [];
    const open = statuses.some((s) => s === 'TODO' || s === 'IN_PROGRESS' || s === 'IN_REVIEW');
    const done = statuses.includes('DONE');
    const cancelled = statuses.includes('CANCELLED');
    if (open && !done && !cancelled) return ['is:open'];
    if (!open && done && !cancelled) return ['is:closed', 'reason:completed'];
    if (!open && !done && cancelled) return ['is:closed', 'reason:"not planned"'];
    if (!open && (done || cancelled)) return ['is:closed'];
    return [];
  }

  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(TicketRecord | null)[]> {
    // The search API has no filter by issue number: one call per key, bounded.
    const issues = await mapLimited(ids, async (id) => {
      const key = this.parseKey(id);
      if (!key) return null;
      try {
        const issue = await this.api.get<GhIssue>(`${repoPath(key.repo)}/issues/${key.number}`, ctx.signal);
        return issue.pull_request ? null : issue;
      } catch (error) {
        if ((error as { code?: string }).code === 'NOT_FOUND') return null;
        throw error;
      }
    });
    const records = await this.records(issues.filter((i): i is GhIssue => i !== null), ctx);
    let next = 0;
    return issues.map((i) => (i ? records[next++]! : null));
  }

  async query(filter: TicketQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<TicketRecord>> {
    let serviceIds = filter.serviceIds ? [...filter.serviceIds] : null;
    if (filter.teamId) {
      const owned = this.catalog ? ((await this.catalog.servicesOwnedBy([filter.teamId], ctx))[0] ?? []) : [];
      serviceIds = serviceIds ? serviceIds.filter((s) => owned.includes(s)) : owned;
    }
    const repos = serviceIds ? [...new Set([...(await this.reposOfServices(serviceIds, ctx)).values()].flat())] : this.repoNames;
    const qualifiers = [...this.stateQualifiers(filter.statuses)];
    const assignee = filter.assigneeId ? this.people.loginOf(filter.assigneeId) : null;
    if (filter.assigneeId && !assignee) return { items: [], nextCursor: null };
    if (assignee) qualifiers.push(`assignee:${assignee}`);
    if (filter.text?.trim()) qualifiers.push(quoted(filter.text));
    if (filter.incidentId) qualifiers.push(quoted(`opsorch:incident=${filter.incidentId}`), 'in:body');
    return this.search(
      repos,
      qualifiers,
      (t) =>
        (!filter.statuses || filter.statuses.includes(t.status)) &&
        (!filter.priorities || filter.priorities.includes(t.priority)) &&
        (!serviceIds || (t.serviceId !== null && serviceIds.includes(t.serviceId))) &&
        (!filter.incidentId || t.incidentId === filter.incidentId),
      page,
      ctx,
    );
  }

  async ticketsForServices(serviceIds: readonly string[], filter: { statuses?: readonly TicketStatus[] }, page: PageRequest, ctx: ProviderContext): Promise<Page<TicketRecord>[]> {
    return Promise.all(serviceIds.map((serviceId) => this.query({ serviceIds: [serviceId], statuses: filter.statuses }, page, ctx)));
  }

  async ticketsForIncidents(incidentIds: readonly string[], ctx: ProviderContext): Promise<TicketRecord[][]> {
    if (incidentIds.length === 0) return [];
    // One search for every incident: the markers OR-ed (GitHub allows five ORs per query, so in groups of five).
    const groups: string[][] = [];
    for (let i = 0; i < incidentIds.length; i += 5) groups.push(incidentIds.slice(i, i + 5));
    const found = (
      await Promise.all(
        groups.map(async (group) => {
          const q = ['is:issue', 'in:body', `(${group.map((id) => quoted(`opsorch:incident=${id}`)).join(' OR ')})`];
          const repos = this.repoNames;
          const all: TicketRecord[] = [];
          let after: string | null = null;
          do {
            const page: Page<TicketRecord> = await this.search(repos, q, (t) => t.incidentId !== null && group.includes(t.incidentId), { first: 100, after }, ctx);
            all.push(...page.items);
            after = page.nextCursor;
          } while (after && all.length < this.settings.maxItems);
          return all;
        }),
      )
    ).flat();
    return incidentIds.map((id) => found.filter((t) => t.incidentId === id));
  }

  async commentsForTickets(ticketIds: readonly string[], page: PageRequest, ctx: ProviderContext): Promise<Page<TicketCommentRecord>[]> {
    return mapLimited(ticketIds, async (id) => {
      const key = this.parseKey(id);
      if (!key) return { items: [], nextCursor: null };
      const fetch = this.api.list<GhComment>(`${repoPath(key.repo)}/issues/${key.number}/comments`, {}, ctx.signal);
      return pageFromVendor<TicketCommentRecord, string>(
        page,
        async (cursor, limit) => {
          const answer = await fetch(cursor, limit);
          return {
            items: answer.items.map((c) => ({ id: this.id(`${key.repo}#${key.number}/comments/${c.id}`), body: c.body ?? '', createdAt: c.created_at, authorId: this.people.idOf(c.user) })),
            next: answer.next,
          };
        },
        { maxPageSize: 100 },
      );
    });
  }

  async transitionsForTickets(ticketIds: readonly string[], ctx: ProviderContext): Promise<TicketTransitionRecord[][]> {
    const tickets = await this.getMany(ticketIds, ctx);
    return tickets.map((t) => (!t ? [] : t.rawStatus === 'open' || t.rawStatus.startsWith('open') ? [CLOSE, NOT_PLANNED] : [REOPEN]));
  }

  /** A repository of the service (the first one configured), else `ticketsRepo`. */
  private async repoForService(serviceId: string | null, ctx: ProviderContext): Promise<string> {
    if (serviceId) {
      const repo = (await this.reposOfServices([serviceId], ctx)).get(serviceId)?.[0];
      if (!repo) throw badInput(`service "${serviceId}" has no GitHub repository among ${this.repoNames.join(', ')}: add a "github" externalRef to it in the catalog, or a serviceAliases entry`);
      return repo;
    }
    return this.settings.ticketsRepo ?? this.repoNames[0]!;
  }

  private logins(assigneeId: string | null | undefined): string[] {
    if (!assigneeId) return [];
    const login = this.people.loginOf(assigneeId);
    if (!login) throw badInput(`assignee "${assigneeId}" is not a GitHub user OpsOrch knows: map their login to this e-mail in the provider's userEmails`);
    return [login];
  }

  async createTicket(input: NewTicket, ctx: ProviderContext): Promise<TicketRecord> {
    const repo = await this.repoForService(input.serviceId, ctx);
    const issue = await this.api.call<GhIssue>({
      method: 'POST',
      path: `${repoPath(repo)}/issues`,
      json: { title: input.title, body: `${input.description ?? ''}${input.incidentId ? marker(input.incidentId) : ''}`, labels: input.labels, assignees: this.logins(input.assigneeId) },
      signal: ctx.signal,
    });
    return (await this.records([issue.body], ctx))[0]!;
  }

  async updateTicket(id: string, changes: TicketChanges, ctx: ProviderContext): Promise<TicketRecord> {
    const key = this.parseKey(id);
    if (!key) throw notFound(`ticket "${id}" does not exist`);
    const current = (await this.getMany([id], ctx))[0];
    if (!current) throw notFound(`ticket "${id}" does not exist`);
    if (changes.serviceId !== undefined && changes.serviceId !== current.serviceId) throw badInput('a GitHub issue cannot move to another service: its repository is its service; create a new ticket instead');
    if (changes.priority !== undefined) throw badInput('GitHub issues have no priority field: set a priority label (for example "P1") in labels instead');
    const patch: Record<string, unknown> = {};
    if (changes.title != null) patch.title = changes.title;
    if (changes.labels !== undefined) patch.labels = changes.labels ?? [];
    if (changes.assigneeId !== undefined) patch.assignees = this.logins(changes.assigneeId);
    if (changes.description !== undefined || changes.incidentId !== undefined) {
      const description = changes.description !== undefined ? (changes.description ?? '') : (current.description ?? '');
      const incident = changes.incidentId !== undefined ? changes.incidentId : current.incidentId;
      patch.body = `${description}${incident ? marker(incident) : ''}`;
    }
    const issue = await this.api.call<GhIssue>({ method: 'PATCH', path: `${repoPath(key.repo)}/issues/${key.number}`, json: patch, signal: ctx.signal });
    return (await this.records([issue.body], ctx))[0]!;
  }

  async transitionTicket(id: string, transition: string, ctx: ProviderContext): Promise<TicketRecord> {
    const key = this.parseKey(id);
    const [allowed] = await this.transitionsForTickets([id], ctx);
    if (!key || !allowed || allowed.length === 0) throw notFound(`ticket "${id}" does not exist`);
    const wanted = transition.trim().toLowerCase();
    const chosen = allowed.find((t) => t.id === wanted || t.name.toLowerCase() === wanted || t.to.toLowerCase() === wanted || t.rawTo === wanted);
    if (!chosen) throw badInput(`"${transition}" is not possible for ${key.repo}#${key.number} now; possible: ${allowed.map((t) => `${t.id} (${t.name} → ${t.to})`).join(', ')}`);
    const issue = await this.api.call<GhIssue>({ method: 'PATCH', path: `${repoPath(key.repo)}/issues/${key.number}`, json: PATCH_OF[chosen.id], signal: ctx.signal });
    return (await this.records([issue.body], ctx))[0]!;
  }

  async commentOnTicket(id: string, body: string, ctx: ProviderContext): Promise<TicketRecord> {
    const key = this.parseKey(id);
    if (!key) throw notFound(`ticket "${id}" does not exist`);
    await this.api.call({ method: 'POST', path: `${repoPath(key.repo)}/issues/${key.number}/comments`, json: { body }, signal: ctx.signal });
    const ticket = (await this.getMany([id], ctx))[0];
    if (!ticket) throw notFound(`ticket "${id}" does not exist`);
    return ticket;
  }
}
