import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { GatewayUnavailableError, type Caller, type GatewayClient, type GraphQLResponse } from './gateway-client.ts';
import { at, checkIdHint, describeError, errorResult, fitToBudget, type Truncation } from './results.ts';
import { OPERATION_TOOLS } from './generated/tools.ts';
import type { JsonSchema, OperationToolDefinition } from './tool-definition.ts';

/** What a tool call needs besides its arguments. */
export interface ToolCallContext {
  gateway: GatewayClient;
  caller: Caller;
  maxResultChars: number;
}

// One validator for every schema: 2020-12, all errors at once (an LLM fixes them in one go).
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
const validators = new WeakMap<JsonSchema, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

function argumentName(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
  return path ? `\`${path}\`` : 'the arguments';
}

/** Ajv's errors as sentences that name the argument and what would be accepted. */
export function describeValidationErrors(errors: readonly ErrorObject[], schema: JsonSchema): string[] {
  const known = Object.keys((schema.properties as object | undefined) ?? {});
  const lines = new Set<string>();
  for (const error of errors) {
    const name = argumentName(error);
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'additionalProperties':
        lines.add(
          error.instancePath
            ? `${name} has no field \`${String(params.additionalProperty)}\``
            : `unknown argument \`${String(params.additionalProperty)}\`; this tool takes: ${known.join(', ') || 'no arguments'}`,
        );
        break;
      case 'required':
        lines.add(`${error.instancePath ? `${name} needs` : 'missing required argument'} \`${String(params.missingProperty)}\``);
        break;
      case 'enum':
        lines.add(`${name} must be one of ${(params.allowedValues as unknown[]).join(', ')}`);
        break;
      case 'type':
        lines.add(`${name} must be ${String(params.type)}`);
        break;
      case 'maximum':
      case 'minimum':
        lines.add(`${name} must be ${error.keyword === 'maximum' ? 'at most' : 'at least'} ${String(params.limit)}`);
        break;
      default:
        lines.add(`${name} ${error.message ?? 'is invalid'}`);
    }
  }
  return [...lines];
}

/**
 * Validates arguments against the tool's input schema. Optional arguments given as `null` are dropped first:
 * models often send null for "not set", and GraphQL then applies the variable's default.
 */
export function checkArguments(schema: JsonSchema, args: Record<string, unknown> | undefined): { variables: Record<string, unknown>; problems: string[] } {
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const variables = Object.fromEntries(Object.entries(args ?? {}).filter(([key, value]) => value !== null || required.has(key)));
  const validate = validatorFor(schema);
  if (validate(variables)) return { variables, problems: [] };
  return { variables, problems: describeValidationErrors(validate.errors ?? [], schema) };
}

/** Filter-like arguments of a tool, named in the hint of a cut answer. */
function narrowingArguments(tool: OperationToolDefinition): string[] {
  const skip = new Set(['after', 'idempotencyKey', 'order', 'id']);
  return Object.keys((tool.inputSchema.properties as object | undefined) ?? {}).filter((name) => !skip.has(name) && name !== tool.paging?.firstVariable);
}

