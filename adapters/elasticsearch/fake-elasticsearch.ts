// Test code: an Elasticsearch behind the contract fake (../shared/vendor-api/elasticsearch.openapi.json, `_search`).
// It holds documents and runs the query DSL it is sent (bool, term, terms, match_phrase, range, exists, sort,
// search_after, date_histogram with terms), so what a value matches is decided by the DSL objects the adapter
// built. Lines of one millisecond come back in an order of the fake's own, as shards would answer.
import { join } from 'node:path';
import { startContractFake, type ContractFake, type FakeReply } from '../kit/contract-fake.ts';
import { flattenFields } from '../kit/logs.ts';

export interface FakeDoc {
  _index: string;
  _id: string;
  _source: Record<string, unknown>;
}

export interface FakeElasticsearch {
  fake: ContractFake;
  docs: FakeDoc[];
  fail: FakeReply | null;
  delayMs: number;
  close(): Promise<void>;
}

type Q = Record<string, any>;
const tokens = (text: string) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

function matches(q: Q, fields: Map<string, string>): boolean {
  const [kind, body] = Object.entries(q)[0] as [string, Q];
  if (kind === 'bool') {
    if (!(body.filter ?? []).every((c: Q) => matches(c, fields))) return false;
    if (!(body.must ?? []).every((c: Q) => matches(c, fields))) return false;
    if ((body.must_not ?? []).some((c: Q) => matches(c, fields))) return false;
    const should = body.should ?? [];
    const min = body.minimum_should_match ?? (should.length > 0 && !body.filter && !body.must ? 1 : 0);
    return should.filter((c: Q) => matches(c, fields)).length >= min;
  }
  const [field, arg] = Object.entries(body)[0] as [string, any];
  const value = fields.get(field);
  if (kind === 'term') return value !== undefined && (arg.case_insensitive ? value.toLowerCase() === String(arg.value).toLowerCase() : value === String(arg.value));
  if (kind === 'terms') return value !== undefined && (arg as unknown[]).map(String).includes(value);
  if (kind === 'exists') return fields.has(arg as string);
  if (kind === 'range') {
    const t = Date.parse(value ?? '');
    return !Number.isNaN(t) && (arg.gte === undefined || t >= Date.parse(arg.gte)) && (arg.lt === undefined || t < Date.parse(arg.lt));
  }
  if (kind === 'match_phrase') {
    const phrase = tokens(String(arg.query));
    const words = tokens(value ?? '');
    if (phrase.length === 0) return false;
    return words.some((_, i) => phrase.every((p, j) => words[i + j] === p));
  }
  throw new Error(`the fake does not run ${kind} queries`);
}

/** Starts the fake Elasticsearch on a free port. */
export async function startFakeElasticsearch(docs: FakeDoc[], timestampField = '@timestamp'): Promise<FakeElasticsearch> {
  const fake = await startContractFake({ spec: 'elasticsearch.openapi.json', vendor: 'Elasticsearch', fixtures: join(import.meta.dirname, '__fixtures__') });
  const state: FakeElasticsearch = { fake, docs, fail: null, delayMs: 0, close: () => fake.close() };
  fake.on('POST /{index}/_search', async (request) => {
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
    if (state.fail) return state.fail;
    const body = request.body as Q;
    const timeOf = (fields: Map<string, string>) => Date.parse(fields.get(timestampField) ?? '');
    let selected: { doc: FakeDoc; fields: Map<string, string>; ms: number }[];
    try {
      selected = state.docs
        .map((doc) => {
          const fields = new Map(flattenFields(doc._source).map((f) => [f.key, f.value]));
          return { doc, fields, ms: timeOf(fields) };
        })
        .filter((d) => !body.query || matches(body.query, d.fields));
    } catch (error) {
      return { status: 400, body: { error: { type: 'parsing_exception', reason: (error as Error).message }, status: 400 } };
    }
    const shell = { took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } };
    const aggs: Record<string, unknown> = {};
    const histogram = body.aggs?.buckets?.date_histogram;
    if (histogram) {
      const width = Number(/^(\d+)ms$/.exec(histogram.fixed_interval)![1]);
      const offset = Number(/^(\d+)ms$/.exec(histogram.offset ?? '0ms')![1]);
      const levelField = body.aggs.buckets.aggs.levels.terms.field as string;
      const buckets = new Map<number, Map<string, number>>();
      for (const d of selected) {
        const key = Math.floor((d.ms - offset) / width) * width + offset;
        const byLevel = buckets.get(key) ?? new Map<string, number>();
        const level = d.fields.get(levelField) ?? '';
        byLevel.set(level, (byLevel.get(level) ?? 0) + 1);
        buckets.set(key, byLevel);
      }
      aggs.buckets = {
        buckets: [...buckets]
          .sort(([a], [b]) => a - b)
          .map(([key, byLevel]) => ({
            key,
            key_as_string: new Date(key).toISOString(),
            doc_count: [...byLevel.values()].reduce((a, b) => a + b, 0),
            levels: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: [...byLevel].map(([k, n]) => ({ key: k, doc_count: n })) },
          })),
      };
    }
    const sort = body.sort?.[0] ? (Object.values(body.sort[0])[0] as Q) : null;
    if (sort) {
      const sign = sort.order === 'asc' ? 1 : -1;
      // Ties in an order of the fake's own (by the id's last character), not the adapter's.
      selected.sort((a, b) => sign * (a.ms - b.ms) || a.doc._id.charCodeAt(a.doc._id.length - 1) - b.doc._id.charCodeAt(b.doc._id.length - 1));
      const after = body.search_after?.[0];
      if (after !== undefined) selected = selected.filter((d) => (sign > 0 ? d.ms > Number(after) : d.ms < Number(after)));
    }
    const hits = selected.slice(0, body.size ?? 10).map((d) => ({ _index: d.doc._index, _id: d.doc._id, _score: null, _source: d.doc._source, ...(sort ? { sort: [d.ms] } : {}) }));
    return { body: { ...shell, hits: { total: { value: selected.length, relation: 'eq' }, max_score: null, hits }, ...(histogram ? { aggregations: aggs } : {}) } };
  });
  return state;
}
