// Operations generated from the running gateway's introspection: every Query and Mutation field with its
// arguments (inline or as variables, valid, boundary or hostile), selections down the type graph with nested
// arguments, fragments on abstract types and aliases, and now and then a deep or a wide operation that the
// limits must refuse cleanly. A request is plain data, so fast-check can shrink a failing one.
import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { floatValue, intValue, jsonValue, stringValue, timeValue, type Dictionary } from './values.ts';

/** One HTTP request body for /graphql. */
export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** A value as a variable (JSON) and as a literal in the document. */
interface Value {
  json: unknown;
  literal: string;
}

interface Argument {
  name: string;
  /** The argument's declared type, printed (a variable is declared with it). */
  type: string;
  value: Value;
  asVariable: boolean;
}

interface FieldSelection {
  kind: 'field';
  name: string;
  aliased: boolean;
  args: Argument[];
  selections: Selection[];
}

interface FragmentSelection {
  kind: 'fragment';
  on: string;
  selections: Selection[];
}

type Selection = FieldSelection | FragmentSelection;

/** How an operation is shaped: most are ordinary, a few probe the depth and alias limits. */
type Shape = { depth: number; width: number; copies: number };

const SHAPES: { weight: number; arbitrary: fc.Arbitrary<Shape> }[] = [
  { weight: 20, arbitrary: fc.record({ depth: fc.integer({ min: 1, max: 4 }), width: fc.integer({ min: 1, max: 5 }), copies: fc.constant(1) }) },
  // Deep: one field per level, past the depth limit.
  { weight: 1, arbitrary: fc.record({ depth: fc.integer({ min: 8, max: 40 }), width: fc.constant(1), copies: fc.constant(1) }) },
  // Wide: the same root field under many aliases, around the alias limit.
  { weight: 1, arbitrary: fc.record({ depth: fc.integer({ min: 1, max: 2 }), width: fc.integer({ min: 1, max: 3 }), copies: fc.integer({ min: 2, max: 150 }) }) },
];

const weighted = <T>(...entries: [number, fc.Arbitrary<T>][]) => fc.oneof(...entries.map(([weight, arbitrary]) => ({ weight, arbitrary })));

const stringLiteral = (text: string) => JSON.stringify(text);

/** Names whose strings are times: the fuzzer sends time expressions there (`DateTime`, ranges, `within`...). */
const TIME_ARGUMENT = /^(from|to|since|until|at|startedAfter|startedBefore|within|duration|window|olderThan|newerThan|endsAt|startsAt)$/i;

/** Values for an input type: right-typed mostly, null where the type refuses it, and now and then the wrong type. */
function valueOf(type: GraphQLInputType, name: string, owner: string, dictionary: Dictionary, depth: number, short = false): fc.Arbitrary<Value> {
  const typed = typedValue(getNullableType(type) as GraphQLInputType, name, owner, dictionary, depth, short);
  const nullValue = fc.constant<Value>({ json: null, literal: 'null' });
  const wrongType = fc.constantFrom<Value>({ json: 'x', literal: '"x"' }, { json: 7, literal: '7' }, { json: true, literal: 'true' }, { json: [], literal: '[]' }, { json: {}, literal: '{}' });
  return isNonNullType(type) ? weighted([40, typed], [1, nullValue], [1, wrongType]) : weighted([30, typed], [3, nullValue], [1, wrongType]);
}

