// Jira Cloud's REST API v3 (../shared/vendor-api/jira.openapi.json), the calls OpsOrch makes. Nothing here knows
// OpsOrch's schema: the tickets provider maps these shapes.
import type { Logger } from '../src/context.ts';
import { HttpClient, type HttpAuth } from '../kit/http.ts';

/** An Atlassian account as issues name it (`UserDetails`); the email is absent when the person hides it. */
export interface JiraUser {
  accountId?: string;
  displayName?: string;
  emailAddress?: string;
}

export interface JiraStatus {
  id?: string;
  name: string;
  statusCategory?: { key?: string; name?: string };
}

export interface JiraComment {
  id: string;
  author?: JiraUser;
  body?: unknown;
  created: string;
}

/** The fields OpsOrch reads (`IssueBean.fields`). */
export interface JiraFields {
  summary?: string;
  description?: unknown;
  status?: JiraStatus;
  priority?: { id?: string; name?: string } | null;
  assignee?: JiraUser | null;
  reporter?: JiraUser | null;
  labels?: string[];
  project?: { id?: string; key: string; name?: string };
  created?: string;
  updated?: string;
  comment?: { comments?: JiraComment[]; total?: number };
}

export interface JiraTransition {
  id: string;
  name: string;
  to?: JiraStatus;
}

export interface JiraIssue {
  id: string;
  key: string;
  fields: JiraFields;
  transitions?: JiraTransition[];
}

/** Fields asked for when listing tickets. */
export const TICKET_FIELDS = ['summary', 'description', 'status', 'priority', 'assignee', 'reporter', 'labels', 'project', 'created', 'updated'];

export interface JiraApiOptions {
  baseUrl: string;
  auth: HttpAuth;
  logger?: Logger;
}

/** One page of the enhanced JQL search. */
export interface SearchPage {
  issues: JiraIssue[];
  nextPageToken: string | null;
}

export class JiraApi {
  readonly http: HttpClient;

  constructor(options: JiraApiOptions) {
    this.http = new HttpClient({ baseUrl: options.baseUrl, tool: 'Jira', auth: options.auth, logger: options.logger });
  }

  /**
   * The enhanced JQL search (`POST /rest/api/3/search/jql`), paged by `nextPageToken`. POST keeps long JQL (a bulk
   * `key in (...)`) out of the URL. `expand` may ask for `transitions`.
   */
  async search(
    jql: string,
    options: { fields: readonly string[]; maxResults: number; nextPageToken: string | null; expand?: string },
    signal: AbortSignal,
    logger?: Logger,
  ): Promise<SearchPage> {
    const body = await this.http.json<{ issues?: JiraIssue[]; nextPageToken?: string; isLast?: boolean }>({
      method: 'POST',
      path: '/rest/api/3/search/jql',
      json: {
        jql,
        fields: options.fields,
        maxResults: options.maxResults,
        ...(options.nextPageToken ? { nextPageToken: options.nextPageToken } : {}),
        ...(options.expand ? { expand: options.expand } : {}),
      },
      signal,
      logger,
    });
    const issues = body?.issues ?? [];
    // `isLast` wins; an answer without it continues while Jira hands a token.
    return { issues, nextPageToken: body?.isLast === true ? null : (body?.nextPageToken ?? null) };
  }

  issue(key: string, options: { fields: readonly string[]; expand?: string }, signal: AbortSignal, logger?: Logger): Promise<JiraIssue> {
    return this.http.json<JiraIssue>({ path: `/rest/api/3/issue/${encodeURIComponent(key)}`, query: { fields: options.fields.join(','), expand: options.expand }, signal, logger });
  }

  createIssue(fields: Record<string, unknown>, signal: AbortSignal, logger?: Logger): Promise<{ id: string; key: string }> {
    return this.http.json({ method: 'POST', path: '/rest/api/3/issue', json: { fields }, signal, logger });
  }

  async editIssue(key: string, fields: Record<string, unknown>, signal: AbortSignal, logger?: Logger): Promise<void> {
    await this.http.send({ method: 'PUT', path: `/rest/api/3/issue/${encodeURIComponent(key)}`, json: { fields }, signal, logger });
  }

  async transitions(key: string, signal: AbortSignal, logger?: Logger): Promise<JiraTransition[]> {
    const body = await this.http.json<{ transitions?: JiraTransition[] }>({ path: `/rest/api/3/issue/${encodeURIComponent(key)}/transitions`, signal, logger });
    return body?.transitions ?? [];
  }

  async transition(key: string, transitionId: string, signal: AbortSignal, logger?: Logger): Promise<void> {
    await this.http.send({ method: 'POST', path: `/rest/api/3/issue/${encodeURIComponent(key)}/transitions`, json: { transition: { id: transitionId } }, signal, logger });
  }

  async comment(key: string, body: unknown, signal: AbortSignal, logger?: Logger): Promise<void> {
    await this.http.send({ method: 'POST', path: `/rest/api/3/issue/${encodeURIComponent(key)}/comment`, json: { body }, signal, logger });
  }

  myself(signal: AbortSignal): Promise<JiraUser> {
    return this.http.json<JiraUser>({ path: '/rest/api/3/myself', signal });
  }
}
