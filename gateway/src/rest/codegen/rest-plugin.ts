// GraphQL Code Generator plugin: the REST API under /api/v1 from the named operations of schema/operations/mcp
// and schema/operations/rest (docs/decisions/017-rest-and-core-compatibility.md). `output: routes` writes the
// route table the gateway serves (gateway/src/rest/generated/routes.ts), `output: openapi` the OpenAPI 3.1
// document (gateway/src/rest/generated/openapi.json); both come from the same reading of the operations, and a
// test fails when either is stale. `output: core` writes the documents the OpsOrch Core routes send
// (schema/operations/core).
//
// An operation becomes an endpoint with `# @rest <METHOD> <path> [201]` in its leading comment:
//   - `{name}` in the path is the variable of that name; a query reads its other variables from the query
//     string (lists as repeated parameters, input objects as JSON text);
//   - a mutation reads them from a JSON body: the body is `$input` when the operation has one, else an object
//     of the variables; `$idempotencyKey` comes from the `Idempotency-Key` header;
//   - `# @example name=value` gives a parameter's example.
import { relative } from 'node:path';
import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLInputType, type GraphQLSchema } from 'graphql';
import { readOperations, sortKeys, words, type DocumentFile, type JsonSchema, type ReadOperation } from '@opsorch/schema/codegen';
import type { SubgraphName } from '@opsorch/schema/capabilities';
import type { ParameterParse, RestParameter, RestRoute } from '../route.ts';
import { PROBLEMS } from '../problems.ts';

const REST_DIRS = ['schema/operations/mcp/', 'schema/operations/rest/'];
const CORE_DIR = 'schema/operations/core/';
const METHODS = new Set(['GET', 'POST', 'PATCH']);
const IDEMPOTENCY_VARIABLE = 'idempotencyKey';

function inDirs(dirs: string[]) {
  return (location: string) => {
    const path = relative(process.cwd(), location).split('\\').join('/');
    return dirs.some((dir) => path.startsWith(dir));
  };
}

function parseOf(type: GraphQLInputType): { parse: ParameterParse; list: boolean } {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    const item = isNonNullType(inner.ofType) ? inner.ofType.ofType : inner.ofType;
    // Lists of objects or lists travel as JSON text; lists of scalars and enums as repeated parameters.
    if (isListType(item) || isInputObjectType(item) || (isScalarType(item) && item.name === 'JSON')) return { parse: 'json', list: false };
    return { parse: isScalarType(item) ? scalarParse(item.name) : 'string', list: true };
  }
  const named = getNamedType(type);
  if (isInputObjectType(named) || (isScalarType(named) && named.name === 'JSON')) return { parse: 'json', list: false };
  if (isEnumType(named)) return { parse: 'string', list: false };
  return { parse: scalarParse(named.name), list: false };
}

function scalarParse(name: string): ParameterParse {
  if (name === 'Int') return 'integer';
  if (name === 'Float') return 'number';
  if (name === 'Boolean') return 'boolean';
  return 'string';
}

/** Removes `path`'s last property from a JSON Schema (walking objects and list items), with its `required` entry. */
function withoutProperty(schema: JsonSchema, path: string[]): JsonSchema {
  if (path.length === 0) return schema;
  if (schema.type === 'array' || (Array.isArray(schema.type) && schema.type[0] === 'array')) {
    return { ...schema, items: withoutProperty(schema.items as JsonSchema, path) };
  }
  const [head, ...rest] = path as [string, ...string[]];
  const properties = { ...(schema.properties as Record<string, JsonSchema>) };
  if (rest.length === 0) {
    delete properties[head];
    const required = ((schema.required as string[]) ?? []).filter((r) => r !== head);
    return { ...schema, properties, required };
  }
  properties[head] = withoutProperty(properties[head]!, rest);
  return { ...schema, properties };
}

/** A nullable root field answers a problem (404 or the failure) when null: in a success it is never null. */
function nonNull(schema: JsonSchema): JsonSchema {
  if (!Array.isArray(schema.type)) return schema;
  const type = (schema.type as string[]).filter((t) => t !== 'null');
  const enumValues = Array.isArray(schema.enum) ? { enum: (schema.enum as unknown[]).filter((v) => v !== null) } : {};
  return { ...schema, ...enumValues, type: type.length === 1 ? type[0] : type };
}

