// The values the fuzzer sends: mostly valid (so requests reach deep code), then boundary, then hostile.
// Every arbitrary is fast-check's, so a run is reproducible from its seed and a failure shrinks.
import fc from 'fast-check';

/** Words the fuzzer learned from the running product (ids, names, services...), by the field that held them. */
export type Dictionary = ReadonlyMap<string, readonly string[]>;

/** Integers at and around every limit the API states (page sizes, buckets, 32-bit edges). */
export const BOUNDARY_INTS = [0, 1, -1, 2, 10, 25, 60, 100, 199, 200, 201, 500, 1000, 1001, 2000, 2001, 10_000, 10_001, 65_535, 2 ** 31 - 1, -(2 ** 31)];

/** Numbers GraphQL's Int refuses, or that break naive arithmetic. */
export const HOSTILE_NUMBERS = [2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), 1e308, -1e308, 1.5, -0.000001, 5e-324];

/** Strings that have broken parsers, loggers and databases somewhere. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  'demo:\u0000',
  '\uFEFF',
  '\u202Eevil',
  'e\u0301\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦🔥',
  '\uD800',
  '\uDFFF\uD800',
  '日本語のサービス',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'toString',
  '../../../../etc/passwd',
  '%2e%2e%2f%00',
  "' OR 1=1 --",
  '"; DROP TABLE incidents; --',
  '{"$gt": ""}',
  '${jndi:ldap://127.0.0.1/a}',
  '<script>alert(1)</script>',
  'now',
  ':',
  '::',
  'demo:',
  ':Q3VW8TR',
  'nope:Q3VW8TR',
  'demo:demo:demo',
  '\\',
  '\n\r\t',
  '*',
  '.*',
  '[',
  '(',
  '\\p{L}',
  '(?i)checkout',
  '%s%s%s%n',
  '1e309',
  '-0',
  'NaN',
];

/** Instants that are valid RFC 3339, at the edges of what a Date can hold, or not instants at all. */
export const DATE_TIMES = {
  valid: ['2026-11-26T06:48:00Z', '2026-11-25T00:00:00.000Z', '2026-11-26T07:48:00+01:00', '1970-01-01T00:00:00Z', '2000-02-29T12:00:00Z'],
  boundary: ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '+275760-09-13T00:00:00Z', '-271821-04-20T00:00:00Z', '2026-11-26T06:48:00.123456789Z'],
  malformed: ['2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-26 06:48', '26/11/2026', '2026-11-26T25:61:61Z', 'T', '1732600000', '2026-11-26T06:48:00', 'yesterday', '2026-11-26T06:48:00Zjunk'],
};

/** Relative range expressions: the documented ones, their edges, and near misses. */
export const RELATIVE_RANGES = {
  valid: ['now', 'now-15m', 'now-1h', 'now-6h', 'now-1d', 'now-2w', 'now-30s', 'now-7d'],
  boundary: ['now-0s', 'now-1s', 'now-52w', 'now-1000w', 'now-1000000d', 'now-99999999999999999999d', 'now+1h', 'now-100000000h'],
  malformed: ['now-', 'now-1', 'now--1h', 'now-1y', 'now-1.5h', 'now-1e9s', 'now - 1h', 'NOW-1H', 'now-1h-1h', 'now-h', 'now-１h'],
};

const weighted = <T>(...entries: [number, fc.Arbitrary<T>][]) => fc.oneof(...entries.map(([weight, arbitrary]) => ({ weight, arbitrary })));

/** A long string: kilobytes to hundreds of kilobytes of one repeated, possibly multi-byte, character. */
export const longString = fc
  .tuple(fc.constantFrom('a', 'é', '😀', '\u0000', '%', ' '), fc.constantFrom(1_000, 10_000, 100_000, 300_000))
  .map(([char, length]) => char.repeat(length));

