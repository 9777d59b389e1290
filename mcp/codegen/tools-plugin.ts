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
import { boolFlag, readOperations, snakeCase, words, type DocumentFile, type JsonSchema } from '@opsorch/schema/codegen';
import type { GraphQLSchema } from 'graphql';

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
  const tools: GeneratedTool[] = [];
  for (const operation of readOperations(schema, documents)) {
    const { operationName, flags, where } = operation;
    const isQuery = operation.operationType === 'query';
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

    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const variable of operation.variables) {
      properties[variable.name] = variable.schema;
      if (variable.required) required.push(variable.name);
    }
    const inputSchema: JsonSchema = { type: 'object', properties };
    if (required.length) inputSchema.required = required;
    inputSchema.additionalProperties = false;
    if (Object.keys(operation.inputDefs).length) inputSchema.$defs = operation.inputDefs;

    const data = operation.answerSchema('lean');
    const paging = operation.paging;
    const path = paging?.path;
    const outputProperties: Record<string, JsonSchema> = { ...(data.properties as Record<string, JsonSchema>) };
    if (path) outputProperties.nextCursor = { anyOf: [{ type: 'string' }, { type: 'null' }] };
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
      description: operation.description,
      toolset: operation.group,
      operationName,
      operationType: operation.operationType,
      document: operation.document,
      annotations,
      inputSchema: portable(inputSchema),
      outputSchema: portable(outputSchemaOf),
      ...(paging ? { paging } : {}),
    });
  }
  const names = new Set<string>();
  for (const tool of tools) {
    if (names.has(tool.name)) throw new Error(`two operations become the tool ${tool.name}`);
    names.add(tool.name);
  }
  return tools.sort((a, b) => a.toolset.localeCompare(b.toolset) || a.name.localeCompare(b.name));
}

/** Keywords whose value is a map of schemas, a schema, or a list of schemas. */
const SCHEMA_MAPS = new Set(['properties', '$defs', 'patternProperties']);
const SCHEMA_VALUES = new Set(['items', 'additionalProperties', 'not', 'contains']);
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);

/**
 * The schema with every `type: [T, "null"]` written as `anyOf` branches of one type each (decision 020). Both are
 * JSON Schema 2020-12, but clients that map tool schemas onto single-type dialects (the OpenAPI subset of Gemini
 * function declarations, strict validators such as the Inspector's `--strict`) reject or weaken a type array;
 * every client reads `anyOf`. (The REST API's OpenAPI 3.1 document keeps the type array, its documented form.)
 */
export function portable(schema: JsonSchema): JsonSchema {
  const node: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (SCHEMA_MAPS.has(key) && value && typeof value === 'object') {
      node[key] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, portable(child as JsonSchema)]));
    } else if (SCHEMA_VALUES.has(key) && value && typeof value === 'object' && !Array.isArray(value)) {
      node[key] = portable(value as JsonSchema);
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      node[key] = value.map((child) => portable(child as JsonSchema));
    } else node[key] = value;
  }
  if (!Array.isArray(node.type)) return node;
  const { type, description, enum: values, ...rest } = node;
  const types = (type as string[]).filter((t) => t !== 'null');
  const branches: JsonSchema[] = types.map((t) => ({
    ...rest,
    type: t,
    ...(Array.isArray(values) ? { enum: values.filter((v) => v !== null) } : {}),
  }));
  if (types.length < (type as string[]).length) branches.push({ type: 'null' });
  const single = branches.length === 1 ? branches[0]! : { anyOf: branches };
  return description === undefined ? single : { description, ...single };
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
