import {
  badInput,
  parseId,
  type NewTicket,
  type TicketChanges,
  type TicketCommentRecord,
  type TicketQuery,
  type TicketRecord,
} from '@opsorch/adapters';
import type {
  CreateTicketInput,
  MutationCommentOnTicketArgs,
  MutationCreateTicketArgs,
  MutationTransitionTicketArgs,
  MutationUpdateTicketArgs,
  QueryTicketArgs,
  QueryTicketsArgs,
  ServiceTicketsArgs,
  TicketCommentsArgs,
  TicketPriority,
} from '@opsorch/schema';
import { listConnection, loadersFor, newestFirst, requireWrite, writerFor, type RequestContext } from '../shared/index.ts';
import { instanceConnection, oldestFirst } from '../shared/index.ts';
import { createTicketLoaders } from './loaders.ts';

const loaders = (ctx: RequestContext) => loadersFor(ctx, 'tickets', createTicketLoaders);
const byUpdated = newestFirst<TicketRecord>((t) => t.updatedAt);

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const MAX_TEXT = 32_000;

function checkTitle(title: string, field: string): string {
  const trimmed = title.trim();
  if (trimmed.length < 1 || trimmed.length > 255) {
    throw badInput(`${field} must be 1 to 255 characters after trimming, got ${trimmed.length}`);
  }
  return trimmed;
}

function checkText(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > MAX_TEXT) throw badInput(`${field} must be 1 to ${MAX_TEXT} characters, got ${trimmed.length}`);
  return trimmed;
}

function checkEmail(value: string, field: string): string {
  if (!EMAIL.test(value)) throw badInput(`${field} "${value}" is not an email; people are identified by email, for example maya.patel@acme-shop.example`);
  return value.toLowerCase();
}

function checkServiceId(value: string, field: string): string {
  if (!SLUG.test(value)) throw badInput(`${field} "${value}" is not a service id; use the catalog slug, for example "checkout"`);
  return value;
}

function checkIncidentId(value: string, field: string): string {
  parseId(value, field);
  return value;
}

function checkPriority(value: TicketPriority, field: string): TicketPriority {
  if (value === 'UNKNOWN') throw badInput(`${field} UNKNOWN cannot be set; use HIGHEST, HIGH, MEDIUM, LOW or LOWEST`);
  return value;
}

function checkLabels(labels: readonly string[], field: string): string[] {
  if (labels.length > 20) throw badInput(`${field} holds ${labels.length} labels; at most 20 are allowed`);
  for (const label of labels) {
    if (!/^\S{1,255}$/.test(label)) {
      throw badInput(`${field} entry "${label}" is invalid: labels are 1 to 255 characters without spaces (use dashes, for example "follow-up")`);
    }
  }
  return [...new Set(labels)];
}

function validateNewTicket(input: CreateTicketInput): NewTicket {
  return {
    title: checkTitle(input.title, 'input.title'),
    description: input.description == null ? null : input.description.trim() === '' ? null : checkText(input.description, 'input.description'),
    priority: checkPriority(input.priority ?? 'MEDIUM', 'input.priority'),
    assigneeId: input.assigneeId == null ? null : checkEmail(input.assigneeId, 'input.assigneeId'),
    labels: checkLabels(input.labels ?? [], 'input.labels'),
    serviceId: input.serviceId == null ? null : checkServiceId(input.serviceId, 'input.serviceId'),
    incidentId: input.incidentId == null ? null : checkIncidentId(input.incidentId, 'input.incidentId'),
  };
}

function validateChanges(input: MutationUpdateTicketArgs['input']): TicketChanges {
  const changes: TicketChanges = {};
  const notNull = (field: string, hint: string) => badInput(`input.${field} cannot be null; ${hint}`);
  if (input.title !== undefined) {
    if (input.title === null) throw notNull('title', 'every ticket has a title');
    changes.title = checkTitle(input.title, 'input.title');
  }
  if (input.description !== undefined) {
    changes.description = input.description === null || input.description.trim() === '' ? null : checkText(input.description, 'input.description');
  }
  if (input.priority !== undefined) {
    if (input.priority === null) throw notNull('priority', 'pass LOWEST for the lowest priority');
    changes.priority = checkPriority(input.priority, 'input.priority');
  }
  if (input.assigneeId !== undefined) changes.assigneeId = input.assigneeId === null ? null : checkEmail(input.assigneeId, 'input.assigneeId');
  if (input.labels !== undefined) {
    if (input.labels === null) throw notNull('labels', 'pass [] to remove every label');
    changes.labels = checkLabels(input.labels, 'input.labels');
  }
  if (input.serviceId !== undefined) changes.serviceId = input.serviceId === null ? null : checkServiceId(input.serviceId, 'input.serviceId');
  if (input.incidentId !== undefined) changes.incidentId = input.incidentId === null ? null : checkIncidentId(input.incidentId, 'input.incidentId');
  if (Object.keys(changes).length === 0) {
    throw badInput('input has no changes; set at least one of title, description, priority, assigneeId, labels, serviceId, incidentId');
  }
  return changes;
}

