// Running a query plan: @apollo/gateway's `executeQueryPlan` (@apollo/gateway/dist/executeQueryPlan.js) walks the
// plan's fetches, builds each entity fetch's representations, merges every answer into one result and shapes it.
// Per request it also rebuilds the federation operation from the parsed document (and so our result shaper's steps,
// decision 029), allocates a usage-reporting trace node for every plan node whether traces are wanted or not, and
// opens an OpenTelemetry span for every fetch. Under the war-room load those were about a tenth of the request.
//
// This is the same walk with the operation built once per parsed document and schema, and no trace nodes or spans
// when nobody records them. It reuses Apollo's own exported pieces where the answer depends on them (rewrites,
// merging, type checks, error codes, hydrated error paths, result shaping), so every answer and every error is
// Apollo's, byte for byte (gateway/test/answers.e2e.ts). Whatever it does not cover goes to Apollo's function
// unchanged: traces for usage reporting, OpenTelemetry tracing turned on, subscriptions, @defer, conditions,
// introspection, and any gateway that was not registered here (the benchmark's stock variant).
import { createRequire } from 'node:module';
import { GraphQLError, type DocumentNode, type GraphQLErrorOptions, type OperationDefinitionNode } from 'graphql';
import { tracingActive } from './observability/tracing.ts';

const requireHere = createRequire(import.meta.url);
const requireInGateway = createRequire(requireHere.resolve('@apollo/gateway'));

/** The gateway calls `executeQueryPlan` through this module's exports, so replacing it there takes. */
const apolloPlans = requireHere('@apollo/gateway/dist/executeQueryPlan.js') as {
  executeQueryPlan: ExecuteQueryPlan;
  generateHydratedPaths(parent: Path, path: Path, data: unknown, result: Path[]): void;
};
const resultShaping = requireHere('@apollo/gateway/dist/resultShaping.js') as { computeResponse: ComputeResponse };
const rewrites = requireHere('@apollo/gateway/dist/dataRewrites.js') as {
  applyRewrites(schema: unknown, rewrites: unknown, value: unknown): void;
  isObjectOfType(schema: unknown, value: unknown, typeCondition: string): boolean;
};
const federation = requireInGateway('@apollo/federation-internals') as {
  operationFromDocument(schema: unknown, document: DocumentNode, options: { validate: boolean }): FedOperation;
  assert(condition: unknown, message: string | (() => string)): void;
  errorCodeDef(error: unknown): { err(message: string, options: object): GraphQLError } | undefined;
  ERRORS: { DOWNSTREAM_SERVICE_ERROR: { err(message: string, options: object): GraphQLError } };
};

type Path = (string | number)[];

interface FedSelection {
  kind: 'FieldSelection' | 'FragmentSelection';
  element: { definition?: { isSchemaIntrospectionField(): boolean } };
  selectionSet?: { selections(): readonly FedSelection[] };
}
interface FedOperation {
  selectionSet: { selections(): readonly FedSelection[] };
}

/** The parts of a query plan's nodes (@apollo/query-planner's QueryPlan.d.ts) this walk reads. */
type PlanNode =
  | { kind: 'Sequence' | 'Parallel'; nodes: PlanNode[] }
  | { kind: 'Flatten'; path: Path; node: PlanNode }
  | FetchNode
  | { kind: 'Condition' | 'Defer' | 'Subscription' };
interface FetchNode {
  kind: 'Fetch';
  serviceName: string;
  variableUsages?: string[];
  requires?: RequiredSelection[];
  operation: string;
  operationName?: string;
  operationDocumentNode?: DocumentNode;
  inputRewrites?: unknown;
  outputRewrites?: unknown;
}
type RequiredSelection =
  | { kind: 'Field'; name: string; alias?: string; selections?: RequiredSelection[] }
  | { kind: 'InlineFragment'; typeCondition?: string; selections: RequiredSelection[] };
interface QueryPlan {
  node?: PlanNode;
}

interface DataSource {
  process(options: object): Promise<{ data?: Record<string, unknown> | null; errors?: readonly SubgraphError[]; extensions?: { ftv1?: unknown } }>;
}
interface SubgraphError {
  message?: string;
  path?: Path;
  extensions?: Record<string, unknown>;
}
interface RequestContext {
  logger?: { error(message: string): void };
  metrics?: { captureTraces?: boolean; nonFtv1ErrorPaths?: { subgraph: string; path?: Path }[] };
  request: { variables?: Record<string, unknown> };
  context: unknown;
}
interface OperationContext {
  operation: OperationDefinitionNode;
  fragments: Record<string, unknown>;
}
type ExecuteQueryPlan = (
  queryPlan: QueryPlan,
  serviceMap: Record<string, DataSource>,
  requestContext: RequestContext,
  operationContext: OperationContext,
  supergraphSchema: unknown,
  apiSchema: object,
  telemetryConfig: unknown,
) => Promise<{ data?: unknown; errors?: GraphQLError[]; extensions?: Record<string, unknown> }>;
type ComputeResponse = (args: {
  operation: FedOperation;
  variables?: Record<string, unknown>;
  input: Record<string, unknown>;
  introspectionHandling: (selection: unknown) => unknown;
}) => { data: unknown; errors: unknown[] };

