// Reads the named operations of schema/operations/**: the single source of the MCP tools (mcp/codegen) and of the
// REST endpoints (gateway/src/rest/codegen). For each operation: its name, type, description (the leading `#`
// comment, else the root field's), its `# @` directives, the document as the gateway's trusted-document form,
// the JSON Schema (2020-12) of every variable (described from its own `#` comment or from the schema position it
// feeds), the schema of its answer (the selection set) and the list it pages with `$after`.
//
// Directives are comment lines starting with `# @`, for example `# @destructive true`, `# @max first=50`,
// `# @example id=demo:Q3VW8TR` or `# @rest GET /incidents/{id}`; each consumer reads the ones it knows.
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLObjectType,
  GraphQLScalarType,
  Kind,
  TypeInfo,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  print,
  typeFromAST,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export type JsonSchema = Record<string, unknown>;

/** A document file as GraphQL Code Generator hands it to a plugin. */
export interface DocumentFile {
  location?: string;
  document?: DocumentNode;
  rawSDL?: string;
}

/** Default upper bound of `first` when an operation names none: enough to be useful, small enough to read. */
export const DEFAULT_PAGE_CAP = 50;

export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

export function words(name: string): string {
  const text = snakeCase(name).replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The `#` comment lines right above `offset` in `source` (stopping at a blank or non-comment line). */
function commentAbove(source: string, offset: number): string[] {
  const lines = source.slice(0, offset).split('\n');
  lines.pop(); // the text before the node on its own line
  const comment: string[] = [];
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith('#')) break;
    comment.unshift(line.replace(/^#\s?/, ''));
  }
  return comment;
}

export interface Directives {
  text: string;
  /** `@key value` lines by key; `@max a=1 b=2` and `@example a=x` become `max:a`, `example:a`... */
  flags: Map<string, string>;
}

const KEYED_DIRECTIVES = new Set(['max', 'example']);

function splitDirectives(lines: string[]): Directives {
  const flags = new Map<string, string>();
  const text: string[] = [];
  for (const line of lines) {
    const match = /^@(\w+)\s*(.*)$/.exec(line.trim());
    if (match) {
      const [, key, value] = match;
      if (KEYED_DIRECTIVES.has(key!)) {
        for (const pair of value!.split(/\s+/).filter(Boolean)) {
          const equals = pair.indexOf('=');
          flags.set(`${key}:${pair.slice(0, equals)}`, pair.slice(equals + 1));
        }
      } else flags.set(key!, value!.trim());
    } else text.push(line);
  }
  return { text: text.join(' ').replace(/\s+/g, ' ').trim(), flags };
}

export function boolFlag(flags: Map<string, string>, key: string, operation: string): boolean | undefined {
  const value = flags.get(key);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw new Error(`${operation}: # @${key} must be true or false, got "${value}"`);
  return value === 'true';
}

function scalarSchema(type: GraphQLScalarType, direction: 'input' | 'output'): JsonSchema {
  switch (type.name) {
    case 'String':
    case 'ID':
      return { type: 'string' };
    case 'Int':
      return { type: 'integer' };
    case 'Float':
      return { type: 'number' };
    case 'Boolean':
      return { type: 'boolean' };
    case 'DateTime':
      return { type: 'string', format: 'date-time' };
    case 'JSON':
      // Inputs of type JSON are documented as objects (runbook parameters); answers may be any value.
      return direction === 'input' ? { type: 'object' } : {};
    default:
      return { type: 'string' };
  }
}

function enumSchema(type: GraphQLEnumType): JsonSchema {
  return { type: 'string', enum: type.getValues().map((v) => v.name) };
}

/** Input schemas: input objects are defined once under `refPrefix` (`#/$defs/` in 2020-12) and referenced. */
class InputSchemas {
  readonly defs: Record<string, JsonSchema> = {};

  constructor(private readonly refPrefix: string) {}

  of(type: GraphQLInputType): JsonSchema {
    if (isNonNullType(type)) return this.of(type.ofType as GraphQLInputType);
    if (isListType(type)) return { type: 'array', items: this.of(type.ofType as GraphQLInputType) };
    if (isScalarType(type)) return scalarSchema(type, 'input');
    if (isEnumType(type)) return enumSchema(type);
    if (isInputObjectType(type)) {
      this.define(type);
      return { $ref: `${this.refPrefix}${type.name}` };
    }
    throw new Error(`unsupported input type ${String(type)}`);
  }

  private define(type: GraphQLInputObjectType): void {
    if (this.defs[type.name]) return;
    const definition: JsonSchema = { type: 'object' };
    this.defs[type.name] = definition; // placed first so recursive types terminate
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const field of Object.values(type.getFields())) {
      const schema = this.of(field.type);
      properties[field.name] = withDescription(schema, field.description);
      if (field.defaultValue !== undefined) properties[field.name]!.default = field.defaultValue;
      if (isNonNullType(field.type) && field.defaultValue === undefined) required.push(field.name);
    }
    if (type.description) definition.description = oneLine(type.description);
    definition.properties = properties;
    if (required.length) definition.required = required;
    definition.additionalProperties = false;
  }
}

