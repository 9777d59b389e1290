// Demo log provider: every line is generated on demand from (DEMO_SEED, service, second), so any range
// answers, the same query always answers the same way, and nothing is stored.
import type { LogFieldFilter, LogLevel, LogOrder, LogQueryInput, ServiceLogQueryInput } from '@opsorch/schema';
import type { ProviderContext } from '../src/context.ts';
import { CpuSlices } from '../src/cooperative.ts';
import { badInput } from '../src/errors.ts';
import { composeId } from '../src/ids.ts';
import type { Page, PageRequest } from '../src/paging.ts';
import type { ProviderDeps } from '../src/provider.ts';
import type { LogFieldSummaryRecord, LogProvider, LogRecord, LogVolumeRecord } from '../src/spi/logs.ts';
import type { ResolvedTimeRange } from '../src/time.ts';
import { fieldFilterTest } from '../kit/logs.ts';
import { gaussian, intBetween, pick, rngFor, type Rng } from './random.ts';
import {
  diskUsedRatio,
  effectsOver,
  hasDisk,
  intensityAt,
  podsOf,
  poolCapacity,
  poolUseOver,
  resolveScope,
  signalsFor,
  trafficShape,
  versionAt,
} from './signals.ts';
import {
  DEMO_SEED,
  dependentsOf,
  normalLogPatternsFor,
  type DemoService,
  type Environment,
  type LogLevel as WorldLogLevel,
  type LogPattern,
} from './world.ts';

const GRAFANA = 'https://grafana.acme-shop.example';

/**
 * Work allowed per provider call, in "units": a line decided (time, level, pattern) costs 1, a line rendered
 * (message and fields) costs RENDER_COST more. About 0.3 to 0.8 s of generation, done in slices that yield to
 * the event loop (CpuSlices) and stop at the call's deadline; a page that runs out of budget stops at a second
 * boundary and hands back a cursor to continue from.
 */
export const SCAN_BUDGET = 600_000;
/**
 * Wall time a page may take, waits for the event loop included: under load (many searches sharing the CPU) a
 * page stops early with its cursor rather than run into the call's timeout and count against the circuit.
 */
export const SCAN_TIME_BUDGET_MS = 2_000;
/** Measured: rendering a line costs about twelve times deciding it. */
const RENDER_COST = 12;
/** logVolume may spend this many budgets before it estimates from a sample. */
const VOLUME_BUDGETS = 2;
/** Lines rendered to summarize fields. */
const FIELD_SAMPLE_LINES = 1_500;

const LEVELS: Record<WorldLogLevel, LogLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'FATAL' };

