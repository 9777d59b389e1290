// The tickets capability over Jira Cloud (REST v3). Lists come from the enhanced JQL search paged by
// `nextPageToken`; batches (`getMany`, comments, transitions, tickets of incidents) are one `key in (...)` or
// `labels in (...)` search each. Every value a caller gave reaches JQL through `jqlString` only.
import type { TicketPriority, TicketStatus } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { badInput, notFound, OpsOrchError } from '../src/errors.ts';
import { composeId, parseId } from '../src/ids.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps, ServiceCatalog } from '../src/provider.ts';
import type {
  NewTicket,
  TicketChanges,
  TicketCommentRecord,
  TicketProvider,
  TicketQuery,
  TicketRecord,
  TicketTransitionRecord,
} from '../src/spi/tickets.ts';
import { ServiceIdentity } from '../kit/identity.ts';
import { allFromVendor, pageFromVendor, type FetchVendorPage } from '../kit/paging.ts';
import { adfFromText, textFromAdf } from './adf.ts';
import { JiraApi, TICKET_FIELDS, type JiraIssue, type JiraStatus, type JiraTransition, type JiraUser } from './api.ts';
import { jqlAnd, jqlIn, jqlTextPhrase } from './jql.ts';
import type { JiraSettings } from './settings.ts';

/** Jira's page size for searches with fields (the enhanced search caps it at 100 when fields are asked for). */
const PAGE_SIZE = 100;
const ISSUE_KEY = /^[A-Z][A-Z0-9_]*-[1-9]\d*$/;
const PROJECT_KEY = /^[A-Z][A-Z0-9_]*$/;
const ORDER = 'updated DESC, key DESC';

/** Status names whose meaning is finer than their category (In Review is "in progress" to Jira). */
const STATUS_NAMES: Record<string, TicketStatus> = {
  'in review': 'IN_REVIEW',
  'code review': 'IN_REVIEW',
  review: 'IN_REVIEW',
  'in qa': 'IN_REVIEW',
  "won't do": 'CANCELLED',
  "won't fix": 'CANCELLED',
  cancelled: 'CANCELLED',
  canceled: 'CANCELLED',
  declined: 'CANCELLED',
  duplicate: 'CANCELLED',
  rejected: 'CANCELLED',
};
const STATUS_CATEGORIES: Record<string, TicketStatus> = { new: 'TODO', indeterminate: 'IN_PROGRESS', done: 'DONE' };
/** The JQL status category each normalized status lives in. */
const CATEGORY_OF: Record<Exclude<TicketStatus, 'UNKNOWN'>, string> = {
  TODO: 'To Do',
  IN_PROGRESS: 'In Progress',
  IN_REVIEW: 'In Progress',
  DONE: 'Done',
  CANCELLED: 'Done',
};

/** Jira's default priority schemes (Highest…Lowest, and the older Blocker…Trivial). */
const PRIORITY_NAMES: Record<string, Exclude<TicketPriority, 'UNKNOWN'>> = {
  highest: 'HIGHEST',
  blocker: 'HIGHEST',
  high: 'HIGH',
  critical: 'HIGH',
  medium: 'MEDIUM',
  major: 'MEDIUM',
  low: 'LOW',
  minor: 'LOW',
  lowest: 'LOWEST',
  trivial: 'LOWEST',
};
const PRIORITY_FOR_NEW: Record<Exclude<TicketPriority, 'UNKNOWN'>, string> = {
  HIGHEST: 'Highest',
  HIGH: 'High',
  MEDIUM: 'Medium',
  LOW: 'Low',
  LOWEST: 'Lowest',
};

const iso = (value: string | undefined): string => (value ? new Date(value).toISOString() : new Date(0).toISOString());