interface Endpoint {
  operation: ReadOperation;
  route: RestRoute;
  /** The answer's `data` as the OpenAPI document describes it. */
  dataSchema: JsonSchema;
}

function endpointOf(operation: ReadOperation): Endpoint {
  const { operationName, where } = operation;
  const directive = operation.flags.get('rest');
  if (!directive) throw new Error(`${where}: ${operationName} needs "# @rest <METHOD> <path>" (every operation here is a REST endpoint)`);
  const [method, path, status, ...extra] = directive.split(/\s+/);
  if (!METHODS.has(method!) || !path?.startsWith('/') || extra.length > 0 || (status !== undefined && status !== '201')) {
    throw new Error(`${where}: ${operationName}: "# @rest ${directive}" must be "<GET|POST|PATCH> /path [201]"`);
  }
  const isQuery = operation.operationType === 'query';
  if (isQuery !== (method === 'GET')) throw new Error(`${where}: ${operationName}: queries are GET, mutations POST or PATCH`);
  if (operation.rootFields.length !== 1) throw new Error(`${where}: ${operationName}: a REST operation selects exactly one root field`);

  const byName = new Map(operation.variables.map((v) => [v.name, v]));
  const pathNames = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const parameters: RestParameter[] = [];
  for (const name of pathNames) {
    const variable = byName.get(name);
    if (!variable) throw new Error(`${where}: ${operationName}: path parameter {${name}} is no variable of the operation`);
    const { parse, list } = parseOf(variable.type);
    if (list || parse === 'json') throw new Error(`${where}: ${operationName}: path parameter {${name}} must be a scalar`);
    parameters.push({ name, in: 'path', variable: name, parse, list, required: true });
  }
  let body: RestRoute['body'];
  const rest = operation.variables.filter((v) => !pathNames.includes(v.name));
  if (isQuery) {
    for (const variable of rest) {
      parameters.push({ name: variable.name, in: 'query', variable: variable.name, ...parseOf(variable.type), required: variable.required });
    }
  } else {
    const key = rest.find((v) => v.name === IDEMPOTENCY_VARIABLE);
    if (key) parameters.push({ name: 'Idempotency-Key', in: 'header', variable: key.name, parse: 'string', list: false, required: false });
    const fields = rest.filter((v) => v.name !== IDEMPOTENCY_VARIABLE);
    const input = fields.find((v) => v.name === 'input' && isInputObjectType(getNamedType(v.type)));
    if (input && fields.length > 1) throw new Error(`${where}: ${operationName}: with $input as the body, every other variable must be in the path`);
    body = input ? { variable: input.name } : { fields: fields.map((v) => v.name) };
  }

  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const variable of operation.variables) {
    properties[variable.name] = variable.schema;
    if (variable.required) required.push(variable.name);
  }
  const variablesSchema: JsonSchema = { type: 'object', properties, additionalProperties: false };
  if (required.length) variablesSchema.required = required;
  if (Object.keys(operation.inputDefs).length) variablesSchema.$defs = operation.inputDefs;

  const root = operation.rootFields[0]!;
  const relativePath = (path: string[]) => {
    if (path[0] !== root) throw new Error(`${where}: ${operationName}: ${path.join('.')} is outside the root field`);
    return path.slice(1);
  };
  let data = nonNull((operation.answerSchema('full').properties as Record<string, JsonSchema>)[root]!);
  const providerErrorPaths = operation.providerErrorPaths.map(relativePath);
  for (const path of providerErrorPaths) data = withoutProperty(data, path);
  const paging = operation.paging ? { ...operation.paging, path: relativePath(operation.paging.path) } : undefined;

  return {
    operation,
    dataSchema: data,
    route: {
      operationName,
      operationType: operation.operationType,
      method: method as RestRoute['method'],
      path,
      successStatus: status === '201' ? 201 : 200,
      document: operation.document,
      parameters,
      ...(body ? { body } : {}),
      variablesSchema,
      root,
      ...(paging ? { paging } : {}),
      providerErrorPaths,
    },
  };
}

