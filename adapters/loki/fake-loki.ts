// Test code: a Loki behind the contract fake. It holds streams and answers query_range, labels and label values
// by running the LogQL it is sent (the subset the adapter writes: selector, line filters, `| json`, label
// filters, `sum by (l) (count_over_time(… [Nms]))`) with Go string and RE2 semantics, so a value that escaped
// its string literal would change what matches, or fail to parse, instead of passing unnoticed.
import { join } from 'node:path';
import { RE2JS } from 're2js';
import { startContractFake, type ContractFake, type FakeReply, type FakeRequest } from '../kit/contract-fake.ts';
import { flattenFields } from '../kit/logs.ts';

export interface FakeStream {
  labels: Record<string, string>;
  /** [ns epoch, line], any order. */
  entries: [bigint, string][];
}

type Matcher = { label: string; op: '=' | '!=' | '=~' | '!~'; value: string };
type Stage = { kind: 'line'; op: '|=' | '!=' | '|~' | '!~'; value: string } | { kind: 'json' } | { kind: 'label'; matcher: Matcher };

/** Reads a Go double-quoted string literal at `i`; answers its value and the index after it. */
function readString(text: string, i: number): [string, number] {
  if (text[i] !== '"') throw new Error(`expected a string at ${i}: ${text.slice(i, i + 20)}`);
  let out = '';
  for (i++; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return [out, i + 1];
    if (c === '\n') throw new Error('newline in a string literal');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = text[++i];
    if (e === 'n') out += '\n';
    else if (e === 'r') out += '\r';
    else if (e === 't') out += '\t';
    else if (e === '\\' || e === '"') out += e;
    else if (e === 'x') {
      out += String.fromCharCode(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw new Error(`unknown escape \\${e}`);
  }
  throw new Error('unterminated string literal');
}

function skipSpace(text: string, i: number): number {
  while (text[i] === ' ') i++;
  return i;
}

function readMatcher(text: string, i: number): [Matcher, number] {
  const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i))?.[0];
  if (!name) throw new Error(`expected a label name at ${i}`);
  i += name.length;
  const op = /^(=~|!~|!=|=)/.exec(text.slice(i))?.[0] as Matcher['op'] | undefined;
  if (!op) throw new Error(`expected a matcher operator at ${i}`);
  const [value, next] = readString(text, i + op.length);
  return [{ label: name, op, value }, next];
}

/** Parses the adapter's LogQL log query. */
export function parseLogQL(text: string): { selector: Matcher[]; stages: Stage[] } {
  let i = skipSpace(text, 0);
  if (text[i] !== '{') throw new Error('a log query starts with {');
  const selector: Matcher[] = [];
  i++;
  for (;;) {
    i = skipSpace(text, i);
    const [matcher, next] = readMatcher(text, i);
    selector.push(matcher);
    i = skipSpace(text, next);
    if (text[i] === ',') i++;
    else if (text[i] === '}') break;
    else throw new Error(`expected , or } at ${i}`);
  }
  i++;
  const stages: Stage[] = [];
  for (;;) {
    i = skipSpace(text, i);
    if (i >= text.length) return { selector, stages };
    const lineOp = /^(\|=|!=|\|~|!~)/.exec(text.slice(i))?.[0] as '|=' | '!=' | '|~' | '!~' | undefined;
    if (lineOp) {
      const [value, next] = readString(text, skipSpace(text, i + 2));
      stages.push({ kind: 'line', op: lineOp, value });
      i = next;
      continue;
    }
    if (text[i] !== '|') throw new Error(`expected a pipeline stage at ${i}: ${text.slice(i, i + 20)}`);
    i = skipSpace(text, i + 1);
    if (text.startsWith('json', i) && !/[a-zA-Z0-9_=!]/.test(text[i + 4] ?? '')) {
      stages.push({ kind: 'json' });
      i += 4;
      continue;
    }
    const [matcher, next] = readMatcher(text, i);
    stages.push({ kind: 'label', matcher });
    i = next;
  }
}

const compiled = new Map<string, RE2JS>();
function re(source: string): RE2JS {
  let r = compiled.get(source);
  if (!r) compiled.set(source, (r = RE2JS.compile(source)));
  return r;
}

function matches(m: Matcher, value: string | undefined): boolean {
  const v = value ?? '';
  if (m.op === '=') return v === m.value;
  if (m.op === '!=') return v !== m.value;
  const full = re(m.value).matches(v); // label matchers are anchored at both ends
  return m.op === '=~' ? full : !full;
}

