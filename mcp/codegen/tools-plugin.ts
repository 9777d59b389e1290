// GraphQL Code Generator plugin: turns every named operation of schema/operations/mcp/*.graphql into one MCP
// tool definition (mcp/src/generated/tools.ts). The operation is the single source of a tool: its name, its
// description (leading `#` comment, else the root field's description), its input schema (the variables,
// described from their own `#` comment or from the schema position they feed), its output schema (the
// selection set) and the document the tool sends. Toolset = the file's name.
//
// Directives are comment lines starting with `# @`:
//   # @destructive true|false     required on mutations (and so is @idempotent); queries are read-only
//   # @idempotent true|false
//   # @openWorld true|false       default true: the answer comes from the ops tools behind OpsOrch
//   # @max first=50               upper bound of an Int variable (paging arguments default to 50)
//   # @title Some title           the tool's human title (default: the operation name in words)
import { basename, relative } from 'node:path';
import { readFileSync } from 'node:fs';
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

type JsonSchema = Record<string, unknown>;

interface DocumentFile {
  location?: string;
  document?: DocumentNode;
  rawSDL?: string;
}

/** Default upper bound of `first` when an operation names none: enough to be useful, small enough to read. */
const DEFAULT_PAGE_CAP = 50;

function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

function words(name: string): string {
  const text = snakeCase(name).replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
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

interface Directives {
  text: string;
  flags: Map<string, string>;
}

function splitDirectives(lines: string[]): Directives {
  const flags = new Map<string, string>();
  const text: string[] = [];
  for (const line of lines) {
    const match = /^@(\w+)\s*(.*)$/.exec(line.trim());
    if (match) {
      const [, key, value] = match;
      if (key === 'max') {
        for (const pair of value!.split(/\s+/).filter(Boolean)) {
          const [name, bound] = pair.split('=');
          flags.set(`max:${name}`, bound!);
        }
      } else flags.set(key!, value!.trim());
    } else text.push(line);
  }
  return { text: text.join(' ').replace(/\s+/g, ' ').trim(), flags };
}

function boolFlag(flags: Map<string, string>, key: string, operation: string): boolean | undefined {
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

/** Input schemas: input objects live in `$defs` (2020-12), referenced by `$ref`. */
class InputSchemas {
  readonly defs: Record<string, JsonSchema> = {};

  of(type: GraphQLInputType): JsonSchema {
    if (isNonNullType(type)) return this.of(type.ofType as GraphQLInputType);
    if (isListType(type)) return { type: 'array', items: this.of(type.ofType as GraphQLInputType) };
    if (isScalarType(type)) return scalarSchema(type, 'input');
    if (isEnumType(type)) return enumSchema(type);
    if (isInputObjectType(type)) {
      this.define(type);
      return { $ref: `#/$defs/${type.name}` };
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

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
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

interface OutputContext {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
}

/** Fields of a selection set, with fragments merged (the schema has no unions: a fragment is on the same type). */
function collectFields(selectionSet: SelectionSetNode, context: OutputContext, out: FieldNode[] = []): FieldNode[] {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) out.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) collectFields(selection.selectionSet, context, out);
    else {
      const fragment = context.fragments.get(selection.name.value);
      if (!fragment) throw new Error(`fragment ${selection.name.value} is not defined`);
      collectFields(fragment.selectionSet, context, out);
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

// Output schemas are kept lean: every tools/list (and so every prompt of some clients) carries them. Types and
// nullability only; enum values and descriptions are in the input schemas and the schema itself.
function strictOutput(type: GraphQLOutputType, field: FieldNode, context: OutputContext): JsonSchema {
  if (isListType(type)) return { type: 'array', items: outputSchema(type.ofType as GraphQLOutputType, field, context) };
  if (isScalarType(type)) return scalarSchema(type, 'output');
  if (isEnumType(type)) return { type: 'string' };
  if (isObjectType(type)) {
    if (!field.selectionSet) throw new Error(`${type.name} needs a selection set`);
    return objectSchema(type, field.selectionSet, context);
  }
  throw new Error(`unsupported output type ${String(type)}`);
}

function objectSchema(type: GraphQLObjectType, selectionSet: SelectionSetNode, context: OutputContext, root = false): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of collectFields(selectionSet, context)) {
    const key = field.alias?.value ?? field.name.value;
    if (field.name.value === '__typename') {
      properties[key] = { type: 'string' };
    } else {
      const definition: GraphQLField<unknown, unknown> | undefined = type.getFields()[field.name.value];
      if (!definition) throw new Error(`${type.name} has no field ${field.name.value}`);
      const merged = properties[key];
      const schema = outputSchema(definition.type, field, context);
      properties[key] = merged && merged.type === 'object' && schema.type === 'object' ? mergeObjects(merged, schema) : schema;
    }
    if (!isConditional(field) && !required.includes(key)) required.push(key);
  }
  // Only the root says what is required: below it GraphQL always answers every selected field anyway.
  return root ? { type: 'object', properties, required } : { type: 'object', properties };
}

function mergeObjects(a: JsonSchema, b: JsonSchema): JsonSchema {
  const properties = { ...(a.properties as object), ...(b.properties as object) };
  return { ...a, properties };
}

/**
 * Where the connection fed by `$after` sits in the answer (response keys), for the tool's `nextCursor`, and
 * which variable sets its page size (to ask again for fewer items when an answer is too big).
 */
function pagedConnection(operation: OperationDefinitionNode, context: OutputContext): { path: string[]; firstVariable?: string } | undefined {
  let found: { path: string[]; firstVariable?: string } | undefined;
  const walk = (selectionSet: SelectionSetNode, path: string[]) => {
    for (const field of collectFields(selectionSet, context)) {
      const key = field.alias?.value ?? field.name.value;
      const feedsAfter = (field.arguments ?? []).some(
        (arg) => arg.name.value === 'after' && arg.value.kind === Kind.VARIABLE && arg.value.name.value === 'after',
      );
      if (feedsAfter) {
        if (found) throw new Error(`${operation.name?.value}: $after feeds more than one field; a tool pages one list`);
        const first = (field.arguments ?? []).find((arg) => arg.name.value === 'first');
        found = { path: [...path, key], ...(first?.value.kind === Kind.VARIABLE ? { firstVariable: first.value.name.value } : {}) };
      }
      if (field.selectionSet) walk(field.selectionSet, [...path, key]);
    }
  };
  walk(operation.selectionSet, []);
  return found;
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

export interface GeneratedTool {
  name: string;
  title: string;
  description: string;
  toolset: string;
  operationName: string;
  operationType: 'query' | 'mutation';
  document: string;
  annotations: { readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  paging?: { path: string[]; firstVariable?: string };
}

/** Builds every tool of the given operation files against the API schema. */
export function buildTools(schema: GraphQLSchema, documents: DocumentFile[]): GeneratedTool[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const file of documents) {
    for (const definition of file.document?.definitions ?? []) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
  }
  const context: OutputContext = { schema, fragments };
  const tools: GeneratedTool[] = [];
  for (const file of documents) {
    const location = file.location ?? '';
    // rawSDL is re-printed without comments; the comments are read from the file itself.
    const source = readFileSync(location, 'utf8');
    const toolset = basename(location).replace(/\.graphql$/, '');
    for (const definition of file.document?.definitions ?? []) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const operationName = definition.name?.value;
      const where = `${relative(process.cwd(), location)}`;
      if (!operationName) throw new Error(`${where}: every MCP operation needs a name (it becomes the tool name)`);
      if (definition.operation === 'subscription') throw new Error(`${where}: ${operationName}: subscriptions cannot be tools`);
      // graphql-codegen parses without locations; re-find the operation in the file's text.
      const offset = source.search(new RegExp(`\\b(query|mutation)\\s+${operationName}\\b`));
      if (offset < 0) throw new Error(`${where}: cannot find ${operationName} in the file's text`);
      const ownText = source.slice(offset);
      const { text, flags } = splitDirectives(commentAbove(source, offset));
      const rootType = definition.operation === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
      const rootFields = collectFields(definition.selectionSet, context);
      const firstRoot = rootFields[0] ? rootType.getFields()[rootFields[0].name.value] : undefined;
      const description = text || oneLine(firstRoot?.description ?? '');
      if (!description) throw new Error(`${where}: ${operationName} needs a leading # comment describing it`);

      const isQuery = definition.operation === 'query';
      const destructive = boolFlag(flags, 'destructive', operationName);
      const idempotent = boolFlag(flags, 'idempotent', operationName);
      if (!isQuery && (destructive === undefined || idempotent === undefined)) {
        throw new Error(`${where}: mutation ${operationName} must say "# @destructive true|false" and "# @idempotent true|false"`);
      }
      const annotations = {
        readOnlyHint: isQuery,
        destructiveHint: isQuery ? false : destructive!,
        idempotentHint: isQuery ? true : idempotent!,
        openWorldHint: boolFlag(flags, 'openWorld', operationName) ?? true,
      };

      const ownFragments = usedFragments(definition, fragments);
      const uses = variableUses(schema, definition, ownFragments);
      const inputs = new InputSchemas();
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
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
        properties[name] = schemaOf;
        if (isNonNullType(type) && !variable.defaultValue) required.push(name);
      }
      const inputSchema: JsonSchema = { type: 'object', properties };
      if (required.length) inputSchema.required = required;
      inputSchema.additionalProperties = false;
      if (Object.keys(inputs.defs).length) inputSchema.$defs = sortKeys(inputs.defs);

      const data = objectSchema(rootType, definition.selectionSet, context, true);
      const paging = pagedConnection(definition, context);
      const path = paging?.path;
      const outputProperties: Record<string, JsonSchema> = { ...(data.properties as Record<string, JsonSchema>) };
      if (path) outputProperties.nextCursor = { type: ['string', 'null'] };
      outputProperties.truncated = TRUNCATION_SCHEMA;
      outputProperties.errors = ERRORS_SCHEMA;
      const outputSchemaOf: JsonSchema = {
        type: 'object',
        properties: outputProperties,
        required: [...(data.required as string[]), ...(path ? ['nextCursor'] : [])],
        additionalProperties: false,
      };

      tools.push({
        name: snakeCase(operationName),
        title: flags.get('title') ?? words(operationName),
        description,
        toolset,
        operationName,
        operationType: definition.operation,
        document: print({ kind: Kind.DOCUMENT, definitions: [definition, ...ownFragments] }),
        annotations,
        inputSchema,
        outputSchema: outputSchemaOf,
        ...(paging ? { paging } : {}),
      });
    }
  }
  const names = new Set<string>();
  for (const tool of tools) {
    if (names.has(tool.name)) throw new Error(`two operations become the tool ${tool.name}`);
    names.add(tool.name);
  }
  return tools.sort((a, b) => a.toolset.localeCompare(b.toolset) || a.name.localeCompare(b.name));
}

/** Present when the answer was cut to fit the size budget: what was cut and how to ask for less. */
const TRUNCATION_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { path: { type: 'string' }, kept: { type: 'integer' }, omitted: { type: 'integer' }, hint: { type: 'string' } },
};

/** Errors of a partial answer (a provider failed while the rest answered). */
const ERRORS_SCHEMA: JsonSchema = {
  type: 'array',
  items: { type: 'object', properties: { message: { type: 'string' }, code: { type: 'string' }, path: { type: 'string' } } },
};

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** The codegen entry point: a TypeScript module exporting the tool definitions. */
export function plugin(schema: GraphQLSchema, documents: DocumentFile[]): string {
  const tools = buildTools(schema, documents);
  return [
    '// Generated by `npm run codegen` from schema/operations/mcp/*.graphql (mcp/codegen/tools-plugin.ts). Do not edit.',
    "import type { OperationToolDefinition } from '../tool-definition.ts';",
    '',
    `export const OPERATION_TOOLS: readonly OperationToolDefinition[] = ${JSON.stringify(tools, null, 2)};`,
    '',
  ].join('\n');
}
