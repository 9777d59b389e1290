// The result shaper against Apollo's own `computeResponse`, on the supergraph, for answers that shape cleanly and for
// every kind of answer Apollo reports an error about: both must give the same data and the same errors, and the
// clean ones must take the fast walk (or the test would pass with the shaper never running).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUPERGRAPH_PATH } from '@opsorch/schema';
import { apolloComputeResponse, computeResponse, resultShapingCounts, shapeResultsOf } from './result-shaping.ts';

const requireHere = createRequire(import.meta.url);
const federation = createRequire(requireHere.resolve('@apollo/gateway'))('@apollo/federation-internals');
const apiSchema = federation.Supergraph.build(readFileSync(SUPERGRAPH_PATH, 'utf8')).apiSchema();

type Args = Parameters<typeof computeResponse>[0];

function argsOf(query: string, input: Record<string, unknown> | null, variables?: Record<string, unknown>): Args {
  return {
    operation: federation.operationFromDocument(apiSchema, parse(query)),
    variables,
    input,
    introspectionHandling: () => ({ introspected: true }),
  };
}

/** What a client would see: the data as JSON (key order included) and each error's message, path and code. */
function seen(run: () => { data: unknown; errors: unknown[] }): unknown {
  try {
    const { data, errors } = run();
    return {
      data: JSON.stringify(data),
      errors: (errors as { message: string; path?: unknown; extensions?: { code?: unknown } }[]).map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code })),
    };
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

function compare(args: Args): { fast: boolean; answer: unknown } {
  const before = resultShapingCounts.fast;
  const ours = seen(() => computeResponse(args));
  const fast = resultShapingCounts.fast > before;
  const apollo = seen(() => apolloComputeResponse(args));
  expect(ours).toEqual(apollo);
  // The same operation again: walked the first time, compiled to JavaScript from the second.
  for (let use = 2; use <= 3; use++) {
    const again = resultShapingCounts.fast;
    expect(seen(() => computeResponse(args)), `use ${use}`).toEqual(apollo);
    expect(resultShapingCounts.fast > again, `use ${use} took the fast path`).toBe(fast);
  }
  return { fast, answer: ours };
}

const incident = (overrides: Record<string, unknown> = {}) => ({
  __typename: 'Incident',
  id: 'demo:1',
  number: 1042,
  title: 'Checkout latency',
  severity: 'SEV1',
  status: 'TRIGGERED',
  startedAt: '2026-03-14T09:00:00.000Z',
  summary: null,
  service: { __typename: 'Service', id: 'checkout', name: 'Checkout', tier: 'TIER_1', tags: ['payments', 'edge'] },
  ...overrides,
});

const LIST = `query List($first: Int = 10, $withService: Boolean = true, $noTitle: Boolean!) {
  incidents(first: $first) {
    totalCount
    nodes {
      kind: __typename
      id
      n: number
      title @skip(if: $noTitle)
      severity
      status
      summary
      startedAt
      service @include(if: $withService) { id name tags }
      ... on Incident { service @include(if: $withService) { tier __typename } }
      ...More
    }
  }
}
fragment More on Incident { number severity }`;

