// Console views for evidence, spelled the way the console's routes read their URLs (console/app/routes), so a
// link opens exactly what the copilot looked at: the same query, series and time range.

const at = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

function withQuery(path: string, params: [string, string | null | undefined][]): string {
  const search = new URLSearchParams();
  for (const [key, value] of params) if (value) search.append(key, value);
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

export const consoleLinks = {
  /** The log explorer: service, message text, levels and an absolute range. */
  logs(options: { service?: string | null; text?: string | null; levels?: string[]; fromMs: number; toMs: number }): string {
    return withQuery('/explore/logs', [
      ['service', options.service],
      ['q', options.text ? (/\s/.test(options.text) ? `"${options.text.replace(/(["\\])/g, '\\$1')}"` : options.text) : null],
      ...(options.levels ?? []).map((level): [string, string] => ['level', level.toLowerCase()]),
      ['from', at(options.fromMs)],
      ['to', at(options.toMs)],
    ]);
  },
  /** The metric explorer: one metric of one service with an aggregation, over an absolute range. */
  metric(options: { metric: string; service?: string | null; aggregation?: string | null; fromMs: number; toMs: number }): string {
    return withQuery('/explore/metrics', [
      ['metric', options.metric],
      ['agg', options.aggregation],
      ['service', options.service],
      ['from', at(options.fromMs)],
      ['to', at(options.toMs)],
    ]);
  },
  incident: (id: string) => `/incidents/${encodeURIComponent(id)}`,
  alert: (id: string) => `/alerts/${encodeURIComponent(id)}`,
  service: (id: string) => `/services/${encodeURIComponent(id)}`,
  dependencyGraph: (id: string) => `/services/${encodeURIComponent(id)}/graph`,
  deployments: (service: string) => withQuery('/deployments', [['service', service]]),
  runbook: (id: string) => `/runbooks/${encodeURIComponent(id)}`,
  ticket: (id: string) => `/tickets/${encodeURIComponent(id)}`,
};

export { at as isoSeconds };
