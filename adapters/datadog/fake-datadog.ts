// Test code: a Datadog behind contract fakes of its v1 and v2 documents (../shared/vendor-api, and the downtime
// operations of __fixtures__/datadog-downtimes.openapi.json), holding a small organization (service definitions,
// monitors, downtimes, incidents, metrics, log lines). The log search and the metric query
// are EVALUATED here, with parsers of the syntax the adapter writes: a value that escaped its quoting would change
// which lines or series match, so tests see injection as wrong answers, not just as odd strings.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startContractFake, startFakeFront, type ContractFake, type FakeReply } from '../kit/contract-fake.ts';

export const FIXTURES = join(import.meta.dirname, '__fixtures__');
/** Datadog's downtime operations: a slice of its published v2 document, kept in __fixtures__ (see the README there). */
export const DOWNTIMES_SPEC = 'datadog-downtimes.openapi.json';

export interface FakeLogLine {
  id: string;
  timestamp: string;
  status: string;
  service: string;
  message: string;
  tags: string[];
  host?: string;
  attributes: Record<string, unknown>;
}

export interface FakeSeries {
  metric: string;
  tags: string[];
  /** Value at epoch ms (deterministic). */
  value(t: number): number;
}

export interface FakeDowntime {
  id: string;
  type: 'downtime';
  attributes: {
    canceled: string | null;
    created: string;
    modified: string;
    display_timezone: string | null;
    message: string | null;
    monitor_identifier: { monitor_id: number } | { monitor_tags: string[] };
    mute_first_recovery_notification: boolean;
    notify_end_states: string[];
    notify_end_types: string[];
    schedule: { start: string; end: string | null };
    scope: string;
    status?: string;
  };
}

/** A downtime's status at `now`, as Datadog reports it. */
function statusAt(downtime: FakeDowntime, now: number): string {
  const { canceled, schedule } = downtime.attributes;
  if (canceled) return 'canceled';
  if (Date.parse(schedule.start) > now) return 'scheduled';
  return schedule.end && Date.parse(schedule.end) <= now ? 'ended' : 'active';
}

/** A failure the next matching requests answer with instead of data. */
export type FakeFailure = FakeReply | null;

export interface DatadogWorld {
  services: Record<string, unknown>[];
  monitors: Record<string, unknown>[];
  /** v2 downtimes (`DowntimeResponseData`); their status is computed when they are listed. */
  downtimes: FakeDowntime[];
  incidents: Record<string, unknown>[];
  users: Record<string, unknown>[];
  logs: FakeLogLine[];
  series: FakeSeries[];
  metricTypes: Record<string, string>;
}

// ---- the log search syntax, as far as the adapter writes it ----

type Predicate = (line: FakeLogLine) => boolean;

function attribute(line: FakeLogLine, path: string): unknown {
  return path.split('.').reduce<unknown>((at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), line.attributes);
}

function valuesOf(line: FakeLogLine, key: string): string[] {
  if (key.startsWith('@')) {
    const value = attribute(line, key.slice(1));
    return value === undefined || value === null ? [] : [typeof value === 'string' ? value : JSON.stringify(value)];
  }
  if (key === 'service') return [line.service];
  if (key === 'status') return [line.status];
  if (key === 'host') return line.host ? [line.host] : [];
  return line.tags.filter((t) => t.startsWith(`${key}:`)).map((t) => t.slice(key.length + 1));
}