function withDescription(schema: JsonSchema, description: string | null | undefined): JsonSchema {
  if (!description) return schema;
  // `$ref` siblings are allowed in 2020-12; keep the description next to it.
  return { ...schema, description: oneLine(description) };
}

function nullable(schema: JsonSchema): JsonSchema {
  if (Array.isArray(schema.enum)) return { ...schema, type: [schema.type, 'null'], enum: [...(schema.enum as unknown[]), null] };
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  return schema; // `{}` (any JSON) already admits null
}

/**
 * How answers are described. `lean` (MCP tools, listed in every prompt of some clients): types and nullability
 * only. `full` (the OpenAPI document): also descriptions, enum values and `required` at every level.
 */
export type AnswerDetail = 'lean' | 'full';

interface OutputContext {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  detail: AnswerDetail;
}

/** Fields of a selection set, with fragments merged (the schema has no unions: a fragment is on the same type). */
function collectFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, out: FieldNode[] = []): FieldNode[] {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) out.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) collectFields(selection.selectionSet, fragments, out);
    else {
      const fragment = fragments.get(selection.name.value);
      if (!fragment) throw new Error(`fragment ${selection.name.value} is not defined`);
      collectFields(fragment.selectionSet, fragments, out);
    }
  }
  return out;
}

function isConditional(field: FieldNode): boolean {
  return (field.directives ?? []).some((d) => d.name.value === 'include' || d.name.value === 'skip');
}

function outputSchema(type: GraphQLOutputType, field: FieldNode, context: OutputContext): JsonSchema {
  if (isNonNullType(type)) return strictOutput(type.ofType as GraphQLOutputType, field, context);
  return nullable(strictOutput(type, field, context));
}

function strictOutput(type: GraphQLOutputType, field: FieldNode, context: OutputContext): JsonSchema {
  if (isListType(type)) return { type: 'array', items: outputSchema(type.ofType as GraphQLOutputType, field, context) };
  if (isScalarType(type)) return scalarSchema(type, 'output');
  if (isEnumType(type)) return context.detail === 'full' ? enumSchema(type) : { type: 'string' };
  if (isObjectType(type)) {
    if (!field.selectionSet) throw new Error(`${type.name} needs a selection set`);
    return objectSchema(type, field.selectionSet, context);
  }
  throw new Error(`unsupported output type ${String(type)}`);
}

function objectSchema(type: GraphQLObjectType, selectionSet: SelectionSetNode, context: OutputContext, root = false): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of collectFields(selectionSet, context.fragments)) {
    const key = field.alias?.value ?? field.name.value;
    if (field.name.value === '__typename') {
      properties[key] = { type: 'string' };
    } else {
      const definition: GraphQLField<unknown, unknown> | undefined = type.getFields()[field.name.value];
      if (!definition) throw new Error(`${type.name} has no field ${field.name.value}`);
      const merged = properties[key];
      let schema = outputSchema(definition.type, field, context);
      if (context.detail === 'full') schema = withDescription(schema, definition.description);
      properties[key] = merged && isObjectSchema(merged) && isObjectSchema(schema) ? mergeObjects(merged, schema) : schema;
    }
    if (!isConditional(field) && !required.includes(key)) required.push(key);
  }
  // Lean: only the root says what is required (below it GraphQL always answers every selected field anyway).
  return root || context.detail === 'full' ? { type: 'object', properties, required } : { type: 'object', properties };
}

function isObjectSchema(schema: JsonSchema): boolean {
  return schema.type === 'object' || (Array.isArray(schema.type) && schema.type[0] === 'object');
}

function mergeObjects(a: JsonSchema, b: JsonSchema): JsonSchema {
  const properties = { ...(a.properties as object), ...(b.properties as object) };
  const required = [...new Set([...((a.required as string[]) ?? []), ...((b.required as string[]) ?? [])])];
  return a.required || b.required ? { ...a, properties, required } : { ...a, properties };
}

/** The list an operation pages with `$after`: its path in the answer (response keys) and its page-size variable. */
export interface PagedList {
  path: string[];
  firstVariable?: string;
}

