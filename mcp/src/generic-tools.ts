import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  parse,
  print,
  printType,
  validate,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLObjectType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { API_SCHEMA_PATH } from '@opsorch/schema';
import { GatewayUnavailableError } from './gateway-client.ts';
import { describeError, errorResult, fitToBudget } from './results.ts';
import type { ToolCallContext } from './operation-tools.ts';
import type { JsonSchema, ToolSafety } from './tool-definition.ts';

let apiSchema: GraphQLSchema | undefined;

/**
 * Largest operation document the validate and execute tools read (the gateway's default maxTokens): parsing
 * and validating a megabyte of aliases would hold the event loop for seconds.
 */
const MAX_DOCUMENT_TOKENS = 5_000;

function parseDocument(query: string) {
  return parse(query, { maxTokens: MAX_DOCUMENT_TOKENS });
}

/** The client-facing API schema this server was built against (schema/generated/api.graphql). */
export function loadApiSchema(): GraphQLSchema {
  apiSchema ??= buildSchema(readFileSync(API_SCHEMA_PATH, 'utf8'));
  return apiSchema;
}

/** A hand-written tool: zod input, JSON Schema output, a handler. */
export interface GenericTool {
  name: string;
  title: string;
  description: string;
  annotations: ToolSafety;
  input: z.ZodObject;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  run(args: Record<string, unknown>, context: ToolCallContext & { enableWrites: boolean }): Promise<CallToolResult>;
}

function jsonSchemaOf(schema: z.ZodObject): JsonSchema {
  // zod 4 writes 2020-12 by default; the `$schema` line is left out like in the generated tools.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as JsonSchema;
  return rest;
}

function ok(structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

const CLOSED_WORLD: ToolSafety = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

/** Named types a type refers to (fields, arguments, input fields, union members), built-in scalars left out. */
function referencedTypes(type: GraphQLNamedType): GraphQLNamedType[] {
  const found: GraphQLNamedType[] = [];
  const add = (t: GraphQLNamedType) => {
    if (!isSpecifiedScalarType(t) && !found.includes(t)) found.push(t);
  };
  if (isObjectType(type) || isInterfaceType(type)) {
    for (const field of Object.values(type.getFields())) {
      add(getNamedType(field.type));
      field.args.forEach((arg) => add(getNamedType(arg.type)));
    }
  } else if (isInputObjectType(type)) {
    Object.values(type.getFields()).forEach((field) => add(getNamedType(field.type)));
  } else if (isUnionType(type)) {
    type.getTypes().forEach(add);
  }
  return found;
}

const introspectInput = z.object({
  type: z
    .string()
    .min(1)
    .max(200)
    .describe('A type name such as `Incident`, `IncidentFilter`, `Query` or `Mutation`, or one field such as `Query.incidents`.'),
  depth: z
    .number()
    .int()
    .min(0)
    .max(3)
    .default(0)
    .describe('Also print the types it refers to, this many levels deep (0 = only the type itself).'),
});

const searchInput = z.object({
  query: z.string().min(1).max(500).describe('Words to find in type, field, argument and enum value names and descriptions, for example `on call` or `deploy service`.'),
  limit: z.number().int().min(1).max(50).default(15).describe('Maximum number of matches.'),
});

const validateInput = z.object({
  query: z.string().min(1).describe('A GraphQL document: one or more operations (and fragments).'),
  variables: z.record(z.string(), z.unknown()).optional().describe('Variables to check against the operation.'),
  operationName: z.string().optional().describe('Which operation, when the document has several.'),
});

const executeInput = z.object({
  query: z.string().min(1).describe('A GraphQL document against the OpsOrch API (see introspect and search_schema).'),
  variables: z.record(z.string(), z.unknown()).optional().describe('Variables of the operation.'),
  operationName: z.string().optional().describe('Which operation, when the document has several.'),
});

function fieldSdl(schema: GraphQLSchema, typeName: string, fieldName: string): string | undefined {
  const type = schema.getType(typeName);
  if (!type || !(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) return undefined;
  const field = type.getFields()[fieldName];
  if (!field) return undefined;
  const description = field.description ? `"""${field.description}"""\n` : '';
  const args =
    'args' in field && (field as GraphQLField<unknown, unknown>).args.length
      ? `(\n${(field as GraphQLField<unknown, unknown>).args
          .map((a) => `  ${a.description ? `"""${a.description.replace(/\s+/g, ' ')}""" ` : ''}${a.name}: ${String(a.type)}${a.defaultValue !== undefined ? ` = ${JSON.stringify(a.defaultValue)}` : ''}`)
          .join('\n')}\n)`
      : '';
  return `${description}${typeName}.${fieldName}${args}: ${String(field.type)}`;
}

function introspect(args: z.infer<typeof introspectInput>): CallToolResult {
  const schema = loadApiSchema();
  const [typeName, fieldName] = args.type.split('.');
  if (fieldName) {
    const sdl = fieldSdl(schema, typeName!, fieldName);
    if (!sdl) return errorResult(`No field ${args.type}. Use search_schema to find fields by what they mean.`);
    const owner = schema.getType(typeName!) as GraphQLObjectType | GraphQLInputObjectType;
    const returned = getNamedType(owner.getFields()[fieldName]!.type);
    const more = args.depth > 0 && !isSpecifiedScalarType(returned) ? `\n\n${printType(returned)}` : '';
    return ok({ sdl: sdl + more, types: [args.type] });
  }
  const root = schema.getType(args.type);
  if (!root) {
    const names = Object.keys(schema.getTypeMap()).filter((n) => !n.startsWith('__'));
    const close = names.filter((n) => n.toLowerCase().includes(args.type.toLowerCase())).slice(0, 10);
    return errorResult(`No type named "${args.type}".${close.length ? ` Did you mean: ${close.join(', ')}?` : ''} Use search_schema to find types by what they mean.`);
  }
  const printed: GraphQLNamedType[] = [root];
  let frontier: GraphQLNamedType[] = [root];
  for (let level = 0; level < args.depth; level++) {
    const next: GraphQLNamedType[] = [];
    for (const type of frontier) {
      for (const ref of referencedTypes(type)) {
        if (!printed.includes(ref)) {
          printed.push(ref);
          next.push(ref);
        }
      }
    }
    frontier = next;
  }
  return ok({ sdl: printed.map((t) => printType(t)).join('\n\n'), types: printed.map((t) => t.name) });
}

interface SchemaMatch {
  kind: 'type' | 'field' | 'argument' | 'inputField' | 'enumValue';
  path: string;
  type?: string;
  description?: string;
  score: number;
}

function searchSchema(args: z.infer<typeof searchInput>): CallToolResult {
  const schema = loadApiSchema();
  const terms = args.query.toLowerCase().split(/\s+/).filter(Boolean);
  const matches: SchemaMatch[] = [];
  const consider = (kind: SchemaMatch['kind'], path: string, name: string, description: string | null | undefined, type?: string) => {
    const haystackName = name.toLowerCase();
    const haystack = `${path.toLowerCase()} ${(description ?? '').toLowerCase()}`;
    if (!terms.every((term) => haystack.includes(term))) return;
    // Names weigh more than descriptions; roots and types more than deep members.
    const score =
      terms.reduce((sum, term) => sum + (haystackName === term ? 10 : haystackName.includes(term) ? 5 : path.toLowerCase().includes(term) ? 3 : 1), 0) +
      (path.startsWith('Query.') || path.startsWith('Mutation.') ? 2 : 0) +
      (kind === 'type' ? 1 : 0);
    matches.push({ kind, path, ...(type ? { type } : {}), ...(description ? { description: description.replace(/\s+/g, ' ').slice(0, 240) } : {}), score });
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    consider('type', type.name, type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        consider('field', `${type.name}.${field.name}`, field.name, field.description, String(field.type));
        for (const arg of field.args) consider('argument', `${type.name}.${field.name}(${arg.name})`, arg.name, arg.description, String(arg.type));
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) consider('inputField', `${type.name}.${field.name}`, field.name, field.description, String(field.type));
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) consider('enumValue', `${type.name}.${value.name}`, value.name, value.description);
    } else if (isScalarType(type)) {
      // custom scalars are covered by the `type` entry
    }
  }
  matches.sort((a, b) => b.score - a.score || a.path.localeCompare(b.path));
  const top = matches.slice(0, args.limit).map(({ score: _score, ...rest }) => rest);
  return ok({ matches: top, total: matches.length });
}