describe('result shaping', () => {
  beforeAll(() => shapeResultsOf({ apiSchema }));

  it('shapes a clean answer exactly as Apollo does: aliases, fragments, merged selections, skip and include, defaults', () => {
    // The merged subgraph answers carry the client's response names (`n` for `number`).
    const input = { incidents: { totalCount: 2, nodes: [incident({ n: 1042 }), incident({ id: 'demo:2', number: 7, n: 7, service: null, summary: 'x' })] } };
    for (const variables of [{ noTitle: false }, { noTitle: true, withService: false }, { noTitle: false, withService: true, first: 2 }]) {
      const { fast, answer } = compare(argsOf(LIST, input, variables));
      expect(answer).toMatchObject({ errors: [] });
      expect(fast).toBe(true);
      expect(answer).toMatchObject({ errors: [] });
    }
    // Values are copied into the selection's order, whatever order the subgraphs answered in.
    const { answer } = compare(argsOf('{ incidents { nodes { title id } } }', { incidents: { nodes: [{ id: 'a', title: 't' }] } }));
    expect(answer).toEqual({ data: '{"incidents":{"nodes":[{"title":"t","id":"a"}]}}', errors: [] });
  });

  it('takes custom scalars as they are and checks built-in scalars and enums', () => {
    const query = '{ incidents { nodes { id number startedAt severity } } }';
    expect(compare(argsOf(query, { incidents: { nodes: [{ id: 42, number: -0, startedAt: { any: 'thing' }, severity: 'SEV2' }] } })).fast).toBe(true);
  });

  // Each of these is an error Apollo reports (or asserts on): the answer must be Apollo's own, errors included.
  const broken: [string, string, Record<string, unknown>, Record<string, unknown>?][] = [
    ['a null in a non-null field bubbles up', '{ incidents { nodes { id title } } }', { incidents: { nodes: [{ id: 'a', title: null }] } }],
    ['a missing non-null field', '{ incidents { nodes { id title } } }', { incidents: { nodes: [{ id: 'a' }] } }],
    ['an unknown enum value', '{ incidents { nodes { id severity } } }', { incidents: { nodes: [{ id: 'a', severity: 'CATASTROPHIC' }] } }],
    ['an Int given as a string', '{ incidents { nodes { id number } } }', { incidents: { nodes: [{ id: 'a', number: '7' }] } }],
    ['an Int given as a fraction', '{ incidents { nodes { id number } } }', { incidents: { nodes: [{ id: 'a', number: 1.5 }] } }],
    ['a String given as a number', '{ incidents { nodes { id title } } }', { incidents: { nodes: [{ id: 'a', title: 3 }] } }],
    ['a Boolean given as a string', '{ incidents { pageInfo { hasNextPage } } }', { incidents: { pageInfo: { hasNextPage: 'yes' } } }],
    ['an unknown __typename', '{ incidents { nodes { id } } }', { incidents: { nodes: [{ __typename: 'Nope', id: 'a' }] } }],
    ['a list given an object', '{ incidents { nodes { id } } }', { incidents: { nodes: { id: 'a' } } }],
    ['an object given a string', '{ incidents { nodes { id service { id } } } }', { incidents: { nodes: [{ id: 'a', service: 'checkout' }] } }],
    ['a non-string __typename', '{ incidents { nodes { id } } }', { incidents: { nodes: [{ __typename: 7, id: 'a' }] } }],
    ['a variable of @skip that is not a Boolean', 'query Q($s: Boolean) { incidents { totalCount @skip(if: $s) } }', { incidents: { totalCount: 1 } }, { s: 'no' }],
    ['an undefined list element', '{ incidents { nodes { id } } }', { incidents: { nodes: [undefined] } }],
  ];
  for (const [name, query, input, variables] of broken) {
    it(`leaves ${name} to Apollo`, () => {
      const { fast, answer } = compare(argsOf(query, input, variables));
      expect(fast).toBe(false);
      expect(answer).not.toMatchObject({ errors: [] });
    });
  }

  it('leaves response names that Object.prototype has to Apollo, and answers with plain objects otherwise', () => {
    const input = { incidents: { nodes: [{ constructor: 'a', toString: 't', hasOwnProperty: 'h' }] } };
    const { fast, answer } = compare(argsOf('{ incidents { nodes { constructor: id toString: title hasOwnProperty: title } } }', input));
    expect(fast).toBe(false);
    expect(answer).toMatchObject({ errors: [] });
    const { data } = computeResponse(argsOf('{ incidents { totalCount } }', { incidents: { totalCount: 3 } }));
    expect(Object.getPrototypeOf((data as { incidents: object }).incidents)).toBe(Object.prototype);
  });

  it('leaves introspection and an empty answer to Apollo', () => {
    expect(compare(argsOf('{ __schema { queryType { name } } incidents { totalCount } }', { incidents: { totalCount: 1 } })).fast).toBe(false);
    expect(compare(argsOf('{ incidents { totalCount } }', null)).fast).toBe(false);
  });

  it('keeps Apollo’s walk for a gateway that was never registered (the stock variant)', () => {
    const other = federation.Supergraph.build(readFileSync(SUPERGRAPH_PATH, 'utf8')).apiSchema();
    const args = { ...argsOf('{ incidents { totalCount } }', { incidents: { totalCount: 1 } }), operation: federation.operationFromDocument(other, parse('{ incidents { totalCount } }')) };
    expect(compare(args).fast).toBe(false);
  });
});
