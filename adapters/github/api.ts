// GitHub's REST API (https://docs.github.com/rest), the calls OpsOrch makes: typed on the kit's HttpClient, paged
// by `Link` headers, authenticated by a token or a GitHub App installation token minted and cached here.
import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { HttpClient, type HttpRequest } from '../kit/http.ts';
import { nextLink, type FetchVendorPage } from '../kit/paging.ts';
import type { Logger } from '../src/context.ts';
import { OpsOrchError } from '../src/errors.ts';
import type { GithubSettings } from './settings.ts';

/** The REST API version OpsOrch is written against (GitHub answers it until it retires it). */
const API_VERSION = '2022-11-28';
/** An installation token is renewed this long before GitHub's expiry (tokens live an hour). */
const RENEW_BEFORE_MS = 5 * 60_000;

export interface GhUser {
  login: string;
  id: number;
  type?: string;
  name?: string | null;
  email?: string | null;
  html_url: string;
}

export interface GhLabel {
  name?: string;
}

export interface GhIssue {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  state_reason?: string | null;
  user: GhUser | null;
  assignees?: GhUser[] | null;
  labels: (string | GhLabel)[];
  created_at: string;
  updated_at: string;
  html_url: string;
  repository_url: string;
  pull_request?: unknown;
}

export interface GhComment {
  id: number;
  body?: string;
  user: GhUser | null;
  created_at: string;
}

export interface GhDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  description?: string | null;
  creator: GhUser | null;
  created_at: string;
  updated_at: string;
  payload?: unknown;
}

export interface GhDeploymentStatus {
  state: string;
  created_at: string;
  log_url?: string;
  target_url?: string;
  environment_url?: string;
}

export interface GhCommit {
  sha: string;
  html_url: string;
  commit: { message: string; author: { name?: string; email?: string } | null };
  author: GhUser | null;
}

export interface GhRun {
  id: number;
  name?: string | null;
  workflow_id: number;
  path: string;
  event: string;
  status: string | null;
  conclusion: string | null;
  head_sha: string;
  head_branch: string | null;
  head_commit: { id: string; message: string; author: { name: string; email: string } | null } | null;
  actor?: GhUser;
  triggering_actor?: GhUser;
  pull_requests: { number: number }[] | null;
  html_url: string;
  created_at: string;
  updated_at: string;
  run_started_at?: string;
}

export interface GhJob {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  started_at: string;
  completed_at: string | null;
  html_url: string | null;
  steps?: { name: string; status: string; conclusion: string | null }[];
}

export interface GhWorkflow {
  id: number;
  name: string;
  path: string;
  state: string;
  html_url: string;
}

export interface GhPendingDeployment {
  environment: { id?: number; name?: string };
  wait_timer_started_at: string | null;
  current_user_can_approve: boolean;
  reviewers: { type?: string; reviewer?: { login?: string; slug?: string } }[];
}

/** A review of a run's deployment to environments: who approved or rejected, and why. */
export interface GhApproval {
  state: 'approved' | 'rejected' | 'pending';
  comment: string;
  user: GhUser;
  environments: { name?: string }[];
}

export interface GhTeam {
  id: number;
  slug: string;
  name: string;
  description: string | null;
  html_url: string;
  parent?: { slug: string } | null;
}

export type Query = HttpRequest['query'];

/** Typed calls; every one takes the call's deadline signal. Owner/repo come as `owner/name`. */
export class GithubApi {
  readonly http: HttpClient;
  private installationToken: { value: string; renewAt: number } | null = null;
  /** Per rate-limit resource (`core`, `search`): when an exhausted budget resets, epoch ms. */
  private readonly exhaustedUntil = new Map<string, number>();
  private minting: Promise<string> | null = null;

  constructor(
    private readonly settings: GithubSettings,
    logger?: Logger,
  ) {
    this.http = new HttpClient({
      baseUrl: settings.url,
      tool: 'GitHub',
      logger,
      headers: { accept: 'application/vnd.github+json', 'x-github-api-version': API_VERSION, 'user-agent': 'OpsOrch' },
    });
  }

