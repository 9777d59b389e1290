// PagerDuty's REST API v2 (../shared/vendor-api/pagerduty.openapi.json) as typed calls: the versioned Accept
// header, `Authorization: Token token=…`, `From` on writes, and offset paging (`offset`/`limit`/`more`).
// Nothing about OpsOrch's schema lives here.
import type { Logger, ProviderContext } from '../src/context.ts';
import type { ProviderDeps } from '../src/provider.ts';
import { ServiceIdentity } from '../kit/identity.ts';
import { badInput } from '../src/errors.ts';
import { HttpClient, type HttpRequest } from '../kit/http.ts';
import { offsetPages, type FetchVendorPage } from '../kit/paging.ts';
import type { PagerDutySettings } from './settings.ts';

/** PagerDuty answers at most 100 items per page. */
export const PD_MAX_PAGE = 100;

/** A value of free-form `custom_details` as text (trimmed strings and numbers; anything else is absent). */
export const detailText = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() ? value.trim() : typeof value === 'number' ? String(value) : null;

export interface PdReference {
  id: string;
  type: string;
  summary?: string;
  html_url?: string;
  email?: string;
  name?: string;
}

export interface PdIncident {
  id: string;
  incident_number: number;
  title: string;
  description?: string;
  summary?: string;
  html_url?: string;
  created_at: string;
  updated_at?: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  urgency?: 'high' | 'low';
  resolved_at?: string | null;
  service: PdReference;
  assignments?: { at?: string; assignee: PdReference }[];
  acknowledgements?: { at: string; acknowledger: PdReference }[];
  priority?: { id: string; summary?: string; name?: string } | null;
  conference_bridge?: { conference_number?: string; conference_url?: string } | null;
  body?: { details?: string };
  teams?: PdReference[];
}

export interface PdLogEntry {
  id: string;
  type: string;
  summary?: string;
  created_at: string;
  agent?: PdReference;
  note?: string;
  channel?: { type?: string; summary?: string; details?: string };
  assignees?: PdReference[];
  /** The incident an entry belongs to (account-wide reads mix incidents). */
  incident?: PdReference;
}

export interface PdNote {
  id?: string;
  user?: PdReference;
  content: string;
  created_at?: string;
}

export interface PdUser {
  id: string;
  email: string;
  name?: string;
}

export interface PdChangeEvent {
  id?: string;
  summary?: string;
  timestamp?: string;
  source?: string;
  services?: PdReference[];
  links?: { href?: string; text?: string }[];
  custom_details?: Record<string, unknown>;
}

/** The typed PagerDuty REST API v2 of one account. */
export class PagerDutyApi {
  readonly http: HttpClient;

  constructor(
    private readonly settings: Pick<PagerDutySettings, 'url' | 'apiToken' | 'fromEmail'>,
    logger: Logger,
  ) {
    this.http = new HttpClient({
      baseUrl: settings.url,
      tool: 'PagerDuty',
      headers: { accept: 'application/vnd.pagerduty+json;version=2', 'content-type': 'application/json', authorization: `Token token=${settings.apiToken}` },
      logger,
    });
  }

  get<T>(path: string, query: HttpRequest['query'], ctx: ProviderContext): Promise<T> {
    return this.http.json<T>({ path, query, signal: ctx.signal, logger: ctx.logger });
  }

  /** A write: PagerDuty wants the acting user's e-mail in `From`. */
  write<T>(method: 'POST' | 'PUT', path: string, json: unknown, ctx: ProviderContext): Promise<T> {
    if (!this.settings.fromEmail) {
      throw badInput('PagerDuty writes need the e-mail of a PagerDuty user in the `From` header: set `fromEmail` in this provider\'s settings');
    }
    return this.http.json<T>({ method, path, json, headers: { from: this.settings.fromEmail }, signal: ctx.signal, logger: ctx.logger });
  }

  /** A list endpoint as vendor pages (`key` is the array's name in the answer, `incidents`, `log_entries`...). */
  pages<T>(path: string, key: string, query: HttpRequest['query'], ctx: ProviderContext): FetchVendorPage<T, number> {
    return offsetPages(async (offset, limit) => {
      const answer = await this.get<Record<string, unknown> & { more?: boolean; total?: number | null }>(path, { ...query, offset, limit }, ctx);
      // Lists without `more` (change events) end at a short page.
      return { items: (answer[key] as T[] | undefined) ?? [], ...(typeof answer.more === 'boolean' ? { more: answer.more } : {}) };
    });
  }
}

/** What every PagerDuty provider of one configured instance holds: the API, service identity and the web UI's base. */
export class PagerDutyAccount {
  readonly api: PagerDutyApi;
  readonly identity: ServiceIdentity;
  /** The web UI's base URL for deep links, or null to use the `html_url` PagerDuty returns. */
  readonly webUrl: string | null;

  constructor(settings: PagerDutySettings, deps: ProviderDeps) {
    this.api = new PagerDutyApi(settings, deps.logger);
    this.identity = new ServiceIdentity({ system: settings.catalogSystem, aliases: settings.serviceAliases, catalog: deps.catalog });
    this.webUrl = settings.webUrl ? settings.webUrl.replace(/\/+$/, '') : settings.subdomain ? `https://${settings.subdomain}.pagerduty.com` : null;
  }
}