function typedValue(type: GraphQLInputType, name: string, owner: string, dictionary: Dictionary, depth: number, short: boolean): fc.Arbitrary<Value> {
  if (isListType(type)) {
    const item = valueOf(type.ofType, name, owner, dictionary, depth, short);
    const shortItem = valueOf(type.ofType, name, owner, dictionary, depth, true);
    const list = (items: fc.Arbitrary<Value[]>) => items.map((values) => ({ json: values.map((v) => v.json), literal: `[${values.map((v) => v.literal).join(', ')}]` }));
    // GraphQL coerces a single value to a one-item list; a long list probes fan-out limits.
    return weighted([8, list(fc.array(item, { maxLength: 4 }))], [1, list(fc.array(shortItem, { minLength: 50, maxLength: 600 }))], [1, item]);
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    if (depth > 4) return fc.constant({ json: {}, literal: '{}' });
    const required = fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    const optional = fields.filter((f) => !required.includes(f));
    const entry = (f: (typeof fields)[number]) => valueOf(f.type, f.name, type.name, dictionary, depth + 1, short).map((value) => [f.name, value] as const);
    return fc
      .tuple(
        // A required field is left out now and then: the error must name it.
        fc.subarray(required, { minLength: Math.max(0, required.length - 1) }).chain((chosen) => fc.tuple(...chosen.map(entry))),
        fc.subarray(optional).chain((chosen) => fc.tuple(...chosen.map(entry))),
        weighted([20, fc.constant<[string, Value][]>([])], [1, fc.constant<[string, Value][]>([['unknownField', { json: 1, literal: '1' }]])]),
      )
      .map(([a, b, c]) => {
        const entries = [...a, ...b, ...c];
        return {
          json: Object.fromEntries(entries.map(([k, v]) => [k, v.json])),
          literal: `{${entries.map(([k, v]) => `${k}: ${v.literal}`).join(', ')}}`,
        };
      });
  }
  if (isEnumType(type)) {
    const values = type.getValues().map((v) => v.name);
    return weighted(
      [10, fc.constantFrom(...values).map((v) => ({ json: v, literal: v }))],
      [1, fc.constantFrom('NOT_A_VALUE', values[0]!.toLowerCase(), '').map((v) => ({ json: v, literal: v ? v : '""' }))],
    );
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return intValue.map((n) => ({ json: n, literal: String(n) }));
      case 'Float':
        return floatValue.map((n) => ({ json: n, literal: String(n) }));
      case 'Boolean':
        return fc.boolean().map((b) => ({ json: b, literal: String(b) }));
      case 'JSON':
        return jsonValue.map((json) => ({ json, literal: jsonLiteral(json) }));
      case 'DateTime':
        return timeValue.map((s) => ({ json: s, literal: stringLiteral(s) }));
      default: {
        const strings = TIME_ARGUMENT.test(name) ? weighted([3, timeValue], [1, stringValue(name, owner, dictionary, type.name === 'ID', !short)]) : stringValue(name, owner, dictionary, type.name === 'ID', !short);
        return strings.map((s) => ({ json: s, literal: stringLiteral(s) }));
      }
    }
  }
  return fc.constant({ json: null, literal: 'null' });
}