function pagedConnection(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): PagedList | undefined {
  let found: PagedList | undefined;
  const walk = (selectionSet: SelectionSetNode, path: string[]) => {
    for (const field of collectFields(selectionSet, fragments)) {
      const key = field.alias?.value ?? field.name.value;
      const feedsAfter = (field.arguments ?? []).some(
        (arg) => arg.name.value === 'after' && arg.value.kind === Kind.VARIABLE && arg.value.name.value === 'after',
      );
      if (feedsAfter) {
        if (found) throw new Error(`${operation.name?.value}: $after feeds more than one field; an operation pages one list`);
        const first = (field.arguments ?? []).find((arg) => arg.name.value === 'first');
        found = { path: [...path, key], ...(first?.value.kind === Kind.VARIABLE ? { firstVariable: first.value.name.value } : {}) };
      }
      if (field.selectionSet) walk(field.selectionSet, [...path, key]);
    }
  };
  walk(operation.selectionSet, []);
  return found;
}

/** Response-key paths of every `providerErrors` field the operation selects (a list's failed providers). */
function providerErrorPaths(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): string[][] {
  const paths: string[][] = [];
  const walk = (selectionSet: SelectionSetNode, path: string[]) => {
    for (const field of collectFields(selectionSet, fragments)) {
      const key = field.alias?.value ?? field.name.value;
      if (field.name.value === 'providerErrors') paths.push([...path, key]);
      else if (field.selectionSet) walk(field.selectionSet, [...path, key]);
    }
  };
  walk(operation.selectionSet, []);
  return paths;
}

/** The schema description of the argument or input field each variable is passed to (the first use). */
function variableUses(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: FragmentDefinitionNode[]) {
  const uses = new Map<string, { description?: string; defaultValue?: unknown; argumentName?: string }>();
  const typeInfo = new TypeInfo(schema);
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        if (node.value.kind !== Kind.VARIABLE) return;
        const argument = typeInfo.getArgument();
        const name = node.value.name.value;
        if (argument && !uses.has(name)) {
          uses.set(name, { description: argument.description ?? undefined, defaultValue: argument.defaultValue, argumentName: argument.name });
        }
      },
      ObjectField(node) {
        if (node.value.kind !== Kind.VARIABLE) return;
        const parent = typeInfo.getParentInputType();
        const name = node.value.name.value;
        const inputType = parent ? getNamedType(parent) : undefined;
        if (inputType && isInputObjectType(inputType) && !uses.has(name)) {
          const field = inputType.getFields()[node.name.value];
          uses.set(name, { description: field?.description ?? undefined, defaultValue: field?.defaultValue });
        }
      },
      ListValue(node) {
        // `[$x]`: the list element's position; TypeInfo reports the list's input type here.
        for (const value of node.values) {
          if (value.kind === Kind.VARIABLE && !uses.has(value.name.value)) uses.set(value.name.value, {});
        }
      },
    }),
  );
  return uses;
}

/** Fragment definitions an operation uses, transitively, sorted by name (the gateway's trusted-document form). */
function usedFragments(node: OperationDefinitionNode | FragmentDefinitionNode, all: Map<string, FragmentDefinitionNode>, found = new Map<string, FragmentDefinitionNode>()) {
  visit(node, {
    FragmentSpread(spread) {
      const fragment = all.get(spread.name.value);
      if (!fragment) throw new Error(`fragment ${spread.name.value} is not defined`);
      if (found.has(fragment.name.value)) return;
      found.set(fragment.name.value, fragment);
      usedFragments(fragment, all, found);
    },
  });
  return [...found.values()].sort((a, b) => a.name.value.localeCompare(b.name.value));
}

/** One variable of an operation. */
export interface OperationVariable {
  name: string;
  type: GraphQLInputType;
  /** JSON Schema of its value: description, default, bounds (`@max`, page sizes). */
  schema: JsonSchema;
  /** An example value (`# @example name=value`), for documentation. */
  example?: string;
  /** Non-null without a default: the caller must give it. */
  required: boolean;
}

/** One named operation, read against the API schema. */
export interface ReadOperation {
  operationName: string;
  operationType: 'query' | 'mutation';
  /** The file, relative to the working directory (for error messages). */
  where: string;
  /** The file's name without `.graphql` (the MCP toolset, the REST tag). */
  group: string;
  /** The leading comment without its directives, else the first root field's description. */
  description: string;
  flags: Map<string, string>;
  /** The operation and the fragments it uses, printed by graphql-js. */
  document: string;
  variables: OperationVariable[];
  /** Input object types the variables' schemas reference, by name. */
  inputDefs: Record<string, JsonSchema>;
  /** Response keys of the root fields. */
  rootFields: string[];
  paging?: PagedList;
  providerErrorPaths: string[][];
  /** JSON Schema of the operation's `data`. */
  answerSchema(detail: AnswerDetail): JsonSchema;
}