/** One request's walk: what every fetch needs, and the errors the fetches reported. */
interface Run {
  serviceMap: Record<string, DataSource>;
  requestContext: RequestContext;
  supergraphSchema: unknown;
  errors: unknown[];
}
interface Cursor {
  path: Path;
  data: unknown;
  fullResult: Record<string, unknown>;
}

const hasOwn = Object.prototype.hasOwnProperty;
const apolloExecuteQueryPlan = apolloPlans.executeQueryPlan;
/** Plans this walk ran since the process started (the others were Apollo's). */
export const planExecutionCounts = { own: 0 };
/** API schemas of the gateways that run their plans here; any other gateway in the process keeps Apollo's walk. */
const ownSchemas = new WeakSet<object>();

/** A federation operation per parsed operation, per API schema; `false` when it has introspection to answer. */
const operations = new WeakMap<object, WeakMap<OperationDefinitionNode, FedOperation | false>>();

function hasIntrospection(selections: readonly FedSelection[]): boolean {
  return selections.some((selection) =>
    selection.kind === 'FieldSelection' ? selection.element.definition?.isSchemaIntrospectionField() === true : hasIntrospection(selection.selectionSet?.selections() ?? []),
  );
}

/**
 * The operation for this document. Apollo Server hands every request of one query text the same parsed document,
 * so the operation is built once per text (per schema, which a supergraph reload replaces); an operation that
 * fails to build throws its GraphQLError every time, as Apollo's walk reports it.
 */
function operationOf(apiSchema: object, operationContext: OperationContext): FedOperation | false {
  let forSchema = operations.get(apiSchema);
  if (!forSchema) operations.set(apiSchema, (forSchema = new WeakMap()));
  let operation = forSchema.get(operationContext.operation);
  if (operation === undefined) {
    const built = federation.operationFromDocument(
      apiSchema,
      { kind: 'Document' as DocumentNode['kind'], definitions: [operationContext.operation, ...Object.values(operationContext.fragments)] } as DocumentNode,
      { validate: false },
    );
    // Introspection is answered by Apollo's private helper, so such operations keep Apollo's whole walk.
    operation = hasIntrospection(built.selectionSet.selections()) ? false : built;
    forSchema.set(operationContext.operation, operation);
  }
  return operation;
}

/** Plans whose nodes are all fetches, sequences, parallels and flattens (a plan object is cached by Apollo). */
const plainPlans = new WeakMap<QueryPlan, boolean>();
function isPlain(node: PlanNode): boolean {
  switch (node.kind) {
    case 'Fetch':
      return true;
    case 'Flatten':
      return isPlain(node.node);
    case 'Sequence':
    case 'Parallel':
      return node.nodes.every(isPlain);
    default:
      return false;
  }
}
function isPlainPlan(plan: QueryPlan): boolean {
  let plain = plainPlans.get(plan);
  if (plain === undefined) plainPlans.set(plan, (plain = plan.node === undefined || isPlain(plan.node)));
  return plain;
}

async function executeQueryPlan(
  ...args: Parameters<ExecuteQueryPlan>
): ReturnType<ExecuteQueryPlan> {
  const [queryPlan, serviceMap, requestContext, operationContext, supergraphSchema, apiSchema] = args;
  if (!ownSchemas.has(apiSchema) || requestContext.metrics?.captureTraces || tracingActive() || !isPlainPlan(queryPlan)) return apolloExecuteQueryPlan(...args);
  let operation: FedOperation | false;
  try {
    operation = operationOf(apiSchema, operationContext);
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    throw error;
  }
  if (operation === false) return apolloExecuteQueryPlan(...args);

  planExecutionCounts.own++;
  const run: Run = { serviceMap, requestContext, supergraphSchema, errors: [] };
  const unfilteredData: Record<string, unknown> = Object.create(null);
  if (queryPlan.node) await executeNode(run, queryPlan.node, { path: [], data: unfilteredData, fullResult: unfilteredData });

  const { errors } = run;
  let data: unknown;
  try {
    const variables = requestContext.request.variables;
    const shaped = resultShaping.computeResponse({
      operation,
      variables,
      input: unfilteredData,
      introspectionHandling: () => {
        throw new Error('introspection is answered by Apollo Gateway\'s own plan execution');
      },
    });
    data = shaped.data;
    if (errors.length === 0 && shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data };
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    if (error instanceof Error) return { errors: [new GraphQLError(error.message, { originalError: error })] };
    (requestContext.logger ?? console).error('Unexpected error during query plan execution: ' + error);
    return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
  }
  return errors.length === 0 ? { data } : { errors: errors as GraphQLError[], data };
}