function operationsOf(query: string): { operations: OperationDefinitionNode[]; error?: string } {
  try {
    const document = parseDocument(query);
    return { operations: document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition') };
  } catch (error) {
    return { operations: [], error: (error as Error).message };
  }
}

function validateDocument(args: z.infer<typeof validateInput>): { valid: boolean; errors: string[]; operation?: OperationDefinitionNode } {
  const schema = loadApiSchema();
  let document;
  try {
    document = parseDocument(args.query);
  } catch (error) {
    return { valid: false, errors: [(error as Error).message] };
  }
  const errors = validate(schema, document).map((e) => (e.locations?.length ? `${e.message} (line ${e.locations[0]!.line})` : e.message));
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const operation = args.operationName ? operations.find((o) => o.name?.value === args.operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) errors.push(args.operationName ? `no operation named ${args.operationName}` : 'the document has several operations: pass operationName');
  return { valid: errors.length === 0, errors, operation };
}

/** The generic tools; `execute` runs mutations only when writes are enabled. */
export function genericTools(enableWrites: boolean): GenericTool[] {
  return [
    {
      name: 'introspect',
      title: 'Introspect the OpsOrch schema',
      description:
        'Prints the GraphQL SDL of one type or field of the OpsOrch API (with descriptions), optionally with the types it refers to up to `depth` levels. Start with `Query` or `Mutation` to see every entry point.',
      annotations: CLOSED_WORLD,
      input: introspectInput,
      inputSchema: jsonSchemaOf(introspectInput),
      outputSchema: {
        type: 'object',
        properties: { sdl: { type: 'string' }, types: { type: 'array', items: { type: 'string' } }, truncated: { type: 'object' } },
        required: ['sdl', 'types'],
      },
      async run(args, context) {
        const result = introspect(introspectInput.parse(args));
        if (result.isError) return result;
        const fitted = fitToBudget(result.structuredContent as Record<string, unknown>, context.maxResultChars, 'Use a smaller `depth`.');
        return ok(fitted.truncated ? { ...fitted.answer, truncated: fitted.truncated } : fitted.answer);
      },
    },
    {
      name: 'search_schema',
      title: 'Search the OpsOrch schema',
      description:
        'Finds types, fields, arguments and enum values of the OpsOrch GraphQL API whose name or description contains every given word, best matches first. Use it to find what to query, then introspect for the details.',
      annotations: CLOSED_WORLD,
      input: searchInput,
      inputSchema: jsonSchemaOf(searchInput),
      outputSchema: {
        type: 'object',
        properties: {
          matches: {
            type: 'array',
            items: {
              type: 'object',
              properties: { kind: { type: 'string' }, path: { type: 'string' }, type: { type: 'string' }, description: { type: 'string' } },
              required: ['kind', 'path'],
            },
          },
          total: { type: 'integer' },
        },
        required: ['matches', 'total'],
      },
      async run(args) {
        return searchSchema(searchInput.parse(args));
      },
    },
    {
      name: 'validate',
      title: 'Validate a GraphQL operation',
      description:
        'Checks a GraphQL operation against the OpsOrch API schema without running it: syntax, field and argument names, types, and (when given) the variables. Returns every problem found.',
      annotations: CLOSED_WORLD,
      input: validateInput,
      inputSchema: jsonSchemaOf(validateInput),
      outputSchema: {
        type: 'object',
        properties: {
          valid: { type: 'boolean' },
          errors: { type: 'array', items: { type: 'string' } },
          operationType: { type: 'string', enum: ['query', 'mutation', 'subscription'] },
        },
        required: ['valid', 'errors'],
      },
      async run(args) {
        const parsed = validateInput.parse(args);
        const checked = validateDocument(parsed);
        return ok({ valid: checked.valid, errors: checked.errors, ...(checked.operation ? { operationType: checked.operation.operation } : {}) });
      },
    },
    {
      name: 'execute',
      title: 'Execute a GraphQL operation',
      description: enableWrites
        ? 'Runs any GraphQL query or mutation against the OpsOrch API, as the agent. Prefer the specific tools; use this for questions they do not cover. Check the operation with validate first. Mutations change the ops tools for real: confirm with a person first.'
        : 'Runs a GraphQL query against the OpsOrch API (read-only: mutations are refused on this server). Prefer the specific tools; use this for questions they do not cover, after finding fields with search_schema and introspect.',
      annotations: enableWrites
        ? { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true }
        : { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
      input: executeInput,
      inputSchema: jsonSchemaOf(executeInput),
      outputSchema: {
        type: 'object',
        properties: {
          // Nullable as anyOf, the form every client reads (decision 020).
          data: { anyOf: [{ type: 'object' }, { type: 'null' }] },
          errors: { type: 'array', items: { type: 'object', properties: { message: { type: 'string' }, code: { type: 'string' }, path: { type: 'string' } }, required: ['message'] } },
          truncated: { type: 'object' },
        },
        required: ['data'],
      },
      async run(args, context) {
        const parsed = executeInput.parse(args);
        const { operations, error } = operationsOf(parsed.query);
        if (error) return errorResult(`The query does not parse: ${error}. Fix the syntax (validate checks it without running).`);
        const operation = parsed.operationName ? operations.find((o) => o.name?.value === parsed.operationName) : operations[0];
        if (operation?.operation === 'subscription') return errorResult('Subscriptions are not supported through MCP; run a query instead.');
        if (operation?.operation === 'mutation' && !context.enableWrites) {
          return errorResult('This MCP server is read-only: execute runs queries only. A person can restart it with --enable-writes (OPSORCH_MCP_ENABLE_WRITES=true) to allow mutations.');
        }
        const checked = validateDocument(parsed);
        if (!checked.valid) return errorResult(`The operation is not valid against the OpsOrch schema: ${checked.errors.join('; ')}.`);
        try {
          const response = await context.gateway(
            { query: print(parseDocument(parsed.query)), variables: parsed.variables, operationName: parsed.operationName },
            context.caller,
          );
          const errors = (response.errors ?? []).map((e) => ({
            message: describeError(e),
            ...(typeof e.extensions?.code === 'string' ? { code: e.extensions.code } : {}),
            ...(e.path ? { path: e.path.join('.') } : {}),
          }));
          if (!response.data && errors.length) return errorResult(`execute failed: ${errors.map((e) => e.message).join(' | ')}`);
          const answer: Record<string, unknown> = { data: response.data ?? null, ...(errors.length ? { errors } : {}) };
          const fitted = fitToBudget(answer, context.maxResultChars, 'Select fewer fields, pass a smaller `first`, or narrow the filters.');
          return ok(fitted.truncated ? { ...fitted.answer, truncated: fitted.truncated } : fitted.answer);
        } catch (failure) {
          if (failure instanceof GatewayUnavailableError) return errorResult(failure.message);
          throw failure;
        }
      },
    },
  ];
}
