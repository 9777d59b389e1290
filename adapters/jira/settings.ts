import { z } from 'zod';
import { secret, serviceIdentitySettingsShape } from '../kit/settings.ts';

const ticketStatus = z.enum(['TODO', 'IN_PROGRESS', 'IN_REVIEW', 'DONE', 'CANCELLED']);
const ticketPriority = z.enum(['HIGHEST', 'HIGH', 'MEDIUM', 'LOW', 'LOWEST']);
/** Jira project keys: an upper-case letter, then upper-case letters, digits or underscores. */
export const projectKey = z.string().regex(/^[A-Z][A-Z0-9_]{0,254}$/, 'a Jira project key such as OPS');

/** Settings of the `jira` provider (OPSORCH_TICKETS_CONFIG): Jira Cloud's REST API v3. */
export const jiraSettingsSchema = z.strictObject({
  /**
   * Base URL of the API (required): the site, `https://acme.atlassian.net`, with an API token; with an OAuth 2.0
   * (3LO) token, `https://api.atlassian.com/ex/jira/<cloudId>` (then set `siteUrl`).
   */
  url: z.url(),
  /** The site people open, for `https://<site>/browse/KEY` links (default: `url`). */
  siteUrl: z.url().optional(),
  /** `{ email, apiToken }` (basic auth with an Atlassian API token) or `{ bearerToken }` (OAuth 2.0); use `secret://` references. */
  auth: z.union([
    z.strictObject({
      /** Atlassian account email the API token belongs to. */
      email: z.string().min(1),
      /** The account's API token. */
      apiToken: secret('Jira API token'),
    }),
    z.strictObject({
      /** An OAuth 2.0 access token with read:jira-work, write:jira-work and read:jira-user. */
      bearerToken: secret('Jira OAuth token'),
    }),
  ]),
  /** Projects OpsOrch lists tickets from (default: every project the account can see). */
  projects: z.array(projectKey).default([]),
  /** Project new tickets go to when their service maps to no project (default: none; then a service is required). */
  defaultProject: projectKey.optional(),
  /** Issue type of new tickets (default `Task`). */
  issueType: z.string().min(1).default('Task'),
  /** Jira project key → canonical service id, for projects the catalog's externalRefs (system `jira`) do not carry. */
  ...serviceIdentitySettingsShape,
  /** Label prefix linking a ticket to an OpsOrch incident: `incident:<incident id>` (default `incident:`). */
  incidentLabelPrefix: z.string().regex(/^\S+$/, 'no spaces (Jira labels have none)').default('incident:'),
  /** Jira status name → normalized status, over the status category (To Do → TODO, In Progress → IN_PROGRESS, Done → DONE). */
  statusMap: z.record(z.string(), ticketStatus).default({}),
  /** Jira priority name → normalized priority, merged over the defaults (Highest/Blocker → HIGHEST, High/Critical → HIGH...). */
  priorityMap: z.record(z.string(), ticketPriority).default({}),
  /** Person's email → Atlassian account id, for people whose email Jira hides (assigning needs the account id). */
  accounts: z.record(z.email(), z.string().min(1).max(128)).default({}),
}).refine((s) => s.siteUrl !== undefined || new URL(s.url).hostname !== 'api.atlassian.com', {
  path: ['siteUrl'],
  message: 'with the api.atlassian.com gateway (OAuth), set siteUrl to the site people open, for example https://acme-shop.atlassian.net',
});
export type JiraSettings = z.infer<typeof jiraSettingsSchema>;