/** Every endpoint, checked for clashes, in path then method order. */
export function buildEndpoints(schema: GraphQLSchema, documents: DocumentFile[]): Endpoint[] {
  const endpoints = readOperations(schema, documents, { include: inDirs(REST_DIRS), refPrefix: '#/$defs/' }).map(endpointOf);
  const seen = new Map<string, string>();
  for (const { route } of endpoints) {
    const key = `${route.method} ${route.path.replace(/\{\w+\}/g, '{}')}`;
    const other = seen.get(key) ?? seen.get(route.operationName);
    if (other) throw new Error(`${route.operationName} and ${other} are both ${key} (or share a name)`);
    seen.set(key, route.operationName);
    seen.set(route.operationName, route.operationName);
  }
  const order = { GET: 0, POST: 1, PATCH: 2 };
  return endpoints.sort((a, b) => a.route.path.localeCompare(b.route.path) || order[a.route.method] - order[b.route.method]);
}

// ---------------------------------------------------------------------------------------------------------
// The OpenAPI 3.1 document

/** One group per subgraph of the manifest (schema/src/capabilities.ts): a missing one is a type error. */
const GROUP_DESCRIPTIONS: Record<SubgraphName, string> = {
  alerts: 'Alerts from every alerting tool: list, read, acknowledge, silence.',
  deployments: 'Deployments from every CI/CD system.',
  incidents: 'Incidents from every incidents tool, with their timelines and the whole war-room context.',
  logs: 'Log lines and volumes from every log store.',
  messaging: 'Chat channels and messages.',
  metrics: 'The metric catalog and metric series.',
  orchestration: 'Runbooks and their runs in the workflow engines.',
  platform: 'The provider instances OpsOrch reaches and their health.',
  services: 'The service catalog and its dependency graph.',
  teams: 'Teams, people and on-call.',
  tickets: 'Tickets in every tracker.',
};

/** Input objects are components in OpenAPI: the 2020-12 `$defs` references point there. */
function toComponents(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toComponents);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : toComponents(v)]),
    );
  }
  return value;
}

function exampleValue(parse: ParameterParse, list: boolean, text: string): unknown {
  const value = parse === 'integer' || parse === 'number' ? Number(text) : parse === 'boolean' ? text === 'true' : parse === 'json' ? JSON.parse(text) : text;
  return list ? [value] : value;
}

function parameterObject(endpoint: Endpoint, parameter: RestParameter): JsonSchema {
  const variable = endpoint.operation.variables.find((v) => v.name === parameter.variable)!;
  const { description, ...schema } = toComponents(variable.schema) as JsonSchema;
  const object: JsonSchema = { name: parameter.name, in: parameter.in, required: parameter.required };
  if (parameter.in === 'header') {
    object.description = `${description ?? ''} Sent as the \`idempotencyKey\` of the operation: the same key with the same request writes once (the first answer is returned again); the same key with a different request is refused with 409.`.trim();
    object.schema = { type: 'string', minLength: 1, maxLength: 255 };
    object.example = 'c0a8e7f4-5b1e-4d4e-9f0a-6f2b3c1d9e21';
    return object;
  }
  if (description) object.description = description;
  if (parameter.parse === 'json') {
    object.content = { 'application/json': { schema } };
    if (variable.example !== undefined) object.example = variable.example;
  } else {
    object.schema = schema;
    if (parameter.list) {
      object.style = 'form';
      object.explode = true;
      object.description = `${description ? `${description} ` : ''}Repeat the parameter for several values; one empty value (\`${parameter.name}=\`) is the empty list.`;
    }
    if (variable.example !== undefined) object.example = exampleValue(parameter.parse, parameter.list, variable.example);
  }
  return object;
}

function requestBodyOf(endpoint: Endpoint): JsonSchema | undefined {
  const { route, operation } = endpoint;
  if (!route.body) return undefined;
  if ('variable' in route.body) {
    const variable = operation.variables.find((v) => v.name === (route.body as { variable: string }).variable)!;
    return { required: true, content: { 'application/json': { schema: toComponents(variable.schema) } } };
  }
  const fields = route.body.fields.map((name) => operation.variables.find((v) => v.name === name)!);
  if (fields.length === 0) return undefined;
  const properties = Object.fromEntries(fields.map((v) => [v.name, toComponents(v.schema)]));
  const required = fields.filter((v) => v.required).map((v) => v.name);
  const example = Object.fromEntries(fields.filter((v) => v.example !== undefined).map((v) => [v.name, v.example]));
  const schema: JsonSchema = { type: 'object', properties, additionalProperties: false, ...(required.length ? { required } : {}) };
  return {
    required: required.length > 0,
    content: { 'application/json': { schema, ...(Object.keys(example).length ? { example } : {}) } },
  };
}