export class JiraTicketProvider implements TicketProvider {
  readonly kind = 'jira';
  readonly instance: string;
  readonly api: JiraApi;
  private readonly site: string;
  private readonly identity: ServiceIdentity;
  private readonly catalog: ServiceCatalog | undefined;
  /** Email → account id, from settings and from the people issues named (Jira assigns by account id). */
  private readonly accountIds = new Map<string, string>();
  /** Account id → email, for people whose email Jira hides. */
  private readonly emails = new Map<string, string>();

  constructor(
    private readonly settings: JiraSettings,
    deps: ProviderDeps,
  ) {
    this.instance = deps.instance;
    this.catalog = deps.catalog;
    const auth = 'bearerToken' in settings.auth ? { bearerToken: settings.auth.bearerToken } : { username: settings.auth.email, password: settings.auth.apiToken };
    this.api = new JiraApi({ baseUrl: settings.url, auth, logger: deps.logger });
    this.site = (settings.siteUrl ?? settings.url).replace(/\/+$/, '');
    this.identity = new ServiceIdentity({ system: 'jira', aliases: settings.serviceAliases, catalog: deps.catalog });
    for (const [email, accountId] of Object.entries(settings.accounts)) {
      this.accountIds.set(email.toLowerCase(), accountId);
      this.emails.set(accountId, email.toLowerCase());
    }
  }

  async checkHealth(ctx: ProviderContext): Promise<void> {
    await this.api.myself(ctx.signal);
  }

  // ---- mapping -------------------------------------------------------------------------------------------------

  statusOf(status: JiraStatus | undefined): TicketStatus {
    const name = status?.name ?? '';
    const configured = this.settings.statusMap[name] ?? Object.entries(this.settings.statusMap).find(([raw]) => raw.toLowerCase() === name.toLowerCase())?.[1];
    return configured ?? STATUS_NAMES[name.toLowerCase()] ?? STATUS_CATEGORIES[status?.statusCategory?.key ?? ''] ?? 'UNKNOWN';
  }

  priorityOf(name: string | undefined): TicketPriority {
    if (!name) return 'UNKNOWN';
    const configured = this.settings.priorityMap[name] ?? Object.entries(this.settings.priorityMap).find(([raw]) => raw.toLowerCase() === name.toLowerCase())?.[1];
    return configured ?? PRIORITY_NAMES[name.toLowerCase()] ?? 'UNKNOWN';
  }

  /** The Jira priority name a new or edited ticket gets: a configured name first, else Jira's default scheme. */
  private priorityName(priority: Exclude<TicketPriority, 'UNKNOWN'>): string {
    return Object.entries(this.settings.priorityMap).find(([, p]) => p === priority)?.[0] ?? PRIORITY_FOR_NEW[priority];
  }

  private emailOf(user: JiraUser | null | undefined): string | null {
    if (!user) return null;
    const email = user.emailAddress?.toLowerCase();
    if (email && user.accountId && !this.accountIds.has(email)) this.accountIds.set(email, user.accountId);
    return email ?? (user.accountId ? (this.emails.get(user.accountId) ?? null) : null);
  }

  private incidentOf(labels: readonly string[]): string | null {
    const label = labels.find((l) => l.startsWith(this.settings.incidentLabelPrefix));
    return label ? label.slice(this.settings.incidentLabelPrefix.length) : null;
  }