export interface ReadOptions {
  /** Where input object schemas are referenced from (default `#/$defs/`). */
  refPrefix?: string;
  /** Files to read (default: all the documents given). */
  include?(location: string): boolean;
}

/** Every named operation of `documents`, read against `schema`; fragments are shared across the files given. */
export function readOperations(schema: GraphQLSchema, documents: DocumentFile[], options: ReadOptions = {}): ReadOperation[] {
  const files = documents.filter((file) => !options.include || options.include(file.location ?? ''));
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const file of files) {
    for (const definition of file.document?.definitions ?? []) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
  }
  const operations: ReadOperation[] = [];
  for (const file of files) {
    const location = file.location ?? '';
    // rawSDL is re-printed without comments; the comments are read from the file itself.
    const source = readFileSync(location, 'utf8');
    const group = basename(location).replace(/\.graphql$/, '');
    const where = relative(process.cwd(), location);
    for (const definition of file.document?.definitions ?? []) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const operationName = definition.name?.value;
      if (!operationName) throw new Error(`${where}: every operation needs a name (it names the tool and the endpoint)`);
      if (definition.operation === 'subscription') throw new Error(`${where}: ${operationName}: subscriptions are not supported`);
      // graphql-codegen parses without locations; re-find the operation in the file's text.
      const offset = source.search(new RegExp(`\\b(query|mutation)\\s+${operationName}\\b`));
      if (offset < 0) throw new Error(`${where}: cannot find ${operationName} in the file's text`);
      const ownText = source.slice(offset);
      const { text, flags } = splitDirectives(commentAbove(source, offset));
      const rootType = definition.operation === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
      const rootFieldNodes = collectFields(definition.selectionSet, fragments);
      const firstRoot = rootFieldNodes[0] ? rootType.getFields()[rootFieldNodes[0].name.value] : undefined;
      const description = text || oneLine(firstRoot?.description ?? '');
      if (!description) throw new Error(`${where}: ${operationName} needs a leading # comment describing it`);

      const ownFragments = usedFragments(definition, fragments);
      const uses = variableUses(schema, definition, ownFragments);
      const inputs = new InputSchemas(options.refPrefix ?? '#/$defs/');
      const variables: OperationVariable[] = [];
      for (const variable of definition.variableDefinitions ?? []) {
        const name = variable.variable.name.value;
        const type = typeFromAST(schema, variable.type as never) as GraphQLInputType | undefined;
        if (!type) throw new Error(`${where}: ${operationName}: unknown type of $${name}`);
        const varOffset = ownText.search(new RegExp(`\\$${name}\\s*:`));
        const comment = splitDirectives(commentAbove(ownText, varOffset)).text;
        const use = uses.get(name);
        let schemaOf = withDescription(inputs.of(type), comment || use?.description);
        const defaultValue = variable.defaultValue ? valueFromAST(variable.defaultValue, type) : use?.argumentName ? use.defaultValue : undefined;
        if (defaultValue !== undefined && defaultValue !== null) schemaOf = { ...schemaOf, default: defaultValue };
        const max = flags.get(`max:${name}`);
        if (getNamedType(type).name === 'Int' && (max || name === 'first')) {
          schemaOf = { ...schemaOf, minimum: 1, maximum: Number(max ?? DEFAULT_PAGE_CAP) };
          if (typeof schemaOf.default === 'number' && schemaOf.default > (schemaOf.maximum as number)) schemaOf.default = schemaOf.maximum;
        }
        const example = flags.get(`example:${name}`);
        variables.push({ name, type, schema: schemaOf, required: isNonNullType(type) && !variable.defaultValue, ...(example !== undefined ? { example } : {}) });
      }

      const context = (detail: AnswerDetail): OutputContext => ({ schema, fragments, detail });
      operations.push({
        operationName,
        operationType: definition.operation,
        where,
        group,
        description,
        flags,
        document: print({ kind: Kind.DOCUMENT, definitions: [definition, ...ownFragments] }),
        variables,
        inputDefs: sortKeys(inputs.defs),
        rootFields: rootFieldNodes.map((f) => f.alias?.value ?? f.name.value),
        paging: pagedConnection(definition, fragments),
        providerErrorPaths: providerErrorPaths(definition, fragments),
        answerSchema: (detail) => objectSchema(rootType, definition.selectionSet, context(detail), true),
      });
    }
  }
  return operations;
}

export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
