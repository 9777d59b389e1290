// Tool arguments generated from each MCP tool's input schema (JSON Schema, as tools/list gives it): valid
// mostly, then each bound and one past it, missing required properties, unknown ones and wrong types.
import fc from 'fast-check';
import { floatValue, intValue, jsonValue, stringValue, timeValue, type Dictionary } from './values.ts';

/** The part of JSON Schema the tools' input schemas use. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  anyOf?: JsonSchema[];
}

const weighted = <T>(...entries: [number, fc.Arbitrary<T>][]) => fc.oneof(...entries.map(([weight, arbitrary]) => ({ weight, arbitrary })));

const WRONG_TYPES: unknown[] = [null, 'x', -1, 1.5, true, [], {}, [null]];

/** Properties whose strings are times. */
const TIME_PROPERTY = /^(since|until|from|to|at|within|duration|window)$/i;

export interface ToolArgumentContext {
  /** The tool's name: `acknowledge_incident` looks its `id` up among incident ids. */
  tool: string;
  dictionary: Dictionary;
  /** GraphQL documents for the tools that take one (`execute`, `validate`). */
  documents?: fc.Arbitrary<string>;
}

/** Arguments for a tool whose input schema is `schema`. */
export function toolArguments(schema: JsonSchema, context: ToolArgumentContext): fc.Arbitrary<Record<string, unknown>> {
  return objectOf(schema, schema.$defs ?? {}, context, 0) as fc.Arbitrary<Record<string, unknown>>;
}

function resolve(schema: JsonSchema, defs: Record<string, JsonSchema>): JsonSchema {
  return schema.$ref ? (defs[schema.$ref.split('/').pop()!] ?? {}) : schema;
}

function objectOf(schema: JsonSchema, defs: Record<string, JsonSchema>, context: ToolArgumentContext, depth: number, short = false): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const entry = ([name, property]: [string, JsonSchema]) => valueOf(name, property, defs, context, depth + 1, short).map((value) => [name, value] as const);
  const mandatory = properties.filter(([name]) => required.has(name));
  const optional = properties.filter(([name]) => !required.has(name));
  return fc
    .tuple(
      // Now and then a required property is missing: the answer must say which.
      weighted([25, fc.constant(mandatory)], [1, fc.subarray(mandatory)]).chain((chosen) => fc.tuple(...chosen.map(entry))),
      fc.subarray(optional).chain((chosen) => fc.tuple(...chosen.map(entry))),
      weighted([25, fc.constant<[string, unknown][]>([])], [1, fc.constant<[string, unknown][]>([['unexpected', 'x']])]),
    )
    .map(([a, b, c]) => Object.fromEntries([...a, ...b, ...c]));
}

function valueOf(name: string, raw: JsonSchema, defs: Record<string, JsonSchema>, context: ToolArgumentContext, depth: number, short = false): fc.Arbitrary<unknown> {
  const schema = resolve(raw, defs);
  const typed = typedValue(name, schema, defs, context, depth, short);
  return weighted([30, typed], [1, fc.constantFrom(...WRONG_TYPES)]);
}

function typedValue(name: string, schema: JsonSchema, defs: Record<string, JsonSchema>, context: ToolArgumentContext, depth: number, short: boolean): fc.Arbitrary<unknown> {
  if (schema.anyOf?.length) return fc.oneof(...schema.anyOf.map((s) => typedValue(name, resolve(s, defs), defs, context, depth, short)));
  if (schema.enum) return weighted([12, fc.constantFrom(...schema.enum)], [1, fc.constantFrom('NOT_A_VALUE', '', String(schema.enum[0]).toLowerCase())]);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const type = types.find((t) => t !== 'null');
  const nullable = types.includes('null') ? [[2, fc.constant(null)] as [number, fc.Arbitrary<unknown>]] : [];
  switch (type) {
    case 'string': {
      if (context.documents && ['query', 'document'].includes(name)) return weighted([4, context.documents], [1, stringValue(name, context.tool, context.dictionary, false)], ...nullable);
      const strings = TIME_PROPERTY.test(name) ? timeValue : stringValue(name, context.tool, context.dictionary, /id$/i.test(name), !short);
      return weighted([10, strings], ...nullable);
    }
    case 'integer':
    case 'number': {
      const edges = [schema.minimum, schema.maximum].filter((n): n is number => n !== undefined).flatMap((n) => [n - 1, n, n + 1]);
      const inRange = schema.minimum !== undefined && schema.maximum !== undefined ? fc.integer({ min: schema.minimum, max: schema.maximum }) : intValue;
      return weighted([6, inRange], [2, edges.length ? fc.constantFrom(...edges) : intValue], [1, type === 'number' ? floatValue : intValue], ...nullable);
    }
    case 'boolean':
      return weighted([10, fc.boolean()], ...nullable);
    case 'array': {
      const item = (short: boolean) => (schema.items ? valueOf(name, schema.items, defs, context, depth, short) : jsonValue);
      return weighted([8, fc.array(item(short), { maxLength: 4 })], [1, fc.array(item(true), { minLength: 50, maxLength: 400 })], ...nullable);
    }
    case 'object':
      if (depth > 4) return fc.constant({});
      if (!schema.properties) return weighted([4, fc.dictionary(fc.string({ maxLength: 10 }), jsonValue, { maxKeys: 5 })], ...nullable);
      return weighted([10, objectOf(schema, defs, context, depth, short)], ...nullable);
    default:
      return jsonValue;
  }
}