  private async toRecords(issues: readonly JiraIssue[], ctx: ProviderContext): Promise<TicketRecord[]> {
    const projects = [...new Set(issues.map((i) => i.fields.project?.key).filter((k): k is string => !!k))];
    const services = await this.identity.toCanonical(projects, ctx);
    return issues.map((issue) => {
      const f = issue.fields;
      const labels = f.labels ?? [];
      return {
        id: composeId(this.instance, issue.key),
        key: issue.key,
        title: f.summary ?? '',
        description: textFromAdf(f.description),
        status: this.statusOf(f.status),
        rawStatus: f.status?.name ?? '',
        priority: this.priorityOf(f.priority?.name),
        rawPriority: f.priority?.name ?? null,
        assigneeId: this.emailOf(f.assignee),
        reporterId: this.emailOf(f.reporter),
        // The incident link is a label OpsOrch manages; it is `incident`, not one of the free-form labels.
        labels: labels.filter((l) => !l.startsWith(this.settings.incidentLabelPrefix)),
        serviceId: f.project?.key ? (services.get(f.project.key) ?? null) : null,
        incidentId: this.incidentOf(labels),
        createdAt: iso(f.created),
        updatedAt: iso(f.updated ?? f.created),
        url: `${this.site}/browse/${issue.key}`,
        source: { provider: 'jira', instance: this.instance, id: issue.key },
      };
    });
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  private keyOf(id: string): string | null {
    const { instance, nativeId } = parseId(id, 'ticket id');
    return instance === this.instance && ISSUE_KEY.test(nativeId) ? nativeId : null;
  }

  /** A JQL search as vendor pages (`nextPageToken`), for the kit's paging. */
  private searchPages(jql: string, ctx: ProviderContext, options: { fields?: readonly string[]; expand?: string } = {}): FetchVendorPage<JiraIssue, string> {
    return async (cursor, limit) => {
      const page = await this.api.search(jql, { fields: options.fields ?? TICKET_FIELDS, maxResults: limit, nextPageToken: cursor, expand: options.expand }, ctx.signal, ctx.logger);
      return { items: page.issues, next: page.nextPageToken };
    };
  }

  /**
   * Issues by key in one `key in (...)` search per 100 keys. Jira refuses the whole JQL (400) when one key does not
   * exist or is hidden; then, and only then, each key is asked on its own so the others still answer.
   */
  private async issuesByKey(keys: readonly string[], ctx: ProviderContext, options: { fields: readonly string[]; expand?: string }): Promise<Map<string, JiraIssue>> {
    const found = new Map<string, JiraIssue>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += PAGE_SIZE) {
      const chunk = unique.slice(i, i + PAGE_SIZE);
      try {
        const issues = await allFromVendor(this.searchPages(jqlIn('key', chunk), ctx, options), { pageSize: PAGE_SIZE, maxItems: chunk.length });
        for (const issue of issues) found.set(issue.key, issue);
      } catch (error) {
        if (!(error instanceof OpsOrchError) || error.code !== 'BAD_USER_INPUT') throw error;
        const one = await Promise.all(
          chunk.map((key) =>
            this.api.issue(key, options, ctx.signal, ctx.logger).catch((e: unknown) => {
              if (e instanceof OpsOrchError && e.code === 'NOT_FOUND') return null;
              throw e;
            }),
          ),
        );
        for (const issue of one) if (issue) found.set(issue.key, issue);
      }
    }
    return found;
  }

  async getMany(ids: readonly string[], ctx: ProviderContext): Promise<(TicketRecord | null)[]> {
    const keys = ids.map((id) => this.keyOf(id));
    const issues = await this.issuesByKey(keys.filter((k): k is string => k !== null), ctx, { fields: TICKET_FIELDS });
    const records = new Map((await this.toRecords([...issues.values()], ctx)).map((r) => [r.key, r]));
    return keys.map((key) => (key ? (records.get(key) ?? null) : null));
  }

  /** Project keys of canonical services: aliases and the catalog's `jira` references; ids that are not keys drop out. */
  private async projectsOf(serviceIds: readonly string[], ctx: ProviderContext): Promise<Map<string, string[]>> {
    const natives = await this.identity.toNative(serviceIds, ctx);
    return new Map(serviceIds.map((id) => [id, (natives.get(id) ?? []).filter((k) => PROJECT_KEY.test(k))]));
  }