/** A JSON value as a GraphQL literal (object keys that are not names are dropped: GraphQL cannot spell them). */
function jsonLiteral(value: unknown): string {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? stringLiteral(value) : String(value ?? null);
  if (Array.isArray(value)) return `[${value.map(jsonLiteral).join(', ')}]`;
  const entries = Object.entries(value).filter(([k]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(k));
  return `{${entries.map(([k, v]) => `${k}: ${jsonLiteral(v)}`).join(', ')}}`;
}

/** Arguments for a field: every required one (rarely one is missing), any subset of the optional ones. */
function argumentsOf(owner: string, args: readonly GraphQLArgument[], dictionary: Dictionary): fc.Arbitrary<Argument[]> {
  if (args.length === 0) return fc.constant([]);
  const required = args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const optional = args.filter((a) => !required.includes(a));
  const one = (a: GraphQLArgument) =>
    fc.record({ value: valueOf(a.type, a.name, owner, dictionary, 0), asVariable: fc.boolean() }).map(({ value, asVariable }) => ({ name: a.name, type: String(a.type), value, asVariable }));
  return fc
    .tuple(
      weighted([30, fc.constant(required)], [1, fc.subarray(required)]),
      fc.subarray(optional),
    )
    .chain(([r, o]) => fc.tuple(...[...r, ...o].map(one)));
}

function fieldsOf(type: GraphQLObjectType): GraphQLField<unknown, unknown>[] {
  return Object.values(type.getFields()).filter((f) => !f.deprecationReason);
}

/** A selection set for `type`: `width` fields at most per level, `depth` levels at most. */
function selectionsOf(type: GraphQLNamedType, schema: GraphQLSchema, dictionary: Dictionary, depth: number, width: number): fc.Arbitrary<Selection[]> {
  if (isAbstractType(type)) {
    const possible = schema.getPossibleTypes(type);
    return fc
      .subarray(possible as GraphQLObjectType[], { minLength: 1, maxLength: Math.min(width, possible.length) })
      .chain((chosen) => fc.tuple(...chosen.map((t) => selectionsOf(t, schema, dictionary, depth, width).map((selections): Selection => ({ kind: 'fragment', on: t.name, selections })))))
      .map((fragments) => [{ kind: 'field', name: '__typename', aliased: false, args: [], selections: [] }, ...fragments]);
  }
  if (!isObjectType(type)) return fc.constant([]);
  const fields = fieldsOf(type);
  const leaves = fields.filter((f) => isLeafType(getNamedType(f.type)));
  // A deep operation (one field per level) follows object fields until its last level.
  const deep = width === 1 && depth > 4 ? fields.filter((f) => !leaves.includes(f)) : [];
  const usable = depth <= 1 ? leaves : deep.length ? deep : fields;
  const typename: FieldSelection = { kind: 'field', name: '__typename', aliased: false, args: [], selections: [] };
  if (usable.length === 0) return fc.constant([typename]);
  return fc
    .subarray(usable, { minLength: 1, maxLength: Math.min(width, usable.length) })
    .chain((chosen) => fc.tuple(...chosen.map((f) => fieldSelection(f, schema, dictionary, depth - 1, width)), fc.boolean()))
    .map((picked) => {
      const withTypename = picked.pop() as boolean;
      return withTypename ? [...(picked as Selection[]), typename] : (picked as Selection[]);
    });
}

function fieldSelection(field: GraphQLField<unknown, unknown>, schema: GraphQLSchema, dictionary: Dictionary, depth: number, width: number): fc.Arbitrary<FieldSelection> {
  const named = getNamedType(field.type as GraphQLOutputType);
  return fc
    .record({
      args: argumentsOf(field.name, field.args, dictionary),
      selections: isLeafType(named) ? fc.constant<Selection[]>([]) : selectionsOf(named, schema, dictionary, depth, width),
      aliased: weighted([9, fc.constant(false)], [1, fc.constant(true)]),
    })
    .map(({ args, selections, aliased }) => ({ kind: 'field' as const, name: field.name, aliased, args, selections }));
}

/** Prints selections as GraphQL, declaring each variable once under a fresh name. */
class Printer {
  readonly variables: Record<string, unknown> = {};
  readonly declarations: string[] = [];
  private aliases = 0;

  print(selections: Selection[]): string {
    return selections.map((s) => (s.kind === 'fragment' ? `... on ${s.on} { ${this.print(s.selections)} }` : this.field(s))).join(' ');
  }

  field(s: FieldSelection, alias?: string): string {
    const name = alias ?? (s.aliased ? `a${++this.aliases}: ` : '');
    const args = s.args.length ? `(${s.args.map((a) => `${a.name}: ${this.argument(a)}`).join(', ')})` : '';
    const sub = s.selections.length ? ` { ${this.print(s.selections)} }` : '';
    return `${name}${s.name}${args}${sub}`;
  }

  private argument(a: Argument): string {
    if (!a.asVariable) return a.value.literal;
    const name = `v${this.declarations.length}`;
    this.declarations.push(`$${name}: ${a.type}`);
    if (a.value.json !== undefined) this.variables[name] = a.value.json;
    return `$${name}`;
  }
}

/** One generated operation, before printing: which root, which fields, how many aliased copies. */
export interface Operation {
  kind: 'query' | 'mutation';
  roots: FieldSelection[];
  copies: number;
}

/** Prints an operation into the body of a POST /graphql. */
export function printOperation(operation: Operation): GraphQLRequest {
  const printer = new Printer();
  const parts: string[] = [];
  for (const root of operation.roots) {
    for (let copy = 0; copy < operation.copies; copy++) parts.push(printer.field(root, operation.copies > 1 || root.aliased ? `r${parts.length}: ` : undefined));
  }
  const declared = printer.declarations.length ? `(${printer.declarations.join(', ')})` : '';
  return { query: `${operation.kind} Fuzz${declared} { ${parts.join(' ')} }`, variables: printer.variables, operationName: 'Fuzz' };
}

/** Every root field of the schema, as `query.name` / `mutation.name`. */
export function rootFieldNames(schema: GraphQLSchema): string[] {
  const names = (kind: string, type: GraphQLObjectType | null | undefined) => (type ? Object.keys(type.getFields()).map((f) => `${kind}.${f}`) : []);
  return [...names('query', schema.getQueryType()), ...names('mutation', schema.getMutationType())];
}

/** Operations over the whole schema: 1–3 root fields of one kind, each with arguments and a selection. */
export function operations(schema: GraphQLSchema, dictionary: Dictionary): fc.Arbitrary<Operation> {
  const roots = (kind: 'query' | 'mutation') => {
    const type = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
    return type ? fieldsOf(type).map((field) => ({ kind, field })) : [];
  };
  const all = [...roots('query'), ...roots('mutation')];
  return fc
    .record({ first: fc.constantFrom(...all), more: fc.integer({ min: 0, max: 2 }), shape: fc.oneof(...SHAPES) })
    .chain(({ first, more, shape }) => {
      const siblings = fc.subarray(roots(first.kind), { maxLength: more });
      return siblings.chain((others) =>
        fc
          .tuple(...[first.field, ...others.filter((o) => o.field !== first.field).map((o) => o.field)].map((f) => fieldSelection(f, schema, dictionary, shape.depth, shape.width)))
          .map((selected) => ({ kind: first.kind, roots: selected, copies: shape.copies })),
      );
    });
}