function narrowHint(tool: OperationToolDefinition, variables: Record<string, unknown>): string {
  const size = tool.paging?.firstVariable;
  const filters = narrowingArguments(tool);
  const parts: string[] = [];
  if (size) parts.push(`ask for fewer items with a smaller \`${size}\` (now ${String(variables[size] ?? 'the default')})`);
  if (filters.length) parts.push(`narrow with ${filters.map((f) => `\`${f}\``).join(', ')}`);
  return parts.length ? `To see everything, ${parts.join(' or ')}.` : 'Ask for one item at a time.';
}

function rootFieldsAllNull(data: Record<string, unknown> | null | undefined): boolean {
  return !data || Object.values(data).every((value) => value === null);
}

/** Runs one generated tool: validate, call the gateway as `agent:<client>`, shape the answer. */
export async function runOperationTool(tool: OperationToolDefinition, args: Record<string, unknown> | undefined, context: ToolCallContext): Promise<CallToolResult> {
  const { variables, problems } = checkArguments(tool.inputSchema, args);
  if (problems.length) {
    return errorResult(`Invalid arguments for ${tool.name}: ${problems.join('; ')}. Fix them and call again.`);
  }
  const call = async (vars: Record<string, unknown>): Promise<GraphQLResponse> =>
    context.gateway({ query: tool.document, variables: vars, operationName: tool.operationName }, context.caller);
  try {
    const response = await call(variables);
    const shaped = shape(tool, response, variables, context.maxResultChars);
    // The page itself was cut: ask again for a page that fits, so `nextCursor` resumes right after its last
    // item. A margin absorbs items of other sizes (live data moves between the two calls).
    const firstVariable = tool.paging?.firstVariable;
    let cut = shaped.truncated;
    for (let attempt = 0; attempt < 2 && cut && firstVariable && cut.path === [...tool.paging!.path, 'nodes'].join('.'); attempt++) {
      const size = Math.max(1, Math.floor(cut.kept * 0.9));
      const smaller = { ...variables, [firstVariable]: size };
      const again = shape(tool, await call(smaller), smaller, context.maxResultChars);
      if (again.result.isError) break;
      if (!again.truncated) {
        const hint = `Only about ${size} items fit in ${context.maxResultChars} characters, so this page holds ${size} (you asked for ${String(variables[firstVariable] ?? 'the default')}); nextCursor continues right after them. ${narrowHint(tool, smaller)}`;
        return withTruncation(again.result, { path: cut.path, kept: size, omitted: 0, hint });
      }
      cut = again.truncated;
    }
    return shaped.result;
  } catch (error) {
    if (error instanceof GatewayUnavailableError) return errorResult(`${error.message} Retry in a moment; if it persists, the OpsOrch gateway is down.`);
    if (error instanceof Error && (error.name === 'AbortError' || context.caller.signal?.aborted)) return errorResult('The call was cancelled.');
    throw error;
  }
}

function withTruncation(result: CallToolResult, truncated: Truncation): CallToolResult {
  const structured = { ...(result.structuredContent as Record<string, unknown>), truncated };
  return { ...result, structuredContent: structured, content: [{ type: 'text', text: JSON.stringify(structured) }] };
}

/** The list_* tools of a toolset: where valid ids for its other tools come from. */
const listToolsOf = (toolset: string) => OPERATION_TOOLS.filter((t) => t.toolset === toolset && t.name.startsWith('list_')).map((t) => t.name);

/** Turns a GraphQL answer into a tool result: structured content, JSON text, explicit cuts and failures. */
function shape(tool: OperationToolDefinition, response: GraphQLResponse, variables: Record<string, unknown>, maxChars: number): { result: CallToolResult; truncated?: Truncation } {
  const errors = response.errors ?? [];
  if (rootFieldsAllNull(response.data)) {
    if (errors.length) {
      return { result: errorResult(`${tool.name} failed: ${errors.map((e) => describeError(e, listToolsOf(tool.toolset))).join(' | ')}`) };
    }
    if (tool.operationType === 'query') {
      const id = typeof variables.id === 'string' ? ` with id "${variables.id}"` : '';
      return { result: errorResult(`Nothing found${id} (${Object.keys(response.data ?? {}).join(', ')} is null). ${checkIdHint(listToolsOf(tool.toolset))}`) };
    }
  }
  const answer: Record<string, unknown> = { ...(response.data ?? {}) };
  if (tool.paging) {
    const pageInfo = at(answer, [...tool.paging.path, 'pageInfo']) as { hasNextPage?: boolean; endCursor?: string | null } | undefined;
    answer.nextCursor = pageInfo?.hasNextPage && pageInfo.endCursor ? pageInfo.endCursor : null;
  }
  if (errors.length) {
    answer.errors = errors.map((error) => ({
      message: describeError(error, listToolsOf(tool.toolset)),
      ...(typeof error.extensions?.code === 'string' ? { code: error.extensions.code } : {}),
      ...(error.path ? { path: error.path.join('.') } : {}),
    }));
  }
  const fitted = fitToBudget(answer, maxChars, narrowHint(tool, variables));
  const structured: Record<string, unknown> = fitted.answer;
  if (fitted.truncated) {
    structured.truncated = fitted.truncated;
    // A cut page would skip the cut items if paged from its endCursor.
    if (tool.paging && fitted.truncated.path === [...tool.paging.path, 'nodes'].join('.')) structured.nextCursor = null;
  }
  return {
    result: { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured },
    truncated: fitted.truncated,
  };
}
