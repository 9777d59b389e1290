import type { TicketPriority, TicketStatus } from '@opsorch/schema';
import type { Actor, ProviderContext } from '../src/context.ts';
import { badInput, notFound } from '../src/errors.ts';
import { composeId, parseId } from '../src/ids.ts';
import { pageOfArray, type Page, type PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type {
  NewTicket,
  TicketChanges,
  TicketCommentRecord,
  TicketProvider,
  TicketQuery,
  TicketRecord,
  TicketTransitionRecord,
} from '../src/spi/tickets.ts';
import { minutesAgo } from './clock.ts';
import { personById, personByEmail, scenarios, serviceById, storyOf } from './world.ts';

const JIRA = 'https://acme-shop.atlassian.net';
const PROJECT = 'OPS';
/** Scenario incidents live in the incidents capability's demo instance, whatever this instance is called. */
const DEMO_INCIDENTS_INSTANCE = 'demo';

type RawStatus = 'To Do' | 'In Progress' | 'In Review' | 'Done' | 'Cancelled';
type RawPriority = 'Highest' | 'High' | 'Medium' | 'Low' | 'Lowest';

const STATUS: Record<RawStatus, TicketStatus> = {
  'To Do': 'TODO',
  'In Progress': 'IN_PROGRESS',
  'In Review': 'IN_REVIEW',
  Done: 'DONE',
  Cancelled: 'CANCELLED',
};

const PRIORITY: Record<RawPriority, TicketPriority> = {
  Highest: 'HIGHEST',
  High: 'HIGH',
  Medium: 'MEDIUM',
  Low: 'LOW',
  Lowest: 'LOWEST',
};

const RAW_PRIORITY = Object.fromEntries(Object.entries(PRIORITY).map(([raw, p]) => [p, raw])) as Record<TicketPriority, RawPriority>;

interface Transition {
  id: string;
  name: string;
  to: RawStatus;
}

/** The OPS project's workflow, with Jira-style transition ids. */
const WORKFLOW: Record<RawStatus, Transition[]> = {
  'To Do': [
    { id: '11', name: 'Start Progress', to: 'In Progress' },
    { id: '51', name: 'Cancel', to: 'Cancelled' },
  ],
  'In Progress': [
    { id: '21', name: 'Submit for Review', to: 'In Review' },
    { id: '41', name: 'Stop Progress', to: 'To Do' },
    { id: '51', name: 'Cancel', to: 'Cancelled' },
  ],
  'In Review': [
    { id: '31', name: 'Done', to: 'Done' },
    { id: '61', name: 'Request Changes', to: 'In Progress' },
    { id: '51', name: 'Cancel', to: 'Cancelled' },
  ],
  Done: [{ id: '71', name: 'Reopen', to: 'To Do' }],
  Cancelled: [{ id: '71', name: 'Reopen', to: 'To Do' }],
};

interface StoredComment {
  number: number;
  authorId: string | null;
  body: string;
  createdAt: string;
}

interface StoredTicket {
  key: string;
  title: string;
  description: string | null;
  status: RawStatus;
  priority: RawPriority;
  assigneeId: string | null;
  reporterId: string | null;
  labels: string[];
  serviceId: string | null;
  incidentId: string | null;
  createdAt: string;
  updatedAt: string;
  comments: StoredComment[];
}

interface BacklogTicket {
  number: number;
  title: string;
  description: string;
  status: RawStatus;
  priority: RawPriority;
  assignee: string;
  reporter: string;
  serviceId: string;
  labels: string[];
  createdMinutesAgo: number;
  comments: { author: string; minutesAgo: number; body: string }[];
}

const DAY = 1440;

/** Ordinary operational work that is not tied to a live scenario. */
const BACKLOG: readonly BacklogTicket[] = [
  {
    number: 280,
    title: 'Upgrade orders-db from PostgreSQL 15 to 16',
    description: 'Plan the major upgrade with pg_upgrade --link on a replica first; measure the failover window in staging.',
    status: 'To Do',
    priority: 'Medium',
    assignee: 'sofia-marchetti',
    reporter: 'daniel-okafor',
    serviceId: 'orders-db',
    labels: ['postgres', 'upgrade'],
    createdMinutesAgo: 12 * DAY,
    comments: [{ author: 'sofia-marchetti', minutesAgo: 11 * DAY, body: 'Blocked on the PgBouncer 1.22 rollout; picking it up after that.' }],
  },
  {
    number: 284,
    title: 'Add SLO burn-rate alerts for checkout',
    description: 'Replace the static 2% error-rate threshold with multi-window burn-rate alerts on the 99.9% availability SLO.',
    status: 'In Progress',
    priority: 'High',
    assignee: 'diego-ramirez',
    reporter: 'alice-nguyen',
    serviceId: 'checkout',
    labels: ['slo', 'alerting'],
    createdMinutesAgo: 9 * DAY,
    comments: [{ author: 'diego-ramirez', minutesAgo: 2 * DAY, body: 'Recording rules merged; the alert rules are in review.' }],
  },
  {
    number: 287,
    title: 'Rotate Stripe restricted API keys',
    description: 'Quarterly rotation of the restricted keys used by stripe-bridge; update Vault and restart the pods one by one.',
    status: 'In Review',
    priority: 'High',
    assignee: 'olivia-brooks',
    reporter: 'samuel-adeyemi',
    serviceId: 'stripe-bridge',
    labels: ['security', 'stripe'],
    createdMinutesAgo: 6 * DAY,
    comments: [],
  },
  {
    number: 289,
    title: 'Flaky canary check for search autocomplete',
    description: 'The synthetic autocomplete check times out about once a day at 2s; raise it or fix the cold-cache path.',
    status: 'To Do',
    priority: 'Low',
    assignee: 'zoe-kim',
    reporter: 'liam-obrien',
    serviceId: 'search',
    labels: ['canary', 'flaky'],
    createdMinutesAgo: 5 * DAY,
    comments: [],
  },
  {
    number: 291,
    title: 'Kafka broker disk alert fires at 70% instead of 80%',
    description: 'The threshold in the kafka alert rules was copied from the staging values.',
    status: 'Done',
    priority: 'Lowest',
    assignee: 'emma-lindqvist',
    reporter: 'ravi-deshpande',
    serviceId: 'kafka',
    labels: ['alerting', 'kafka'],
    createdMinutesAgo: 4 * DAY,
    comments: [{ author: 'emma-lindqvist', minutesAgo: 3 * DAY, body: 'Fixed in alert-rules PR #212 and deployed.' }],
  },
  {
    number: 296,
    title: 'Document sessions-cache failover procedure',
    description: 'Write down the manual Redis failover (sentinel failover, client reconnect check) as a runbook.',
    status: 'In Review',
    priority: 'Medium',
    assignee: 'tomas-silva',
    reporter: 'priya-raman',
    serviceId: 'sessions-cache',
    labels: ['docs', 'redis'],
    createdMinutesAgo: 3 * DAY,
    comments: [{ author: 'hana-kobayashi', minutesAgo: DAY, body: 'Please add how to verify the cart snapshots survived the failover.' }],
  },
  {
    number: 301,
    title: 'Gateway rate limit on /v1/search too strict for the mobile app',
    description: 'Mobile autocomplete sends a request per keystroke and hits the 20 rps per-token limit.',
    status: 'Cancelled',
    priority: 'Low',
    assignee: 'lena-fischer',
    reporter: 'arjun-mehta',
    serviceId: 'api-gateway',
    labels: ['rate-limit', 'mobile'],
    createdMinutesAgo: 2 * DAY,
    comments: [{ author: 'lena-fischer', minutesAgo: DAY + 600, body: "Won't do: the mobile app now debounces keystrokes (release 7.4)." }],
  },
  {
    number: 308,
    title: 'notifications: retry SMS sends on Twilio 429',
    description: 'SMS order confirmations are dropped when Twilio rate-limits us; retry with backoff and a dead-letter topic.',
    status: 'In Progress',
    priority: 'Medium',
    assignee: 'arjun-mehta',
    reporter: 'nora-haddad',
    serviceId: 'notifications',
    labels: ['sms', 'reliability'],
    createdMinutesAgo: DAY - 120,
    comments: [],
  },
];

const emailOfPerson = (personId: string): string | null => personById.get(personId)?.email ?? null;

/** The caller as a tracker user: people are identified by email; agents and anonymous callers are not users. */
function emailOfActor(actor: Actor): string | null {
  return /^[^@\s]+@[^@\s]+$/.test(actor.id) ? actor.id.toLowerCase() : null;
}

/** Lower-cased with spaces, dashes and underscores removed: `IN_PROGRESS`, `In Progress` and `in-progress` agree. */
const normalize = (value: string): string => value.toLowerCase().replace(/[\s_-]+/g, '');

function seedTickets(): StoredTicket[] {
  const out: StoredTicket[] = [];
  for (const s of scenarios) {
    const t = s.ticket;
    const story = storyOf(s);
    const createdAt = minutesAgo(t.createdMinutesAgo).toISOString();
    // The tracker integration files the first comment; people's later incident notes follow.
    const comments: StoredComment[] = [
      { number: 0, authorId: null, body: `Linked to PagerDuty incident #${s.incident.number} (${s.title}).`, createdAt },
      ...story.timeline
        .filter((e) => e.actorId && (e.kind === 'note' || e.kind === 'status_update') && e.minutesAgo < t.createdMinutesAgo)
        .map((e) => ({ number: 0, authorId: emailOfPerson(e.actorId!), body: e.message, createdAt: minutesAgo(e.minutesAgo).toISOString() })),
    ];
    out.push({
      key: t.key,
      title: t.title,
      description: t.description,
      status: t.status,
      priority: t.priority,
      assigneeId: emailOfPerson(story.ticket.assigneeId),
      reporterId: emailOfPerson(story.ticket.reporterId),
      labels: [...t.labels],
      serviceId: s.rootServiceId,
      incidentId: composeId(DEMO_INCIDENTS_INSTANCE, s.incident.nativeId),
      createdAt,
      updatedAt: comments[comments.length - 1]!.createdAt,
      comments,
    });
  }
  for (const b of BACKLOG) {
    const createdAt = minutesAgo(b.createdMinutesAgo).toISOString();
    const comments = b.comments.map((c) => ({
      number: 0,
      authorId: emailOfPerson(c.author),
      body: c.body,
      createdAt: minutesAgo(c.minutesAgo).toISOString(),
    }));
    out.push({
      key: `${PROJECT}-${b.number}`,
      title: b.title,
      description: b.description,
      status: b.status,
      priority: b.priority,
      assigneeId: emailOfPerson(b.assignee),
      reporterId: emailOfPerson(b.reporter),
      labels: [...b.labels],
      serviceId: b.serviceId,
      incidentId: null,
      createdAt,
      updatedAt: comments.length > 0 ? comments[comments.length - 1]!.createdAt : createdAt,
      comments,
    });
  }
  // Jira comment ids are global and increasing.
  let commentNumber = 10200;
  for (const c of out.flatMap((t) => t.comments).sort((a, b) => a.createdAt.localeCompare(b.createdAt))) c.number = commentNumber++;
  return out;
}

const byUpdatedDesc = (a: StoredTicket, b: StoredTicket): number =>
  b.updatedAt.localeCompare(a.updatedAt) || a.key.localeCompare(b.key);

/** A Jira-like tracker over the demo world: scenario follow-ups plus an ordinary backlog, editable in memory. */
export class DemoTicketProvider implements TicketProvider {
  readonly kind = 'demo';
  private readonly tickets = new Map<string, StoredTicket>();
  private nextTicketNumber: number;
  private nextCommentNumber: number;

  constructor(readonly instance: string) {
    for (const t of seedTickets()) this.tickets.set(t.key, t);
    const numbers = [...this.tickets.keys()].map((k) => Number(k.split('-')[1]));
    this.nextTicketNumber = Math.max(...numbers) + 1;
    this.nextCommentNumber = Math.max(0, ...[...this.tickets.values()].flatMap((t) => t.comments.map((c) => c.number))) + 1;
  }

  private toRecord(t: StoredTicket): TicketRecord {
    return {
      id: composeId(this.instance, t.key),
      key: t.key,
      title: t.title,
      description: t.description,
      status: STATUS[t.status],
      rawStatus: t.status,
      priority: PRIORITY[t.priority],
      rawPriority: t.priority,
      assigneeId: t.assigneeId,
      reporterId: t.reporterId,
      labels: [...t.labels],
      serviceId: t.serviceId,
      incidentId: t.incidentId,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      url: `${JIRA}/browse/${t.key}`,
      source: { provider: 'demo', instance: this.instance, id: t.key },
    };
  }

  private stored(id: string): StoredTicket | undefined {
    return this.tickets.get(parseId(id, 'ticket id').nativeId.toUpperCase());
  }

  private mustGet(id: string): StoredTicket {
    const t = this.stored(id);
    if (!t) throw notFound(`ticket "${id}" does not exist in ${this.instance}; list tickets with the tickets query`);
    return t;
  }

  private sorted(): StoredTicket[] {
    return [...this.tickets.values()].sort(byUpdatedDesc);
  }

  async getMany(ids: readonly string[], _ctx: ProviderContext): Promise<(TicketRecord | null)[]> {
    return ids.map((id) => {
      const t = this.stored(id);
      return t ? this.toRecord(t) : null;
    });
  }

  async query(filter: TicketQuery, page: PageRequest, _ctx: ProviderContext): Promise<Page<TicketRecord>> {
    const text = filter.text?.trim().toLowerCase();
    const assignee = filter.assigneeId?.toLowerCase();
    const matches = this.sorted().filter(
      (t) =>
        (!filter.statuses || filter.statuses.includes(STATUS[t.status])) &&
        (!filter.priorities || filter.priorities.includes(PRIORITY[t.priority])) &&
        (!filter.serviceIds || (t.serviceId !== null && filter.serviceIds.includes(t.serviceId))) &&
        (!filter.teamId || (t.serviceId !== null && serviceById.get(t.serviceId)?.ownerTeamId === filter.teamId)) &&
        (!assignee || t.assigneeId === assignee) &&
        (!filter.incidentId || t.incidentId === filter.incidentId) &&
        (!text || [t.key, t.title, t.description ?? '', ...t.labels].some((field) => field.toLowerCase().includes(text))),
    );
    return pageOfArray(matches.map((t) => this.toRecord(t)), page);
  }

  async ticketsForServices(
    serviceIds: readonly string[],
    filter: { statuses?: readonly TicketStatus[] },
    page: PageRequest,
    _ctx: ProviderContext,
  ): Promise<Page<TicketRecord>[]> {
    const all = this.sorted().filter((t) => !filter.statuses || filter.statuses.includes(STATUS[t.status]));
    return serviceIds.map((serviceId) => pageOfArray(all.filter((t) => t.serviceId === serviceId).map((t) => this.toRecord(t)), page));
  }

  async ticketsForIncidents(incidentIds: readonly string[], _ctx: ProviderContext): Promise<TicketRecord[][]> {
    const all = this.sorted();
    return incidentIds.map((incidentId) => all.filter((t) => t.incidentId === incidentId).map((t) => this.toRecord(t)));
  }

  async commentsForTickets(ticketIds: readonly string[], page: PageRequest, _ctx: ProviderContext): Promise<Page<TicketCommentRecord>[]> {
    return ticketIds.map((id) => {
      const t = this.stored(id);
      const comments = (t?.comments ?? []).map((c) => ({
        id: composeId(this.instance, `${t!.key}/${c.number}`),
        authorId: c.authorId,
        body: c.body,
        createdAt: c.createdAt,
      }));
      return pageOfArray(comments, page);
    });
  }

  async transitionsForTickets(ticketIds: readonly string[], _ctx: ProviderContext): Promise<TicketTransitionRecord[][]> {
    return ticketIds.map((id) => {
      const t = this.stored(id);
      return t ? WORKFLOW[t.status].map((tr) => ({ id: tr.id, name: tr.name, to: STATUS[tr.to], rawTo: tr.to })) : [];
    });
  }

  private checkAssignee(email: string | null | undefined): void {
    if (email && !personByEmail.has(email.toLowerCase())) {
      throw badInput(`assigneeId "${email}" is not a user of the tracker; pass a person's email, for example maya.patel@acme-shop.example`);
    }
  }

  private checkService(serviceId: string | null | undefined): void {
    if (serviceId && !serviceById.has(serviceId)) {
      throw badInput(`serviceId "${serviceId}" is not a catalog service; pass a service slug such as "checkout" (see the services query)`);
    }
  }

  async createTicket(input: NewTicket, ctx: ProviderContext): Promise<TicketRecord> {
    this.checkAssignee(input.assigneeId);
    this.checkService(input.serviceId);
    const now = ctx.now.toISOString();
    const ticket: StoredTicket = {
      key: `${PROJECT}-${this.nextTicketNumber++}`,
      title: input.title,
      description: input.description,
      status: 'To Do',
      priority: RAW_PRIORITY[input.priority],
      assigneeId: input.assigneeId?.toLowerCase() ?? null,
      reporterId: emailOfActor(ctx.actor),
      labels: [...input.labels],
      serviceId: input.serviceId,
      incidentId: input.incidentId,
      createdAt: now,
      updatedAt: now,
      comments: [],
    };
    this.tickets.set(ticket.key, ticket);
    return this.toRecord(ticket);
  }

  async updateTicket(id: string, changes: TicketChanges, ctx: ProviderContext): Promise<TicketRecord> {
    const t = this.mustGet(id);
    this.checkAssignee(changes.assigneeId);
    this.checkService(changes.serviceId);
    if (changes.title != null) t.title = changes.title;
    if (changes.description !== undefined) t.description = changes.description;
    if (changes.priority != null) t.priority = RAW_PRIORITY[changes.priority];
    if (changes.assigneeId !== undefined) t.assigneeId = changes.assigneeId?.toLowerCase() ?? null;
    if (changes.labels != null) t.labels = [...changes.labels];
    if (changes.serviceId !== undefined) t.serviceId = changes.serviceId;
    if (changes.incidentId !== undefined) t.incidentId = changes.incidentId;
    t.updatedAt = ctx.now.toISOString();
    return this.toRecord(t);
  }

  async transitionTicket(id: string, transition: string, ctx: ProviderContext): Promise<TicketRecord> {
    const t = this.mustGet(id);
    const wanted = normalize(transition);
    const allowed = WORKFLOW[t.status];
    const match = allowed.find(
      (tr) => tr.id === transition.trim() || normalize(tr.name) === wanted || normalize(tr.to) === wanted || normalize(STATUS[tr.to]) === wanted,
    );
    if (!match) {
      const options = allowed.map((tr) => `"${tr.id}" (${tr.name} → ${STATUS[tr.to]})`).join(', ');
      throw badInput(`ticket ${t.key} is ${STATUS[t.status]} ("${t.status}") and cannot take transition "${transition}"; allowed: ${options}`);
    }
    t.status = match.to;
    t.updatedAt = ctx.now.toISOString();
    return this.toRecord(t);
  }

  async commentOnTicket(id: string, body: string, ctx: ProviderContext): Promise<TicketRecord> {
    const t = this.mustGet(id);
    const now = ctx.now.toISOString();
    t.comments.push({ number: this.nextCommentNumber++, authorId: emailOfActor(ctx.actor), body, createdAt: now });
    t.updatedAt = now;
    return this.toRecord(t);
  }
}

export function createDemoTicketProvider(_settings: unknown, deps: ProviderDeps): TicketProvider {
  return new DemoTicketProvider(deps.instance);
}