/** Parses a Datadog log search query into a predicate; throws on syntax it does not know (a 400 from "Datadog"). */
export function parseLogQuery(query: string): Predicate {
  let at = 0;
  const peek = () => query[at];
  const fail = (what: string): never => {
    throw new Error(`log query syntax error at ${at}: ${what} in ${JSON.stringify(query)}`);
  };
  const phrase = (): string => {
    if (query[at] !== '"') fail('expected "');
    at++;
    let out = '';
    while (at < query.length && query[at] !== '"') {
      if (query[at] === '\\') at++;
      out += query[at++];
    }
    if (query[at] !== '"') fail('unterminated phrase');
    at++;
    return out;
  };
  /** A term up to whitespace or `)`, escapes resolved; `*` at either end (unescaped) is a wildcard. */
  const term = (): { text: string; prefix: boolean; suffix: boolean } => {
    let text = '';
    let prefix = false;
    let suffix = false;
    let first = true;
    while (at < query.length && !/[\s)]/.test(query[at]!)) {
      if (query[at] === '\\') {
        text += query[at + 1] ?? '';
        at += 2;
      } else if (query[at] === '*') {
        if (first) prefix = true;
        else suffix = true;
        at++;
      } else if (/[()"{}[\]:|]/.test(query[at]!)) fail(`unescaped ${query[at]}`);
      else text += query[at++];
      first = false;
    }
    return { text, prefix, suffix };
  };
  const ws = () => {
    while (query[at] === ' ') at++;
  };
  const value = (key: string): Predicate => {
    if (peek() === '"') {
      const v = phrase();
      return (line) => valuesOf(line, key).includes(v);
    }
    if (peek() === '(') {
      at++;
      const options: string[] = [phrase()];
      for (ws(); query.startsWith('OR ', at); ws()) {
        at += 3;
        options.push(phrase());
      }
      if (query[at++] !== ')') fail('expected )');
      return (line) => valuesOf(line, key).some((v) => options.includes(v));
    }
    const t = term();
    if (!t.prefix || !t.suffix) fail('only *contains* wildcards are written');
    return (line) => valuesOf(line, key).some((v) => v.toLowerCase().includes(t.text.toLowerCase()));
  };
  const clause = (): Predicate => {
    if (peek() === '-') {
      at++;
      const inner = clause();
      return (line) => !inner(line);
    }
    if (peek() === '(') {
      at++;
      const inner = expression(')');
      if (query[at++] !== ')') fail('expected )');
      return inner;
    }
    if (peek() === '"') {
      const text = phrase().toLowerCase();
      return (line) => line.message.toLowerCase().includes(text);
    }
    if (peek() === '*' && (query[at + 1] === undefined || query[at + 1] === ' ')) {
      at++;
      return () => true;
    }
    const key = /^@?[A-Za-z_][A-Za-z0-9_.-]*/.exec(query.slice(at))?.[0] ?? fail('expected a field');
    at += key.length;
    if (query[at++] !== ':') fail('expected :');
    return value(key);
  };
  const expression = (end?: string): Predicate => {
    let result = clause();
    for (ws(); at < query.length && query[at] !== end; ws()) {
      if (query.startsWith('OR ', at)) {
        at += 3;
        const left = result;
        const right = clause();
        result = (line) => left(line) || right(line);
      } else {
        const left = result;
        const right = clause();
        result = (line) => left(line) && right(line);
      }
    }
    return result;
  };
  const predicate = expression();
  if (at !== query.length) fail('trailing text');
  return predicate;
}

// ---- the metric query syntax, as far as the adapter writes it ----

export interface ParsedMetricQuery {
  aggregator: string;
  metric: string;
  filter: (tags: readonly string[]) => boolean;
  by: string[];
  fn: string | null;
}

/** `avg:metric{a:b AND (c:d OR c:e) AND !f:g} by {x,y}.as_rate()` */
export function parseMetricQuery(query: string): ParsedMetricQuery {
  const match = /^([a-z0-9_]+):([A-Za-z][A-Za-z0-9_.]*)\{([^{}]*)\}(?: by \{([^{}]*)\})?(\.as_rate\(\)|\.as_count\(\))?$/.exec(query);
  if (!match) throw new Error(`metric query syntax error: ${JSON.stringify(query)}`);
  const [, aggregator, metric, filterText, byText, fn] = match;
  const tagPattern = /^!?[A-Za-z][A-Za-z0-9_.\-/]*:[\p{L}\p{N}_\-:./]+$/u;
  const clauses = filterText === '*' ? [] : filterText!.split(' AND ');
  const tests = clauses.map((clause) => {
    const alternatives = clause.startsWith('(') && clause.endsWith(')') ? clause.slice(1, -1).split(' OR ') : [clause];
    for (const a of alternatives) if (!tagPattern.test(a)) throw new Error(`metric query syntax error in ${JSON.stringify(a)}`);
    return (tags: readonly string[]) =>
      alternatives.some((a) => (a.startsWith('!') ? !tags.includes(a.slice(1)) : tags.includes(a)));
  });
  return { aggregator: aggregator!, metric: metric!, filter: (tags) => tests.every((t) => t(tags)), by: byText ? byText.split(',') : [], fn: fn ?? null };
}

function aggregate(values: number[], aggregator: string): number | null {
  if (values.length === 0) return null;
  if (aggregator === 'sum' || aggregator === 'count') return values.reduce((a, b) => a + b, 0);
  if (aggregator === 'min') return Math.min(...values);
  if (aggregator === 'max') return Math.max(...values);
  if (aggregator.startsWith('p')) return [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((Number(aggregator.slice(1)) / 100) * values.length))]!;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export interface RunningFakeDatadog {
  /** The API base URL to configure (`url`). */
  url: string;
  v1: ContractFake;
  v2: ContractFake;
  /** Datadog's downtime operations (`/api/v2/downtime`). */
  downtimes: ContractFake;
  world: DatadogWorld;
  /** Answer every request with this instead (a 401, a 429...) while set. */
  failure: FakeFailure;
  /** Answer the requests that schedule a downtime with this instead while set (reads still answer). */
  createFailure: FakeFailure;
  /** Answer the requests that list downtimes with this instead while set. */
  listFailure: FakeFailure;
  /** Extra delay before answering, ms (deadline tests). */
  delayMs: number;
  /** Requests to both fakes, in order. */
  requests(): { route: string; body: unknown; query: URLSearchParams; headers: Record<string, unknown> }[];
  verify(): void;
  close(): Promise<void>;
}

/** Starts the two fakes behind one origin, serving `world`. */
export async function startFakeDatadog(world: DatadogWorld): Promise<RunningFakeDatadog> {
  const v1 = await startContractFake({ spec: 'datadog-v1.openapi.json', vendor: 'Datadog v1', fixtures: FIXTURES });
  const v2 = await startContractFake({ spec: 'datadog-v2.openapi.json', vendor: 'Datadog v2', fixtures: FIXTURES });
  const downtimes = await startContractFake({ spec: DOWNTIMES_SPEC, vendor: 'Datadog downtimes', specDir: FIXTURES });
  const front = await startFakeFront({ '/api/v1/': v1, '/api/v2/downtime': downtimes, '/api/v2/': v2 });
  const state = { failure: null as FakeFailure, createFailure: null as FakeFailure, listFailure: null as FakeFailure, delayMs: 0 };
  const guard = async (answer: () => FakeReply): Promise<FakeReply> => {
    if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
    return state.failure ?? answer();
  };

  v1.on('GET /api/v1/monitor', (request) =>
    guard(() => {
      const page = Number(request.query.get('page') ?? 0);
      const size = Number(request.query.get('page_size') ?? 100);
      return { body: world.monitors.slice(page * size, (page + 1) * size) };
    }),
  )
    .on('GET /api/v1/metrics', () => guard(() => ({ body: { from: '0', metrics: [...new Set(world.series.map((s) => s.metric))].sort() } })));

  downtimes
    .on('GET /api/v2/downtime', (request) =>
      guard(() => {
        if (state.listFailure) return state.listFailure;
        const now = Date.now();
        const offset = Number(request.query.get('page[offset]') ?? 0);
        const limit = Number(request.query.get('page[limit]') ?? 30);
        const all = world.downtimes.map((d) => ({ ...d, attributes: { ...d.attributes, status: statusAt(d, now) } }));
        const listed = request.query.get('current_only') === 'true' ? all.filter((d) => d.attributes.status === 'active') : all;
        return { body: { data: listed.slice(offset, offset + limit), meta: { page: { total_filtered_count: listed.length } } } };
      }),
    )
    .on('POST /api/v2/downtime', (request) =>
      guard(() => {
        if (state.createFailure) return state.createFailure;
        const attributes = (request.body as { data: { attributes: Record<string, any> } }).data.attributes;
        const now = new Date().toISOString();
        const downtime: FakeDowntime = {
          id: randomUUID(),
          type: 'downtime',
          attributes: {
            canceled: null,
            created: now,
            modified: now,
            display_timezone: attributes.display_timezone ?? 'UTC',
            message: attributes.message ?? null,
            monitor_identifier: attributes.monitor_identifier,
            mute_first_recovery_notification: attributes.mute_first_recovery_notification ?? false,
            notify_end_states: attributes.notify_end_states ?? ['alert', 'no data', 'warn'],
            notify_end_types: attributes.notify_end_types ?? ['expired'],
            schedule: { start: attributes.schedule?.start ?? now, end: attributes.schedule?.end ?? null },
            scope: attributes.scope,
          },
        };
        world.downtimes.push(downtime);
        return { body: { data: { ...downtime, attributes: { ...downtime.attributes, status: statusAt(downtime, Date.now()) } } } };
      }),
    );

  v2.on('POST /api/v2/logs/events/search', (request) =>
    guard(() => {
      const body = (request.body ?? {}) as { filter?: { query?: string; from?: string; to?: string }; sort?: string; page?: { limit?: number; cursor?: string } };
      let predicate: Predicate;
      try {
        predicate = parseLogQuery(body.filter?.query ?? '*');
      } catch (error) {
        return { status: 400, body: { errors: [(error as Error).message] } };
      }
      const from = Date.parse(body.filter?.from ?? '1970-01-01T00:00:00Z');
      const to = Date.parse(body.filter?.to ?? '2100-01-01T00:00:00Z');
      const sign = body.sort === 'timestamp' ? 1 : -1;
      const matching = world.logs
        .filter((l) => Date.parse(l.timestamp) >= from && Date.parse(l.timestamp) <= to && predicate(l))
        .sort((a, b) => sign * (a.timestamp.localeCompare(b.timestamp) || a.id.localeCompare(b.id)));
      const offset = body.page?.cursor ? Number(Buffer.from(body.page.cursor, 'base64url').toString()) : 0;
      const limit = body.page?.limit ?? 10;
      const page = matching.slice(offset, offset + limit);
      const next = offset + limit < matching.length ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
      return {
        body: {
          data: page.map((l) => ({
            id: l.id,
            type: 'log',
            attributes: { timestamp: l.timestamp, status: l.status, service: l.service, message: l.message, tags: l.tags, host: l.host, attributes: l.attributes },
          })),
          meta: { status: 'done', elapsed: 1, request_id: 'req', page: next ? { after: next } : {} },
          ...(next ? { links: { next: `https://api.datadoghq.com/api/v2/logs/events?page[cursor]=${next}` } } : {}),
        },
      };
    }),
  )
    .on('POST /api/v2/query/timeseries', (request) =>
      guard(() => {
        const attributes = (request.body as { data: { attributes: { from: number; to: number; interval?: number; queries: { name: string; query: string }[]; formulas?: { formula: string }[] } } }).data.attributes;
        const step = attributes.interval ?? 60_000;
        const times: number[] = [];
        for (let t = Math.ceil(attributes.from / step) * step; t <= attributes.to; t += step) times.push(t);
        let parsed: Map<string, ParsedMetricQuery>;
        try {
          parsed = new Map(attributes.queries.map((q) => [q.name, parseMetricQuery(q.query)]));
        } catch (error) {
          return { status: 400, body: { errors: [(error as Error).message] } };
        }
        /** Groups of one query: group tags → values per time. */
        const groupsOf = (q: ParsedMetricQuery) => {
          const groups = new Map<string, { tags: string[]; members: FakeSeries[] }>();
          for (const s of world.series.filter((x) => x.metric === q.metric && q.filter(x.tags))) {
            const tags = q.by.map((key) => s.tags.find((t) => t.startsWith(`${key}:`)) ?? `${key}:N/A`);
            const key = tags.join(',');
            const group = groups.get(key) ?? { tags, members: [] };
            group.members.push(s);
            groups.set(key, group);
          }
          return new Map([...groups].map(([key, g]) => [key, { tags: g.tags, values: times.map((t) => aggregate(g.members.map((m) => m.value(t)), q.aggregator)) }]));
        };
        const formulas = attributes.formulas?.length ? attributes.formulas.map((f) => f.formula) : attributes.queries.map((q) => q.name);
        const series: { group_tags: string[]; query_index: number; unit: null }[] = [];
        const values: (number | null)[][] = [];
        formulas.forEach((formula, index) => {
          const names = formula.match(/[a-z][a-z0-9_]*/g) ?? [];
          const perQuery = new Map(names.map((n) => [n, groupsOf(parsed.get(n)!)]));
          const keys = new Set([...perQuery.values()].flatMap((g) => [...g.keys()]));
          for (const key of keys) {
            const first = [...perQuery.values()].find((g) => g.has(key))!.get(key)!;
            series.push({ group_tags: first.tags, query_index: index, unit: null });
            values.push(
              times.map((_, i) => {
                const env = Object.fromEntries(names.map((n) => [n, perQuery.get(n)!.get(key)?.values[i] ?? null]));
                if (Object.values(env).some((v) => v === null)) return null;
                // Formulas the adapter writes are `a`, or `a / b`.
                const [left, op, right] = formula.split(' ');
                return op === '/' ? (env[right!]! === 0 ? null : env[left!]! / env[right!]!) : env[left!]!;
              }),
            );
          }
        });
        return { body: { data: { type: 'timeseries_response', attributes: { series, times, values } } } };
      }),
    )
    .on('GET /api/v2/metrics', (request) =>
      guard(() => {
        const size = Number(request.query.get('page[size]') ?? 100);
        const offset = Number(request.query.get('page[cursor]') ?? 0);
        const tag = request.query.get('filter[tags]');
        const names = [...new Set(world.series.filter((s) => !tag || s.tags.includes(tag)).map((s) => s.metric))].sort();
        const page = names.slice(offset, offset + size);
        const next = offset + size < names.length ? String(offset + size) : null;
        return {
          body: {
            data: page.map((id) =>
              world.metricTypes[id]
                ? { id, type: 'manage_tags', attributes: { metric_type: world.metricTypes[id], tags: [...new Set(world.series.filter((s) => s.metric === id).flatMap((s) => s.tags.map((t) => t.split(':')[0]!)))].sort() } }
                : { id, type: 'metrics' },
            ),
            meta: { pagination: { type: 'cursor_limit', limit: size, cursor: request.query.get('page[cursor]'), next_cursor: next } },
          },
        };
      }),
    )
    .on('GET /api/v2/incidents', (request) =>
      guard(() => {
        const size = Number(request.query.get('page[size]') ?? 10);
        const offset = Number(request.query.get('page[offset]') ?? 0);
        const page = world.incidents.slice(offset, offset + size);
        const more = offset + size < world.incidents.length;
        return { body: { data: page, included: world.users, meta: { pagination: { offset, size, ...(more ? { next_offset: offset + size } : {}) } } } };
      }),
    )
    .on('GET /api/v2/incidents/{incident_id}', (request) =>
      guard(() => {
        const incident = world.incidents.find((i) => i.id === request.params.incident_id);
        return incident ? { body: { data: incident, included: world.users } } : { status: 404, body: { errors: ['Not Found'] } };
      }),
    )
    .on('PATCH /api/v2/incidents/{incident_id}', (request) =>
      guard(() => {
        const incident = world.incidents.find((i) => i.id === request.params.incident_id) as { attributes: Record<string, any> } | undefined;
        if (!incident) return { status: 404, body: { errors: ['Not Found'] } };
        const attributes = (request.body as { data: { attributes: Record<string, any> } }).data.attributes;
        if (attributes.title) incident.attributes.title = attributes.title;
        for (const [name, field] of Object.entries((attributes.fields ?? {}) as Record<string, { value: unknown }>)) {
          incident.attributes.fields = { ...incident.attributes.fields, [name]: field };
          if (name === 'state') {
            incident.attributes.state = field.value;
            if (field.value === 'resolved') incident.attributes.resolved = new Date().toISOString();
          }
          if (name === 'severity') incident.attributes.severity = field.value;
        }
        incident.attributes.modified = new Date().toISOString();
        return { body: { data: incident, included: world.users } };
      }),
    )
    .on('GET /api/v2/services/definitions', (request) =>
      guard(() => {
        const size = Number(request.query.get('page[size]') ?? 10);
        const number = Number(request.query.get('page[number]') ?? 0);
        return { body: { data: world.services.slice(number * size, (number + 1) * size) } };
      }),
    );

  return {
    url: front.url,
    v1,
    v2,
    downtimes,
    world,
    get failure() {
      return state.failure;
    },
    set failure(value: FakeFailure) {
      state.failure = value;
    },
    get createFailure() {
      return state.createFailure;
    },
    set createFailure(value: FakeFailure) {
      state.createFailure = value;
    },
    get listFailure() {
      return state.listFailure;
    },
    set listFailure(value: FakeFailure) {
      state.listFailure = value;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    requests: () =>
      [...v1.requests, ...v2.requests, ...downtimes.requests].map((r) => ({ route: r.route, body: r.body, query: r.query, headers: r.headers as Record<string, unknown> })),
    verify() {
      v1.verify();
      v2.verify();
      downtimes.verify();
    },
    async close() {
      await front.close();
      await v1.close();
      await v2.close();
      await downtimes.close();
    },
  };
}

/** A small organization: three services, monitors in every state, incidents, `logLines` lines over the last hour, metrics. */
export function sampleWorld(now: number, options: { logLines?: number } = {}): DatadogWorld {
  const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();
  const services = ['checkout', 'cart', 'payments-api'].map((name, i) => ({
    id: `def-${name}`,
    type: 'service-definition',
    attributes: {
      meta: { 'ingested-schema-version': 'v2.2', 'ingestion-source': 'api' },
      schema: {
        'schema-version': 'v2.2',
        'dd-service': name,
        team: i === 2 ? 'payments' : 'storefront',
        tier: String(i + 1),
        type: 'web',
        description: `The ${name} service`,
        languages: ['go'],
        tags: ['env:production', `tier:${i + 1}`],
        links: [{ name: 'Source', type: 'repo', provider: 'github', url: `https://github.com/acme-shop/${name}` }],
        integrations: { pagerduty: { 'service-url': `https://acme.pagerduty.com/service-directory/PD${i}XYZ` } },
      },
    },
  }));
  const monitor = (id: number, name: string, state: string, priority: number | null, tags: string[], extra: Record<string, unknown> = {}) => ({
    id,
    name,
    type: 'query alert',
    query: `avg(last_5m):avg:trace.http.request.errors{service:${tags[0]?.split(':')[1] ?? 'x'}} > 5`,
    message: `${name} @pagerduty`,
    tags,
    priority,
    overall_state: state,
    created: iso(-86_400_000),
    modified: iso(-3_600_000),
    options: {},
    state: { groups: { 'service:x': { status: state, last_triggered_ts: Math.floor((now - 600_000) / 1000), last_resolved_ts: Math.floor((now - 300_000) / 1000) } } },
    ...extra,
  });
  const monitors = [
    monitor(1001, 'Checkout error rate', 'Alert', 1, ['service:checkout', 'env:production']),
    monitor(1002, 'Cart latency', 'Warn', 3, ['service:cart', 'env:production'], {
      matching_downtimes: [{ id: 77, active: true, start: Math.floor((now - 60_000) / 1000), end: Math.floor((now + 3_600_000) / 1000), scope: ['env:production'] }],
    }),
    monitor(1003, 'Payments queue depth', 'OK', null, ['service:payments-api', 'team:payments']),
    monitor(1004, 'Unmapped host CPU', 'No Data', 5, ['host:legacy-1']),
  ];
  // A downtime of some of 1004's groups: the monitor still alerts in the others, so the alert stays FIRING.
  const downtimes: FakeDowntime[] = [
    {
      id: '00000000-0000-1234-0000-000000000077',
      type: 'downtime',
      attributes: {
        canceled: null,
        created: iso(-120_000),
        modified: iso(-120_000),
        display_timezone: 'UTC',
        message: 'host legacy-1 is being replaced',
        monitor_identifier: { monitor_id: 1004 },
        mute_first_recovery_notification: false,
        notify_end_states: ['alert', 'warn'],
        notify_end_types: ['expired'],
        schedule: { start: iso(-60_000), end: iso(3_600_000) },
        scope: 'host:legacy-1 AND region:eu',
      },
    },
  ];
  const users = [{ id: 'u-1', type: 'users', attributes: { email: 'Alex@Acme-Shop.example', handle: 'alex@acme-shop.example', name: 'Alex' } }];
  const incidents = Array.from({ length: 5 }, (_, i) => ({
    id: `00000000-0000-4000-8000-00000000000${i}`,
    type: 'incidents',
    attributes: {
      public_id: 40 + i,
      title: `Incident ${i}: ${['checkout 5xx', 'cart slow', 'payments down', 'checkout timeouts', 'cart errors'][i]}`,
      severity: ['SEV-1', 'SEV-2', 'SEV-0', 'SEV-3', 'UNKNOWN'][i],
      state: ['active', 'stable', 'resolved', 'active', 'active'][i],
      created: iso(-(i + 1) * 3_600_000),
      detected: iso(-(i + 1) * 3_600_000),
      modified: iso(-60_000),
      resolved: i === 2 ? iso(-1_800_000) : null,
      customer_impacted: false,
      fields: {
        services: { type: 'autocomplete', value: [['checkout', 'cart', 'payments-api', 'checkout', 'cart'][i]] },
        state: { type: 'dropdown', value: ['active', 'stable', 'resolved', 'active', 'active'][i] },
        // A metric-tag field named after the env tag; the last incident names no environment.
        ...(i < 4 ? { env: { type: 'metrictag', value: [['production', 'production', 'staging', 'production'][i]] } } : {}),
      },
    },
    relationships: { commander_user: { data: i === 0 ? { id: 'u-1', type: 'users' } : null } },
  }));
  const statuses = ['info', 'info', 'warn', 'error', 'info', 'debug', 'info', 'critical'];
  const lines = options.logLines ?? 120;
  const logs: FakeLogLine[] = Array.from({ length: lines }, (_, i) => {
    const service = ['checkout', 'cart', 'payments-api'][i % 3]!;
    const status = statuses[i % statuses.length]!;
    return {
      id: `AQAAAY${String(i).padStart(8, '0')}`,
      // Several lines share a millisecond, so paging must not lose or repeat them.
      timestamp: new Date(now - 60_000 - Math.floor(i / 3) * Math.floor(3_000_000 / Math.max(1, lines / 3))).toISOString(),
      status,
      service,
      message: `${service} handled request ${i} ${status === 'error' ? 'with upstream timeout' : 'ok'}`,
      tags: ['env:production', `version:1.${i % 4}`],
      host: `${service}-pod-${i % 2}`,
      attributes: { http: { status_code: status === 'error' ? 502 : 200, method: 'GET' }, trace_id: `${i}`.padStart(32, '0') },
    };
  });
  const series: FakeSeries[] = [];
  for (const [s, service] of ['checkout', 'cart', 'payments-api'].entries()) {
    for (const env of ['production', 'staging']) {
      const tags = [`service:${service}`, `env:${env}`];
      series.push({ metric: 'trace.http.request.hits', tags, value: (t) => 100 + s * 10 + Math.sin(t / 600_000) * 5 });
      series.push({ metric: 'trace.http.request.errors', tags, value: (t) => 2 + s + Math.cos(t / 900_000) });
      series.push({ metric: 'trace.http.request', tags, value: (t) => 0.2 + s * 0.05 + ((t / 60_000) % 7) / 100 });
      series.push({ metric: 'system.cpu.user', tags: [...tags, 'host:h1'], value: (t) => 40 + s * 5 + ((t / 60_000) % 10) });
    }
  }
  return { services, monitors, downtimes, incidents, users, logs, series, metricTypes: { 'trace.http.request.hits': 'count', 'trace.http.request': 'distribution', 'system.cpu.user': 'gauge' } };
}
