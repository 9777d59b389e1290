// Deep links into Datadog's web app, each showing the exact query and range OpsOrch asked.

interface Range {
  from: Date;
  to: Date;
}

const q = (params: Record<string, string>) => new URLSearchParams(params).toString().replaceAll('+', '%20');

/** The metric explorer (graph of `query`, a classic metrics query) over the range. */
export function metricExplorerUrl(app: string, query: string, range: Range): string {
  return `${app}/metric/explorer?${q({ exp_query: query, from_ts: String(range.from.getTime()), to_ts: String(range.to.getTime()), live: 'false' })}`;
}

/** The log explorer with the search query over the range; `eventId` opens one line. */
export function logExplorerUrl(app: string, query: string, range: Range, eventId?: string): string {
  return `${app}/logs?${q({ query, from_ts: String(range.from.getTime()), to_ts: String(range.to.getTime()), live: 'false', ...(eventId ? { event: eventId } : {}) })}`;
}

export function monitorUrl(app: string, monitorId: number | string): string {
  return `${app}/monitors/${encodeURIComponent(String(monitorId))}`;
}

export function incidentUrl(app: string, publicId: number | string): string {
  return `${app}/incidents/${encodeURIComponent(String(publicId))}`;
}

export function serviceUrl(app: string, service: string): string {
  return `${app}/services/${encodeURIComponent(service)}`;
}
