import type {
  CreateTicketInput,
  Ticket,
  TicketComment,
  TicketPriority,
  TicketStatus,
  TicketTransition,
  UpdateTicketInput,
} from '@opsorch/schema';
import type { ProviderContext } from '../context.ts';
import type { Page, PageRequest } from '../paging.ts';
import type { ProviderBase } from './base.ts';

/** A ticket as a provider returns it: links are ids, resolved by their owning subgraphs. */
export type TicketRecord = Omit<
  Ticket,
  '__typename' | 'assignee' | 'reporter' | 'service' | 'incident' | 'comments' | 'availableTransitions'
> & {
  /** Assignee's lower-case email, or null. */
  assigneeId: string | null;
  /** Reporter's lower-case email, or null. */
  reporterId: string | null;
  /** Canonical service id, or null. */
  serviceId: string | null;
  /** OpsOrch incident id, or null. */
  incidentId: string | null;
};

export type TicketCommentRecord = Omit<TicketComment, '__typename' | 'author'> & {
  /** Author's lower-case email, or null for integrations. */
  authorId: string | null;
};

export type TicketTransitionRecord = Omit<TicketTransition, '__typename'>;

/** What `query` narrows by; every field optional, combined with AND. */
export interface TicketQuery {
  statuses?: readonly TicketStatus[];
  priorities?: readonly TicketPriority[];
  /** Canonical service ids; a ticket matches when its service is one of them. */
  serviceIds?: readonly string[];
  /** Team slug; a ticket matches when its service is owned by the team. */
  teamId?: string;
  text?: string;
  /** Assignee email. */
  assigneeId?: string;
  incidentId?: string;
}

/** Every field present: `Defaulted` ones non-null (the subgraph applied defaults), the others null when absent. */
type Normalized<T, Defaulted extends keyof T> = { [K in keyof T]-?: K extends Defaulted ? NonNullable<T[K]> : Exclude<T[K], undefined> };

/** Fields of a new ticket, validated and defaulted by the subgraph. */
export type NewTicket = Normalized<CreateTicketInput, 'priority' | 'labels'>;

/** Changes to a ticket: an absent key leaves the field alone, null clears it. */
export type TicketChanges = { [K in keyof UpdateTicketInput]?: UpdateTicketInput[K] | null };

/** The tickets capability's provider contract (Jira-like trackers). */
export interface TicketProvider extends ProviderBase {
  /** One slot per id, in key order: the ticket or null. */
  getMany(ids: readonly string[], ctx: ProviderContext): Promise<(TicketRecord | null)[]>;
  /** Tickets matching `filter`, most recently updated first. */
  query(filter: TicketQuery, page: PageRequest, ctx: ProviderContext): Promise<Page<TicketRecord>>;
  /** Per service id, in key order: a page of its tickets (most recently updated first). */
  ticketsForServices(
    serviceIds: readonly string[],
    filter: { statuses?: readonly TicketStatus[] },
    page: PageRequest,
    ctx: ProviderContext,
  ): Promise<Page<TicketRecord>[]>;
  /** Per incident id, in key order: every ticket linked to it (most recently updated first). */
  ticketsForIncidents(incidentIds: readonly string[], ctx: ProviderContext): Promise<TicketRecord[][]>;
  /** Per ticket id, in key order: a page of its comments (oldest first). */
  commentsForTickets(ticketIds: readonly string[], page: PageRequest, ctx: ProviderContext): Promise<Page<TicketCommentRecord>[]>;
  /** Per ticket id, in key order: the transitions possible from its current status (empty for an unknown ticket). */
  transitionsForTickets(ticketIds: readonly string[], ctx: ProviderContext): Promise<TicketTransitionRecord[][]>;

  createTicket?(input: NewTicket, ctx: ProviderContext): Promise<TicketRecord>;
  /** NOT_FOUND for an unknown ticket. */
  updateTicket?(id: string, changes: TicketChanges, ctx: ProviderContext): Promise<TicketRecord>;
  /** `transition` is a transition id, name or target status; BAD_USER_INPUT listing the allowed ones when impossible. */
  transitionTicket?(id: string, transition: string, ctx: ProviderContext): Promise<TicketRecord>;
  commentOnTicket?(id: string, body: string, ctx: ProviderContext): Promise<TicketRecord>;
}