async function executeNode(run: Run, node: PlanNode, cursor: Cursor): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(run, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(run, child, cursor)));
      return;
    case 'Flatten': {
      const data = valuesAt(cursor.data, node.path, 0);
      // Nothing (null or absent) at the path: nothing to fetch for it.
      if (data) await executeNode(run, node.node, { path: cursor.path.concat(node.path), data, fullResult: cursor.fullResult });
      return;
    }
    case 'Fetch':
      try {
        await executeFetch(run, node, cursor);
      } catch (error) {
        run.errors.push(error);
      }
      return;
    default:
      throw new Error(`query plan node "${node.kind}" reached the gateway's own plan execution`);
  }
}

/** The values at `path` below `value`, every list (`@`) flattened into one. */
function valuesAt(value: unknown, path: Path, from: number): unknown {
  if (from === path.length || value === undefined || value === null) return value;
  const key = path[from];
  if (key === '@') {
    // The last step into a list of objects (every entity fetch below a list) is the list itself; Apollo's walk
    // copies it, and the fetch only reads it.
    if (from + 1 === path.length && !(value as unknown[]).some(Array.isArray)) return value;
    const flat: unknown[] = [];
    for (const element of value as unknown[]) {
      const inner = valuesAt(element, path, from + 1);
      if (Array.isArray(inner)) for (const item of inner) flat.push(item);
      else flat.push(inner);
    }
    return flat;
  }
  federation.assert(typeof key === 'string', () => `Unexpected ${typeof key} found in path`);
  federation.assert(!Array.isArray(value), () => `Unexpected array in result for path element ${key}`);
  return hasOwn.call(value, key) ? valuesAt((value as Record<string, unknown>)[key as string], path, from + 1) : undefined;
}