  /** The JQL of a filter, or null when it can match nothing (a service with no Jira project). */
  private async jqlOf(filter: TicketQuery, ctx: ProviderContext, withKey = false): Promise<string | null> {
    const clauses: string[] = [];
    if (this.settings.projects.length > 0) clauses.push(jqlIn('project', this.settings.projects));
    let serviceIds = filter.serviceIds ? [...filter.serviceIds] : null;
    if (filter.teamId !== undefined) {
      if (!this.catalog) return null;
      const owned = (await this.catalog.servicesOwnedBy([filter.teamId], ctx))[0] ?? [];
      serviceIds = serviceIds ? serviceIds.filter((s) => owned.includes(s)) : owned;
    }
    if (serviceIds) {
      const projects = [...new Set([...(await this.projectsOf(serviceIds, ctx)).values()].flat())];
      if (projects.length === 0) return null;
      clauses.push(jqlIn('project', projects));
    }
    if (filter.statuses && filter.statuses.length > 0 && !filter.statuses.includes('UNKNOWN')) {
      clauses.push(jqlIn('statusCategory', [...new Set(filter.statuses.map((s) => CATEGORY_OF[s as Exclude<TicketStatus, 'UNKNOWN'>]))]));
    }
    if (filter.text) {
      const key = withKey ? ` OR ${jqlIn('key', [filter.text.toUpperCase()])}` : '';
      clauses.push(`text ~ ${jqlTextPhrase(filter.text)} OR ${jqlIn('labels', [filter.text])}${key}`);
    }
    if (filter.assigneeId) clauses.push(jqlIn('assignee', [this.accountIds.get(filter.assigneeId.toLowerCase()) ?? filter.assigneeId]));
    if (filter.incidentId) clauses.push(jqlIn('labels', [`${this.settings.incidentLabelPrefix}${filter.incidentId}`]));
    return jqlAnd(clauses, ORDER);
  }

  /**
   * Normalized statuses and priorities are finer than what JQL can ask without knowing the site's names (a
   * priority name the site lacks makes Jira refuse the query), so they are checked again on the mapped record.
   */
  private matches(record: TicketRecord, filter: { statuses?: readonly TicketStatus[]; priorities?: readonly TicketPriority[] }): boolean {
    if (filter.statuses && filter.statuses.length > 0 && !filter.statuses.includes(record.status)) return false;
    if (filter.priorities && filter.priorities.length > 0 && !filter.priorities.includes(record.priority)) return false;
    return true;
  }

