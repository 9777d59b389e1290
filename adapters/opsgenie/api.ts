// Opsgenie's REST API (../shared/vendor-api/opsgenie.openapi.json) as typed calls: `Authorization: GenieKey …`,
// the US or EU host, offset paging (`offset`/`limit`, `paging.next`), and the asynchronous write model (a 202
// with a `requestId`: the action is queued, not yet applied). Nothing about OpsOrch's schema lives here.
import type { Logger, ProviderContext } from '../src/context.ts';
import { HttpClient, type HttpRequest } from '../kit/http.ts';
import { offsetPages, type FetchVendorPage } from '../kit/paging.ts';
import { apiUrlOf, type OpsgenieSettings } from './settings.ts';

/** Opsgenie answers at most 100 items per page. */
export const OG_MAX_PAGE = 100;

export interface OgAlert {
  id: string;
  tinyId?: string;
  alias?: string;
  message?: string;
  status?: string;
  acknowledged?: boolean;
  snoozed?: boolean;
  snoozedUntil?: string;
  tags?: string[];
  createdAt?: string;
  updatedAt?: string;
  lastOccurredAt?: string;
  source?: string;
  owner?: string;
  priority?: string;
  entity?: string;
  description?: string;
  details?: Record<string, string>;
  report?: { ackTime?: number; closeTime?: number; acknowledgedBy?: string; closedBy?: string };
}

export interface OgIncident {
  id: string;
  tinyId?: string;
  message?: string;
  status?: string;
  tags?: string[];
  createdAt?: string;
  updatedAt?: string;
  priority?: string;
  owner?: string;
  ownerTeam?: string;
  extraProperties?: Record<string, string>;
}

/** What Opsgenie answers to an action it queued (HTTP 202). */
export interface OgAccepted {
  result?: string;
  requestId: string;
  took?: number;
}

export class OpsgenieApi {
  readonly http: HttpClient;

  constructor(settings: Pick<OpsgenieSettings, 'url' | 'region' | 'apiKey'>, logger: Logger) {
    this.http = new HttpClient({ baseUrl: apiUrlOf(settings), tool: 'Opsgenie', headers: { authorization: `GenieKey ${settings.apiKey}` }, logger });
  }

  get<T>(path: string, query: HttpRequest['query'], ctx: ProviderContext): Promise<T> {
    return this.http.json<T>({ path, query, signal: ctx.signal, logger: ctx.logger });
  }

  /** An alert action (`acknowledge`, `close`): Opsgenie queues it and answers its request id. */
  alertAction(alertId: string, action: 'acknowledge' | 'close', body: { user?: string; note?: string; source?: string }, ctx: ProviderContext): Promise<OgAccepted> {
    return this.http.json<OgAccepted>({ method: 'POST', path: `/v2/alerts/${encodeURIComponent(alertId)}/${action}`, query: { identifierType: 'id' }, json: body, signal: ctx.signal, logger: ctx.logger });
  }

  /** A list endpoint (`/v2/alerts`, `/v1/incidents/`) as vendor pages. */
  pages<T>(path: string, query: HttpRequest['query'], ctx: ProviderContext): FetchVendorPage<T, number> {
    return offsetPages(async (offset, limit) => {
      const answer = await this.get<{ data?: T[]; paging?: { next?: string } }>(path, { ...query, offset, limit }, ctx);
      return { items: answer.data ?? [], more: Boolean(answer.paging?.next) };
    });
  }
}

/** Tags of the form `key:value` as labels (the first colon splits); other tags are labels `tag_<n>` with the tag as value. */
export function labelsOfTags(tags: readonly string[] | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  (tags ?? []).forEach((tag, i) => {
    const colon = tag.indexOf(':');
    const key = colon > 0 ? tag.slice(0, colon).trim() : '';
    if (key && /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key)) labels[key] = tag.slice(colon + 1).trim();
    else labels[`tag_${i}`] = tag;
  });
  return labels;
}