/** The lines of `streams` a parsed query selects, with their labels after the pipeline. */
export function run(streams: FakeStream[], query: ReturnType<typeof parseLogQL>): { labels: Record<string, string>; ns: bigint; line: string }[] {
  const out: { labels: Record<string, string>; ns: bigint; line: string }[] = [];
  for (const stream of streams) {
    if (!query.selector.every((m) => matches(m, stream.labels[m.label]))) continue;
    for (const [ns, line] of stream.entries) {
      const labels = { ...stream.labels };
      let keep = true;
      for (const stage of query.stages) {
        if (stage.kind === 'line') {
          const found = stage.op === '|=' || stage.op === '!=' ? line.includes(stage.value) : re(stage.value).matcher(line).find();
          keep = stage.op.startsWith('!') ? !found : found;
        } else if (stage.kind === 'json') {
          try {
            for (const f of flattenFields(JSON.parse(line))) labels[f.key.replace(/[^a-zA-Z0-9_]/g, '_')] ??= f.value;
          } catch {
            labels.__error__ = 'JSONParserErr';
          }
        } else keep = matches(stage.matcher, labels[stage.matcher.label]);
        if (!keep) break;
      }
      if (keep) out.push({ labels, ns, line });
    }
  }
  return out;
}

export interface FakeLoki {
  fake: ContractFake;
  streams: FakeStream[];
  /** Failure the next requests answer, as Loki behind a gateway would. */
  fail: FakeReply | null;
  /** Delay before each answer (ms). */
  delayMs: number;
  close(): Promise<void>;
}

const ns = (value: string | null, fallback: bigint) => (value === null ? fallback : BigInt(value));

/** Starts the fake Loki on a free port. */
export async function startFakeLoki(streams: FakeStream[]): Promise<FakeLoki> {
  const fake = await startContractFake({ spec: 'loki.openapi.json', vendor: 'Loki', specDir: join(import.meta.dirname, '__fixtures__') });
  const state: FakeLoki = { fake, streams, fail: null, delayMs: 0, close: () => fake.close() };
  const guard = async (request: FakeRequest, answer: () => FakeReply): Promise<FakeReply> => {
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
    if (state.fail) return state.fail;
    try {
      return answer();
    } catch (error) {
      return { status: 400, raw: `parse error: ${(error as Error).message} (${request.query.get('query')})` };
    }
  };
  fake.on('GET /loki/api/v1/query_range', (request) =>
    guard(request, () => {
      const text = request.query.get('query')!;
      const start = ns(request.query.get('start'), 0n);
      const end = ns(request.query.get('end'), 1n << 62n);
      const metric = /^sum by \(([a-zA-Z_][a-zA-Z0-9_]*)\) \(count_over_time\((.*) \[(\d+)ms\]\)\)$/s.exec(text);
      if (metric) {
        const [, by, inner, windowMs] = metric;
        const lines = run(state.streams, parseLogQL(inner!));
        const stepNs = BigInt(Math.round(Number(request.query.get('step')) * 1e9));
        const windowNs = BigInt(windowMs!) * 1_000_000n;
        const series = new Map<string, [number, string][]>();
        for (let t = start; t <= end; t += stepNs) {
          const counts = new Map<string, number>();
          for (const l of lines) if (l.ns > t - windowNs && l.ns <= t) counts.set(l.labels[by!] ?? '', (counts.get(l.labels[by!] ?? '') ?? 0) + 1);
          for (const [level, n] of counts) series.set(level, [...(series.get(level) ?? []), [Number(t) / 1e9, String(n)]]);
        }
        return { body: { status: 'success', data: { resultType: 'matrix', result: [...series].map(([level, values]) => ({ metric: level ? { [by!]: level } : {}, values })), stats: {} } } };
      }
      const limit = Number(request.query.get('limit') ?? 100);
      const backward = (request.query.get('direction') ?? 'backward') === 'backward';
      const selected = run(state.streams, parseLogQL(text))
        .filter((l) => l.ns >= start && l.ns < end)
        .sort((a, b) => (backward ? Number(b.ns - a.ns) : Number(a.ns - b.ns)))
        .slice(0, limit);
      const byStream = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
      for (const l of selected) {
        const key = JSON.stringify(l.labels);
        if (!byStream.has(key)) byStream.set(key, { stream: l.labels, values: [] });
        byStream.get(key)!.values.push([String(l.ns), l.line]);
      }
      return { body: { status: 'success', data: { resultType: 'streams', result: [...byStream.values()], stats: { summary: { totalLinesProcessed: selected.length } } } } };
    }),
  );
  const selected = (request: FakeRequest) => {
    const selector = request.query.get('query');
    return selector ? state.streams.filter((s) => parseLogQL(selector).selector.every((m) => matches(m, s.labels[m.label]))) : state.streams;
  };
  fake.on('GET /loki/api/v1/labels', (request) => guard(request, () => ({ body: { status: 'success', data: [...new Set(selected(request).flatMap((s) => Object.keys(s.labels)))].sort() } })));
  fake.on('GET /loki/api/v1/label/{name}/values', (request) =>
    guard(request, () => ({ body: { status: 'success', data: [...new Set(selected(request).map((s) => s.labels[request.params.name!]).filter((v): v is string => v !== undefined))].sort() } })),
  );
  return state;
}