  private async pageOf(jql: string | null, filter: TicketQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<TicketRecord>> {
    if (jql === null) return { items: [], nextCursor: null };
    const fetchPage = this.searchPages(jql, ctx);
    return pageFromVendor(
      page,
      async (cursor: string | null, limit: number) => {
        const answer = await fetchPage(cursor, limit);
        return { items: (await this.toRecords(answer.items, ctx)).filter((r) => this.matches(r, filter)), next: answer.next };
      },
      { maxPageSize: PAGE_SIZE },
    );
  }

  /**
   * Text that looks like an issue key also matches that key. Jira refuses a query naming a key that does not exist
   * (400), so then the same page is asked without it: the same answer for every page of the walk.
   */
  async query(filter: TicketQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<TicketRecord>> {
    if (filter.text && ISSUE_KEY.test(filter.text.toUpperCase())) {
      try {
        return await this.pageOf(await this.jqlOf(filter, ctx, true), filter, page, ctx);
      } catch (error) {
        if (!(error instanceof OpsOrchError) || error.code !== 'BAD_USER_INPUT') throw error;
      }
    }
    return this.pageOf(await this.jqlOf(filter, ctx), filter, page, ctx);
  }

  async ticketsForServices(
    serviceIds: readonly string[],
    filter: { statuses?: readonly TicketStatus[] },
    page: PageRequest,
    ctx: ProviderContext,
  ): Promise<Page<TicketRecord>[]> {
    return Promise.all(serviceIds.map(async (serviceId) => this.pageOf(await this.jqlOf({ ...filter, serviceIds: [serviceId] }, ctx), filter, page, ctx)));
  }

  /** One `labels in (...)` search for every incident of the batch. */
  async ticketsForIncidents(incidentIds: readonly string[], ctx: ProviderContext): Promise<TicketRecord[][]> {
    if (incidentIds.length === 0) return [];
    const labels = [...new Set(incidentIds)].map((id) => `${this.settings.incidentLabelPrefix}${id}`);
    const scope = this.settings.projects.length > 0 ? [jqlIn('project', this.settings.projects)] : [];
    const issues = await allFromVendor(this.searchPages(jqlAnd([...scope, jqlIn('labels', labels)], ORDER), ctx), { pageSize: PAGE_SIZE, maxItems: 1000 });
    const records = await this.toRecords(issues, ctx);
    return incidentIds.map((id) => records.filter((r) => r.incidentId === id));
  }

  /** Comments of every ticket of the batch from one search (the `comment` field), oldest first. */
  async commentsForTickets(ticketIds: readonly string[], page: PageRequest, ctx: ProviderContext): Promise<Page<TicketCommentRecord>[]> {
    const keys = ticketIds.map((id) => this.keyOf(id));
    const issues = await this.issuesByKey(keys.filter((k): k is string => k !== null), ctx, { fields: ['comment'] });
    return keys.map((key) => {
      const comments = (key ? (issues.get(key)?.fields.comment?.comments ?? []) : [])
        .map((c) => ({ id: composeId(this.instance, `${key}/${c.id}`), authorId: this.emailOf(c.author), body: textFromAdf(c.body) ?? '', createdAt: iso(c.created) }))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      return pageOfArray(comments, page);
    });
  }

  private transitionRecord(t: JiraTransition): TicketTransitionRecord {
    return { id: t.id, name: t.name, to: this.statusOf(t.to), rawTo: t.to?.name ?? '' };
  }

  /** Transitions of every ticket of the batch from one search with `expand=transitions`. */
  async transitionsForTickets(ticketIds: readonly string[], ctx: ProviderContext): Promise<TicketTransitionRecord[][]> {
    const keys = ticketIds.map((id) => this.keyOf(id));
    const issues = await this.issuesByKey(keys.filter((k): k is string => k !== null), ctx, { fields: ['status'], expand: 'transitions' });
    return keys.map((key) => (key ? (issues.get(key)?.transitions ?? []).map((t) => this.transitionRecord(t)) : []));
  }

  // ---- writes --------------------------------------------------------------------------------------------------

  private async one(key: string, ctx: ProviderContext): Promise<TicketRecord> {
    const issue = await this.api.issue(key, { fields: TICKET_FIELDS }, ctx.signal, ctx.logger);
    return (await this.toRecords([issue], ctx))[0]!;
  }

  private ownKey(id: string): string {
    const key = this.keyOf(id);
    if (!key) throw notFound(`ticket "${id}" is not a ${this.instance} issue: expected "${this.instance}:<PROJECT-123>"`);
    return key;
  }

  private accountIdOf(email: string): string {
    const accountId = this.accountIds.get(email.toLowerCase());
    if (!accountId) {
      throw badInput(`Jira ${this.instance} knows no account id for ${email}: Jira assigns by account id; add it under "accounts" in the provider's settings`);
    }
    return accountId;
  }

  private async projectForNew(serviceId: string | null, ctx: ProviderContext): Promise<string> {
    if (serviceId) {
      const project = (await this.projectsOf([serviceId], ctx)).get(serviceId)?.[0];
      if (project) return project;
    }
    if (this.settings.defaultProject) return this.settings.defaultProject;
    throw badInput(
      serviceId
        ? `service "${serviceId}" has no Jira project: add an externalRef (system jira) in the catalog, a serviceAliases entry, or a defaultProject in the settings`
        : `input.serviceId is required: Jira ${this.instance} has no defaultProject for tickets without a service`,
    );
  }

  async createTicket(input: NewTicket, ctx: ProviderContext): Promise<TicketRecord> {
    const project = await this.projectForNew(input.serviceId, ctx);
    const labels = [...input.labels, ...(input.incidentId ? [`${this.settings.incidentLabelPrefix}${input.incidentId}`] : [])];
    const fields: Record<string, unknown> = {
      project: { key: project },
      issuetype: { name: this.settings.issueType },
      summary: input.title,
      priority: { name: this.priorityName(input.priority as Exclude<TicketPriority, 'UNKNOWN'>) },
      labels,
    };
    if (input.description) fields.description = adfFromText(input.description);
    if (input.assigneeId) fields.assignee = { accountId: this.accountIdOf(input.assigneeId) };
    const created = await this.api.createIssue(fields, ctx.signal, ctx.logger);
    return this.one(created.key, ctx);
  }

  async updateTicket(id: string, changes: TicketChanges, ctx: ProviderContext): Promise<TicketRecord> {
    const key = this.ownKey(id);
    const current = await this.api.issue(key, { fields: ['labels', 'project'] }, ctx.signal, ctx.logger);
    const fields: Record<string, unknown> = {};
    if (changes.title !== undefined) fields.summary = changes.title;
    if (changes.description !== undefined) fields.description = changes.description ? adfFromText(changes.description) : null;
    if (changes.priority) fields.priority = { name: this.priorityName(changes.priority as Exclude<TicketPriority, 'UNKNOWN'>) };
    if (changes.assigneeId !== undefined) fields.assignee = changes.assigneeId === null ? null : { accountId: this.accountIdOf(changes.assigneeId) };
    if (changes.serviceId !== undefined) {
      const project = current.fields.project?.key;
      const wanted = changes.serviceId === null ? [] : ((await this.projectsOf([changes.serviceId], ctx)).get(changes.serviceId) ?? []);
      if (!project || !wanted.includes(project)) {
        throw badInput(`a Jira issue's service is its project (${project ?? 'none'}); moving ${key} to another project is done in Jira itself`);
      }
    }
    if (changes.labels !== undefined || changes.incidentId !== undefined) {
      const labels = current.fields.labels ?? [];
      const own = changes.labels ?? labels.filter((l) => !l.startsWith(this.settings.incidentLabelPrefix));
      const incident = changes.incidentId !== undefined ? changes.incidentId : this.incidentOf(labels);
      fields.labels = [...own, ...(incident ? [`${this.settings.incidentLabelPrefix}${incident}`] : [])];
    }
    if (Object.keys(fields).length > 0) await this.api.editIssue(key, fields, ctx.signal, ctx.logger);
    return this.one(key, ctx);
  }

  /** `transition` is a transition id, its name, the target status' name or a normalized status, in that order. */
  async transitionTicket(id: string, transition: string, ctx: ProviderContext): Promise<TicketRecord> {
    const key = this.ownKey(id);
    const available = await this.api.transitions(key, ctx.signal, ctx.logger);
    const wanted = transition.trim().toLowerCase();
    const chosen =
      available.find((t) => t.id === transition.trim()) ??
      available.find((t) => t.name.toLowerCase() === wanted) ??
      available.find((t) => (t.to?.name ?? '').toLowerCase() === wanted) ??
      available.find((t) => this.statusOf(t.to) === transition.trim().toUpperCase());
    if (!chosen) {
      const allowed = available.map((t) => `${t.id} "${t.name}" → ${t.to?.name ?? '?'}`).join(', ') || 'none';
      throw badInput(`${key} cannot take transition "${transition}" from its current status; available: ${allowed}`);
    }
    await this.api.transition(key, chosen.id, ctx.signal, ctx.logger);
    return this.one(key, ctx);
  }

  async commentOnTicket(id: string, body: string, ctx: ProviderContext): Promise<TicketRecord> {
    const key = this.ownKey(id);
    await this.api.comment(key, adfFromText(body), ctx.signal, ctx.logger);
    return this.one(key, ctx);
  }
}