/** How each stack spells its levels, so `rawLevel` looks like what the tool stored. */
const RAW_LEVELS: Record<string, Record<WorldLogLevel, string>> = {
  typescript: { debug: '20', info: '30', warn: '40', error: '50', fatal: '60' }, // pino
  python: { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', fatal: 'CRITICAL' },
  java: { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'FATAL' },
  kotlin: { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'FATAL' },
  ruby: { debug: 'D', info: 'I', warn: 'W', error: 'E', fatal: 'F' },
  go: { debug: 'debug', info: 'info', warn: 'warn', error: 'error', fatal: 'fatal' },
  postgresql: { debug: 'DEBUG1', info: 'LOG', warn: 'WARNING', error: 'ERROR', fatal: 'FATAL' },
  redis: { debug: '-', info: '*', warn: '#', error: '#', fatal: '#' },
};

/** Placeholders whose value becomes a structured field of the line. */
const PLACEHOLDER_FIELDS: Record<string, string> = {
  method: 'http.method',
  status: 'http.status',
  ms: 'duration_ms',
  traceId: 'trace_id',
  upstream: 'upstream',
  orderId: 'order_id',
  paymentId: 'payment_id',
  userId: 'user_id',
  sku: 'sku',
  attempt: 'attempt',
  table: 'db.table',
  topic: 'kafka.topic',
  partition: 'kafka.partition',
  group: 'kafka.group',
  objectKey: 'object_key',
};

const ACCESS_LOG = /"(GET|POST|PUT|PATCH|DELETE) (\S+) HTTP\/1\.1" (\d{3}) \d+ ([\d.]+)ms/;
const TRACE_ID = /trace_id=([0-9a-f]{32})/;

interface CompiledPattern {
  level: WorldLogLevel;
  /** Literal text and placeholder names, alternating: [text, name, text, name, text...]. */
  parts: string[];
  weight: number;
}

function compilePattern(pattern: LogPattern): CompiledPattern {
  return { level: pattern.level, parts: pattern.message.split(/\{(\w+)\}/), weight: pattern.weight };
}

/** One line decided but not yet rendered: enough to order it and to filter it by level and environment. */
interface LineStub {
  service: DemoService;
  environment: Environment;
  epochMs: number;
  sequence: number;
  pattern: CompiledPattern;
}

interface Stream {
  service: DemoService;
  normal: CompiledPattern[];
  normalTotal: number;
  scenario: { signal: ReturnType<typeof signalsFor>[number]; patterns: CompiledPattern[] }[];
}

/** A compiled query: cheap checks first (environment, level), then those that need the rendered line. */
interface Matcher {
  environment: string | null;
  levels: Set<LogLevel> | null;
  text: string | null;
  fieldTests: ((fields: Map<string, string>) => boolean)[];
  /** True when some line may need rendering to be matched (text or field filters). */
  needsRender: boolean;
  /** Per pattern, whether the text is in its literal part (true), cannot occur (false), or may (null). */
  textVerdicts: Map<CompiledPattern, boolean | null>;
}

function compileFilters(filters: readonly LogFieldFilter[] | null | undefined, where: string): Matcher['fieldTests'] {
  return (filters ?? []).map((filter, index) => {
    const name = `${where}[${index}] (field "${filter.field}")`;
    if (!filter.field) throw badInput(`${name}: field must not be empty; see logFields for the field names`);
    // REGEX searches the value (as Loki's `|~` does); `^...$` anchors it. See decision 013.
    return fieldFilterTest(filter, name);
  });
}

function compileMatcher(query: LogQueryInput, environment: string | null): Matcher {
  const text = query.text ? query.text.toLowerCase() : null;
  const fieldTests = compileFilters(query.filters, 'query.filters');
  return {
    environment,
    levels: query.levels && query.levels.length > 0 ? new Set(query.levels) : null,
    text,
    fieldTests,
    needsRender: text !== null || fieldTests.length > 0,
    textVerdicts: new Map(),
  };
}

/** Whether `text` must, cannot, or may occur in lines of `pattern`, decided from its literal text alone. */
function textVerdict(pattern: CompiledPattern, text: string): boolean | null {
  const literals = pattern.parts.filter((_, i) => i % 2 === 0);
  if (literals.some((literal) => literal.toLowerCase().includes(text))) return true;
  return pattern.parts.length === 1 ? false : null;
}

/** A rendered line: what a log tool would store. */
interface RenderedLine {
  message: string;
  fields: { key: string; value: string }[];
  fieldMap: Map<string, string>;
}

function compareStubs(a: LineStub, b: LineStub): number {
  return a.epochMs - b.epochMs || (a.service.id < b.service.id ? -1 : a.service.id > b.service.id ? 1 : 0) || a.sequence - b.sequence;
}

function parseCursor(cursor: string | null): { second: number; skip: number } | null {
  if (cursor === null) return null;
  const match = /^(\d+):(\d+)$/.exec(cursor);
  if (!match) throw badInput(`cursor "${cursor}" is not valid for logs: pass the endCursor of a previous page unchanged`);
  return { second: Number(match[1]), skip: Number(match[2]) };
}

/** The demo world's log tool. */
export class DemoLogProvider implements LogProvider {
  readonly kind = 'demo';
  private readonly streams = new Map<string, Stream>();

  constructor(readonly instance: string) {}

  async query(query: LogQueryInput, range: ResolvedTimeRange, page: PageRequest, order: LogOrder, ctx: ProviderContext): Promise<Page<LogRecord>> {
    const scope = resolveScope(query.scope, ctx.environment);
    return this.scan(scope.services, compileMatcher(query, scope.environment), range, page, order, ctx, SCAN_BUDGET, new CpuSlices(ctx.signal));
  }

  async forServices(
    serviceIds: readonly string[],
    query: ServiceLogQueryInput,
    range: ResolvedTimeRange,
    page: PageRequest,
    order: LogOrder,
    ctx: ProviderContext,
  ): Promise<Page<LogRecord>[]> {
    const environment = query.environment ?? ctx.environment ?? null;
    const matcher = compileMatcher({ text: query.text, levels: query.levels, filters: query.filters }, environment);
    // The batch shares one budget, but every service gets enough to make progress.
    const budget = Math.max(40_000, Math.floor(SCAN_BUDGET / Math.max(1, serviceIds.length)));
    const work = new CpuSlices(ctx.signal);
    const pages: Page<LogRecord>[] = [];
    for (const id of serviceIds) {
      let services: DemoService[];
      try {
        services = resolveScope({ service: id }).services;
      } catch {
        pages.push({ items: [], nextCursor: null }); // not a service this log tool knows
        continue;
      }
      pages.push(await this.scan(services, matcher, range, page, order, ctx, budget, work));
    }
    return pages;
  }

  async volume(query: LogQueryInput, range: ResolvedTimeRange, buckets: number, ctx: ProviderContext): Promise<LogVolumeRecord> {
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > 1000) throw badInput(`buckets must be an integer from 1 to 1000, got ${buckets}`);
    const scope = resolveScope(query.scope, ctx.environment);
    const matcher = compileMatcher(query, scope.environment);
    const fromMs = range.from.getTime();
    const toMs = Math.min(range.to.getTime(), ctx.now.getTime());
    const width = Math.max(1, (toMs - fromMs) / buckets);
    const counts = Array.from({ length: buckets }, () => new Map<LogLevel, number>());
    const firstSecond = Math.floor(fromMs / 1000);
    const lastSecond = Math.ceil(toMs / 1000) - 1;
    const seconds = Math.max(0, lastSecond - firstSecond + 1);
    const perSecondCost = scope.services.length * 9 * (matcher.needsRender ? 1 + RENDER_COST : 1);
    const estimated = seconds * perSecondCost > SCAN_BUDGET * VOLUME_BUDGETS;

    const work = new CpuSlices(ctx.signal);
    const count = (second: number, weight: number, onlyBucket: number | null) => {
      for (const stub of this.stubsOfSecond(scope.services, second)) {
        if (stub.epochMs < fromMs || stub.epochMs >= toMs) continue;
        const verdict = this.precheck(stub, matcher);
        if (verdict === false || (verdict === null && !this.matchesRendered(this.render(stub), matcher))) continue;
        const bucket = onlyBucket ?? Math.min(buckets - 1, Math.floor((stub.epochMs - fromMs) / width));
        const level = LEVELS[stub.pattern.level];
        counts[bucket]!.set(level, (counts[bucket]!.get(level) ?? 0) + weight);
      }
    };

    if (toMs > fromMs && !estimated) {
      for (let second = firstSecond; second <= lastSecond; second++) {
        if (work.due()) await work.pause();
        count(second, 1, null);
      }
    } else if (toMs > fromMs) {
      // Evenly spaced sample seconds per bucket, scaled to the bucket's length: the same answer every time.
      const samplesPerBucket = Math.max(1, Math.floor((SCAN_BUDGET * VOLUME_BUDGETS) / perSecondCost / buckets));
      for (let b = 0; b < buckets; b++) {
        const start = fromMs + b * width;
        const bucketSeconds = width / 1000;
        const samples = Math.min(samplesPerBucket, Math.max(1, Math.floor(bucketSeconds)));
        for (let i = 0; i < samples; i++) {
          if (work.due()) await work.pause();
          const second = Math.floor((start + ((i + 0.5) * width) / samples) / 1000);
          count(second, bucketSeconds / samples, b);
        }
      }
    }

    const levelOrder: LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'UNKNOWN'];
    let total = 0;
    const result = counts.map((levels, b) => {
      const bucketCounts = levelOrder
        .filter((level) => levels.has(level))
        .map((level) => ({ level, count: Math.round(levels.get(level)!) }))
        .filter((c) => c.count > 0);
      const bucketTotal = bucketCounts.reduce((sum, c) => sum + c.count, 0);
      total += bucketTotal;
      return {
        start: new Date(Math.round(fromMs + b * width)).toISOString(),
        end: new Date(Math.round(Math.min(toMs, fromMs + (b + 1) * width))).toISOString(),
        counts: bucketCounts,
        total: bucketTotal,
      };
    });
    return { buckets: result, total, estimated };
  }

  async fieldSummaries(scopeInput: LogQueryInput['scope'], range: ResolvedTimeRange, top: number, ctx: ProviderContext): Promise<LogFieldSummaryRecord[]> {
    if (!Number.isInteger(top) || top < 1 || top > 50) throw badInput(`top must be an integer from 1 to 50, got ${top}`);
    const scope = resolveScope(scopeInput, ctx.environment);
    const fromMs = range.from.getTime();
    const toMs = Math.min(range.to.getTime(), ctx.now.getTime());
    const firstSecond = Math.floor(fromMs / 1000);
    const seconds = Math.max(0, Math.ceil(toMs / 1000) - firstSecond);
    const wanted = Math.max(1, Math.min(seconds, Math.ceil(FIELD_SAMPLE_LINES / (scope.services.length * 8))));
    const values = new Map<string, Map<string, number>>();
    let sampled = 0;
    const work = new CpuSlices(ctx.signal);
    for (let i = 0; i < wanted && seconds > 0; i++) {
      if (work.due()) await work.pause();
      const second = firstSecond + Math.floor(((i + 0.5) * seconds) / wanted);
      for (const stub of this.stubsOfSecond(scope.services, second)) {
        if (scope.environment !== null && stub.environment !== scope.environment) continue;
        sampled++;
        for (const field of this.render(stub).fields) {
          let byValue = values.get(field.key);
          if (!byValue) values.set(field.key, (byValue = new Map()));
          byValue.set(field.value, (byValue.get(field.value) ?? 0) + 1);
        }
      }
    }
    return [...values.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, byValue]) => ({
        name,
        topValues: [...byValue.entries()]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .slice(0, top)
          .map(([value, count]) => ({ value, count })),
        distinctValues: byValue.size,
        occurrences: [...byValue.values()].reduce((sum, n) => sum + n, 0),
        sampledLines: sampled,
      }));
  }

  /**
   * Walks seconds from the cursor in `order`, collecting matching lines until the page is full, the range
   * ends, or the budget runs out (then the cursor points at the next unscanned second).
   */
  private async scan(
    services: DemoService[],
    matcher: Matcher,
    range: ResolvedTimeRange,
    page: PageRequest,
    order: LogOrder,
    ctx: ProviderContext,
    budget: number,
    work: CpuSlices,
  ): Promise<Page<LogRecord>> {
    const fromMs = range.from.getTime();
    const toMs = Math.min(range.to.getTime(), ctx.now.getTime());
    const items: LogRecord[] = [];
    if (toMs <= fromMs || services.length === 0) return { items, nextCursor: null };
    const newestFirst = order !== 'OLDEST_FIRST';
    const firstSecond = Math.floor(fromMs / 1000);
    const lastSecond = Math.ceil(toMs / 1000) - 1;
    const cursor = parseCursor(page.after);
    let second = newestFirst ? lastSecond : firstSecond;
    let skip = 0;
    if (cursor) {
      second = newestFirst ? Math.min(cursor.second, lastSecond) : Math.max(cursor.second, firstSecond);
      skip = cursor.second === second ? cursor.skip : 0;
    }
    if (page.first === 0) return { items, nextCursor: page.after ?? `${second}:0` };
    let spent = 0;
    let lastCursor = '';
    const step = newestFirst ? -1 : 1;
    for (; newestFirst ? second >= firstSecond : second <= lastSecond; second += step) {
      // Out of budget: stop at a second boundary; the page may be short (even empty) but the cursor moves on.
      if (spent >= budget || work.elapsedMs() > SCAN_TIME_BUDGET_MS) return { items, nextCursor: items.length === page.first ? lastCursor : `${second}:0` };
      if (work.due()) await work.pause();
      const stubs = this.stubsOfSecond(services, second);
      spent += stubs.length;
      if (newestFirst) stubs.reverse();
      let matched = 0;
      for (const stub of stubs) {
        if (stub.epochMs < fromMs || stub.epochMs >= toMs) continue;
        const verdict = this.precheck(stub, matcher);
        if (verdict === false) continue;
        let rendered: RenderedLine | null = null;
        if (verdict === null) {
          rendered = this.render(stub);
          spent += RENDER_COST;
          if (!this.matchesRendered(rendered, matcher)) continue;
        }
        matched++;
        if (matched <= skip) continue;
        // One match past a full page proves there is a next page.
        if (items.length === page.first) return { items, nextCursor: lastCursor };
        items.push(this.toRecord(stub, rendered ?? this.render(stub)));
        lastCursor = `${second}:${matched}`;
      }
      skip = 0;
    }
    return { items, nextCursor: null };
  }

  /**
   * Decides what it can without rendering the line: false = no match, true = match, null = render and look.
   * Environment and level are known from the stub; text often from the pattern's literal part.
   */
  private precheck(stub: LineStub, matcher: Matcher): boolean | null {
    if (matcher.environment !== null && stub.environment !== matcher.environment) return false;
    if (matcher.levels !== null && !matcher.levels.has(LEVELS[stub.pattern.level])) return false;
    if (!matcher.needsRender) return true;
    let verdict: boolean | null = true;
    if (matcher.text !== null) {
      verdict = matcher.textVerdicts.get(stub.pattern) ?? null;
      if (!matcher.textVerdicts.has(stub.pattern)) {
        verdict = textVerdict(stub.pattern, matcher.text);
        matcher.textVerdicts.set(stub.pattern, verdict);
      }
    }
    if (verdict === false) return false;
    return verdict === true && matcher.fieldTests.length === 0 ? true : null;
  }

  private matchesRendered(line: RenderedLine, matcher: Matcher): boolean {
    if (matcher.text !== null && !line.message.toLowerCase().includes(matcher.text)) return false;
    return matcher.fieldTests.every((test) => test(line.fieldMap));
  }

  private stream(service: DemoService): Stream {
    let stream = this.streams.get(service.id);
    if (!stream) {
      const normal = normalLogPatternsFor(service).map(compilePattern);
      stream = {
        service,
        normal,
        normalTotal: normal.reduce((sum, p) => sum + p.weight, 0),
        scenario: signalsFor(service.id).map((signal) => ({ signal, patterns: signal.logPatterns.map(compilePattern) })),
      };
      this.streams.set(service.id, stream);
    }
    return stream;
  }

  /** Every line of the given services written during one second, in time order (then service, sequence). */
  private stubsOfSecond(services: DemoService[], second: number): LineStub[] {
    const all: LineStub[] = [];
    for (const service of services) {
      for (const stub of this.serviceSecond(service, second)) all.push(stub);
    }
    return services.length > 1 ? all.sort(compareStubs) : all;
  }

  /**
   * One service's lines in one second: 5 to 11 production lines (more at peak traffic) and sometimes a
   * staging line. Scenario patterns join the pattern pool with their weight scaled by the signal's strength.
   */
  private serviceSecond(service: DemoService, second: number): LineStub[] {
    const stream = this.stream(service);
    const rng = rngFor(DEMO_SEED, 'logs', service.id, second);
    const tMs = second * 1000;
    const production = 5 + Math.floor(rng() * 3) + Math.max(0, Math.round((trafficShape(tMs) - 0.7) * 5));
    const staging = rng() < 0.3 ? 1 : 0;
    const active: { pattern: CompiledPattern; weight: number }[] = [];
    let activeTotal = 0;
    for (const { signal, patterns } of stream.scenario) {
      const strength = intensityAt(signal, tMs);
      if (strength <= 0) continue;
      for (const pattern of patterns) {
        active.push({ pattern, weight: pattern.weight * strength });
        activeTotal += pattern.weight * strength;
      }
    }
    const lines: { offset: number; environment: Environment; pattern: CompiledPattern }[] = [];
    for (let i = 0; i < production + staging; i++) {
      const environment: Environment = i < production ? 'production' : 'staging';
      const offset = Math.floor(rng() * 1000);
      const withScenario = environment === 'production' ? activeTotal : 0;
      let r = rng() * (stream.normalTotal + withScenario);
      let chosen: CompiledPattern | undefined;
      for (const pattern of stream.normal) {
        r -= pattern.weight;
        if (r < 0) {
          chosen = pattern;
          break;
        }
      }
      if (!chosen && withScenario > 0) {
        for (const candidate of active) {
          r -= candidate.weight;
          if (r < 0) {
            chosen = candidate.pattern;
            break;
          }
        }
      }
      lines.push({ offset, environment, pattern: chosen ?? stream.normal[stream.normal.length - 1]! });
    }
    lines.sort((a, b) => a.offset - b.offset);
    return lines.map((line, sequence) => ({ service, environment: line.environment, epochMs: tMs + line.offset, sequence, pattern: line.pattern }));
  }

  /** Fills a line's placeholders and derives its structured fields, from its own seed. */
  private render(stub: LineStub): RenderedLine {
    const { service, environment, epochMs, sequence } = stub;
    const rng = rngFor(DEMO_SEED, 'line', service.id, epochMs, sequence);
    const pods = podsOf(service, environment);
    const fieldMap = new Map<string, string>([
      ['pod', pick(rng, pods)],
      ['version', versionAt(service, environment, epochMs)],
    ]);
    const values = new Map<string, string>();
    const line: LineFill = { stub, rng, values, endpoint: null };
    const parts = stub.pattern.parts;
    let message = '';
    for (let i = 0; i < parts.length; i++) message += i % 2 === 0 ? parts[i] : fillPlaceholder(line, parts[i]!);
    for (const [name, value] of values) {
      const key = PLACEHOLDER_FIELDS[name];
      if (key && !fieldMap.has(key)) fieldMap.set(key, value);
    }
    if (values.has('route')) fieldMap.set('http.route', values.get('route')!);
    const access = message.includes('HTTP/1.1"') ? ACCESS_LOG.exec(message) : null;
    if (access) {
      if (!fieldMap.has('http.method')) fieldMap.set('http.method', access[1]!);
      fieldMap.set('http.path', access[2]!);
      fieldMap.set('http.status', access[3]!);
      if (!fieldMap.has('duration_ms')) fieldMap.set('duration_ms', access[4]!);
    }
    if (!fieldMap.has('trace_id')) {
      const trace = TRACE_ID.exec(message);
      if (trace) fieldMap.set('trace_id', trace[1]!);
    }
    return { message, fieldMap, fields: [...fieldMap].map(([key, value]) => ({ key, value })) };
  }

  private toRecord(stub: LineStub, line: RenderedLine): LogRecord {
    const { service, environment, epochMs, sequence } = stub;
    const nativeId = `${service.id}:${epochMs}:${sequence}`;
    const traceId = line.fieldMap.get('trace_id') ?? null;
    const pod = line.fieldMap.get('pod')!;
    const selector = `{service="${service.id}", env="${environment}", pod="${pod}"}`;
    const explore = {
      datasource: 'loki',
      queries: [{ refId: 'A', expr: traceId ? `${selector} |= "${traceId}"` : selector }],
      range: { from: String(epochMs - 1000), to: String(epochMs + 1000) },
    };
    return {
      id: composeId(this.instance, nativeId),
      timestamp: new Date(epochMs).toISOString(),
      level: LEVELS[stub.pattern.level],
      rawLevel: (RAW_LEVELS[service.language] ?? RAW_LEVELS.go!)[stub.pattern.level],
      message: line.message,
      serviceId: service.id,
      sequence,
      environment,
      fields: line.fields,
      traceId,
      url: `${GRAFANA}/explore?orgId=1&left=${encodeURIComponent(JSON.stringify(explore))}`,
      source: { provider: 'demo', instance: this.instance, id: nativeId },
    };
  }
}

