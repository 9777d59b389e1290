// Test code: a Jira Cloud contract fake's issue store and handlers, shared by the adapter's tests and its benchmark.
// Searches are answered by reading the JQL strictly (jql-parser.ts); a key that does not exist makes Jira refuse the
// whole query with 400, as the real one does.
import type { ContractFake, FakeReply, FakeRequest } from '../../kit/contract-fake.ts';
import { matchesJql, parseJql } from './jql-parser.ts';

export const SITE = 'https://acme-shop.atlassian.net';

export interface StoredIssue {
  id: string;
  key: string;
  project: string;
  summary: string;
  description: unknown;
  status: { name: string; category: 'new' | 'indeterminate' | 'done' };
  priority: string | null;
  assignee: { accountId: string; emailAddress?: string; displayName: string } | null;
  labels: string[];
  created: string;
  updated: string;
  comments: { id: string; author: { accountId: string; emailAddress?: string; displayName: string }; body: unknown; created: string }[];
}

export const adf = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
export const MAYA = { accountId: '5b10a2844c20165700ede21g', emailAddress: 'maya.patel@acme-shop.example', displayName: 'Maya Patel' };
export const HIDDEN = { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Jonas Weber' };
const CATEGORY_NAME = { new: 'To Do', indeterminate: 'In Progress', done: 'Done' } as const;
export const WORKFLOW: Record<string, { id: string; name: string; to: string; category: StoredIssue['status']['category'] }[]> = {
  'To Do': [{ id: '21', name: 'Start Progress', to: 'In Progress', category: 'indeterminate' }, { id: '41', name: "Won't Do", to: 'Cancelled', category: 'done' }],
  'In Progress': [{ id: '31', name: 'Send to Review', to: 'In Review', category: 'indeterminate' }, { id: '51', name: 'Done', to: 'Done', category: 'done' }],
  'In Review': [{ id: '51', name: 'Done', to: 'Done', category: 'done' }],
  Done: [],
  Cancelled: [],
};

let nextId = 10100;
export function issue(key: string, overrides: Partial<StoredIssue> = {}): StoredIssue {
  const minutes = Number(key.split('-')[1]);
  return {
    id: String(nextId++),
    key,
    project: key.split('-')[0]!,
    summary: `Follow-up ${key}`,
    description: adf(`Details of ${key}`),
    status: { name: 'To Do', category: 'new' },
    priority: 'Medium',
    assignee: null,
    labels: [],
    created: new Date(Date.UTC(2026, 10, 1, 8, minutes)).toISOString().replace('Z', '+0000'),
    updated: new Date(Date.UTC(2026, 10, 2, 8, minutes)).toISOString().replace('Z', '+0000'),
    comments: [],
    ...overrides,
  };
}

function fieldsOf(i: StoredIssue, wanted: string[]) {
  const all: Record<string, unknown> = {
    summary: i.summary,
    description: i.description,
    status: { id: '1', name: i.status.name, statusCategory: { key: i.status.category, name: CATEGORY_NAME[i.status.category] } },
    priority: i.priority ? { id: '3', name: i.priority } : null,
    assignee: i.assignee,
    reporter: MAYA,
    labels: i.labels,
    project: { id: '10000', key: i.project, name: i.project },
    created: i.created,
    updated: i.updated,
    comment: { comments: i.comments, total: i.comments.length, maxResults: i.comments.length, startAt: 0 },
  };
  return Object.fromEntries(wanted.filter((f) => f in all).map((f) => [f, all[f]]));
}

export function bean(i: StoredIssue, fields: string[], expand = '') {
  const transitions = (WORKFLOW[i.status.name] ?? []).map((t) => ({
    id: t.id,
    name: t.name,
    to: { id: '3', name: t.to, statusCategory: { key: t.category, name: CATEGORY_NAME[t.category] } },
  }));
  return { id: i.id, key: i.key, self: `${SITE}/rest/api/3/issue/${i.id}`, fields: fieldsOf(i, fields), ...(expand.includes('transitions') ? { transitions } : {}) };
}

function valuesOf(i: StoredIssue, field: string): string[] {
  switch (field) {
    case 'key':
      return [i.key];
    case 'project':
      return [i.project];
    case 'statusCategory':
      return [CATEGORY_NAME[i.status.category]];
    case 'labels':
      return i.labels;
    case 'assignee':
      return i.assignee ? [i.assignee.accountId, i.assignee.emailAddress ?? ''] : [];
    case 'text':
      return [i.summary, JSON.stringify(i.description)];
    default:
      throw new Error(`the fake does not search by ${field}`);
  }
}

/** The enhanced search: JQL read strictly; Jira refuses a key that does not exist (400), as the real one does. */
function search(issues: StoredIssue[], request: FakeRequest, jqlSeen: string[], pageSize: number): FakeReply {
  const body = request.body as { jql: string; fields: string[]; maxResults: number; nextPageToken?: string; expand?: string };
  jqlSeen.push(body.jql);
  let parsed: ReturnType<typeof parseJql>;
  try {
    parsed = parseJql(body.jql);
  } catch (error) {
    return { status: 400, body: { errorMessages: [`Error in the JQL Query: ${(error as Error).message}`], errors: {} } };
  }
  const keys = JSON.stringify(parsed.where).match(/"field":"key","op":"[^"]+","values":\[([^\]]*)\]/)?.[1];
  const missing = keys ? (JSON.parse(`[${keys}]`) as string[]).filter((k) => !issues.some((i) => i.key === k)) : [];
  if (missing.length > 0) return { status: 400, body: { errorMessages: [`An issue with key '${missing[0]}' does not exist for field 'key'.`], errors: {} } };
  const matching = issues
    .filter((i) => matchesJql(parsed.where, (field) => valuesOf(i, field)))
    .sort((a, b) => b.updated.localeCompare(a.updated) || b.key.localeCompare(a.key));
  const start = body.nextPageToken ? Number(Buffer.from(body.nextPageToken, 'base64').toString()) : 0;
  const page = matching.slice(start, start + Math.min(body.maxResults, pageSize));
  const end = start + page.length;
  const isLast = end >= matching.length;
  return {
    body: {
      issues: page.map((i) => bean(i, body.fields, body.expand)),
      isLast,
      ...(isLast ? {} : { nextPageToken: Buffer.from(String(end)).toString('base64') }),
    },
  };
}

export interface JiraFakeState {
  issues: () => StoredIssue[];
  /** A failure to answer reads with instead (401, 429, 5xx, a slow answer), or null. */
  failure?: () => FakeReply | Promise<FakeReply> | null;
  /** Every JQL searched, in order. */
  jqlSeen?: string[];
  /** Jira answers at most this many issues per page, whatever maxResults asks, as it may (default 3: tests walk pages). */
  pageSize?: number;
}

/** Serves every Jira operation the adapter uses from the state's issues. */
export function serveJira(fake: ContractFake, state: JiraFakeState): ContractFake {
  const failure = () => state.failure?.() ?? null;
  const found = (key: string) => state.issues().find((i) => i.key === key);
  const issues = state.issues;
  const jqlSeen = state.jqlSeen ?? [];
  return fake
    .on('POST /rest/api/3/search/jql', (r) => failure() ?? search(issues(), r, jqlSeen, state.pageSize ?? 3))
    .on('GET /rest/api/3/issue/{issueIdOrKey}', (r) => {
      const i = found(r.params.issueIdOrKey!);
      if (!i) return { status: 404 };
      return { body: bean(i, (r.query.get('fields') ?? '').split(','), r.query.get('expand') ?? '') };
    })
    .on('POST /rest/api/3/issue', (r) => {
      const fields = (r.body as { fields: Record<string, any> }).fields;
      const key = `${fields.project.key}-${issues().length + 1}`;
      const created = issue(key, {
        summary: fields.summary,
        description: fields.description ?? null,
        priority: fields.priority?.name ?? null,
        labels: fields.labels ?? [],
        assignee: fields.assignee ? [MAYA, HIDDEN].find((p) => p.accountId === fields.assignee.accountId) ?? null : null,
        updated: new Date().toISOString().replace('Z', '+0000'),
      });
      issues().push(created);
      return { status: 201, body: { id: created.id, key: created.key, self: `${SITE}/rest/api/3/issue/${created.id}` } };
    })
    .on('PUT /rest/api/3/issue/{issueIdOrKey}', (r) => {
      const i = found(r.params.issueIdOrKey!);
      if (!i) return { status: 404 };
      const fields = (r.body as { fields: Record<string, any> }).fields;
      if (fields.summary !== undefined) i.summary = fields.summary;
      if (fields.labels !== undefined) i.labels = fields.labels;
      if (fields.priority !== undefined) i.priority = fields.priority.name;
      return { status: 204 };
    })
    .on('GET /rest/api/3/issue/{issueIdOrKey}/transitions', (r) => {
      const i = found(r.params.issueIdOrKey!);
      if (!i) return { status: 404 };
      return { body: { transitions: bean(i, [], 'transitions').transitions } };
    })
    .on('POST /rest/api/3/issue/{issueIdOrKey}/transitions', (r) => {
      const i = found(r.params.issueIdOrKey!);
      if (!i) return { status: 404 };
      const t = (WORKFLOW[i.status.name] ?? []).find((x) => x.id === (r.body as { transition: { id: string } }).transition.id);
      if (!t) return { status: 400 };
      i.status = { name: t.to, category: t.category };
      return { status: 204 };
    })
    .on('POST /rest/api/3/issue/{issueIdOrKey}/comment', (r) => {
      const i = found(r.params.issueIdOrKey!);
      if (!i) return { status: 404 };
      const comment = { id: String(30000 + i.comments.length), author: MAYA, body: (r.body as { body: unknown }).body, created: new Date().toISOString().replace('Z', '+0000') };
      i.comments.push(comment);
      return { status: 201, body: comment };
    })
    .on('GET /rest/api/3/myself', () => failure() ?? { body: { accountId: MAYA.accountId, displayName: 'OpsOrch bot', active: true } });
}