  /** `Authorization` for the next call: the token, or the App's installation token (minted, cached, renewed). */
  private async authorization(signal: AbortSignal): Promise<string> {
    if (this.settings.token) return `Bearer ${this.settings.token}`;
    const cached = this.installationToken;
    if (cached && cached.renewAt > Date.now()) return `Bearer ${cached.value}`;
    // Concurrent calls share one exchange.
    this.minting ??= this.mintInstallationToken(signal).finally(() => {
      this.minting = null;
    });
    return `Bearer ${await this.minting}`;
  }

  private async mintInstallationToken(signal: AbortSignal): Promise<string> {
    const app = this.settings.app!;
    let key;
    try {
      key = createPrivateKey(app.privateKey);
    } catch {
      throw new OpsOrchError('PROVIDER_AUTH_FAILED', 'GitHub: the App private key is not a PEM private key; download a new one from the App settings');
    }
    const now = Math.floor(Date.now() / 1000);
    // GitHub accepts App JWTs of at most 10 minutes; iat a minute back absorbs clock drift.
    const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setIssuer(app.appId).setIssuedAt(now - 60).setExpirationTime(now + 540).sign(key);
    const answer = await this.http.json<{ token: string; expires_at: string }>({
      method: 'POST',
      path: `/app/installations/${app.installationId}/access_tokens`,
      headers: { authorization: `Bearer ${jwt}` },
      signal,
    });
    this.installationToken = { value: answer.token, renewAt: Date.parse(answer.expires_at) - RENEW_BEFORE_MS };
    return answer.token;
  }

  /** One request with credentials; a refused installation token is dropped so the next call mints a new one. */
  async call<T>(request: HttpRequest & { signal: AbortSignal }): Promise<{ body: T; headers: Headers }> {
    // A budget GitHub said is spent is not spent further: asking anyway counts against the App or token and
    // GitHub blocks integrations that keep going.
    const below = new URL(this.http.url(request.path)).pathname.slice(new URL(this.http.baseUrl).pathname.replace(/\/$/, '').length);
    const resource = below.startsWith('/search/') ? 'search' : 'core';
    const until = this.exhaustedUntil.get(resource) ?? 0;
    if (until > Date.now()) {
      const retryAfter = Math.ceil((until - Date.now()) / 1000);
      throw new OpsOrchError('PROVIDER_RATE_LIMITED', `GitHub's ${resource} rate limit is spent until its reset; retry after ${retryAfter} s`, { retryAfter });
    }
    const authorization = await this.authorization(request.signal);
    try {
      const answer = await this.http.jsonWithHeaders<T>({ ...request, headers: { ...request.headers, authorization } });
      const reset = Number(answer.headers.get('x-ratelimit-reset'));
      if (answer.headers.get('x-ratelimit-remaining') === '0' && reset > 0) this.exhaustedUntil.set(answer.headers.get('x-ratelimit-resource') ?? resource, reset * 1000);
      return answer;
    } catch (error) {
      if (error instanceof OpsOrchError && error.code === 'PROVIDER_AUTH_FAILED' && this.installationToken) this.installationToken = null;
      throw error;
    }
  }

  async get<T>(path: string, signal: AbortSignal, query?: Query): Promise<T> {
    return (await this.call<T>({ path, query, signal })).body;
  }

  /**
   * A `Link`-paged list as the kit's paging reads it: the first page at `path` with `per_page`, the next ones at
   * the URL GitHub gave. `unwrap` picks the items of wrapped answers (`{ workflow_runs: [...] }`).
   */
  pages<W, T>(path: string, query: Query, signal: AbortSignal, unwrap: (body: W) => { items: T[]; total?: number }): FetchVendorPage<T, string> {
    return async (cursor, limit) => {
      const { body, headers } = cursor === null ? await this.call<W>({ path, query: { ...query, per_page: limit }, signal }) : await this.call<W>({ path: cursor, signal });
      const { items, total } = unwrap(body);
      return { items, next: nextLink(headers.get('link')), ...(total === undefined ? {} : { total }) };
    };
  }

  /** A plain array list. */
  list<T>(path: string, query: Query, signal: AbortSignal): FetchVendorPage<T, string> {
    return this.pages<T[], T>(path, query, signal, (items) => ({ items }));
  }
}

/** `owner/name` split for paths; each part encoded. */
export function repoPath(repo: string): string {
  const [owner, name] = repo.split('/');
  return `/repos/${encodeURIComponent(owner!)}/${encodeURIComponent(name!)}`;
}