const TABLES = ['orders', 'order_lines', 'stock_levels', 'payments', 'shipments', 'reservations'];
const TOPICS = ['orders.created', 'orders.paid', 'stock.changed', 'notifications.outbound', 'payments.events', 'shipments.updated'];
const GROUPS = ['notifications', 'inventory-sync', 'fraud-features', 'recommendations-events', 'shipping-events'];
const CURRENCIES = ['EUR', 'EUR', 'EUR', 'GBP', 'GBP', 'USD'];
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM_MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STATUS_BY_LEVEL: Record<WorldLogLevel, string[]> = {
  debug: ['200'],
  info: ['200', '200', '200', '200', '200', '200', '201', '204', '304'],
  warn: ['400', '404', '404', '409', '429'],
  error: ['500', '502', '503'],
  fatal: ['500'],
};

function chars(rng: Rng, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(rng() * alphabet.length)];
  return out;
}

/** Placeholders that keep one value within a line (the same request's method, path, trace...). */
const STICKY = new Set(['method', 'path', 'traceId', 'upstream', 'orderId', 'paymentId', 'userId', 'sessionId', 'sku']);

/** What filling one line's placeholders needs; `values` collects the first value of each placeholder. */
interface LineFill {
  stub: LineStub;
  rng: Rng;
  values: Map<string, string>;
  endpoint: { method: string; path: string } | null;
}