function toQuery(filter: QueryTicketsArgs['filter']): TicketQuery {
  if (!filter) return {};
  const query: TicketQuery = {};
  if (filter.statuses) query.statuses = filter.statuses;
  if (filter.priorities) query.priorities = filter.priorities;
  if (filter.scope?.service) query.serviceIds = [checkServiceId(filter.scope.service, 'filter.scope.service')];
  if (filter.scope?.team) query.teamId = filter.scope.team;
  if (filter.text?.trim()) query.text = filter.text.trim();
  if (filter.assignee) query.assigneeId = checkEmail(filter.assignee, 'filter.assignee');
  if (filter.incidentId) query.incidentId = checkIncidentId(filter.incidentId, 'filter.incidentId');
  return query;
}


const write = <T>(ctx: RequestContext, mutation: string, args: { idempotencyKey?: string | null }, run: () => Promise<T>) =>
  ctx.idempotency.run(`tickets\u0000${mutation}`, args.idempotencyKey, args, run);

export const ticketResolvers = {
  Query: {
    tickets: (_: unknown, args: QueryTicketsArgs, ctx: RequestContext) => {
      const query = toQuery(args.filter);
      return listConnection(ctx, 'tickets', args, (provider, page) => provider.query(query, page, ctx.provider), byUpdated);
    },
    ticket: (_: unknown, args: QueryTicketArgs, ctx: RequestContext) => {
      parseId(args.id, 'id');
      return loaders(ctx).ticket.load(args.id);
    },
  },
  Mutation: {
    createTicket: (_: unknown, args: MutationCreateTicketArgs, ctx: RequestContext) => {
      const input = validateNewTicket(args.input);
      const provider = requireWrite('tickets', ctx.registry.all('tickets')[0]!, 'createTicket');
      return write(ctx, 'createTicket', args, () => provider.createTicket(input, ctx.provider));
    },
    updateTicket: (_: unknown, args: MutationUpdateTicketArgs, ctx: RequestContext) => {
      parseId(args.id, 'id');
      const changes = validateChanges(args.input);
      const provider = writerFor(ctx, 'tickets', args.id, 'updateTicket');
      return write(ctx, 'updateTicket', args, () => provider.updateTicket(args.id, changes, ctx.provider));
    },
    transitionTicket: (_: unknown, args: MutationTransitionTicketArgs, ctx: RequestContext) => {
      parseId(args.id, 'id');
      if (!args.transition.trim()) throw badInput('transition is empty; pass a transition id, name or target status from availableTransitions');
      const provider = writerFor(ctx, 'tickets', args.id, 'transitionTicket');
      return write(ctx, 'transitionTicket', args, () => provider.transitionTicket(args.id, args.transition.trim(), ctx.provider));
    },
    commentOnTicket: (_: unknown, args: MutationCommentOnTicketArgs, ctx: RequestContext) => {
      parseId(args.id, 'id');
      const body = checkText(args.body, 'body');
      const provider = writerFor(ctx, 'tickets', args.id, 'commentOnTicket');
      return write(ctx, 'commentOnTicket', args, () => provider.commentOnTicket(args.id, body, ctx.provider));
    },
  },
  Ticket: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext) => loaders(ctx).ticket.load(ref.id),
    assignee: (t: TicketRecord) => (t.assigneeId ? { id: t.assigneeId } : null),
    reporter: (t: TicketRecord) => (t.reporterId ? { id: t.reporterId } : null),
    service: (t: TicketRecord) => (t.serviceId ? { id: t.serviceId } : null),
    incident: (t: TicketRecord) => (t.incidentId ? { id: t.incidentId } : null),
    comments: (t: TicketRecord, args: TicketCommentsArgs, ctx: RequestContext) => {
      const { instance } = parseId(t.id);
      return instanceConnection(
        'tickets',
        instance,
        args,
        (page) => loaders(ctx).comments.load({ instance, parentId: t.id, filter: null, page }),
        oldestFirst<TicketCommentRecord>((c) => c.createdAt),
      );
    },
    availableTransitions: (t: TicketRecord, _: unknown, ctx: RequestContext) => loaders(ctx).transitions.load(t.id),
  },
  TicketComment: {
    author: (c: TicketCommentRecord) => (c.authorId ? { id: c.authorId } : null),
  },
  Service: {
    __resolveReference: (ref: { id: string }) => ref,
    tickets: (service: { id: string }, args: ServiceTicketsArgs, ctx: RequestContext) => {
      const filter = args.statuses ? { statuses: args.statuses } : {};
      return listConnection(
        ctx,
        'tickets',
        args,
        (provider, page) => loaders(ctx).serviceTickets.load({ instance: provider.instance, parentId: service.id, filter, page }),
        byUpdated,
      );
    },
  },
  Incident: {
    __resolveReference: (ref: { id: string }) => ref,
    tickets: (incident: { id: string }, _: unknown, ctx: RequestContext) => loaders(ctx).incidentTickets.load(incident.id),
  },
};