/** Any string a client might send, unicode included. */
const anyString = weighted<string>([3, fc.string({ maxLength: 40 })], [2, fc.string({ unit: 'grapheme', maxLength: 20 })], [1, fc.string({ unit: 'binary', maxLength: 20 })]);

/**
 * The words the product used for a name: `id` of `acknowledgeIncident` → incident ids, `serviceId` → service
 * ids, `metric` → metric descriptors' names, then any id for an ID.
 */
export function wordsFor(name: string, owner: string, dictionary: Dictionary, isId: boolean): readonly string[] {
  const stem = name.replace(/Ids?$/, '').replace(/s$/, '');
  const ownerType = [...dictionary.keys()]
    .filter((key) => key.endsWith(`.${name}`) && owner.toLowerCase().includes(key.slice(0, -name.length - 1).toLowerCase()))
    .sort((a, b) => b.length - a.length)[0];
  const named = [...dictionary.keys()].find((key) => key.endsWith('.name') && key.toLowerCase().startsWith(stem.toLowerCase()));
  for (const key of [ownerType, name, stem, named]) {
    const words = key ? dictionary.get(key) : undefined;
    if (words?.length) return words;
  }
  return isId || name !== stem ? (dictionary.get('id') ?? []) : [];
}

/**
 * A string argument: a word the product itself uses for that name when known, else generic, boundary or hostile
 * (very long ones only where `allowLong`: the items of a long list stay short, so a body stays near the limits).
 */
export function stringValue(name: string, owner: string, dictionary: Dictionary, isId: boolean, allowLong = true): fc.Arbitrary<string> {
  const known = wordsFor(name, owner, dictionary, isId);
  const all = dictionary.get('*') ?? [];
  const options: [number, fc.Arbitrary<string>][] = [
    [2, anyString],
    [2, fc.constantFrom(...HOSTILE_STRINGS)],
  ];
  if (allowLong) options.push([1, longString]);
  if (known.length) options.push([12, fc.constantFrom(...known)], [1, fc.constantFrom(...known).map((word) => `${word}x`)]);
  if (all.length) options.push([2, fc.constantFrom(...all)]);
  return weighted(...options);
}

/** A value for a `DateTime` or time-range string: mostly valid, then edges and malformed text. */
export const timeValue: fc.Arbitrary<string> = weighted<string>(
  [6, fc.constantFrom(...RELATIVE_RANGES.valid, ...DATE_TIMES.valid)],
  [2, fc.constantFrom(...RELATIVE_RANGES.boundary, ...DATE_TIMES.boundary)],
  [2, fc.constantFrom(...RELATIVE_RANGES.malformed, ...DATE_TIMES.malformed)],
  [1, fc.date({ noInvalidDate: true }).map((d) => d.toISOString())],
  [1, anyString],
);

/** An Int argument: small valid ones mostly, then every limit, then numbers GraphQL refuses. */
export const intValue: fc.Arbitrary<number> = weighted<number>(
  [6, fc.integer({ min: 0, max: 50 })],
  [3, fc.constantFrom(...BOUNDARY_INTS)],
  [1, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })],
  [1, fc.constantFrom(...HOSTILE_NUMBERS)],
);

/** A Float argument. */
export const floatValue: fc.Arbitrary<number> = weighted<number>(
  [5, fc.double({ min: -1000, max: 1000, noNaN: true, noDefaultInfinity: true })],
  [2, fc.constantFrom(0, -0, 0.5, 1, 100, ...HOSTILE_NUMBERS)],
);

/** Arbitrary JSON for `JSON` scalars: nested, unicode, big. */
export const jsonValue: fc.Arbitrary<unknown> = weighted<unknown>(
  [4, fc.jsonValue({ maxDepth: 4 })],
  [1, fc.constantFrom<unknown>(JSON.parse('{"__proto__": {"admin": true}}'), { constructor: { prototype: { polluted: 1 } } }, [[[[[[[[[[[]]]]]]]]]]], 'x'.repeat(50_000))],
);