const REQUEST_ID_HEADER = { description: 'The request id (yours when you sent a valid `X-Request-Id`), also in the logs and the audit line.', schema: { type: 'string' } };

function responsesOf(endpoint: Endpoint): JsonSchema {
  const { route } = endpoint;
  const headers: JsonSchema = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };
  if (route.paging) headers.Link = { $ref: '#/components/headers/Link' };
  if (route.successStatus === 201) headers.Location = { description: 'The created resource, when it has an endpoint of its own.', schema: { type: 'string' } };
  const success = {
    description:
      route.operationType === 'query'
        ? 'The answer. A provider that failed while the others answered is listed in `providerErrors` (the status stays 200).'
        : 'The changed resource.',
    headers,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          properties: { data: endpoint.dataSchema, providerErrors: { type: 'array', items: { $ref: '#/components/schemas/ProviderError' } } },
          required: ['data', 'providerErrors'],
          additionalProperties: false,
        },
      },
    },
  };
  const responses: JsonSchema = { [String(route.successStatus)]: success };
  const errors = ['400', '401', '403'];
  if (route.path.includes('{')) errors.push('404');
  if (route.operationType === 'mutation') errors.push('409', '413', '415');
  errors.push('429', '500', '501', '502', '503', '504');
  for (const status of errors) responses[status] = { $ref: `#/components/responses/${PROBLEMS[status]!.component}` };
  return responses;
}

const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description:
    'RFC 9457 problem details. `code` is one of OpsOrch\'s error codes; `reason` narrows refusals (MAX_COST, OPERATION_NOT_TRUSTED...); other members say what to fix (`missingScopes`, `limit`, `retryAfter`, `errors`).',
  properties: {
    type: { type: 'string', format: 'uri-reference', description: 'Identifies the kind of problem: `urn:opsorch:problem:<code in kebab case>`.' },
    title: { type: 'string', description: 'A short summary of the kind of problem.' },
    status: { type: 'integer', description: 'The HTTP status of this answer.' },
    detail: { type: 'string', description: 'What went wrong with this request and how to fix it.' },
    instance: { type: 'string', description: 'The path of the request.' },
    code: { type: 'string', enum: ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'NOT_SUPPORTED', 'PROVIDER_UNAVAILABLE', 'PROVIDER_TIMEOUT', 'PROVIDER_RATE_LIMITED', 'PROVIDER_AUTH_FAILED', 'INTERNAL', 'RATE_LIMITED'] },
    requestId: { type: 'string', description: 'The request id, as in `X-Request-Id`.' },
    reason: { type: 'string' },
    capability: { type: 'string', description: 'The capability whose provider failed.' },
    provider: { type: 'string', description: 'The provider instance that failed.' },
    retryAfter: { type: 'integer', description: 'Seconds to wait before retrying (also in `Retry-After`).' },
    missingScopes: { type: 'array', items: { type: 'string' } },
    errors: {
      type: 'array',
      description: 'Every invalid parameter or body member.',
      items: {
        type: 'object',
        properties: {
          detail: { type: 'string' },
          parameter: { type: 'string', description: 'The query, path or header parameter.' },
          pointer: { type: 'string', description: 'JSON Pointer into the request body.' },
        },
        required: ['detail'],
      },
    },
  },
  required: ['type', 'title', 'status', 'detail', 'code'],
};

const PROVIDER_ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'A provider that failed while the rest of the answer arrived, or a part of the answer that could not be read.',
  properties: {
    capability: { type: ['string', 'null'], description: 'The capability it serves, for example `alerts`.' },
    provider: { type: ['string', 'null'], description: 'The provider instance, for example `alertmanager:prod`.' },
    code: { type: 'string', description: "One of OpsOrch's error codes, for example `PROVIDER_TIMEOUT`." },
    message: { type: 'string' },
    path: { type: 'string', description: 'Where in `data` the missing part is (dotted), when it is not a whole list.' },
  },
  required: ['capability', 'provider', 'code', 'message'],
};