async function executeFetch(run: Run, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const service = run.serviceMap[fetch.serviceName];
  if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  const entities = Array.isArray(cursor.data) ? (cursor.data as unknown[]).filter((entity) => entity !== null && entity !== undefined) : [cursor.data];
  if (entities.length < 1) return;
  const variables: Record<string, unknown> = Object.create(null);
  const provided = run.requestContext.request.variables;
  if (fetch.variableUsages && provided) {
    for (const name of fetch.variableUsages) {
      if (hasOwn.call(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
    }
  }

  if (!fetch.requires) {
    const received = await send(run, fetch, cursor, service, variables);
    if (received) rewrites.applyRewrites(run.supergraphSchema, fetch.outputRewrites, received);
    for (const entity of entities) merge(entity, received);
    return;
  }

  const representations: Record<string, unknown>[] = [];
  const representationToEntity: number[] = [];
  for (let index = 0; index < entities.length; index++) {
    const representation = selectionOf(run.supergraphSchema, entities[index], fetch.requires);
    if (representation && representation.__typename) {
      rewrites.applyRewrites(run.supergraphSchema, fetch.inputRewrites, representation);
      representations.push(representation);
      representationToEntity.push(index);
    }
  }
  if (representations.length < 1) return;
  if ('representations' in variables) throw new Error('Variables cannot contain key "representations"');
  const received = await send(run, fetch, cursor, service, { ...variables, representations });
  if (!received) return;
  const receivedEntities = received._entities;
  if (!Array.isArray(receivedEntities)) throw new Error('Expected "data._entities" in response to be an array');
  if (receivedEntities.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
  // Walked to `entities.length` as Apollo's walk does: past the representations the merges are no-ops.
  for (let i = 0; i < entities.length; i++) {
    const receivedEntity = receivedEntities[i] as Record<string, unknown> | null | undefined;
    const existingEntity = entities[representationToEntity[i]!] as Record<string, unknown> | undefined;
    if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = existingEntity!.__typename;
    rewrites.applyRewrites(run.supergraphSchema, fetch.outputRewrites, receivedEntity);
    merge(existingEntity, receivedEntity);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Merges a fetch's answer into the result, as Apollo's `deepMerge` (@apollo/gateway/dist/utilities/deepMerge.js)
 * does: objects merged key by key, lists of the same length item by item, anything else replaced. A key the
 * target does not have at all (most of them: each fetch brings its own fields) is set at once.
 */
function merge(target: unknown, source: unknown): unknown {
  if (source === undefined || source === null) return target;
  const into = target as Record<string, unknown>;
  const from = source as Record<string, unknown>;
  for (const key of Object.keys(from)) {
    const value = from[key];
    if (value === undefined) continue;
    if (!(key in into)) {
      into[key] = value;
      continue;
    }
    // Inherited (`constructor` on a plain object): made the target's own before it is read or replaced.
    if (!hasOwn.call(into, key)) Object.defineProperty(into, key, { configurable: true, enumerable: true, value: undefined, writable: true });
    const existing = into[key];
    if (existing && isObject(value)) merge(existing, value);
    else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let i = 0; i < value.length; i++) {
        if (isObject(existing[i]) && isObject(value[i])) merge(existing[i], value[i]);
        else existing[i] = value[i];
      }
    } else into[key] = value;
  }
  return target;
}

/** An entity's representation: the fields the fetch requires, or null when one is missing. */
function selectionOf(schema: unknown, source: unknown, selections: RequiredSelection[]): Record<string, unknown> | null {
  if (source === null) return null;
  const from = source as Record<string, unknown>;
  // A plain object, unlike Apollo's null-prototype one (V8 keeps those as hash tables): the response names are the
  // supergraph's key fields, never a name Object.prototype has.
  const result: Record<string, unknown> = {};
  for (const selection of selections) {
    if (selection.kind === 'Field') {
      const responseName = selection.alias ? selection.alias : selection.name;
      if (!hasOwn.call(from, responseName) || from[responseName] === undefined) return null;
      const value = from[responseName];
      const inner = selection.selections;
      if (Array.isArray(value)) result[responseName] = value.map((item) => (inner ? selectionOf(schema, item, inner) : item));
      else result[responseName] = inner ? selectionOf(schema, value, inner) : value;
    } else if (selection.kind === 'InlineFragment' && selection.typeCondition && rewrites.isObjectOfType(schema, from, selection.typeCondition)) {
      merge(result, selectionOf(schema, from, selection.selections));
    }
  }
  return result;
}

async function send(run: Run, fetch: FetchNode, cursor: Cursor, service: DataSource, variables: Record<string, unknown>): Promise<Record<string, unknown> | null | undefined> {
  const { requestContext } = run;
  const response = await service.process({
    kind: 'incoming operation',
    request: { query: fetch.operation, variables, operationName: fetch.operationName, http: undefined },
    incomingRequestContext: requestContext,
    context: requestContext.context,
    document: fetch.operationDocumentNode,
    pathInIncomingRequest: cursor.path,
  });
  if (response.errors) {
    const pathOf = errorPaths(fetch, cursor);
    for (const error of response.errors) run.errors.push(downstreamError(error, fetch.serviceName, pathOf));
    if (!response.extensions?.ftv1 && requestContext.metrics) {
      const paths = response.errors.map((error) => ({ subgraph: fetch.serviceName, path: error.path }));
      if (requestContext.metrics.nonFtv1ErrorPaths) requestContext.metrics.nonFtv1ErrorPaths.push(...paths);
      else requestContext.metrics.nonFtv1ErrorPaths = paths;
    }
  }
  return response.data;
}

/** Maps a subgraph error's path into the client's answer: through `_entities` to where each entity sits. */
function errorPaths(fetch: FetchNode, cursor: Cursor): (path: Path | undefined) => Path | undefined {
  let hydrated: Path[] | undefined;
  return (path) => {
    if (fetch.requires && typeof path?.[1] === 'number') {
      if (!hydrated) apolloPlans.generateHydratedPaths([], cursor.path, cursor.fullResult, (hydrated = []));
      return [...(hydrated[path[1]] ?? []), ...path.slice(2)];
    }
    return path ? [...cursor.path, ...path] : undefined;
  };
}

/** The client's error for a subgraph's: its message, the mapped path, the subgraph named, a code. */
function downstreamError(error: SubgraphError, serviceName: string, pathOf: (path: Path | undefined) => Path | undefined): GraphQLError {
  const message = error.message || `Error while fetching subquery from service "${serviceName}"`;
  const options = { originalError: error, path: pathOf(error.path), extensions: { ...error.extensions, serviceName } };
  const code = federation.errorCodeDef(error);
  if (!code && error.extensions?.code) return new GraphQLError(message, options as unknown as GraphQLErrorOptions);
  return (code ?? federation.ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

/**
 * Makes the gateway run its query plans with this walk. Call after the gateway loaded its supergraph; a gateway
 * that is never registered (the benchmark's stock variant) keeps Apollo's.
 */
export function executePlansOf(gateway: object): void {
  const apiSchema = (gateway as { apiSchema?: object }).apiSchema;
  if (!apiSchema) throw new Error('plan execution: the gateway has not loaded its supergraph (or @apollo/gateway changed its fields)');
  ownSchemas.add(apiSchema);
  apolloPlans.executeQueryPlan = executeQueryPlan as ExecuteQueryPlan;
}