function fillPlaceholder(line: LineFill, name: string): string {
  const known = line.values.get(name);
  if (known !== undefined && STICKY.has(name)) return known;
  const value = drawPlaceholder(line, name);
  if (!line.values.has(name)) line.values.set(name, value);
  return value;
}

function endpointOf(line: LineFill): { method: string; path: string } {
  const { service } = line.stub;
  return (line.endpoint ??= service.endpoints.length > 0 ? pick(line.rng, service.endpoints) : { method: 'GET', path: '/healthz' });
}

/**
 * A value for one placeholder (see LOG_PLACEHOLDERS in world.ts), drawn from the line's own generator and
 * the service's state at that instant: durations follow the current latency, pool numbers the current
 * saturation, disk percentages the current disk use.
 */
function drawPlaceholder(line: LineFill, name: string): string {
  const { stub, rng } = line;
  const { service, epochMs } = stub;
  switch (name) {
    case 'method':
      return endpointOf(line).method;
    case 'path': {
      const template = endpointOf(line).path;
      line.values.set('route', template);
      return template.replace(/\{(\w+)\}/g, (_, inner: string) => fillPlaceholder(line, inner));
    }
    case 'status':
      return pick(rng, STATUS_BY_LEVEL[stub.pattern.level]);
    case 'ms': {
      const sigma = Math.log(service.baseline.p99Ms / service.baseline.p50Ms) / 2.326;
      const slow = stub.pattern.level === 'warn' || stub.pattern.level === 'error' ? 2 + rng() * 3 : 1;
      const ms = service.baseline.p50Ms * effectsOver(service.id, epochMs, epochMs).latencyFactor * slow * Math.exp(sigma * gaussian(rng));
      return ms >= 10 ? String(Math.round(ms)) : ms.toFixed(1);
    }
    case 'bytes':
      return String(intBetween(rng, 180, 48_000));
    case 'ip':
      return `10.${intBetween(rng, 0, 31)}.${intBetween(rng, 0, 255)}.${intBetween(rng, 2, 254)}`;
    case 'port':
      return String(intBetween(rng, 32_768, 60_999));
    case 'traceId':
      return chars(rng, '0123456789abcdef', 32);
    case 'userId':
      return `cus_${chars(rng, ALNUM, 5)}`;
    case 'orderId': {
      const day = new Date(epochMs).toISOString().slice(0, 10).replaceAll('-', '');
      return `ord_${day}_${intBetween(rng, 1000, 9999)}`;
    }
    case 'paymentId':
      return `pi_3${chars(rng, ALNUM_MIXED, 23)}`;
    case 'sku':
      return `SKU-${intBetween(rng, 10_000, 99_999)}`;
    case 'qty':
      return String(intBetween(rng, 1, 5));
    case 'amount':
      return (5 + rng() * 395).toFixed(2);
    case 'currency':
      return pick(rng, CURRENCIES);
    case 'upstream': {
      const neighbours = service.dependencies.length > 0 ? service.dependencies : dependentsOf(service.id).map((s) => s.id);
      return neighbours.length > 0 ? pick(rng, neighbours) : 'upstream';
    }
    case 'attempt':
      return String(intBetween(rng, 1, 3));
    case 'count':
      return String(intBetween(rng, 1, 5000));
    case 'conns':
      return String(Math.round(poolUseOver(service, epochMs, epochMs) * poolCapacity(service)));
    case 'waiting': {
      const postgres = service.language === 'postgresql';
      if (poolUseOver(service, epochMs, epochMs) <= 0.9) return String(intBetween(rng, 0, 3));
      return String(intBetween(rng, postgres ? 90 : 20, postgres ? 160 : 60));
    }
    case 'pid':
      return String(intBetween(rng, 1000, 65_000));
    case 'table':
      return pick(rng, TABLES);
    case 'rows':
      return String(intBetween(rng, 1, 20_000));
    case 'topic':
      return pick(rng, TOPICS);
    case 'partition':
      return String(intBetween(rng, 0, 11));
    case 'offset':
      return String((Math.floor(epochMs / 40) % 1_000_000_000) + intBetween(rng, 0, 999));
    case 'lag':
      return String(intBetween(rng, 0, 400));
    case 'group':
      return pick(rng, GROUPS);
    case 'objectKey':
      return `products/${intBetween(rng, 10_000, 99_999)}/${pick(rng, ['main', 'alt-1', 'alt-2', 'thumb'])}.jpg`;
    case 'sessionId':
      return chars(rng, ALNUM_MIXED, 16);
    case 'trackingId':
      return `JD0${chars(rng, '0123456789', 15)}`;
    case 'percent':
      return String(hasDisk(service) ? Math.round(diskUsedRatio(service, 2, epochMs) * 100) : intBetween(rng, 1, 99));
    case 'version':
      return versionAt(service, stub.environment, epochMs);
    default:
      return `{${name}}`;
  }
}

export function createDemoLogProvider(_settings: unknown, deps: ProviderDeps): LogProvider {
  return new DemoLogProvider(deps.instance);
}