export function buildOpenApi(endpoints: Endpoint[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const schemas: Record<string, JsonSchema> = {};
  const groups = new Set<string>();
  for (const endpoint of endpoints) {
    const { route, operation } = endpoint;
    groups.add(operation.group);
    for (const [name, def] of Object.entries(operation.inputDefs)) schemas[name] = toComponents(def) as JsonSchema;
    const parameters = route.parameters.map((p) => parameterObject(endpoint, p));
    const requestBody = requestBodyOf(endpoint);
    const item: JsonSchema = {
      operationId: route.operationName,
      summary: words(route.operationName),
      description: operation.description,
      tags: [operation.group],
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses: responsesOf(endpoint),
      'x-graphql-operation': route.document,
    };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = item;
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, problem] of Object.entries(PROBLEMS)) {
    const example = {
      type: problem.type,
      title: problem.title,
      status: Number(status),
      detail: problem.example.detail,
      code: problem.code,
      requestId: '6f1c2a9e-8a4b-4c0e-9d53-0c6a0e8b7f21',
      ...problem.example.extra,
    };
    responses[problem.component] = {
      description: problem.description,
      headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' }, ...(problem.retryAfter ? { 'Retry-After': { $ref: '#/components/headers/Retry-After' } } : {}) },
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, example } },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'OpsOrch REST API',
      version: '1',
      description:
        'Every ops tool behind one API: the REST form of OpsOrch\'s GraphQL operations (each endpoint runs the GraphQL operation in `x-graphql-operation` through the same gateway, so authentication, scopes, limits, rate limits and the audit log apply alike). Lists page with `first` and `after` (the `Link: rel="next"` header holds the next page); writes take an `Idempotency-Key` header; errors are RFC 9457 problem details.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/api/v1', description: 'This gateway' }],
    security: [{ bearer: [] }, { apiKey: [] }, {}],
    tags: [...groups].sort().map((name) => ({ name, description: GROUP_DESCRIPTIONS[name as SubgraphName] ?? name })),
    paths: sortKeys(paths),
    components: {
      schemas: { ...sortKeys(schemas), Problem: PROBLEM_SCHEMA, ProviderError: PROVIDER_ERROR_SCHEMA },
      responses,
      headers: {
        'X-Request-Id': REQUEST_ID_HEADER,
        Link: { description: 'The next page: `<...&after=<cursor>>; rel="next"` (RFC 8288), absent on the last page.', schema: { type: 'string' } },
        'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An OpsOrch API key (`opsorch keygen`) or a JWT from the configured identity provider.' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An OpsOrch API key.' },
      },
    },
  };
}

interface PluginConfig {
  output?: 'routes' | 'openapi' | 'core';
}

/** The codegen entry point. */
export function plugin(schema: GraphQLSchema, documents: DocumentFile[], config: PluginConfig): string {
  if (config.output === 'core') {
    const operations = readOperations(schema, documents, { include: inDirs([CORE_DIR]) });
    const entries = Object.fromEntries(operations.map((o) => [o.operationName, o.document]));
    return [
      '// Generated by `npm run codegen` from schema/operations/core/*.graphql (gateway/src/rest/codegen/rest-plugin.ts). Do not edit.',
      '',
      `export const CORE_OPERATIONS = ${JSON.stringify(sortKeys(entries), null, 2)} as const;`,
      '',
      'export type CoreOperationName = keyof typeof CORE_OPERATIONS;',
      '',
    ].join('\n');
  }
  const endpoints = buildEndpoints(schema, documents);
  if (config.output === 'openapi') return `${JSON.stringify(buildOpenApi(endpoints), null, 2)}\n`;
  return [
    '// Generated by `npm run codegen` from schema/operations/{mcp,rest}/*.graphql (gateway/src/rest/codegen/rest-plugin.ts). Do not edit.',
    "import type { RestRoute } from '../route.ts';",
    '',
    `export const REST_ROUTES: readonly RestRoute[] = ${JSON.stringify(endpoints.map((e) => e.route), null, 2)};`,
    '',
  ].join('\n');
}
