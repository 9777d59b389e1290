import { z } from 'zod';
import { secret, serviceIdentitySettingsShape } from '../kit/settings.ts';

/** `owner/name` of a repository. */
const repoName = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'a repository as owner/name, for example acme-shop/checkout');

/** A GitHub App installation: OpsOrch mints the App's JWT and exchanges it for an installation token. */
const appSchema = z.strictObject({
  /** The App's id (App settings → About). */
  appId: z.union([z.string().regex(/^\d+$/, 'the numeric App id'), z.number().int().positive()]).transform(String),
  /** The App's private key, PEM (PKCS#1 as GitHub downloads it, or PKCS#8); use a secret:// reference. */
  privateKey: secret('the GitHub App private key'),
  /** The installation on the organization (Settings → GitHub Apps → Configure: the number in the URL). */
  installationId: z.number().int().positive(),
});

/** Settings of the `github` provider (deployments, tickets, teams and orchestration). */
export const githubSettingsSchema = z
  .strictObject({
    /** REST API base URL (default `https://api.github.com`); GitHub Enterprise Server: `https://ghe.example.com/api/v3`. */
    url: z.url().default('https://api.github.com'),
    /** Web UI base for deep links (default: `https://github.com`, or the Enterprise server's origin). */
    webUrl: z.url().optional(),
    /** A personal access or fine-grained token; use a secret:// reference. Exactly one of `token` and `app`. */
    token: secret('the GitHub token').optional(),
    /** A GitHub App installation instead of a token. */
    app: appSchema.optional(),
    /** The repositories OpsOrch reads (deployments, issues, workflows), as owner/name (required). */
    repos: z.array(repoName).min(1, 'list at least one repository as owner/name'),
    /** Organization whose teams are OpsOrch's teams (default: the first repository's owner). */
    org: z.string().min(1).optional(),
    /** Repository new tickets go to when they name no service (default: the first of `repos`). */
    ticketsRepo: repoName.optional(),
    /**
     * Workflow files whose runs are deployments, with the environment they deploy to, for example
     * `{ "deploy.yml": "production" }` (default none: only the Deployments API is read).
     */
    deployWorkflows: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Git ref runbook runs are dispatched on when the caller passes no `ref` parameter (default: the repository's default branch, `main`). */
    dispatchRef: z.string().min(1).default('main'),
    /** GitHub login → e-mail, for people whose e-mail GitHub does not show (authors, assignees, members). */
    userEmails: z.record(z.string().min(1), z.email()).default({}),
    ...serviceIdentitySettingsShape,
    /** The catalog's `externalRefs` system naming repositories (default `github`). */
    catalogSystem: z.string().min(1).default('github'),
    /** Most items a batch read walks through per repository (default 1000). */
    maxItems: z.number().int().positive().max(10_000).default(1000),
  })
  .refine((s) => (s.token === undefined) !== (s.app === undefined), { message: 'configure exactly one of "token" and "app"', path: ['token'] });

export type GithubSettings = z.infer<typeof githubSettingsSchema>;

/** The web origin deep links point to: github.com for the public API, the server itself for Enterprise. */
export function webBase(settings: GithubSettings): string {
  if (settings.webUrl) return settings.webUrl.replace(/\/+$/, '');
  const api = new URL(settings.url);
  return api.hostname === 'api.github.com' ? 'https://github.com' : api.origin;
}
